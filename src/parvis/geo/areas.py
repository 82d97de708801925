"""Import named areas (neighbourhoods, IRIS) from a GeoJSON file.

Accepted: a FeatureCollection (or one Feature) of Polygon / MultiPolygon features, in WGS84
(RFC 7946) or with a `crs` member naming Lambert-93 (EPSG:2154), which is reprojected. Each
feature is checked (closed rings, simple outlines) before anything is written: a bad file
changes nothing and the error names the feature."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from parvis.audiences.filters import TreeError
from parvis.audiences.geo import polygon_rings

from . import geometry
from .models import Area
from .projection import CRSError, crs_code, transformer

NAME_FIELDS = ("name", "nom", "nom_iris", "libelle", "label", "quartier")
CODE_FIELDS = ("code", "code_iris", "iris", "insee")
MAX_BYTES = 50 * 1024 * 1024


class GeoJSONError(ValueError):
    pass


@dataclass
class AreaReport:
    crs: str = "EPSG:4326"
    created: int = 0
    updated: int = 0
    names: list[str] = field(default_factory=list)


def _crs_of(document: dict) -> str:
    crs = document.get("crs")
    if crs is None:
        return "EPSG:4326"  # RFC 7946: always WGS84 longitude/latitude
    name = ""
    if isinstance(crs, dict):
        props = crs.get("properties") or {}
        name = props.get("name") or props.get("code") or ""
        if crs.get("type") == "EPSG" and props.get("code"):
            name = f"EPSG:{props['code']}"
    return crs_code(str(name))


def _reproject(coords, project):
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float):
        if len(coords) < 2 or not all(isinstance(c, int | float) for c in coords[:2]):
            raise GeoJSONError(_("A position is [x, y]."))
        lon, lat = project(float(coords[0]), float(coords[1]))
        return [round(lon, 7), round(lat, 7)]
    if not isinstance(coords, list):
        raise GeoJSONError(_("Coordinates must be arrays of positions."))
    return [_reproject(c, project) for c in coords]


def _out_of_range(coords) -> bool:
    if isinstance(coords, list) and coords and isinstance(coords[0], int | float):
        return abs(coords[0]) > 180 or abs(coords[1]) > 90
    return isinstance(coords, list) and any(_out_of_range(c) for c in coords)


def parse(text: str, *, kind: str = "other", name_field: str = "") -> tuple[str, list[dict]]:
    """(crs, [{name, code, kind, geometry (MultiPolygon, WGS84), rings}]) or GeoJSONError."""
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise GeoJSONError(_("The file is not JSON, so not GeoJSON: %(e)s") % {"e": exc}) from None
    if not isinstance(document, dict) or document.get("type") not in (
        "FeatureCollection",
        "Feature",
    ):
        raise GeoJSONError(
            _("The file is JSON but not GeoJSON: expected a FeatureCollection of areas.")
        )
    try:
        crs = _crs_of(document)
    except CRSError as exc:
        raise GeoJSONError(str(exc)) from None
    project = transformer(crs)
    features = document.get("features") if document["type"] == "FeatureCollection" else [document]
    if not isinstance(features, list) or not features:
        raise GeoJSONError(_("The file contains no feature."))
    areas, seen = [], set()
    for index, feature in enumerate(features):
        where = _("Feature %(n)s") % {"n": index + 1}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise GeoJSONError(_("%(where)s is not a GeoJSON Feature.") % {"where": where})
        props = feature.get("properties") or {}
        lowered = {str(k).lower(): v for k, v in props.items()}
        fields = (name_field.lower(),) if name_field else NAME_FIELDS
        name = next((str(lowered[f]).strip() for f in fields if lowered.get(f)), "")
        if not name:
            raise GeoJSONError(
                _("%(where)s has no name (property %(fields)s).")
                % {"where": where, "fields": " / ".join(fields)}
            )
        where = f"{where} ({name[:60]})"
        code = next((str(lowered[f]).strip() for f in CODE_FIELDS if lowered.get(f)), "")
        geom = feature.get("geometry")
        if not isinstance(geom, dict) or geom.get("type") not in ("Polygon", "MultiPolygon"):
            raise GeoJSONError(
                _("%(where)s: expected a Polygon or MultiPolygon geometry.") % {"where": where}
            )
        try:
            coords = _reproject(geom.get("coordinates"), project)
        except GeoJSONError as exc:
            raise GeoJSONError(f"{where}: {exc}") from None
        if crs == "EPSG:4326" and _out_of_range(coords):
            raise GeoJSONError(
                _(
                    "%(where)s: the coordinates are not longitudes and latitudes (WGS84). "
                    "If the file is in Lambert-93, declare it with a “crs” member naming "
                    "EPSG:2154; otherwise reproject it to WGS84."
                )
                % {"where": where}
            )
        try:
            rings = polygon_rings({"type": geom["type"], "coordinates": coords}, "geometry")
        except TreeError as exc:
            raise GeoJSONError(f"{where}: {exc.message}") from None
        try:
            geometry.check_simple(rings)
        except ValueError as exc:
            raise GeoJSONError(f"{where}: {exc}") from None
        if name in seen:
            raise GeoJSONError(_("%(where)s: the name appears twice.") % {"where": where})
        seen.add(name)
        multi = [coords] if geom["type"] == "Polygon" else coords
        areas.append(
            {
                "name": name[:200],
                "code": code[:40],
                "kind": kind,
                "geometry": {"type": "MultiPolygon", "coordinates": multi},
                "rings": rings,
            }
        )
    return crs, areas


def import_areas(path, *, kind: str = "other", name_field: str = "") -> AreaReport:
    path = Path(path)
    if kind not in Area.Kind.values:
        raise GeoJSONError(_("Unknown kind of area “%(k)s”.") % {"k": kind})
    if not path.exists():
        raise GeoJSONError(_("No such file: %(p)s") % {"p": path})
    if path.stat().st_size > MAX_BYTES:
        raise GeoJSONError(_("The file is too large (50 MB at most)."))
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GeoJSONError(_("The file is not UTF-8 text, so not GeoJSON.")) from None
    crs, parsed = parse(text, kind=kind, name_field=name_field)
    report = AreaReport(crs=crs)
    with transaction.atomic():
        for area in parsed:
            min_lon, min_lat, max_lon, max_lat = geometry.bbox(area["rings"])
            _row, created = Area.objects.update_or_create(
                kind=kind,
                name=area["name"],
                defaults={
                    "code": area["code"],
                    "geometry": area["geometry"],
                    "min_lat": min_lat,
                    "max_lat": max_lat,
                    "min_lon": min_lon,
                    "max_lon": max_lon,
                    "source": path.name[:200],
                },
            )
            report.created += created
            report.updated += not created
            report.names.append(area["name"])
    return report


def area_rings(area: Area) -> list[list[tuple[float, float]]]:
    return [
        [tuple(p) for p in ring] for polygon in area.geometry["coordinates"] for ring in polygon
    ]
