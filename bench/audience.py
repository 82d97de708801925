"""Benchmark of audiences: a live count and the enrolment of a whole population.

    python bench/audience.py --people 20000                                  # SQLite
    flock /tmp/parvis-bench.lock python bench/audience.py --people 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_bench_audience

It drops and recreates a dedicated database (its name must contain "bench"), migrates it and
seeds the synthetic town with COPY on PostgreSQL (`--reuse` keeps a seeded one; `seed_*`
helpers are shared with `bench/dispatch.py`). Then, in the same run:

* audience count: three conditions including a relative date (passport expiring in 120 to
  180 days, current e-mail consent for reminders, adult), compiled by `audiences.filters` to
  one query — against the floor of the same count written by hand in SQL (same result
  checked); median of `--repeat` runs each;
* enrolment: the whole living population enrolled in a journey with one INSERT … SELECT
  (re-entry check and timeline lines included) — against the floor of a bare INSERT … SELECT
  of the same rows.

Each ratio is Parvis time / floor time. The last line is one `key=value` line.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_bench_audience.sqlite3'}"


def prepare_database(url: str, reuse: bool) -> bool:
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to drop {name!r}: the bench database name must contain 'bench'")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(name)
        if reuse and path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return True
    import psycopg

    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and exists:
            return False
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def median_time(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


HAND_WRITTEN_COUNT = """
SELECT count(*) FROM people_person p
WHERE p.deceased_on IS NULL AND p.birth_date <= %s
AND EXISTS (SELECT 1 FROM people_fact f WHERE f.person_id = p.id
            AND f.key = 'passport_expires_on' AND f.value_date BETWEEN %s AND %s
            AND NOT EXISTS (SELECT 1 FROM people_fact g WHERE g.person_id = f.person_id
                            AND g.key = f.key AND (g.collected_at > f.collected_at
                            OR (g.collected_at = f.collected_at AND g.id > f.id))))
AND EXISTS (SELECT 1 FROM people_consent c WHERE c.person_id = p.id
            AND c.purpose = 'document_reminders' AND c.channel = 'email' AND c.granted
            AND NOT EXISTS (SELECT 1 FROM people_consent d WHERE d.person_id = c.person_id
                            AND d.purpose = c.purpose AND d.channel = c.channel
                            AND (d.recorded_at > c.recorded_at
                            OR (d.recorded_at = c.recorded_at AND d.id > c.id))))
"""


def bench_audience(repeat: int) -> dict:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from parvis.audiences import filters, services

    today = timezone.localdate()
    tree = filters.validate(
        {
            "kind": "all",
            "conditions": [
                {
                    "kind": "fact",
                    "key": "passport_expires_on",
                    "op": "between",
                    "from": {"days": 120},
                    "to": {"days": 180},
                },
                {"kind": "consent", "purpose": "document_reminders", "channel": "email"},
                {"kind": "attribute", "field": "age", "op": "gte", "from": 18},
            ],
        }
    )
    services.count(tree)  # warm the caches
    parvis_s, parvis_n = median_time(lambda: services.count(tree, today=today), repeat)
    adult = filters._years_before(today, 18)

    def by_hand():
        with connection.cursor() as cursor:
            cursor.execute(
                HAND_WRITTEN_COUNT,
                [adult, today + timedelta(days=120), today + timedelta(days=180)],
            )
            return cursor.fetchone()[0]

    floor_s, floor_n = median_time(by_hand, repeat)
    assert parvis_n == floor_n, f"counts differ: {parvis_n} vs {floor_n}"
    return {"count": parvis_n, "parvis_s": parvis_s, "floor_s": floor_s}


def bench_enrolment() -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from parvis.audiences.services import save_audience
    from parvis.journeys import services
    from parvis.journeys.models import Enrolment, Journey
    from parvis.people.models import Person

    everyone = save_audience(name="bench: everyone", definition={"kind": "all", "conditions": []})
    journey = services.save_journey(
        {
            "name": "bench: enrolment",
            "purpose": "town_news",
            "audience": everyone,
            "trigger": "manual",
        }
    )
    services.new_version(journey, [{"kind": "exit"}])
    started = time.perf_counter()
    enrolled = services.enrol(journey)
    parvis_s = time.perf_counter() - started
    floor_journey = Journey.objects.create(
        name="bench: floor", purpose="town_news", current_version=journey.current_version
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO journeys_enrolment (journey_id, version_id, person_id, status, step_id,"
            " step_entered_at, steps_done, next_run_at, bucket, entered_at, entry_reason) "
            "SELECT %s, %s, id, 'completed', '', %s, 0, NULL, 0, %s, 'floor' "
            "FROM people_person WHERE deceased_on IS NULL",
            [floor_journey.pk, journey.current_version_id, now, now],
        )
        floor_rows = cursor.rowcount
    floor_s = time.perf_counter() - started
    assert floor_rows == enrolled == Person.objects.filter(deceased_on__isnull=True).count()
    Enrolment.objects.filter(journey__in=[journey, floor_journey]).update(status="completed")
    return {"enrolled": enrolled, "parvis_s": parvis_s, "floor_s": floor_s}


def setup(database_url: str, people: int, reuse: bool) -> str:
    """Point Django at the bench database, migrate it and seed `people` (when fresh)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    os.environ.setdefault("PARVIS_LOG_LEVEL", "WARNING")
    sys.path[:0] = [str(PROJECT_DIR / "src")]
    fresh = prepare_database(database_url, reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        from parvis.demo.services import seed_town

        started = time.perf_counter()
        seed_town(people, seed=1)
        elapsed = time.perf_counter() - started
        print(f"seeded {people:,} people in {elapsed:.1f} s ({people / elapsed:,.0f}/s)")
    vendor = connection.vendor
    if vendor == "sqlite":
        # The seed analyses PostgreSQL only; without statistics SQLite walks the fact index
        # by date for every person (30x slower). Both the query and its floor get them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load = os.getloadavg()[0]
    print(
        f"database: {vendor} · python {platform.python_version()} · {os.cpu_count()} cores"
        f" · load {load:.1f}"
    )
    return vendor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SQLITE)
    )
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    vendor = setup(args.database_url, args.people, args.reuse)

    audience = bench_audience(args.repeat)
    a_ratio = audience["parvis_s"] / audience["floor_s"]
    print(
        f"audience count (3 conditions, relative date): {audience['count']:,} people in "
        f"{audience['parvis_s'] * 1000:.1f} ms · hand-written SQL "
        f"{audience['floor_s'] * 1000:.1f} ms · ratio {a_ratio:.2f}"
    )

    enrolment = bench_enrolment()
    e_rate = enrolment["enrolled"] / enrolment["parvis_s"]
    e_ratio = enrolment["parvis_s"] / enrolment["floor_s"]
    print(
        f"enrolment: {enrolment['enrolled']:,} people in {enrolment['parvis_s']:.2f} s "
        f"({e_rate:,.0f}/s, with re-entry check and timeline) · bare INSERT … SELECT "
        f"{enrolment['floor_s']:.2f} s · ratio {e_ratio:.2f}"
    )
    print(
        f"db={vendor} people={args.people} audience_count={audience['count']} "
        f"audience_ms={audience['parvis_s'] * 1000:.1f} "
        f"audience_ratio_to_sql={a_ratio:.2f} enrolled={enrolment['enrolled']} "
        f"enrol_s={enrolment['parvis_s']:.2f} enrol_ratio={e_ratio:.2f}"
    )


if __name__ == "__main__":
    main()
