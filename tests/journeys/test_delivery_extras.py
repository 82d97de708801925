"""Batched delivery (pipelined SMTP, bulk write-back, journal recovery), rate limits, the
periodic digest, DSN bounces, send-time optimisation, the portal's web push button and the
shipped journey templates."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from parvis.channels import email_parse
from parvis.journeys import delivery, digest, library, scheduler, sendtime, services
from parvis.journeys.models import (
    DigestItem,
    Dispatch,
    EngagementEvent,
    Enrolment,
    Journey,
    Suppression,
)
from parvis.people import services as people

from .conftest import NOW, make_person
from .smtp_sink import Sink, free_port
from .test_reliability import queue_messages


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 10
    return settings


# --- batched delivery ----------------------------------------------------------------------


@pytest.mark.parametrize("pipelining", [True, False])
@pytest.mark.django_db
def test_a_batch_goes_over_one_connection_and_a_refused_recipient_is_suppressed(
    smtp, pipelining, monkeypatch
):
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 4)  # several write-backs in one batch
    rows = queue_messages(10)
    Dispatch.objects.filter(pk=rows[0].pk).update(subject="Café — «rappel»")
    with Sink(port=smtp.EMAIL_PORT, pipelining=pipelining, refuse={"p3@example.org"}) as got:
        totals = delivery.deliver_due(NOW, batch_size=50)
    assert totals == {"sent": 9, "refused": 0, "failed": 1, "retry": 0}
    assert sorted(got.message_ids) == sorted(
        r.message_id for r in rows if r.address != "p3@example.org"
    )
    first = next(m for m in got.messages if m["Message-ID"] == rows[0].message_id)
    assert str(email_parse.parse_email(first.as_bytes()).subject) == "Café — «rappel»"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first.get_payload(decode=True).decode().strip() == "Bonjour"
    failed = Dispatch.objects.get(status="failed")
    assert failed.address == "p3@example.org" and "550" in failed.last_error
    assert Suppression.objects.filter(address="p3@example.org", reason="hard_bounce").exists()
    sent = Dispatch.objects.filter(status="sent")
    assert sent.count() == 9 and all(d.provider_id == d.message_id for d in sent)
    assert not list(delivery.journal_dir().glob("*.journal"))  # settled: journal removed


@pytest.mark.django_db
def test_recovery_without_a_journal_never_resends_what_may_have_left(monkeypatch):
    monkeypatch.setattr(delivery, "FLUSH_EVERY", 3)
    rows = queue_messages(8)
    Dispatch.objects.update(status="sending", claim="lost", claimed_at=NOW)
    later = NOW + timedelta(hours=1)
    assert delivery.recover_stale(later) == {
        "uncertain": 3,
        "requeued": 5,
        "recovered_sent": 0,
        "recovered_failed": 0,
    }
    statuses = dict(Dispatch.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in rows[:3]] == ["uncertain"] * 3


@pytest.mark.django_db
def test_recovery_reads_the_journal():
    rows = queue_messages(4)
    Dispatch.objects.update(status="sending", claim="abc", claimed_at=NOW)
    journal = delivery.Journal("abc")
    journal.write(">", rows[0].pk)
    journal.write("+", rows[0].pk)
    journal.write("-", rows[1].pk, "SMTP 550: no such user")
    journal.write(">", rows[2].pk)
    journal.close(remove=False)
    out = delivery.recover_stale(NOW + timedelta(hours=1))
    assert out == {"uncertain": 1, "requeued": 1, "recovered_sent": 1, "recovered_failed": 1}
    assert [Dispatch.objects.get(pk=r.pk).status for r in rows] == [
        "sent",
        "failed",
        "uncertain",
        "queued",
    ]
    assert not (delivery.journal_dir() / "abc.journal").exists()


def test_rate_limits_per_provider_pace_without_real_time(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    clock = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter = delivery.RateLimiter("smtp=2/s,push=60/min", clock=lambda: clock[0], sleep=sleep)
    waits = [limiter.wait("email") for _ in range(4)]
    assert waits[:2] == [0.0, 0.0] and waits[2] == pytest.approx(0.5)
    assert sum(slept) == pytest.approx(1.0)
    assert limiter.wait("sms") == 0.0  # no limit configured for it
    assert delivery.provider_of("email") == "smtp"
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    assert delivery.provider_of("email") == "brevo"
    for bad in ("smtp=fast", "smtp=10/week", "smtp=0/s"):
        with pytest.raises(ValueError, match="PARVIS_RATE_LIMITS"):
            delivery.parse_rate_limits(bad)


# --- digest ----------------------------------------------------------------------------------


def _news_journey(templates_factory=None):
    from parvis.journeys.models import MessageTemplate

    MessageTemplate.objects.create(
        code="news", channel="email", subject="Travaux rue {{ person.last_name }}",
        body_text="La rue sera fermée lundi.",
    )  # fmt: skip
    journey = services.save_journey({"name": "News", "purpose": "town_news"})
    services.new_version(journey, [{"kind": "send", "template": "news", "channels": ["email"]}])
    services.set_status(journey, "active")
    return journey


@pytest.mark.django_db
def test_the_pressure_cap_folds_informational_messages_into_one_digest_per_period(settings):
    settings.PARVIS_CONTACT_PRESSURE = "town_news=1/30"
    anne = make_person("Anne", email="anne@example.org", consents=(), passport_in=None)
    people.record_consent(
        anne, purpose="town_news", channel="email", granted=True, method="portal",
        at=NOW - timedelta(days=60),
    )  # fmt: skip
    journeys = [_news_journey()]
    for name in ("News 2", "News 3"):
        j = services.save_journey({"name": name, "purpose": "town_news"})
        services.new_version(j, [{"kind": "send", "template": "news", "channels": ["email"]}])
        services.set_status(j, "active")
        journeys.append(j)
    for journey in journeys:
        services.enrol(journey, person_ids=[anne.pk], now=NOW)
    scheduler.run_due(NOW)
    assert Dispatch.objects.filter(person=anne).count() == 1  # the cap: one message
    assert DigestItem.objects.filter(person=anne, digest__isnull=True).count() == 2
    # The period's digest waits while the cap is reached…
    assert digest.send_digests(NOW)["waiting"] == 2
    # …and leaves, once, when the rolling window frees.
    Dispatch.objects.update(created_at=NOW)  # auto_now_add wrote the real clock
    later = NOW + timedelta(days=31)
    out = digest.send_digests(later)
    assert out["digests"] == 1 and out["items"] == 2
    sent = Dispatch.objects.get(source="digest")
    assert sent.body_text.count("La rue sera fermée lundi.") == 2
    assert digest.send_digests(later + timedelta(hours=1))["digests"] == 0
    assert not DigestItem.objects.filter(digest__isnull=True).exists()


@pytest.mark.django_db
def test_a_digest_refused_for_good_closes_its_items():
    anne = make_person("Anne", email="anne@example.org", consents=(), passport_in=None)
    DigestItem.objects.create(
        person=anne, purpose="town_news", subject="s", body_text="t", send_key="k",
        created_at=NOW,
    )  # fmt: skip
    assert digest.send_digests(NOW + timedelta(hours=1))["closed"] == 1  # no consent
    assert Dispatch.objects.get().status == "refused"


# --- DSN bounces -----------------------------------------------------------------------------

DSN = (
    "From: MAILER-DAEMON@mx.example.org\r\n"
    "To: mairie@mont-bonvillers.localhost\r\n"
    "Subject: Undelivered Mail Returned to Sender\r\n"
    "Message-ID: <dsn1@mx.example.org>\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
    "\r\n--B\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver it.\r\n"
    "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    "Reporting-MTA: dns; mx.example.org\r\n\r\n"
    "Final-Recipient: rfc822; {rcpt}\r\nAction: {action}\r\nStatus: {status}\r\n"
    "Diagnostic-Code: smtp; {code} user unknown\r\n"
    "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    "Message-ID: {mid}\r\nSubject: Votre passeport\r\n"
    "\r\n--B--\r\n"
)


@pytest.mark.django_db
def test_a_hard_bounce_marks_the_message_and_suppresses_the_address_without_a_case():
    from parvis.cases.email_in import receive_email
    from parvis.cases.models import Case

    rows = queue_messages(2)
    Dispatch.objects.update(status="sent", sent_at=NOW)
    raw = DSN.format(rcpt="P0@example.org", action="failed", status="5.1.1", code="550",
                     mid=rows[0].message_id).encode()  # fmt: skip
    reports = email_parse.parse_email(raw).delivery_reports
    assert [(r.recipient, r.action, r.status, r.hard) for r in reports] == [
        ("p0@example.org", "failed", "5.1.1", True)
    ]
    assert receive_email(raw).outcome == "ignored"
    assert not Case.objects.exists()
    bounced = Dispatch.objects.get(pk=rows[0].pk)
    assert bounced.status == "bounced" and "5.1.1" in bounced.last_error
    assert EngagementEvent.objects.filter(dispatch=bounced, kind="bounced").exists()
    assert Suppression.objects.filter(address="p0@example.org", reason="hard_bounce").exists()
    assert Dispatch.objects.get(pk=rows[1].pk).status == "sent"


@pytest.mark.django_db
def test_a_delayed_notice_is_recorded_but_suppresses_nothing():
    from parvis.cases.email_in import receive_email

    rows = queue_messages(1)
    Dispatch.objects.update(status="sent", sent_at=NOW)
    raw = DSN.format(rcpt="p0@example.org", action="delayed", status="4.4.1", code="451",
                     mid="<unknown@elsewhere>").encode()  # fmt: skip
    assert receive_email(raw).outcome == "ignored"
    assert Dispatch.objects.get(pk=rows[0].pk).status == "sent"
    assert EngagementEvent.objects.filter(kind="bounced").count() == 1  # found by address
    assert not Suppression.objects.exists()


def test_a_read_receipt_is_not_a_bounce():
    raw = DSN.replace("delivery-status; boundary", "disposition-notification; boundary").format(
        rcpt="a@b.fr", action="failed", status="5.1.1", code="550", mid="<x@y>"
    )
    assert email_parse.parse_email(raw.encode()).delivery_reports == []


# --- send-time optimisation --------------------------------------------------------------------


def _opened(person, hours, days_ago=range(1, 6)):
    for day in days_ago:
        for hour in hours:
            at = timezone.make_aware(
                (NOW - timedelta(days=day)).replace(tzinfo=None, hour=hour, minute=12)
            )
            EngagementEvent.objects.create(person=person, kind="opened", at=at)


@pytest.mark.django_db
def test_messages_wait_for_the_hour_each_person_usually_opens(journey):
    evening = make_person("Eve", email="eve@example.org")
    night = make_person("Nina", email="nina@example.org")
    fresh = make_person("Fred", email="fred@example.org")
    _opened(evening, [18])
    _opened(night, [23])  # inside quiet hours: not a sending hour
    _opened(fresh, [18], days_ago=[1])  # too little history
    assert sendtime.usual_hours([evening.pk, night.pk, fresh.pk], NOW) == {
        evening.pk: 18,
        night.pk: 23,
    }
    services.enrol(journey, now=NOW)
    scheduler.run_due(NOW)
    rows = {d.person_id: d for d in Dispatch.objects.all()}
    assert rows[evening.pk].status == "deferred" and rows[evening.pk].reason == "send_time"
    assert timezone.localtime(rows[evening.pk].not_before).hour == 18
    assert rows[evening.pk].not_before.date() == NOW.date()
    assert rows[night.pk].status == "queued" and rows[fresh.pk].status == "queued"
    assert delivery.deliver_due(NOW)["sent"] == 2
    six = timezone.localtime(NOW).replace(hour=18, minute=0)
    assert delivery.deliver_due(six)["sent"] == 1
    assert {m.to[0] for m in mail.outbox} == {"eve@example.org", "nina@example.org",
                                              "fred@example.org"}  # fmt: skip


@pytest.mark.django_db
def test_send_time_optimisation_can_be_switched_off_per_step(journey):
    version = journey.current_version
    steps = [dict(s, send_time="now") if s["kind"] == "send" else s for s in version.steps]
    services.new_version(journey, steps)
    evening = make_person("Eve", email="eve@example.org")
    _opened(evening, [18])
    services.enrol(journey, now=NOW)
    scheduler.run_due(NOW)
    assert Dispatch.objects.get().status == "queued"


# --- web push from the portal ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_portal_offers_web_push_to_citizens_when_vapid_is_configured(client, settings):
    from django.contrib.auth import get_user_model

    from parvis.portal.models import PortalAccount

    anne = make_person("Anne", email="anne@example.org", passport_in=None)
    user = get_user_model().objects.create_user("anne", "anne@example.org", "x")
    PortalAccount.objects.create(user=user, person=anne, email="anne@example.org")
    client.force_login(user)
    url = reverse("portal:preferences")
    settings.PARVIS_VAPID_PUBLIC_KEY = ""
    assert b"data-push-subscribe" not in client.get(url).content
    settings.PARVIS_VAPID_PUBLIC_KEY = "BPublicKeyForTheTest"
    page = client.get(url).content.decode()
    assert 'data-key="BPublicKeyForTheTest"' in page
    assert reverse("journeys-track:push-subscribe") in page
    assert "journeys/push-subscribe.js" in page
    worker = client.get(reverse("journeys-track:push-worker"))
    assert worker.status_code == 200 and worker["Content-Type"] == "application/javascript"
    assert b'addEventListener("push"' in worker.content


# --- shipped journey templates -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_shipped_journeys_install_and_the_event_sequence_skips_past_milestones():
    journeys = library.install_all()
    names = {j.name for j in journeys}
    assert {"Renouvellement du passeport", "Aller vers : aide non réclamée"} <= names
    event = Journey.objects.get(name="Événement : M-1, J-7, J-1, jour J")
    sends = [s["template"] for s in event.current_version.steps if s["kind"] == "send"]
    assert sends == ["event-m1", "event-d7", "event-d1", "event-dday"]
    assert library.install("event").pk == event.pk  # idempotent
    # Someone registering 3 days before the event gets D-1 and D-day only.
    from parvis.people.models import DataSource

    late = make_person("Léa", email="lea@example.org", consents=(), passport_in=None)
    for channel in ("email", "sms"):
        people.record_consent(late, purpose="alerts", channel=channel, granted=True,
                              method="portal", at=NOW - timedelta(days=1))  # fmt: skip
    people.add_fact(late, key="event_on", value=NOW.date() + timedelta(days=3),
                    source=DataSource.objects.get(code="agent"), legal_basis="test",
                    collected_at=NOW)  # fmt: skip
    services.set_status(event, "active")
    services.enrol(event, person_ids=[late.pk], now=NOW)
    scheduler.run_due(NOW)
    enrolment = Enrolment.objects.get(journey=event)
    assert enrolment.step_id == "until-d1"
    assert not Dispatch.objects.filter(journey=event).exists()


@pytest.mark.django_db
def test_a_forged_dsn_cannot_suppress_someone_elses_address():
    """Anyone can mail the inbox a DSN: without the Message-ID of a message we sent to that
    very address, it neither suppresses the address nor marks a message bounced."""
    from parvis.cases.email_in import receive_email

    rows = queue_messages(2)
    Dispatch.objects.update(status="sent", sent_at=NOW)
    for mid in ("<forged@attacker.example>", rows[1].message_id):  # p1's id, for p0's address
        raw = DSN.format(rcpt="p0@example.org", action="failed", status="5.1.1", code="550",
                         mid=mid).encode()  # fmt: skip
        assert receive_email(raw).outcome == "ignored"
    assert not Suppression.objects.exists()
    assert set(Dispatch.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_hard_bounce_of_an_agents_answer_suppresses_the_address():
    from parvis.cases import intake
    from parvis.cases import services as cases
    from parvis.cases.email_in import receive_email
    from parvis.cases.models import Message
    from parvis.channels.messages import IncomingMessage

    case = intake.receive(
        IncomingMessage(channel="email", sender="jean@example.org", subject="Acte",
                        body_text="Bonjour, un acte de naissance svp.", message_id="<in1@x>")
    ).case  # fmt: skip
    cases.reply(case, author=None, body="Voici la marche à suivre.", channel="email")
    answer = Message.objects.get(case=case, direction=Message.Direction.OUT)
    raw = DSN.format(rcpt="jean@example.org", action="failed", status="5.1.1", code="550",
                     mid=answer.message_id).encode()  # fmt: skip
    receive_email(raw)
    assert Suppression.objects.filter(address="jean@example.org", reason="hard_bounce").exists()
