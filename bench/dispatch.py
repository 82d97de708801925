"""Benchmark of dispatch: personalised e-mails from one worker through the gate to an SMTP
server on loopback.

    python bench/dispatch.py --messages 5000                                  # SQLite
    flock /tmp/parvis-bench.lock python bench/dispatch.py --messages 20000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_bench_dispatch

It prepares its own database like `bench/audience.py` (name must contain "bench"; the town
is seeded with about four people per message, `--people` to change). Then, in the same run:

* scheduling: `--messages` enrolments on a one-step journey; the journey scheduler asks the
  dispatch gate for the batch (consent, suppression, pressure cap; quiet hours switched off
  so the run does not depend on the hour) and renders each message with the compiled
  template (facts, tracked links, open pixel) into `Dispatch` rows;
* delivery (the figure the issue asks for): ONE worker (`delivery.deliver_due`) claims
  batches, judges consent and suppression again set-based, serialises each e-mail (RFC 8058
  one-click unsubscribe headers), sends them over one SMTP connection (pipelined: the sink
  advertises PIPELINING like Postfix does) to an aiosmtpd sink in another process on
  loopback, and writes statuses back in bulk, journaled for exactly-once;
* floor: raw `smtplib` (`sendmail`, one connection) sending the same pre-rendered bytes to
  the same sink.

`ratio_to_raw` = delivery time / floor time (below 1: faster than the naive raw client).
The last line is one `key=value` line.
"""

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audience import PROJECT_DIR, setup  # noqa: E402

DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_bench_dispatch.sqlite3'}"
SINK = """
import asyncio, sys
from aiosmtpd.controller import Controller

class Sink:
    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server, session, envelope):
        return "250 OK"

controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
sys.stdin.read()  # until the bench closes our stdin
controller.stop()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port)],
        stdin=subprocess.PIPE,
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
    from django.utils import timezone

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
        writer = delivery.EmailWriter(timezone.now())
        raw = [(writer.envelope_from, row.address, writer.bytes_for(row)) for row in rows]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for sender, to, data in raw:
                smtp.sendmail(sender, [to], data)
        raw_s = time.perf_counter() - started
    finally:
        sink.stdin.close()
        try:
            sink.wait(10)
        except subprocess.TimeoutExpired:
            sink.kill()
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
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--people", type=int, default=0, help="default: 4 per message")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SQLITE)
    )
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    people = args.people or max(2000, args.messages * 4)
    vendor = setup(args.database_url, people, args.reuse)

    dispatch = bench_dispatch(args.messages)
    n = dispatch["queued"]
    if n < args.messages:
        print(f"only {n:,} people reachable by e-mail: give more --people")
    schedule_rate = n / dispatch["schedule_s"]
    deliver_rate = n / dispatch["deliver_s"]
    end_to_end = n / (dispatch["schedule_s"] + dispatch["deliver_s"])
    raw_rate = n / dispatch["raw_s"]
    d_ratio = dispatch["deliver_s"] / dispatch["raw_s"]
    print(
        f"scheduling through the gate + rendering: {n:,} e-mails in "
        f"{dispatch['schedule_s']:.2f} s ({schedule_rate:,.0f}/s)"
    )
    print(
        f"delivery, one worker (gate again, serialise, SMTP, bulk write-back): "
        f"{dispatch['deliver_s']:.2f} s ({deliver_rate:,.0f}/s) · raw smtplib "
        f"{dispatch['raw_s']:.2f} s ({raw_rate:,.0f}/s) · ratio {d_ratio:.2f} · "
        f"end to end {end_to_end:,.0f}/s"
    )
    print(
        f"db={vendor} people={people} messages={n} schedule_per_s={schedule_rate:.0f} "
        f"end_to_end_per_s={end_to_end:.0f} raw_per_s={raw_rate:.0f} "
        f"emails_per_s={deliver_rate:.0f} ratio_to_raw={d_ratio:.2f}"
    )


if __name__ == "__main__":
    main()
