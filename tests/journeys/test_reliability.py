"""Reliability against a real SMTP server: an outage loses nothing, a worker killed with
SIGKILL mid-batch repeats nothing, two workers at once (PostgreSQL) send each message once."""

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection

from parvis.journeys import delivery
from parvis.journeys.models import Dispatch

from .conftest import NOW, make_person
from .smtp_sink import Sink, free_port


def queue_messages(count: int) -> list[Dispatch]:
    rows = []
    for i in range(count):
        person = make_person(
            f"P{i}", email=f"p{i}@example.org", passport_in=None, consents=("email",)
        )
        rows.append(
            Dispatch(
                person=person,
                channel="email",
                purpose="document_reminders",
                address=f"p{i}@example.org",
                subject=f"Message {i}",
                body_text="Bonjour",
                status="queued",
                message_id=f"<m{i}@test.parvis>",
                send_key=f"test:{i}",
            )
        )
    return Dispatch.objects.bulk_create(rows)


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 10
    return settings


@pytest.mark.django_db
def test_an_smtp_outage_is_retried_with_back_off_and_loses_nothing(smtp):
    queue_messages(5)
    totals = delivery.deliver_due(NOW)  # nothing listens on the port
    assert totals["retry"] == 5 and totals["sent"] == 0
    rows = list(Dispatch.objects.order_by("id"))
    assert {r.status for r in rows} == {"queued"}
    assert all(r.not_before == NOW + timedelta(seconds=30) for r in rows)
    assert rows[0].attempts == 1 and "SMTP" in rows[0].last_error
    assert delivery.deliver_due(NOW + timedelta(seconds=10))["sent"] == 0  # backing off
    with Sink(port=smtp.EMAIL_PORT) as received:
        assert delivery.deliver_due(NOW + timedelta(minutes=1))["sent"] == 5
    assert sorted(received.message_ids) == sorted(r.message_id for r in rows)
    assert set(Dispatch.objects.values_list("status", flat=True)) == {"sent"}


def _worker(port: int, batch: int) -> subprocess.Popen:
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PARVIS_SMTP_HOST": "127.0.0.1",
        "PARVIS_SMTP_PORT": str(port),
        "DJANGO_SETTINGS_MODULE": "parvis.settings",
    }
    code = (
        "import django; django.setup();"
        "from parvis.journeys.delivery import deliver_due;"
        f"print(deliver_due(batch_size={batch}))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("worker subprocesses share the test database only on PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_sends_nothing_twice(smtp):
    _postgres_only()
    rows = queue_messages(30)
    with Sink(port=smtp.EMAIL_PORT, hold_at=10) as received:
        worker = _worker(smtp.EMAIL_PORT, batch=50)
        try:
            assert received.holding.wait(60), worker.stderr.read() if worker.poll() else ""
            worker.send_signal(signal.SIGKILL)  # while it waits for the 10th "250"
            worker.wait(20)
        finally:
            if worker.poll() is None:
                worker.kill()
        # Statuses are written back in bulk: the nine accepted may not be in the table yet,
        # but they are in the batch's journal, written before and after each hand-over.
        statuses = Counter(Dispatch.objects.values_list("status", flat=True))
        assert statuses["sent"] <= 9 and statuses["sent"] + statuses["sending"] == 30
        later = NOW.replace(year=2100)
        assert delivery.recover_stale(later) == {
            "uncertain": 1,
            "requeued": 20,
            "recovered_sent": 9 - statuses["sent"],
            "recovered_failed": 0,
        }
        assert delivery.deliver_due(later)["sent"] == 20
    counts = Counter(received.message_ids)
    assert set(counts) == {r.message_id for r in rows}  # everything arrived…
    assert max(counts.values()) == 1  # …once
    statuses = Counter(Dispatch.objects.values_list("status", flat=True))
    assert statuses == {"sent": 29, "uncertain": 1}
    uncertain = Dispatch.objects.get(status="uncertain")
    assert uncertain.message_id == received.message_ids[9]  # the one it was sending


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(smtp):
    _postgres_only()
    rows = queue_messages(120)
    with Sink(port=smtp.EMAIL_PORT) as received:
        workers = [_worker(smtp.EMAIL_PORT, batch=10) for _ in range(2)]
        for worker in workers:
            out, err = worker.communicate(timeout=120)
            assert worker.returncode == 0, err
    counts = Counter(received.message_ids)
    assert len(counts) == 120 and max(counts.values()) == 1
    assert set(Dispatch.objects.values_list("status", flat=True)) == {"sent"}
    assert len(rows) == 120
