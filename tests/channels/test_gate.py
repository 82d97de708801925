"""The dispatch gate: consent, suppression, quiet hours and holidays, pressure, logging, and
the RFC 8058 one-click unsubscribe on every e-mail it lets through."""

from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from parvis.channels import gate
from parvis.journeys.models import Dispatch, GateDecision, Suppression
from parvis.people import services
from parvis.people.models import ContactPoint

pytestmark = pytest.mark.django_db

TUESDAY_10H = timezone.make_aware(datetime(2025, 6, 10, 10, 0))


def at(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def reminded(person):
    services.record_consent(
        person, purpose="document_reminders", channel="email", granted=True, method="portal"
    )
    return person


def test_opt_in_channels_need_consent_and_the_latest_decision_wins(person):
    decision = gate.check(person, "email", "document_reminders", at=TUESDAY_10H)
    assert (decision.allowed, decision.reason) == (False, "no_consent")
    services.record_consent(
        person, purpose="document_reminders", channel="email", granted=True, method="portal"
    )
    decision = gate.check(person, "email", "document_reminders", at=TUESDAY_10H)
    assert decision.allowed and decision.address == "elodie.legall@example.fr"
    services.record_consent(
        person, purpose="document_reminders", channel="email", granted=False, method="portal"
    )
    assert (
        gate.check(person, "email", "document_reminders", at=TUESDAY_10H).reason
        == "consent_withdrawn"
    )


def test_postal_is_opt_out_and_portal_needs_no_address(person, town_address):
    assert gate.check(person, "postal", "document_reminders", at=TUESDAY_10H).allowed
    services.record_consent(
        person, purpose="document_reminders", channel="postal", granted=False, method="paper"
    )
    assert (
        gate.check(person, "postal", "document_reminders", at=TUESDAY_10H).reason
        == "consent_withdrawn"
    )
    assert gate.check(person, "portal", "town_news", at=TUESDAY_10H).allowed


def test_dead_people_bounced_contacts_and_suppressed_addresses(reminded):
    reminded.contact_points.filter(kind="email").update(status=ContactPoint.Status.BOUNCED)
    assert (
        gate.check(reminded, "email", "document_reminders", at=TUESDAY_10H).reason == "no_contact"
    )
    reminded.contact_points.filter(kind="email").update(status=ContactPoint.Status.OK)
    gate.suppress("email", "Elodie.LeGall@example.fr", "unsubscribe", purpose="document_reminders")
    assert (
        gate.check(reminded, "email", "document_reminders", at=TUESDAY_10H).reason == "suppressed"
    )
    assert gate.check(reminded, "sms", "alerts", at=TUESDAY_10H).allowed  # other purpose
    gate.suppress("sms", "+33612345678", "invalid")
    assert gate.check(reminded, "sms", "alerts", at=TUESDAY_10H).reason == "no_contact"
    assert reminded.contact_points.get(kind="mobile").status == ContactPoint.Status.INVALID
    reminded.deceased_on = TUESDAY_10H.date()
    reminded.save()
    assert gate.check(reminded, "portal", "alerts", at=TUESDAY_10H).reason == "deceased"


@pytest.mark.parametrize(
    ("when", "reason", "resume"),
    [
        (at(2025, 6, 10, 22, 30), "quiet_hours", at(2025, 6, 11, 8, 0)),
        (at(2025, 6, 10, 6, 0), "quiet_hours", at(2025, 6, 10, 8, 0)),
        (at(2025, 6, 15, 11, 0), "holiday", at(2025, 6, 16, 8, 0)),  # a Sunday
        (at(2025, 7, 14, 11, 0), "holiday", at(2025, 7, 15, 8, 0)),  # Fête nationale
        (at(2025, 12, 24, 21, 0), "quiet_hours", at(2025, 12, 26, 8, 0)),  # then Christmas
    ],
)
def test_quiet_hours_and_french_holidays_defer_to_the_next_allowed_time(
    reminded, when, reason, resume
):
    decision = gate.check(reminded, "email", "document_reminders", at=when)
    assert not decision.allowed
    assert (decision.reason, decision.defer_until) == (reason, resume)


def test_safety_alerts_go_at_night_without_consent_but_not_against_a_refusal(person):
    night = at(2025, 7, 14, 2, 0)
    services.record_consent(person, purpose="alerts", channel="sms", granted=True, method="portal")
    assert gate.check(person, "email", "alerts", at=night, safety=True).allowed
    assert gate.check(person, "sms", "alerts", at=night, safety=True).allowed
    services.record_consent(
        person, purpose="alerts", channel="email", granted=False, method="portal"
    )
    assert (
        gate.check(person, "email", "alerts", at=night, safety=True).reason == "consent_withdrawn"
    )


def test_case_updates_only_wait_on_channels_that_ring(person):
    night = at(2025, 6, 10, 23, 0)
    for channel in ("email", "sms"):
        services.record_consent(
            person, purpose="case_updates", channel=channel, granted=True, method="portal"
        )
    assert gate.check(person, "email", "case_updates", at=night).allowed
    assert gate.check(person, "sms", "case_updates", at=night).reason == "quiet_hours"


def test_contact_pressure_caps_per_purpose_across_journeys(reminded, settings):
    settings.PARVIS_CONTACT_PRESSURE = {"default": [2, 7]}
    for _ in range(2):
        Dispatch.objects.create(
            person=reminded,
            channel="email",
            purpose="proactive_rights",
            status="sent",
            body_text="x",
        )
    decision = gate.check(reminded, "email", "document_reminders", at=timezone.now())
    assert decision.reason == "pressure"
    settings.PARVIS_CONTACT_PRESSURE = {"default": [2, 7], "document_reminders": [5, 7]}
    assert gate.check(reminded, "email", "document_reminders", at=timezone.now()).reason in (
        "ok",
        "quiet_hours",
        "holiday",
    )
    # Safety messages are not capped, and case updates are not counted.
    assert gate.check(reminded, "email", "alerts", safety=True, at=timezone.now()).allowed


def test_every_decision_is_logged_and_a_batch_costs_a_fixed_number_of_queries(
    reminded, django_assert_max_num_queries
):
    GateDecision.objects.all().delete()
    requests = [
        gate.Request(reminded.pk, c) for c in ("email", "sms", "postal", "push") for _ in range(25)
    ]
    with django_assert_max_num_queries(9):
        gate.check_many(requests, "document_reminders", at=TUESDAY_10H)
    assert GateDecision.objects.count() == 100
    # The same person asked 25 times: the cap counts the messages of the batch itself.
    assert set(GateDecision.objects.values_list("reason", flat=True)) == {
        "ok",
        "no_consent",
        "no_contact",
        "pressure",
    }


def test_send_queues_once_per_key_and_every_email_has_one_click_unsubscribe(
    reminded, client, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(gate, "quiet_reason", lambda at: "")
    with django_capture_on_commit_callbacks(execute=True):
        first = gate.send(
            reminded,
            "email",
            "document_reminders",
            subject="Votre passeport",
            text="Bonjour",
            send_key="demo:1",
        )
    again = gate.send(
        reminded,
        "email",
        "document_reminders",
        subject="Votre passeport",
        text="Bonjour",
        send_key="demo:1",
    )
    assert first.pk == again.pk
    first.refresh_from_db()
    assert first.status == "sent" and len(mail.outbox) == 1
    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == first.message_id
    path = link.split("127.0.0.1:8000", 1)[1]
    assert client.get(path).status_code == 200  # a GET (link scanner) changes nothing
    assert gate.check(reminded, "email", "document_reminders", at=TUESDAY_10H).allowed
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200  # twice: ok
    assert (
        gate.check(reminded, "email", "document_reminders", at=TUESDAY_10H).reason
        == "consent_withdrawn"
    )
    assert Suppression.objects.get().reason == "unsubscribe"
    assert reminded.consents.filter(method="unsubscribe").count() == 1


def test_forged_tracking_links_are_refused(client):
    bad = client.post(reverse("journeys-track:unsubscribe", args=["abc:forged"]))
    assert bad.status_code == 404
    assert client.get(reverse("journeys-track:click", args=["forged"])).status_code == 400
    pixel = client.get(reverse("journeys-track:open", args=["forged"]))
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"


@pytest.fixture
def town_address(person):
    from parvis.people.models import Address, Residence, Street

    street = Street.objects.create(
        name="Rue de la Gare",
        name_norm="rue de la gare",
        postcode="54000",
        citycode="54084",
        city="Mont-Bonvillers",
    )
    address = Address.objects.create(street=street, number=3, latitude=49.0, longitude=6.0)
    Residence.objects.create(person=person, address=address)
    return address


def test_case_status_notifications_go_through_the_gate(person, django_capture_on_commit_callbacks):
    from parvis.cases import services as cases
    from parvis.cases.models import Case

    person.preferred_channel = "email"
    person.save()
    services.record_consent(
        person, purpose="case_updates", channel="email", granted=True, method="portal"
    )
    case = Case.objects.create(reference="DEM-1", subject="Acte", person=person, channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        cases.set_status(case, Case.Status.RESOLVED)
    assert case.messages.last().channel == "email"
    gate.suppress("email", "elodie.legall@example.fr", "hard_bounce")
    with django_capture_on_commit_callbacks(execute=True):
        cases.set_status(case, Case.Status.OPEN)
    assert case.messages.last().channel == "portal"  # refused by the gate: shown on the portal
    decisions = list(GateDecision.objects.filter(source="case").values_list("reason", flat=True))
    assert decisions == ["ok", "no_contact"]  # the bounce also marked the contact point


def test_contact_pressure_from_the_environment_format():
    assert gate.parse_pressure("default=3/7, town_news=2/30,alerts=off") == {
        "default": [3, 7],
        "town_news": [2, 30],
        "alerts": None,
    }
