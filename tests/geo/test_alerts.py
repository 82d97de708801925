"""Alerts through the dispatch gate to a real SMTP server (aiosmtpd on loopback): first
message, update and closing message to the audience frozen at the first send; safety alerts
bypass quiet hours and the pressure cap and are marked so, other alerts do not."""

from datetime import date
from email.header import decode_header, make_header

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from parvis.geo import alerts, areas, ban, demo
from parvis.geo.models import Alert, AlertRecipient, AlertSubscription, AlertUpdate, Area
from parvis.journeys import delivery
from parvis.journeys.models import Dispatch, GateDecision
from parvis.people.models import Address, Interaction, Residence

from ..journeys.smtp_sink import Sink, free_port
from .conftest import BAN, NIGHT, NOW, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 10
    return settings


@pytest.fixture
def town():
    ban.import_ban(BAN, postcode="54111")
    areas.import_areas(demo.AREAS_FILE, kind="neighbourhood")
    joffre = Address.objects.filter(street__name="Rue Joffre").order_by("number")
    nationale = Address.objects.filter(street__name="Rue Nationale").order_by("number")
    people = {
        # In the south (Rue Joffre): e-mail with consent, e-mail without consent, SMS only.
        "ana": resident("Ana", joffre[0], email="ana@example.org", consents=["email"]),
        "bob": resident("Bob", joffre[1], email="bob@example.org"),
        "cid": resident("Cid", joffre[2], mobile="06 11 22 33 44", consents=["sms"]),
        # In the north (Rue Nationale): outside the selection.
        "dan": resident("Dan", nationale[0], email="dan@example.org", consents=["email"]),
    }
    return people


def south():
    return {"shapes": [{"type": "area", "areas": [Area.objects.get(name="Le Bas").pk]}]}


def create(topic, **extra):
    return alerts.create_alert(
        title="Coupure d'électricité",
        topic=topic,
        channels=["email", "sms"],
        selection_data=south(),
        subject="Coupure de courant rue Joffre",
        body="Le courant est coupé jusqu'à 18 h.",
        **extra,
    )


def test_safety_alert_update_and_closing_reach_the_same_people(town, smtp, english):
    alert = create("safety")
    with Sink(port=smtp.EMAIL_PORT) as received:
        totals = alerts.queue_update(alert.updates.get(), at=NIGHT, enqueue=False)
        assert totals == {
            "email:queued": 2,  # safety: Bob's e-mail goes without opt-in consent
            "email:no_contact": 1,
            "sms:queued": 1,
            "sms:no_contact": 2,
        }
        # Sunday night: a safety alert is not deferred.
        assert delivery.deliver_due(NIGHT)["sent"] == 3
        assert sorted(m["To"] for m in received.messages) == ["ana@example.org", "bob@example.org"]
        subject = str(make_header(decode_header(received.messages[0]["Subject"])))
        # Composed in the site's language (French), with the safety marker.
        assert subject == "[Alerte sécurité] Coupure de courant rue Joffre"
        alert.refresh_from_db()
        assert alert.recipients == 3 and alert.frozen_at

        # Someone moves into the area after the first send: not in the frozen audience.
        newcomer = resident(
            "Eve",
            Address.objects.filter(street__name="Rue Joffre").order_by("number")[3],
            email="eve@example.org",
            consents=["email"],
        )
        update = alerts.add_update(
            alert, subject="Retour prévu à 17 h", body="Les équipes sont sur place."
        )
        alerts.queue_update(update, at=NIGHT, enqueue=False)
        closing = alerts.add_update(
            alert, subject="Courant rétabli", body="Fin de l'alerte.", closing=True
        )
        alerts.queue_update(closing, at=NIGHT, enqueue=False)
        assert delivery.deliver_due(NIGHT)["sent"] == 6
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in received.messages]
    assert sum("Mise à jour — Retour prévu" in s for s in subjects) == 2
    assert sum("Fin d'alerte — Courant rétabli" in s for s in subjects) == 2
    assert "eve@example.org" not in {m["To"] for m in received.messages}
    assert not AlertRecipient.objects.filter(alert=alert, person=newcomer).exists()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED
    assert set(Dispatch.objects.values_list("safety", "source", "status").distinct()) == {
        (True, "alert", "sent")
    }
    assert GateDecision.objects.filter(source="alert", safety=True).count() == 3 * 2 * 3
    # Every send in each person's timeline, linked to its alert message.
    ana = town["ana"]
    lines = Interaction.objects.filter(person=ana, ref_type="geo.alertupdate")
    assert lines.count() == 3 and all("Coupure d'électricité" in i.summary for i in lines)
    assert not Interaction.objects.filter(person=town["dan"], ref_type="geo.alertupdate").exists()
    with pytest.raises(ValidationError, match="closed"):
        alerts.add_update(alert, subject="Encore", body="Encore")


def test_other_alerts_wait_for_the_allowed_hours_and_need_consent(town, smtp):
    alert = create("works")
    totals = alerts.queue_update(alert.updates.get(), at=NIGHT, enqueue=False)
    assert totals["email:holiday"] == 1  # Ana: Sunday night, deferred to Monday 8:00
    assert totals["email:no_consent"] == 1  # Bob gave no consent for alerts by e-mail
    row = Dispatch.objects.get(person=town["ana"])
    assert row.status == "deferred" and not row.safety
    assert timezone.localtime(row.not_before).isoformat().startswith("2025-06-16T08:00")
    with Sink(port=smtp.EMAIL_PORT) as received:
        assert delivery.deliver_due(NIGHT)["sent"] == 0
        assert delivery.deliver_due(row.not_before)["sent"] == 2
    assert {m["To"] for m in received.messages} == {"ana@example.org"}


def test_the_pressure_cap_stops_other_alerts_not_safety_ones(town, settings):
    settings.PARVIS_CONTACT_PRESSURE = "alerts=1/7"
    Dispatch.objects.create(
        person=town["ana"], channel="email", purpose="alerts", status="sent", body_text="x"
    )
    works = create("event")
    totals = alerts.queue_update(works.updates.get(), at=NOW, enqueue=False)
    assert totals["email:pressure"] == 1
    safety = create("safety")
    totals = alerts.queue_update(safety.updates.get(), at=NOW, enqueue=False)
    assert totals["email:queued"] == 2
    assert Dispatch.objects.filter(person=town["ana"], safety=True, status="queued").count() == 1


def test_subscribers_of_an_overlapping_area_are_included(town):
    outsider = town["dan"]  # lives in the north, works in the south
    AlertSubscription.objects.create(
        person=outsider, topic="works", area=Area.objects.get(name="Le Bas")
    )
    AlertSubscription.objects.create(
        person=outsider, topic="event", area=Area.objects.get(name="Le Bas")
    )
    alert = create("works")
    alerts.queue_update(alert.updates.get(), at=NOW, enqueue=False)
    assert AlertRecipient.objects.filter(alert=alert, person=outsider).exists()
    assert Dispatch.objects.filter(person=outsider, status="queued").count() == 1
    other = alerts.create_alert(
        title="Travaux",
        topic="works",
        channels=["email"],
        selection_data={
            "shapes": [{"type": "area", "areas": [Area.objects.get(name="Le Haut").pk]}]
        },
        subject="Travaux",
        body="Travaux rue Nationale",
    )
    alerts.freeze(other)
    assert AlertRecipient.objects.filter(alert=other).count() == 1  # Dan lives there anyway


def test_the_celery_task_queues_and_delivers_after_commit(
    town, smtp, django_capture_on_commit_callbacks
):
    with Sink(port=smtp.EMAIL_PORT) as received:
        with django_capture_on_commit_callbacks(execute=True):
            alert = create("safety")
        update = AlertUpdate.objects.get(alert=alert)
        assert update.status == AlertUpdate.Status.QUEUED
        assert Dispatch.objects.filter(status="sent").count() == 3
    assert len(received.messages) == 2


def test_bad_alerts_are_refused_with_clear_errors(town, english):
    with pytest.raises(ValidationError) as caught:
        alerts.create_alert(
            title="",
            topic="nope",
            channels=["fax"],
            selection_data={"shapes": []},
            subject="",
            body="",
        )
    errors = caught.value.message_dict
    assert set(errors) == {"title", "topic", "channels", "subject", "body", "selection"}
    empty = {
        "type": "Polygon",
        "coordinates": [[[5.7, 49.2], [5.71, 49.2], [5.71, 49.21], [5.7, 49.2]]],
    }
    with pytest.raises(ValidationError, match="No one lives in the selected area"):
        alerts.create_alert(
            title="T",
            topic="works",
            channels=["email"],
            selection_data={"shapes": [{"type": "polygon", "geometry": empty}]},
            subject="S",
            body="B",
        )
    assert not Alert.objects.exists()
    assert Residence.objects.filter(start=date(2020, 1, 1)).count() == 4
