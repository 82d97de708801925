"""A booked appointment is an engagement event: a journey's "booked" split sends the people
who booked from the message's link one way, the others the other way."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from parvis.journeys import delivery, scheduler, services
from parvis.journeys.models import Dispatch, MessageTemplate
from tests.journeys.conftest import NOW, audience, make_person  # noqa: F401  (fixture)

from .conftest import at, open_day

pytestmark = pytest.mark.django_db


def test_booking_from_the_journey_link_takes_the_booked_branch(
    audience,  # noqa: F811
    passport,
    monkeypatch,
):
    from parvis.channels import gate

    monkeypatch.setattr(gate, "quiet_reason", lambda at: "")
    MessageTemplate.objects.create(
        code="m6", channel="email", subject="Passeport", body_text="RDV : {{ booking_url }}"
    )
    MessageTemplate.objects.create(
        code="reminder", channel="email", subject="Rappel", body_text="-"
    )
    journey = services.save_journey(
        {
            "name": "Passeport",
            "purpose": "document_reminders",
            "trigger": "schedule",
            "audience": audience,
            "reentry": "never",
        }
    )
    services.new_version(
        journey,
        [
            {"id": "m6", "kind": "send", "template": "m6", "channels": ["email"]},
            {"id": "wait", "kind": "wait", "mode": "duration", "days": 30},
            {"id": "booked", "kind": "engagement", "event": "booked", "yes": "done"},
            {"id": "reminder", "kind": "send", "template": "reminder", "channels": ["email"]},
            {"id": "done", "kind": "exit"},
        ],
    )
    services.set_status(journey, "active")
    anne = make_person("Anne", email="anne@example.org")
    make_person("Bruno", email="bruno@example.org")
    assert services.enrol(journey, now=NOW) == 2
    scheduler.run_due(NOW)
    delivery.deliver_due(NOW)
    body = next(m.body for m in mail.outbox if m.to == ["anne@example.org"])
    path = "/portal/appointments/link/" + body.split("/portal/appointments/link/", 1)[1].split()[0]
    response = Client().post(
        path, {"action": "book", "motive": passport.pk, "start": at(open_day(), 9).isoformat()}
    )
    assert response.status_code == 302
    assert Dispatch.objects.get(person=anne, step_id="m6").events.filter(kind="booked").exists()
    mail.outbox.clear()
    scheduler.run_due(NOW + timedelta(days=31))
    delivery.deliver_due(NOW + timedelta(days=31))
    assert [m.to for m in mail.outbox] == [["bruno@example.org"]]  # Anne booked: no reminder
