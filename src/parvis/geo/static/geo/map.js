/* The console's map: aggregated residents, drawing tools, streets and named areas, live
   counts. No person ever reaches the browser: only counts per grid cell and per selection. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("geo-config").textContent);
  var csrf = document.querySelector("#geo-alert-form [name=csrfmiddlewaretoken]").value;
  var map = L.map("geo-map", { zoomSnap: 0.5 });
  if (config.tiles) {
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
  }
  if (config.bounds) { map.fitBounds(config.bounds, { padding: [20, 20] }); }
  else { map.setView([46.6, 2.4], 6); }

  // Residents per grid cell, refreshed when the view moves.
  var cells = L.layerGroup().addTo(map);
  var gridRequest = 0;
  function loadGrid() {
    var b = map.getBounds();
    var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) { return v.toFixed(6); }).join(",");
    var mine = ++gridRequest;
    fetch(config.gridUrl + "?cells=40&bbox=" + bbox, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (mine !== gridRequest) { return; }
        cells.clearLayers();
        (data.cells || []).forEach(function (c) {
          // A cell of few residents (c.few) comes without its count: shown as "<5".
          var few = "&lt;" + (data.small || 5);
          var size = Math.round(14 + Math.min(30, Math.sqrt(c.few ? 1 : c.count) * 2));
          L.marker([c.lat, c.lon], {
            interactive: false, keyboard: false,
            icon: L.divIcon({
              className: c.few ? "geo-cluster geo-cluster--few" : "geo-cluster",
              html: c.few ? few : String(c.count), iconSize: [size, size]
            })
          }).addTo(cells);
        });
      });
  }
  map.on("moveend", loadGrid);
  loadGrid();

  // Drawing.
  var drawn = new L.FeatureGroup().addTo(map);
  map.addControl(new L.Control.Draw({
    position: "topleft",
    draw: {
      polyline: false, marker: false, circlemarker: false,
      polygon: { allowIntersection: false, showArea: false, shapeOptions: { color: "#000091" } },
      rectangle: { showArea: false, shapeOptions: { color: "#000091" } },
      circle: { shapeOptions: { color: "#000091" } }
    },
    edit: { featureGroup: drawn }
  }));
  map.on(L.Draw.Event.CREATED, function (e) { drawn.addLayer(e.layer); refresh(); });
  map.on(L.Draw.Event.EDITED, refresh);
  map.on(L.Draw.Event.DELETED, refresh);

  // Streets and areas.
  var chosenStreets = {};
  var chosenAreas = {};
  var areaLayers = {};
  var streetInput = document.getElementById("geo-street-q");
  var streetResults = document.getElementById("geo-street-results");
  var streetChosen = document.getElementById("geo-street-chosen");
  function checkbox(id, label, checked, onChange) {
    var li = document.createElement("li");
    li.className = "fr-checkbox-group fr-checkbox-group--sm";
    var input = document.createElement("input");
    input.type = "checkbox"; input.id = id; input.checked = checked;
    input.addEventListener("change", function () { onChange(input.checked); });
    var lab = document.createElement("label");
    lab.className = "fr-label"; lab.htmlFor = id; lab.textContent = label;
    li.appendChild(input); li.appendChild(lab);
    return li;
  }
  function renderChosenStreets() {
    streetChosen.innerHTML = "";
    Object.keys(chosenStreets).forEach(function (id) {
      streetChosen.appendChild(checkbox("street-chosen-" + id, chosenStreets[id], true, function () {
        delete chosenStreets[id]; renderChosenStreets(); refresh();
      }));
    });
  }
  var streetTimer = null;
  streetInput.addEventListener("input", function () {
    clearTimeout(streetTimer);
    streetTimer = setTimeout(function () {
      fetch(config.streetsUrl + "?q=" + encodeURIComponent(streetInput.value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          streetResults.innerHTML = "";
          (data.streets || []).forEach(function (s) {
            streetResults.appendChild(checkbox("street-" + s.id, s.name, !!chosenStreets[s.id], function (on) {
              if (on) { chosenStreets[s.id] = s.name; } else { delete chosenStreets[s.id]; }
              renderChosenStreets(); refresh();
            }));
          });
        });
    }, 200);
  });
  fetch(config.areasUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var list = document.getElementById("geo-areas");
    (data.features || []).forEach(function (f) {
      var layer = L.geoJSON(f, { style: { color: "#6a6af4", weight: 1, dashArray: "4 4", fillOpacity: 0.03 }, interactive: false }).addTo(map);
      areaLayers[f.properties.id] = layer;
      list.appendChild(checkbox("area-" + f.properties.id, f.properties.name + " (" + f.properties.kind + ")", false, function (on) {
        if (on) { chosenAreas[f.properties.id] = true; layer.setStyle({ fillOpacity: 0.2 }); }
        else { delete chosenAreas[f.properties.id]; layer.setStyle({ fillOpacity: 0.03 }); }
        refresh();
      }));
    });
  });

  function selection() {
    var shapes = [];
    drawn.eachLayer(function (layer) {
      if (layer instanceof L.Circle) {
        var c = layer.getLatLng();
        shapes.push({ type: "circle", lat: c.lat, lon: c.lng, metres: Math.round(layer.getRadius()) });
      } else if (layer.toGeoJSON) {
        shapes.push({ type: "polygon", geometry: layer.toGeoJSON().geometry });
      }
    });
    var streets = Object.keys(chosenStreets).map(Number);
    if (streets.length) { shapes.push({ type: "streets", streets: streets }); }
    var areas = Object.keys(chosenAreas).map(Number);
    if (areas.length) { shapes.push({ type: "area", areas: areas }); }
    return { shapes: shapes };
  }

  var countsTable = document.getElementById("geo-counts");
  var hint = document.getElementById("geo-hint");
  var errorBox = document.getElementById("geo-error");
  var hidden = document.getElementById("geo-selection");
  var topic = document.getElementById("alert-topic");
  var countRequest = 0;
  function refresh() {
    var sel = selection();
    if (hidden) { hidden.value = JSON.stringify(sel); }
    errorBox.hidden = true;
    if (!sel.shapes.length) { countsTable.hidden = true; hint.hidden = false; countsTable.removeAttribute("data-ready"); return; }
    var mine = ++countRequest;
    countsTable.removeAttribute("data-ready");
    fetch(config.countUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ selection: sel, topic: topic ? topic.value : "" })
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (mine !== countRequest) { return; }
      if (data.error) {
        errorBox.textContent = data.error; errorBox.hidden = false; countsTable.hidden = true; return;
      }
      countsTable.querySelectorAll("[data-key]").forEach(function (cell) {
        cell.textContent = (data[cell.getAttribute("data-key")] || 0).toLocaleString("fr-FR");
      });
      hint.hidden = !data.message; hint.textContent = data.message || hint.textContent;
      countsTable.hidden = false;
      countsTable.setAttribute("data-ready", "1");
    });
  }
  if (topic) { topic.addEventListener("change", refresh); }
  document.getElementById("geo-clear").addEventListener("click", function () {
    drawn.clearLayers(); chosenStreets = {}; renderChosenStreets();
    Object.keys(chosenAreas).forEach(function (id) { areaLayers[id].setStyle({ fillOpacity: 0.03 }); });
    chosenAreas = {};
    document.querySelectorAll("#geo-areas input, #geo-street-results input").forEach(function (i) { i.checked = false; });
    refresh();
  });
  // Both forms (send an alert, save as an audience) carry the selection as it is now.
  document.querySelectorAll("form").forEach(function (form) {
    var field = form.querySelector(".geo-selection-field");
    if (field) {
      form.addEventListener("submit", function () { field.value = JSON.stringify(selection()); });
    }
  });
})();
