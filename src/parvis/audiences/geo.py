"""Geographic conditions: radius around a point, drawn polygon (GeoJSON), street.

PostGIS is not installed and SQLite has no spatial index, so the geometry is done with plain
arithmetic in SQL, identical on both databases: a bounding box on latitude/longitude first
(cheap comparisons that discard almost every address), then the exact test on what is left —
for a radius, the distance on a local equirectangular projection (metres per degree computed
at the centre on the WGS84 ellipsoid: under 0.1 % error at town scale, which is what an
evacuation perimeter or a street flood needs); for a polygon, the even-odd ray-casting rule
written as one CASE per edge (constants computed here, so SQL only multiplies and compares).
No function is registered in SQLite and nothing is looped over in Python."""

import math
from functools import reduce

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import Mod
from django.utils.translation import gettext as _

from parvis.people.models import Residence, Street
from parvis.people.normalize import normalize_text

from .filters import ConditionKind, TreeError, as_float, as_int, condition, require

MAX_RADIUS_M = 100_000
MAX_VERTICES = 500
LAT, LON = "address__latitude", "address__longitude"


def metres_per_degree(latitude: float) -> tuple[float, float]:
    phi = math.radians(latitude)
    per_lat = 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)
    per_lon = 111412.84 * math.cos(phi) - 93.5 * math.cos(3 * phi)
    return per_lat, per_lon


def current_residences():
    """Residences of the outer person that are current (no end date)."""
    return Residence.objects.filter(person=OuterRef("pk"), end__isnull=True)


@condition("radius")
class RadiusCondition(ConditionKind):
    """{"kind": "radius", "lat": 49.25, "lon": 5.93, "metres": 500}: lives within that distance."""

    label = "Rayon autour d'un point"

    def validate(self, node, path, ctx):
        return {
            "lat": as_float(require(node, "lat", path), f"{path}.lat", minimum=-90, maximum=90),
            "lon": as_float(require(node, "lon", path), f"{path}.lon", minimum=-180, maximum=180),
            "metres": as_int(
                require(node, "metres", path), f"{path}.metres", minimum=1, maximum=MAX_RADIUS_M
            ),
        }

    def compile(self, node, ctx):
        lat0, lon0, radius = node["lat"], node["lon"], node["metres"]
        per_lat, per_lon = metres_per_degree(lat0)
        dlat, dlon = radius / per_lat, radius / per_lon
        dy = (F(LAT) - Value(lat0)) * Value(per_lat)
        dx = (F(LON) - Value(lon0)) * Value(per_lon)
        rows = (
            current_residences()
            .filter(
                **{
                    f"{LAT}__range": (lat0 - dlat, lat0 + dlat),
                    f"{LON}__range": (lon0 - dlon, lon0 + dlon),
                }
            )
            .alias(d2=dy * dy + dx * dx)
            .filter(d2__lte=float(radius) ** 2)
        )
        return Q(Exists(rows))


def polygon_rings(geometry, path: str) -> list[list[tuple[float, float]]]:
    """The rings (outer and holes, of every polygon) of a GeoJSON Polygon, MultiPolygon or
    Feature, as (lon, lat) lists; raises TreeError on anything malformed."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise TreeError(path, _("Expected a GeoJSON Polygon or MultiPolygon."))
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise TreeError(path, _("The polygon has no coordinates."))
    rings = []
    for p, polygon in enumerate(polygons):
        if not isinstance(polygon, list) or not polygon:
            raise TreeError(f"{path}.coordinates[{p}]", _("The polygon has no ring."))
        for r, ring in enumerate(polygon):
            where = f"{path}.coordinates[{p}][{r}]"
            if not isinstance(ring, list) or len(ring) < 4:
                raise TreeError(where, _("A ring needs at least 4 positions (a closed triangle)."))
            points = []
            for i, position in enumerate(ring):
                if not isinstance(position, list | tuple) or len(position) < 2:
                    raise TreeError(f"{where}[{i}]", _("A position is [longitude, latitude]."))
                lon = as_float(position[0], f"{where}[{i}][0]", minimum=-180, maximum=180)
                lat = as_float(position[1], f"{where}[{i}][1]", minimum=-90, maximum=90)
                points.append((lon, lat))
            if points[0] != points[-1]:
                raise TreeError(where, _("A ring must end where it starts (closed)."))
            if len(set(points)) < 3:
                raise TreeError(where, _("A ring needs at least three distinct points."))
            rings.append(points)
    if sum(len(r) for r in rings) > MAX_VERTICES:
        raise TreeError(path, _("At most %(n)s vertices.") % {"n": MAX_VERTICES})
    return rings


@condition("polygon")
class PolygonCondition(ConditionKind):
    """{"kind": "polygon", "geometry": {GeoJSON Polygon}}: lives inside the drawn area."""

    label = "Zone dessinée"

    def validate(self, node, path, ctx):
        rings = polygon_rings(require(node, "geometry", path), f"{path}.geometry")
        return {
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [[[list(p) for p in ring]] for ring in rings],
            }
        }

    def compile(self, node, ctx):
        rings = [[tuple(p) for p in poly[0]] for poly in node["geometry"]["coordinates"]]
        lons = [p[0] for ring in rings for p in ring]
        lats = [p[1] for ring in rings for p in ring]
        crossings = []
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
                if y1 == y2:
                    continue  # a horizontal edge never crosses a horizontal ray
                slope = (x2 - x1) / (y2 - y1)
                offset = x1 - y1 * slope
                crossings.append(
                    Case(
                        When(
                            Q(**{f"{LAT}__gte": min(y1, y2), f"{LAT}__lt": max(y1, y2)})
                            & Q(**{f"{LON}__lt": Value(offset) + Value(slope) * F(LAT)}),
                            then=Value(1),
                        ),
                        default=Value(0),
                        output_field=IntegerField(),
                    )
                )
        rows = current_residences().filter(
            **{f"{LAT}__range": (min(lats), max(lats)), f"{LON}__range": (min(lons), max(lons))}
        )
        if not crossings:
            return Q(pk__in=[])
        # Even-odd rule over all rings at once: holes and separate polygons come out right.
        rows = rows.alias(inside=Mod(reduce(lambda a, b: a + b, crossings), 2)).filter(inside=1)
        return Q(Exists(rows))


@condition("street")
class StreetCondition(ConditionKind):
    """{"kind": "street", "streets": [12, "Rue de la Gare"]}: lives in one of these streets
    (ids, or names as written in the Base Adresse Nationale, accents and case ignored)."""

    label = "Rue"

    def validate(self, node, path, ctx):
        streets = require(node, "streets", path)
        if isinstance(streets, str | int):
            streets = [streets]
        if not isinstance(streets, list) or not streets or len(streets) > 200:
            raise TreeError(f"{path}.streets", _("Expected a list of 1 to 200 streets."))
        ids = []
        for i, street in enumerate(streets):
            where = f"{path}.streets[{i}]"
            if isinstance(street, int) and not isinstance(street, bool):
                found = Street.objects.filter(pk=street).values_list("pk", flat=True).first()
            elif isinstance(street, str) and street.strip():
                found = (
                    Street.objects.filter(name_norm=normalize_text(street))
                    .values_list("pk", flat=True)
                    .first()
                )
            else:
                raise TreeError(where, _("Expected a street name or id."))
            if found is None:
                raise TreeError(where, _("Unknown street “%(s)s”.") % {"s": str(street)[:80]})
            ids.append(found)
        return {"streets": sorted(set(ids))}

    def compile(self, node, ctx):
        return Q(Exists(current_residences().filter(address__street_id__in=node["streets"])))
