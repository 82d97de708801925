"""What the agent selects on the map, turned into an audience filter tree, and its counts.

A selection is JSON: {"shapes": [shape, ...]} where a shape is one of
    {"type": "polygon", "geometry": {GeoJSON Polygon}}
    {"type": "circle", "lat": 49.32, "lon": 5.83, "metres": 300}
    {"type": "streets", "streets": [12, 13]}
    {"type": "area", "areas": [4]}
The shapes add up (a person in any of them is reached). The tree is the audiences app's
(polygon, radius, street kinds and this app's "area" kind): one SQL query, no PostGIS."""

import math

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
)
from django.db.models.functions import Floor
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.audiences import filters
from parvis.audiences.filters import TreeError
from parvis.audiences.geo import metres_per_degree, polygon_rings
from parvis.journeys.models import PushSubscription
from parvis.people.models import Consent, ContactPoint, HouseholdMember, Residence

from . import geometry

MAX_SHAPES = 20


class SelectionError(ValueError):
    pass


def to_tree(selection) -> dict:
    """The validated audience tree of a selection; SelectionError with a clear message."""
    if not isinstance(selection, dict) or not isinstance(selection.get("shapes"), list):
        raise SelectionError(_("Draw an area, or choose streets or a named area."))
    shapes = selection["shapes"]
    if not shapes:
        raise SelectionError(_("Draw an area, or choose streets or a named area."))
    if len(shapes) > MAX_SHAPES:
        raise SelectionError(_("At most %(n)s shapes at once.") % {"n": MAX_SHAPES})
    conditions = []
    for index, shape in enumerate(shapes):
        kind = shape.get("type") if isinstance(shape, dict) else None
        where = _("Shape %(n)s") % {"n": index + 1}
        try:
            if kind == "polygon":
                rings = polygon_rings(shape.get("geometry"), "geometry")
                geometry.check_simple(rings)
                conditions.append({"kind": "polygon", "geometry": shape.get("geometry")})
            elif kind == "circle":
                conditions.append(
                    {
                        "kind": "radius",
                        "lat": shape.get("lat"),
                        "lon": shape.get("lon"),
                        "metres": round(float(shape.get("metres") or 0)),
                    }
                )
            elif kind == "streets":
                conditions.append({"kind": "street", "streets": shape.get("streets")})
            elif kind == "area":
                conditions.append({"kind": "area", "areas": shape.get("areas")})
            else:
                raise SelectionError(f"{where}: " + _("unknown kind of shape."))
        except (TypeError, ValueError) as exc:
            message = exc.message if isinstance(exc, TreeError) else str(exc)
            raise SelectionError(f"{where}: {message}") from None
    tree = {"kind": "any", "conditions": conditions}
    try:
        return filters.validate(tree)
    except TreeError as exc:
        raise SelectionError(exc.message) from None


def selection_rings(selection) -> list[list[list[tuple[float, float]]]]:
    """Each shape's polygon(s) as rings, for overlap tests with subscribed areas; streets
    become the box around their addresses."""
    from .areas import area_rings
    from .models import Area

    out = []
    for shape in selection.get("shapes", []):
        kind = shape.get("type")
        if kind == "polygon":
            out.append(polygon_rings(shape["geometry"], "geometry"))
        elif kind == "circle":
            out.append(
                [geometry.circle_ring(float(shape["lat"]), float(shape["lon"]), shape["metres"])]
            )
        elif kind == "area":
            out.extend(area_rings(a) for a in Area.objects.filter(pk__in=shape["areas"]))
        elif kind == "streets":
            box = _street_box(shape["streets"])
            if box:
                out.append(box)
    return out


def _street_box(street_ids):
    from django.db.models import Max, Min

    from parvis.people.models import Address

    box = Address.objects.filter(street_id__in=street_ids, latitude__isnull=False).aggregate(
        y0=Min("latitude"), y1=Max("latitude"), x0=Min("longitude"), x1=Max("longitude")
    )
    if box["y0"] is None:
        return None
    y0, y1, x0, x1 = box["y0"], box["y1"], box["x0"], box["x1"]
    return [[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]]


def people(tree: dict):
    return filters.people(tree)


CHANNEL_KEYS = ("email", "sms", "push", "letter_only", "none")


def counts(tree: dict, *, safety: bool = False) -> dict:
    """Persons and households reached, and how each person can be reached for an alert:
    by email, SMS, push (each counted when usable: a valid contact, and consent for alerts
    unless it is a safety alert — which still respects an explicit refusal), only by letter,
    or not at all. One query whatever the size."""
    persons = people(tree)
    now = timezone.now()

    def consent_ok(channel):
        rows = Consent.objects.filter(person=OuterRef("pk"), purpose="alerts", channel=channel)
        current = rows.filter(filters.latest_only(Consent, ["purpose", "channel"], "recorded_at"))
        if safety:
            return ~Exists(current.filter(granted=False))
        return Exists(current.filter(granted=True))

    def contact(kind):
        return Exists(
            ContactPoint.objects.filter(
                person=OuterRef("pk"), kind=kind, status=ContactPoint.Status.OK
            )
        )

    email = Q(contact("email")) & Q(consent_ok("email"))
    sms = Q(contact("mobile")) & Q(consent_ok("sms"))
    push = Q(Exists(PushSubscription.objects.filter(person=OuterRef("pk"), active=True))) & Q(
        consent_ok("push")
    )
    postal_refused = Exists(
        Consent.objects.filter(
            person=OuterRef("pk"), purpose="alerts", channel="postal", granted=False
        ).filter(filters.latest_only(Consent, ["purpose", "channel"], "recorded_at"))
    )
    # Each person's reachability is computed once (one row of flags per person), then ONE
    # aggregate counts persons, each channel, letter only, none — and the households of the
    # same selection, which the statement evaluates once (a common table expression).
    flags = persons.annotate(
        pid=F("pk"),
        f_email=ExpressionWrapper(email, output_field=BooleanField()),
        f_sms=ExpressionWrapper(sms, output_field=BooleanField()),
        f_push=ExpressionWrapper(push, output_field=BooleanField()),
        f_refused=postal_refused,
    ).values("pid", "f_email", "f_sms", "f_push", "f_refused")
    sql, params = flags.query.sql_with_params()
    members = HouseholdMember._meta.db_table
    electronic = "(sel.f_email OR sel.f_sms OR sel.f_push)"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH sel AS ({sql}) SELECT COUNT(*), "  # noqa: S608 - compiled by the ORM
            "COUNT(*) FILTER (WHERE sel.f_email), "
            "COUNT(*) FILTER (WHERE sel.f_sms), "
            "COUNT(*) FILTER (WHERE sel.f_push), "
            f"COUNT(*) FILTER (WHERE NOT {electronic} AND NOT sel.f_refused), "
            f"COUNT(*) FILTER (WHERE NOT {electronic} AND sel.f_refused), "
            f"(SELECT COUNT(DISTINCT m.household_id) FROM {members} m "
            "WHERE m.until IS NULL AND m.person_id IN (SELECT sel.pid FROM sel)) "
            "FROM sel",
            params,
        )
        row = cursor.fetchone()
    keys = ("persons", "email", "sms", "push", "letter_only", "none", "households")
    figures = {key: int(value or 0) for key, value in zip(keys, row, strict=True)}
    figures["at"] = now.isoformat()
    return figures


# The grid never shows fewer than this many residents as a number, nor cells smaller than
# MIN_CELL_METRES: an address and its residents must not be singled out by zooming in.
SMALL_COUNT = 5
MIN_CELL_METRES = 100
# The grid's smallest step in degrees: MIN_CELL_METRES of latitude anywhere on Earth (a
# degree of latitude is at least 110.57 km).
_BASE_STEP = MIN_CELL_METRES / 110_000


def cell_size(bbox: tuple[float, float, float, float], cells: int = 40) -> float:
    """The side of a grid cell in degrees: about the box's span / `cells`, never less than
    MIN_CELL_METRES either way at the box's latitude (a degree of longitude shrinks towards
    the poles), and always _BASE_STEP times a power of two, so that every view shows cells
    of the same fixed world grid whatever its box."""
    x0, y0, x1, y1 = bbox
    wanted = max((x1 - x0), (y1 - y0)) / max(4, min(cells, 200))
    per_lat, per_lon = metres_per_degree(min(max(abs(y0), abs(y1)), 89.0))
    narrowest = MIN_CELL_METRES / min(per_lat, per_lon)
    size = _BASE_STEP
    while size < max(wanted, narrowest):
        size *= 2
    return size


def grid(bbox: tuple[float, float, float, float], cells: int = 40) -> list[dict]:
    """Residents aggregated on a grid over the visible box (min_lon, min_lat, max_lon,
    max_lat): one row per non-empty cell, at the cell's centre, with its count. Each cell is
    counted whole (the box is widened to the cells it touches), and a cell with fewer than
    SMALL_COUNT residents has no count, only "few": true. No person and no address leaves
    the server."""
    x0, y0, x1, y1 = bbox
    if not (x1 > x0 and y1 > y0):
        return []
    size = cell_size(bbox, cells)
    # Whole cells: a box drawn round one address counts all of its cell, not the address.
    lat_from, lat_to = math.floor(y0 / size) * size, (math.floor(y1 / size) + 1) * size
    lon_from, lon_to = math.floor(x0 / size) * size, (math.floor(x1 / size) + 1) * size
    rows = (
        Residence.objects.filter(
            end__isnull=True,
            address__latitude__gte=lat_from,
            address__latitude__lt=lat_to,
            address__longitude__gte=lon_from,
            address__longitude__lt=lon_to,
        )
        .annotate(
            cy=Floor(F("address__latitude") / size),
            cx=Floor(F("address__longitude") / size),
        )
        .values("cy", "cx")
        .annotate(n=Count("id"))
        .order_by()
    )
    out = []
    for r in rows:
        few = r["n"] < SMALL_COUNT
        out.append(
            {
                "lat": round((float(r["cy"]) + 0.5) * size, 6),
                "lon": round((float(r["cx"]) + 0.5) * size, 6),
                "count": None if few else r["n"],
                "few": few,
            }
        )
    return out


def save_as_audience(selection_data, *, name: str, kind: str = "dynamic", user=None):
    """The map's selection (drawn polygons and circles, streets, named areas) saved as an
    audience of the audiences app: the same filter tree, so a journey can enrol it and its
    count is the map's. A static audience is frozen at once. Clear errors (ValidationError
    keyed by field), nothing saved when the selection or the name is wrong."""
    from django.core.exceptions import ValidationError

    from parvis.audiences import services as audiences
    from parvis.audiences.models import Audience

    errors, tree = {}, None
    try:
        tree = to_tree(selection_data)
    except SelectionError as exc:
        errors["selection"] = str(exc)
    if not (name or "").strip():
        errors["name"] = _("Give the audience a name.")
    if errors:
        raise ValidationError(errors)
    audience = audiences.save_audience(
        name=name,
        definition=tree,
        kind=kind,
        description=_("Drawn on the map."),
        user=user,
    )
    if audience.kind == Audience.Kind.STATIC:
        audiences.take_snapshot(audience)
    return audience
