"""Plane geometry on small polygons (hundreds of vertices), in Python: what the audiences'
SQL does not need to do per address — checking a drawn ring is simple (not self-intersecting)
and telling whether two areas overlap."""

from django.utils.translation import gettext as _

Point = tuple[float, float]


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Point, b: Point, p: Point) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def segments_cross(p1: Point, p2: Point, q1: Point, q2: Point) -> bool:
    """Do the closed segments p1p2 and q1q2 share a point?"""
    d1, d2 = _orient(q1, q2, p1), _orient(q1, q2, p2)
    d3, d4 = _orient(p1, p2, q1), _orient(p1, p2, q2)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0 not in (d1, d2, d3, d4):
        return True
    return (
        (d1 == 0 and _on_segment(q1, q2, p1))
        or (d2 == 0 and _on_segment(q1, q2, p2))
        or (d3 == 0 and _on_segment(p1, p2, q1))
        or (d4 == 0 and _on_segment(p1, p2, q2))
    )


def self_intersection(ring: list[Point]) -> tuple[int, int] | None:
    """The indexes of two non-adjacent edges of a closed ring that touch or cross, or None
    when the ring is simple. O(n²) on at most a few hundred vertices."""
    edges = list(zip(ring, ring[1:], strict=False))
    count = len(edges)
    for i in range(count):
        for j in range(i + 1, count):
            if j == i + 1 or (i == 0 and j == count - 1):
                continue  # neighbours share a vertex by construction
            if segments_cross(*edges[i], *edges[j]):
                return i, j
    return None


def check_simple(rings: list[list[Point]]) -> None:
    """Raise ValueError with a clear message when a ring crosses itself."""
    for ring in rings:
        found = self_intersection(ring)
        if found:
            i, j = found
            raise ValueError(
                _(
                    "The polygon crosses itself (edges %(a)s and %(b)s): draw its outline "
                    "without crossing lines."
                )
                % {"a": i + 1, "b": j + 1}
            )


def point_in_rings(point: Point, rings: list[list[Point]]) -> bool:
    """Even-odd rule over every ring (holes and separate polygons included)."""
    x, y = point
    inside = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                inside = not inside
    return inside


def bbox(rings: list[list[Point]]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    return min(xs), min(ys), max(xs), max(ys)


def overlap(a: list[list[Point]], b: list[list[Point]]) -> bool:
    """Do two polygons (lists of rings) share any point?"""
    ax0, ay0, ax1, ay1 = bbox(a)
    bx0, by0, bx1, by1 = bbox(b)
    if ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0:
        return False
    if point_in_rings(a[0][0], b) or point_in_rings(b[0][0], a):
        return True
    for ra in a:
        for ea in zip(ra, ra[1:], strict=False):
            for rb in b:
                for eb in zip(rb, rb[1:], strict=False):
                    if segments_cross(*ea, *eb):
                        return True
    return False


def circle_ring(lat: float, lon: float, metres: float, points: int = 48) -> list[Point]:
    """A circle as a closed ring (for overlap tests with areas only)."""
    import math

    from parvis.audiences.geo import metres_per_degree

    per_lat, per_lon = metres_per_degree(lat)
    ring = [
        (
            lon + metres * math.cos(2 * math.pi * k / points) / per_lon,
            lat + metres * math.sin(2 * math.pi * k / points) / per_lat,
        )
        for k in range(points)
    ]
    return [*ring, ring[0]]
