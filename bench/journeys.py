"""Benchmark of audiences, enrolment and dispatch through the gate.

    python bench/journeys.py --people 20000 --messages 5000          # about a minute, SQLite
    flock /tmp/parvis-bench.lock python bench/journeys.py --people 1000000 --messages 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_bench_journeys

It drops and recreates a dedicated database (its name must contain "bench"), migrates it and
seeds the synthetic town (`--reuse` keeps a seeded one). Then, in the same run:

* audience count: three conditions including a relative date (passport expiring in 120 to
  180 days, current e-mail consent for reminders, adult), compiled by `audiences.filters` to
  one query — against the floor of the same count written by hand in SQL (same result
  checked); median of `--repeat` runs each;
* enrolment: the whole living population enrolled in a journey with one INSERT … SELECT
  (re-entry check and timeline lines included) — against the floor of a bare INSERT … SELECT
  of the same rows;
* dispatch: `--messages` personalised e-mails (facts, tracked links, open pixel, RFC 8058
  headers) scheduled by the journey scheduler through the gate (consent, suppression,
  pressure; quiet hours switched off so the run does not depend on the hour) and delivered
  by one worker over one SMTP connection to an aiosmtpd sink in another process on loopback
  — against the floor of raw smtplib sending the same pre-rendered messages to that sink.

Each ratio is Parvis time / floor time. The last line is one `key=value` line.
"""

import argparse
import os
import platform
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_bench_journeys.sqlite3'}"


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aiosmtpd",
            "-n",
            "-c",
            "aiosmtpd.handlers.Sink",
            "-l",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    sys.exit("the aiosmtpd sink did not start")


def bench_dispatch(messages: int) -> dict:
    from django.conf import settings
    from django.db import connection

    from parvis.audiences.services import save_audience
    from parvis.channels import gate
    from parvis.journeys import delivery, scheduler, services
    from parvis.journeys.models import Dispatch, Enrolment, MessageTemplate

    gate.quiet_reason = lambda at: ""  # the run must not depend on the hour it starts at
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    MessageTemplate.objects.get_or_create(
        code="bench",
        channel="email",
        language="fr",
        defaults={
            "subject": "Votre passeport expire le {{ facts.passport_expires_on }}",
            "body_text": "Bonjour {{ person.first_names }},\n\nVotre passeport expire le "
            "{{ facts.passport_expires_on }}. Rendez-vous : {{ links.book }}",
            "body_html": "<p>Bonjour {{ person.first_names }},</p><p>Votre passeport expire le "
            '{{ facts.passport_expires_on }}.</p><p><a href="{{ links.book }}">'
            "Prendre rendez-vous</a></p>",
        },
    )
    reachable = save_audience(
        name="bench: e-mail",
        definition={
            "kind": "all",
            "conditions": [
                {"kind": "contact", "contact_kind": "email"},
                {"kind": "consent", "purpose": "document_reminders", "channel": "email"},
            ],
        },
    )
    journey = services.save_journey(
        {
            "name": "bench: dispatch",
            "purpose": "document_reminders",
            "audience": reachable,
            "trigger": "manual",
        }
    )
    services.new_version(journey, [{"kind": "send", "template": "bench", "channels": ["email"]}])
    services.set_status(journey, "active")
    services.enrol(journey)
    keep = list(
        Enrolment.objects.filter(journey=journey)
        .order_by("id")
        .values_list("id", flat=True)[messages : messages + 1]
    )
    if keep:  # only the first `messages` enrolments run
        Enrolment.objects.filter(journey=journey, id__gte=keep[0]).update(status="exited")
    count = Enrolment.objects.filter(journey=journey, status="active").count()

    started = time.perf_counter()
    scheduler.run_due()
    schedule_s = time.perf_counter() - started
    queued = Dispatch.objects.filter(journey=journey, status="queued").count()

    sink = start_sink(port)
    try:
        started = time.perf_counter()
        totals = delivery.deliver_due(batch_size=500)
        deliver_s = time.perf_counter() - started
        assert totals["sent"] == queued, totals
        # Floor: the same messages, already rendered as bytes, through raw smtplib.
        rows = list(Dispatch.objects.filter(journey=journey, status="sent").order_by("id"))
        raw = [
            (
                settings.DEFAULT_FROM_EMAIL,
                row.address,
                delivery.email_message(row).message().as_bytes(linesep="\r\n"),
            )
            for row in rows
        ]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for sender, to, data in raw:
                smtp.sendmail(sender, [to], data)
        raw_s = time.perf_counter() - started
    finally:
        sink.terminate()
        sink.wait(10)
    connection.close()
    return {
        "enrolled": count,
        "queued": queued,
        "schedule_s": schedule_s,
        "deliver_s": deliver_s,
        "raw_s": raw_s,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20000)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SQLITE)
    )
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    os.environ.setdefault("PARVIS_LOG_LEVEL", "WARNING")
    fresh = prepare_database(args.database_url, args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    if fresh:
        from parvis.demo.services import seed_town

        started = time.perf_counter()
        seed_town(args.people, seed=1)
        print(f"seeded {args.people:,} people in {time.perf_counter() - started:.1f} s")
    vendor = connection.vendor
    if vendor == "sqlite":
        # The seed analyses PostgreSQL only; without statistics SQLite walks the fact index
        # by date for every person (30x slower). Both the query and its floor get them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"database: {vendor} · python {platform.python_version()} · {os.cpu_count()} cores")

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

    dispatch = bench_dispatch(args.messages)
    n = dispatch["queued"]
    schedule_rate = n / dispatch["schedule_s"]
    deliver_rate = n / dispatch["deliver_s"]
    end_to_end = n / (dispatch["schedule_s"] + dispatch["deliver_s"])
    raw_rate = n / dispatch["raw_s"]
    d_ratio = dispatch["deliver_s"] / dispatch["raw_s"]
    print(
        f"dispatch: {n:,} personalised e-mails · scheduled through the gate "
        f"{dispatch['schedule_s']:.2f} s ({schedule_rate:,.0f}/s) · delivered "
        f"{dispatch['deliver_s']:.2f} s ({deliver_rate:,.0f}/s) · end to end "
        f"{end_to_end:,.0f}/s · raw smtplib {dispatch['raw_s']:.2f} s ({raw_rate:,.0f}/s) · "
        f"ratio {d_ratio:.2f}"
    )
    print(
        f"db={vendor} people={args.people} audience_count={audience['count']} "
        f"audience_ms={audience['parvis_s'] * 1000:.1f} "
        f"audience_ratio_to_sql={a_ratio:.2f} enrolled={enrolment['enrolled']} "
        f"enrol_s={enrolment['parvis_s']:.2f} enrol_ratio={e_ratio:.2f} messages={n} "
        f"schedule_per_s={schedule_rate:.0f} emails_per_s={deliver_rate:.0f} "
        f"end_to_end_per_s={end_to_end:.0f} ratio_to_raw={d_ratio:.2f}"
    )


if __name__ == "__main__":
    main()
