"""The console's map and alerts pages: thin views over selection.py and alerts.py.

The map never receives a person: addresses come aggregated per grid cell (cells of at least
100 m, small counts hidden), selections come back as counts (under SMALL_COUNT persons only
for those who may send alerts). Seeing the map needs `geo.view_area`; composing and sending
alerts `geo.send_alert`."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parvis.audiences.models import Audience
from parvis.people.models import Address, Street

from . import alerts, ban, selection
from .models import Alert, Area, Topic


def _bbox(request):
    try:
        parts = [float(v) for v in request.GET.get("bbox", "").split(",")]
    except ValueError:
        return None
    if len(parts) != 4 or not (-180 <= parts[0] < parts[2] <= 180):
        return None
    if not (-90 <= parts[1] < parts[3] <= 90):
        return None
    return tuple(parts)


def _town_view() -> dict:
    from django.db.models import Max, Min

    box = Address.objects.filter(latitude__isnull=False, residences__end__isnull=True).aggregate(
        y0=Min("latitude"), y1=Max("latitude"), x0=Min("longitude"), x1=Max("longitude")
    )
    if box["y0"] is None:
        return {"bounds": None}
    return {"bounds": [[box["y0"], box["x0"]], [box["y1"], box["x1"]]]}


@login_required
@permission_required("geo.view_area", raise_exception=True)
def map_page(request):
    config = {
        "tiles": settings.PARVIS_MAP_TILES,
        "attribution": settings.PARVIS_MAP_ATTRIBUTION,
        "gridUrl": "grid.json",
        "areasUrl": "areas.json",
        "streetsUrl": "streets.json",
        "countUrl": "count/",
        **_town_view(),
    }
    return render(
        request,
        "geo/map.html",
        {
            "nav": "geo",
            "config": config,
            "topics": Topic.choices,
            "channels": [
                ("email", _("Email")),
                ("sms", _("SMS")),
                ("push", _("Web push")),
                ("postal", _("Postal letter")),
            ],
            "missing": ban.addresses_without_coordinates().count(),
            "can_send": request.user.has_perm("geo.send_alert"),
            "can_save_audience": request.user.has_perm("audiences.add_audience"),
            "audience_kinds": Audience.Kind.choices,
        },
    )


@login_required
@permission_required("geo.view_area", raise_exception=True)
@require_GET
def grid_json(request):
    box = _bbox(request)
    if box is None:
        error = _("Expected bbox=min_lon,min_lat,max_lon,max_lat.")
        return JsonResponse({"error": error}, status=400)
    try:
        cells = int(request.GET.get("cells", "40"))
    except ValueError:
        cells = 40
    return JsonResponse({"cells": selection.grid(box, cells), "small": selection.SMALL_COUNT})


@login_required
@permission_required("geo.view_area", raise_exception=True)
@require_GET
def areas_json(request):
    features = [
        {
            "type": "Feature",
            "id": area.pk,
            "properties": {"id": area.pk, "name": area.name, "kind": area.get_kind_display()},
            "geometry": area.geometry,
        }
        for area in Area.objects.all()
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@login_required
@permission_required("geo.view_area", raise_exception=True)
@require_GET
def streets_json(request):
    from parvis.people.normalize import normalize_text

    query = normalize_text(request.GET.get("q", ""))[:60]
    streets = Street.objects.filter(addresses__latitude__isnull=False).distinct()
    if query:
        streets = streets.filter(name_norm__contains=query)
    rows = streets.order_by("name").values("pk", "name", "postcode")[:30]
    return JsonResponse({"streets": [{"id": r["pk"], "name": r["name"]} for r in rows]})


@login_required
@permission_required("geo.view_area", raise_exception=True)
@require_POST
def count_view(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": _("Not valid JSON.")}, status=400)
    try:
        tree = selection.to_tree(data.get("selection"))
    except selection.SelectionError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    figures = selection.counts(tree, safety=data.get("topic") == Topic.SAFETY)
    # Exact small figures single people out: only those who send alerts get them.
    if 0 < figures["persons"] < selection.SMALL_COUNT and not request.user.has_perm(
        "geo.send_alert"
    ):
        error = _("Fewer than %(n)s people live in this selection: widen it.") % {
            "n": selection.SMALL_COUNT
        }
        return JsonResponse({"error": error, "few": True}, status=403)
    if figures["persons"] == 0:
        figures["message"] = _("No one lives in the selected area.")
    return JsonResponse(figures)


@login_required
@permission_required(["geo.view_area", "audiences.add_audience"], raise_exception=True)
@require_POST
def save_audience(request):
    """The current selection saved as an audience (for journeys and the audience builder)."""
    try:
        selection_data = json.loads(request.POST.get("selection") or "null")
    except ValueError:
        selection_data = None
    try:
        audience = selection.save_as_audience(
            selection_data,
            name=request.POST.get("name", ""),
            kind=request.POST.get("kind", "dynamic"),
            user=request.user,
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect("geo:map")
    messages.success(request, _("Audience saved."))
    return redirect("audiences:detail", audience.pk)


@login_required
@permission_required("geo.view_area", raise_exception=True)
def missing_coordinates(request):
    rows = ban.addresses_without_coordinates()
    return render(
        request,
        "geo/missing.html",
        {"nav": "geo", "rows": rows[:500], "count": rows.count()},
    )


@login_required
@permission_required("geo.view_alert", raise_exception=True)
def alert_list(request):
    return render(request, "geo/alerts.html", {"nav": "geo", "alerts": Alert.objects.all()[:200]})


@login_required
@permission_required("geo.send_alert", raise_exception=True)
@require_POST
def alert_new(request):
    try:
        selection_data = json.loads(request.POST.get("selection") or "null")
    except ValueError:
        selection_data = None
    try:
        alert = alerts.create_alert(
            title=request.POST.get("title", ""),
            topic=request.POST.get("topic", ""),
            channels=request.POST.getlist("channels"),
            selection_data=selection_data,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
            user=request.user,
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect("geo:map")
    messages.success(request, _("The alert is being sent."))
    return redirect("geo:alert", alert_id=alert.pk)


@login_required
@permission_required("geo.view_alert", raise_exception=True)
def alert_detail(request, alert_id: int):
    alert = get_object_or_404(Alert, pk=alert_id)
    return render(
        request,
        "geo/alert.html",
        {
            "nav": "geo",
            "alert": alert,
            "figures": alerts.update_figures(alert),
            "can_send": request.user.has_perm("geo.send_alert"),
        },
    )


@login_required
@permission_required("geo.send_alert", raise_exception=True)
@require_POST
def alert_update(request, alert_id: int):
    alert = get_object_or_404(Alert, pk=alert_id)
    try:
        alerts.add_update(
            alert,
            subject=request.POST.get("subject", ""),
            body=request.POST.get("body", ""),
            closing=request.POST.get("closing") == "1",
            user=request.user,
        )
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
        return redirect("geo:alert", alert_id=alert.pk)
    messages.success(request, _("The message is being sent to the same people."))
    return redirect("geo:alert", alert_id=alert.pk)
