"""Benchmark of the map and alerts: a polygon selection and an alert broadcast.

    python bench/geo.py --addresses 20000 --broadcast 5000                  # SQLite
    flock /tmp/parvis-bench.lock python bench/geo.py --addresses 1000000 --broadcast 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_bench_geo

It drops and recreates a dedicated database (its name must contain "bench"), migrates it and
seeds, with INSERT … SELECT over a generated series (no Python loop), N addresses on a regular
grid (15 m apart, 100 per street), one resident each, with an e-mail address for two thirds of
them. Then, in the same run:

* polygon selection: the people inside a hexagon covering 10 % of the addresses, compiled by
  the audiences' polygon condition (bounding box, then even-odd rule in SQL) — median of
  `--repeat` counts — against the floor of a bare bounding-box count of the same hexagon's box
  written by hand in SQL (what any selection must at least read); the result is checked
  against the exact count computed in Python from the grid;
* broadcast: a safety alert on e-mail to the M residents of a band of the grid: audience frozen
  (INSERT … SELECT), every recipient judged by the dispatch gate by chunks, `Dispatch` rows,
  links and timeline lines written — against the floor of a bare INSERT … SELECT of M
  `Dispatch` rows. The delivery tasks (one per 500 messages) are counted, not run.

Each ratio is Parvis time / floor time. The last line is one `key=value` line.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audience import PROJECT_DIR, prepare_database  # noqa: E402

DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_bench_geo.sqlite3'}"
LAT0, LON0 = 49.30, 5.80
STEP_M = 15.0


def grid(n: int):
    from parvis.audiences.geo import metres_per_degree

    side = math.ceil(math.sqrt(n))
    per_lat, per_lon = metres_per_degree(LAT0)
    return side, STEP_M / per_lat, STEP_M / per_lon


def seed(n: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    side, dlat, dlon = grid(n)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if connection.vendor == "postgresql":
        series = "(SELECT generate_series(1, %s) AS i) s"
        div = "div"
    else:
        series = (
            "(WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < %s) "
            "SELECT i FROM g) s"
        )
        div = None
    idiv = (lambda a, b: f"div({a}, {b})") if div else (lambda a, b: f"(({a}) / {b})")
    streets = math.ceil(n / 100)
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO people_street (id, name, name_norm, postcode, citycode, city) "
            f"SELECT i, 'Rue ' || i, 'rue ' || i, '54111', '54084', 'Benchville' FROM {series}",
            [streets],
        )
        c.execute(
            "INSERT INTO people_address (id, street_id, number, suffix, complement, latitude,"
            " longitude, ban_id) "
            f"SELECT i, {idiv('i - 1', 100)} + 1, (i - 1) %% 100 + 1, '', '', "
            f"%s + {idiv('i - 1', side)} * %s, %s + ((i - 1) %% {side}) * %s, '' FROM {series}",
            [LAT0, dlat, LON0, dlon, n],
        )
        c.execute(
            "INSERT INTO people_person (id, first_names, last_name, birth_name, sex, birth_place,"
            " birth_place_code, language, nir, preferred_channel, created_at, updated_at) "
            f"SELECT i, 'P' || i, 'Bench', '', '', '', '', 'fr', '', '', %s, %s FROM {series}",
            [now, now, n],
        )
        c.execute(
            'INSERT INTO people_residence (person_id, address_id, start, "end") '
            f"SELECT i, i, NULL, NULL FROM {series}",
            [n],
        )
        c.execute(
            "INSERT INTO people_contactpoint (person_id, kind, value, normalized, verified,"
            " status, created_at) "
            f"SELECT i, 'email', 'p' || i || '@example.org', 'p' || i || '@example.org', "
            f"FALSE, 'ok', %s FROM {series} WHERE i %% 3 <> 0",
            [now, n],
        )
        if connection.vendor == "postgresql":
            for table in ("people_street", "people_address", "people_person"):
                c.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        c.execute("ANALYZE")


def hexagon(n: int) -> tuple[dict, list]:
    """A regular hexagon centred on the grid, covering 10 % of its square."""
    side, dlat, dlon = grid(n)
    r = math.sqrt(0.1 / (3 * math.sqrt(3) / 2))
    ring = []
    for k in range(6):
        a = math.pi / 6 + k * math.pi / 3  # not axis-aligned edges: real slopes in the SQL
        u, v = 0.5 + r * math.cos(a), 0.5 + r * math.sin(a)
        ring.append([LON0 + u * (side - 1) * dlon, LAT0 + v * (side - 1) * dlat])
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}, ring


def exact_count(n: int, ring) -> int:
    from parvis.geo.geometry import point_in_rings

    side, dlat, dlon = grid(n)
    pts = [tuple(p) for p in ring]
    lats = [p[1] for p in pts]
    count = 0
    for row in range(side):
        lat = LAT0 + row * dlat
        if not min(lats) <= lat <= max(lats):
            continue
        for col in range(side):
            i = row * side + col + 1
            if i > n:
                break
            if point_in_rings((LON0 + col * dlon, lat), [pts]):
                count += 1
    return count


def median_time(function, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_polygon(n: int, repeat: int) -> dict:
    from django.db import connection

    from parvis.geo import selection

    geometry, ring = hexagon(n)
    tree = selection.to_tree({"shapes": [{"type": "polygon", "geometry": geometry}]})
    selection.people(tree).count()  # warm
    parvis_s, got = median_time(lambda: selection.people(tree).count(), repeat)
    want = exact_count(n, ring)
    assert got == want, f"polygon count {got} != exact {want}"
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]

    def floor():
        with connection.cursor() as c:
            c.execute(
                "SELECT count(*) FROM people_residence r JOIN people_address a "
                'ON a.id = r.address_id WHERE r."end" IS NULL '
                "AND a.latitude BETWEEN %s AND %s AND a.longitude BETWEEN %s AND %s",
                [min(ys), max(ys), min(xs), max(xs)],
            )
            return c.fetchone()[0]

    floor_s, in_box = median_time(floor, repeat)
    counts_s, figures = median_time(lambda: selection.counts(tree), max(1, repeat // 2))
    assert figures["persons"] == want
    return {
        "inside": got,
        "in_box": in_box,
        "parvis_s": parvis_s,
        "floor_s": floor_s,
        "counts_s": counts_s,
    }


def bench_broadcast(n: int, m: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from parvis.geo import alerts, tasks
    from parvis.journeys.models import Dispatch

    side, dlat, dlon = grid(n)
    rows = math.ceil(m / side)
    top = LAT0 + (rows - 0.5) * dlat
    band = {
        "type": "Polygon",
        "coordinates": [
            [
                [LON0 - dlon / 2, LAT0 - dlat / 2],
                [LON0 + side * dlon, LAT0 - dlat / 2],
                [LON0 + side * dlon, top],
                [LON0 - dlon / 2, top],
                [LON0 - dlon / 2, LAT0 - dlat / 2],
            ]
        ],
    }
    enqueued = []
    tasks.deliver_alert_messages.delay = lambda ids: enqueued.append(len(ids))
    alert = alerts.create_alert(
        title="bench",
        topic="safety",
        channels=["email"],
        selection_data={"shapes": [{"type": "polygon", "geometry": band}]},
        subject="Alerte",
        body="Message",
    )
    update = alert.updates.get()
    started = time.perf_counter()
    totals = alerts.queue_update(update)
    parvis_s = time.perf_counter() - started
    alert.refresh_from_db()
    queued = totals.get("email:queued", 0)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO journeys_dispatch (person_id, channel, purpose, safety, address,"
            " language, subject, body_text, body_html, status, reason, source, step_id,"
            " variant, template_code, token, message_id, provider_id, attempts, last_error,"
            " claim, created_at) "
            "SELECT r.person_id, 'email', 'alerts', TRUE, '', 'fr', 'Alerte', 'Message', '',"
            " 'queued', '', 'floor', '', '', '', 'f' || r.person_id, '', '', 0, '', '', %s "
            "FROM geo_alertrecipient r WHERE r.alert_id = %s",
            [now, alert.pk],
        )
        floor_rows = c.rowcount
    floor_s = time.perf_counter() - started
    Dispatch.objects.filter(source="floor").delete()
    return {
        "recipients": alert.recipients,
        "queued": queued,
        "refused": sum(v for k, v in totals.items() if not k.endswith(":queued")),
        "parvis_s": parvis_s,
        "floor_s": floor_s,
        "floor_rows": floor_rows,
        "tasks": len(enqueued),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=20000)
    parser.add_argument("--broadcast", type=int, default=0, help="M (default N/10)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SQLITE)
    )
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    n, m = args.addresses, args.broadcast or max(1, args.addresses // 10)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    os.environ.setdefault("PARVIS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("PARVIS_ASSIST_AUTO_SETUP", "false")
    sys.path[:0] = [str(PROJECT_DIR / "src")]
    fresh = prepare_database(args.database_url, args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        started = time.perf_counter()
        seed(n)
        print(f"seeded {n:,} addresses and residents in {time.perf_counter() - started:.1f} s")
    print(f"database: {connection.vendor} · {os.cpu_count()} cores · load {os.getloadavg()[0]:.1f}")
    poly = bench_polygon(n, args.repeat)
    p_ratio = poly["parvis_s"] / poly["floor_s"]
    print(
        f"polygon (hexagon, 10 % of the grid): {poly['inside']:,} people in "
        f"{poly['parvis_s'] * 1000:.1f} ms · bounding-box SQL floor ({poly['in_box']:,} in the "
        f"box) {poly['floor_s'] * 1000:.1f} ms · ratio {p_ratio:.2f} · map counts (persons, "
        f"households, channels) {poly['counts_s'] * 1000:.1f} ms"
    )
    cast = bench_broadcast(n, m)
    b_ratio = cast["parvis_s"] / cast["floor_s"]
    print(
        f"broadcast (safety alert, e-mail): {cast['recipients']:,} recipients, "
        f"{cast['queued']:,} queued, {cast['refused']:,} refused by the gate (no e-mail) in "
        f"{cast['parvis_s']:.2f} s ({cast['recipients'] / cast['parvis_s']:,.0f} people/s, "
        f"{cast['tasks']} delivery tasks) · bare INSERT … SELECT of {cast['floor_rows']:,} "
        f"dispatches {cast['floor_s']:.2f} s · ratio {b_ratio:.2f}"
    )
    print(
        f"db={connection.vendor} addresses={n} polygon_people={poly['inside']} "
        f"polygon_ms={poly['parvis_s'] * 1000:.1f} polygon_ratio_to_bbox={p_ratio:.2f} "
        f"broadcast_people={cast['recipients']} broadcast_s={cast['parvis_s']:.2f} "
        f"broadcast_ratio={b_ratio:.2f}"
    )


if __name__ == "__main__":
    main()
