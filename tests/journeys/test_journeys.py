"""Journeys end to end on the database: enrolment, steps, channel strategy, versions,
takeover, tracking, idempotence, and every kind of bad definition."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from parvis.channels.templates_render import HREF
from parvis.journeys import delivery, scheduler, services, tracking
from parvis.journeys.models import (
    AgentTask,
    Dispatch,
    EngagementEvent,
    Enrolment,
    GateDecision,
    StepRun,
)
from parvis.people import services as people
from parvis.people.models import Interaction

from .conftest import NOW, make_person

pytestmark = pytest.mark.django_db


def run(now=NOW):
    steps = scheduler.run_due(now)
    sent = delivery.deliver_due(now)
    return steps, sent


def test_passport_journey_sends_waits_splits_and_reminds(journey):
    anne = make_person("Anne", email="anne@example.org", preferred="email")
    bruno = make_person("Bruno", email="bruno@example.org")
    make_person("Chloé", email="chloe@example.org", passport_in=400)  # not in the audience
    assert services.enrol(journey, now=NOW) == 2
    assert services.enrol(journey, now=NOW) == 0  # re-entry "never"
    run()
    assert sorted(m.to[0] for m in mail.outbox) == ["anne@example.org", "bruno@example.org"]
    first = next(m for m in mail.outbox if m.to == ["anne@example.org"])
    assert "Bonjour Anne" in first.body and "2025" in first.subject
    html = first.alternatives[0][0]
    assert "rdv.example.fr" not in HREF.findall(html)[0]  # the link is tracked
    assert Enrolment.objects.filter(step_id="wait").count() == 2

    # Anne clicks the tracked link; Bruno does not.
    anne_dispatch = Dispatch.objects.get(person=anne)
    click = tracking.click_url(anne_dispatch.token, "https://rdv.example.fr/")
    from django.test import Client

    response = Client().get(click.split("127.0.0.1:8000", 1)[1])
    assert response.status_code == 302 and response["Location"] == "https://rdv.example.fr/"
    anne_dispatch.refresh_from_db()
    assert anne_dispatch.clicked_at and anne_dispatch.opened_at

    run(NOW + timedelta(days=10))  # still waiting
    assert len(mail.outbox) == 2
    run(NOW + timedelta(days=31))
    assert [m.to for m in mail.outbox[2:]] == [["bruno@example.org"]]
    assert mail.outbox[2].subject == "Rappel"
    statuses = dict(Enrolment.objects.values_list("person__first_names", "status"))
    assert statuses == {"Anne": "completed", "Bruno": "completed"}
    # Every step is in the person's 360° timeline.
    lines = list(
        Interaction.objects.filter(person=bruno, kind="journey_step").values_list(
            "summary", flat=True
        )
    )
    assert len(lines) >= 5 and any("Rappel" in line or "reminder" in line for line in lines)


def test_channel_strategy_consent_language_and_letters(journey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    sms_only = make_person(
        "Sam", email="sam@example.org", mobile="06 11 22 33 44", preferred="sms", consents=("sms",)
    )
    email_no_consent = make_person(
        "Eric", email="eric@example.org", mobile="0622334455", consents=("sms",)
    )
    english = make_person("John", email="john@example.org", language="en")
    paper = make_person("Paulette", consents=(), address=True)
    services.enrol(journey, now=NOW)
    run()
    got = {d.person_id: (d.channel, d.status) for d in Dispatch.objects.all()}
    assert got[sms_only.pk] == ("sms", "sent")
    assert got[email_no_consent.pk] == ("sms", "sent")  # e-mail refused: fell back to SMS
    assert got[english.pk] == ("email", "sent")
    assert got[paper.pk] == ("postal", "sent")
    assert [m.subject for m in mail.outbox] == ["Your passport expires"]
    refusals = GateDecision.objects.filter(person=email_no_consent, allowed=False)
    assert list(refusals.values_list("channel", "reason")) == [("email", "no_consent")]

    from parvis.journeys.letters import build_batch

    batch = build_batch(NOW.date())
    assert batch.letters == 1 and batch.file.read(5) == b"%PDF-"


def test_consent_withdrawn_between_scheduling_and_sending_sends_nothing(journey):
    anne = make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    scheduler.run_due(NOW)
    assert Dispatch.objects.get().status == "queued"
    people.record_consent(
        anne, purpose="document_reminders", channel="email", granted=False, method="portal"
    )
    delivery.deliver_due(NOW)
    dispatch = Dispatch.objects.get()
    assert (dispatch.status, dispatch.reason) == ("refused", "consent_withdrawn")
    assert mail.outbox == []


def test_a_step_run_twice_writes_its_message_once(journey):
    make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    enrolment = Enrolment.objects.get()
    # A crashed worker's batch is rolled back and re-run: simulate the re-run on the same state.
    scheduler.process([Enrolment.objects.get(pk=enrolment.pk)], NOW)
    scheduler.process([Enrolment.objects.get(pk=enrolment.pk)], NOW)
    assert Dispatch.objects.count() == 1


def test_editing_makes_a_new_version_and_running_people_keep_theirs(journey):
    make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    run()
    v2 = services.new_version(
        journey,
        [
            {"id": "m6", "kind": "send", "template": "m6"},
            {"id": "wait", "kind": "wait", "days": 1},
            {"id": "task", "kind": "task", "title": "Appeler"},
        ],
    )
    assert v2.number == 2
    run(NOW + timedelta(days=31))
    assert Enrolment.objects.get().version.number == 1
    assert not AgentTask.objects.exists()  # v1 has no task step
    assert mail.outbox[-1].subject == "Rappel"  # v1's reminder


def test_variants_decision_split_task_and_set_fact(templates, audience):
    journey = services.save_journey(
        {"name": "AB", "purpose": "document_reminders", "audience": audience, "trigger": "manual"}
    )
    services.new_version(
        journey,
        [
            {
                "id": "hello",
                "kind": "send",
                "template": "m6",
                "variant_b": "m6b",
                "share_b": 50,
                "channels": ["email"],
            },
            {
                "id": "young",
                "kind": "split",
                "branches": [
                    {
                        "if": {"kind": "attribute", "field": "age", "op": "lte", "to": 30},
                        "goto": "call",
                    }
                ],
                "else": "flag",
            },
            {"id": "call", "kind": "task", "title": "Appeler la personne", "next": "end"},
            {"id": "flag", "kind": "set_fact", "key": "student", "value": "non"},
            {"id": "end", "kind": "exit", "as_goal": "yes"},
        ],
    )
    services.set_status(journey, "active")
    for i in range(12):
        make_person(f"P{i}", email=f"p{i}@example.org")
    services.enrol(journey, now=NOW)
    run()
    variants = set(Dispatch.objects.values_list("variant", flat=True))
    assert variants == {"A", "B"}
    assert AgentTask.objects.count() == 0
    assert Enrolment.objects.filter(status="goal").count() == 12
    from parvis.people.models import Fact

    assert Fact.objects.filter(key_id="student").count() == 12


def test_goal_exits_and_reentry_rules(journey, audience):
    anne = make_person("Anne", email="anne@example.org")
    version = journey.current_version
    version.goal = {"kind": "fact", "key": "student", "op": "exists"}
    version.save()
    services.enrol(journey, now=NOW)
    people.add_fact(
        anne,
        key="student",
        value="oui",
        source=people.DataSource.objects.get(code="citizen"),
        legal_basis="test",
    )
    run()
    assert Enrolment.objects.get().status == "goal"
    assert not Dispatch.objects.exists()
    journey.reentry = "after_days"
    journey.reentry_days = 10
    journey.save()
    assert services.enrol(journey, now=NOW + timedelta(days=5)) == 0
    assert services.enrol(journey, now=NOW + timedelta(days=11)) == 1


def test_event_triggers_enrol_on_fact_received(templates, django_capture_on_commit_callbacks):
    journey = services.save_journey(
        {
            "name": "Nouveau passeport",
            "purpose": "document_reminders",
            "trigger": "fact_changed",
            "trigger_fact_key": "passport_expires_on",
        }
    )
    services.new_version(journey, [{"kind": "send", "template": "m6"}])
    services.set_status(journey, "active")
    with django_capture_on_commit_callbacks(execute=True):
        anne = make_person("Anne", email="anne@example.org")
    assert Enrolment.objects.get().person == anne


def test_agent_takeover_pause_resume_skip_and_extra_message(
    journey, agent, django_capture_on_commit_callbacks
):
    anne = make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    enrolment = Enrolment.objects.get()
    services.pause_enrolment(enrolment, actor=agent)
    run()
    assert not Dispatch.objects.exists()  # paused: nothing sent
    with pytest.raises(ValidationError):
        services.pause_enrolment(enrolment, actor=agent)
    services.resume_enrolment(enrolment, actor=agent)
    services.skip_step(enrolment, actor=agent)
    assert enrolment.step_id == "wait"
    with django_capture_on_commit_callbacks(execute=True):
        extra = services.send_extra(
            enrolment,
            channel="email",
            subject="Un mot",
            text="Bonjour, je vous appelle demain.",
            actor=agent,
        )
    assert extra.source == "agent"
    runs = list(StepRun.objects.values_list("outcome", flat=True))
    assert runs == ["paused", "resumed", "skipped"]
    assert Interaction.objects.filter(person=anne, actor=agent).count() >= 3
    with pytest.raises(ValidationError):
        services.send_extra(enrolment, channel="pigeon", subject="", text="x", actor=agent)


def test_pausing_a_journey_stops_it(journey):
    make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    services.set_status(journey, "paused")
    run()
    assert not Dispatch.objects.exists()
    services.set_status(journey, "active")
    run()
    assert Dispatch.objects.count() == 1


def test_replies_and_open_pixel_feed_engagement(journey, client):
    make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    run()
    dispatch = Dispatch.objects.get()
    pixel = client.get(tracking.open_url(dispatch.token).split("8000", 1)[1])
    assert pixel.status_code == 200
    assert tracking.match_reply(dispatch.message_id, []) == dispatch
    kinds = sorted(EngagementEvent.objects.values_list("kind", flat=True))
    assert kinds == ["opened", "replied"]
    assert reverse("journeys-track:open", args=["x"]).endswith(".gif")


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "at least one step"),
        ([{"kind": "teleport"}], "Unknown step kind"),
        ([{"id": "a", "kind": "exit"}, {"id": "a", "kind": "exit"}], "Two steps"),
        ([{"id": "Bad Id!", "kind": "exit"}], "letters, digits"),
        ([{"kind": "send", "template": "nope"}], "No template"),
        ([{"kind": "send", "template": "m6", "channels": "email,fax"}], "Unknown channel"),
        ([{"kind": "send", "template": "m6", "variant_b": "m6b", "share_b": 150}], "from 1 to 99"),
        ([{"kind": "wait", "mode": "duration", "days": 0}], "at least one hour"),
        ([{"kind": "wait", "mode": "fact", "key": "student"}], "holding a date"),
        ([{"kind": "wait", "mode": "window", "weekdays": "0,9"}], "from 0 to 6"),
        ([{"kind": "wait", "mode": "window", "from_hour": 12, "to_hour": 9}], "ends before"),
        ([{"kind": "split", "condition": "{not json", "goto": "x"}], "Not valid JSON"),
        (
            [{"kind": "split", "branches": [{"if": {"kind": "teleport"}, "goto": "x"}]}],
            "Unknown condition",
        ),
        (
            [
                {
                    "kind": "split",
                    "branches": [{"if": {"kind": "all", "conditions": []}, "goto": "nowhere"}],
                }
            ],
            "unknown step",
        ),
        ([{"kind": "engagement", "event": "danced", "yes": "x"}], "Unknown event"),
        ([{"kind": "set_fact", "key": "student", "value": "peut-être"}], "not a valid"),
        ([{"kind": "set_fact", "key": "shoe_size", "value": "42"}], "Unknown fact key"),
        ([{"kind": "task", "title": ""}], "steps[0].title"),
    ],
)
def test_bad_definitions_are_refused_and_nothing_is_saved(journey, steps, message):
    before = journey.versions.count()
    with pytest.raises(ValidationError) as caught:
        services.new_version(journey, steps)
    assert message in str(caught.value)
    assert journey.versions.count() == before


def test_bad_journey_fields(templates):
    with pytest.raises(ValidationError) as caught:
        services.save_journey(
            {"name": "", "purpose": "spam", "trigger": "schedule", "reentry_days": "-3"}
        )
    assert set(caught.value.message_dict) == {"name", "purpose", "audience", "reentry_days"}


def test_the_beat_task_enrols_advances_and_sends(journey, monkeypatch):
    from parvis.channels import gate
    from parvis.journeys import tasks

    monkeypatch.setattr(gate, "quiet_reason", lambda at: "")
    anne = make_person("Anne", email="anne@example.org", passport_in=None)
    people.add_fact(
        anne,
        key="passport_expires_on",
        legal_basis="test",
        value=timezone.localdate() + timedelta(days=150),
        source=people.DataSource.objects.get(code="ants"),
    )
    result = tasks.tick()
    assert result["enrolled"] == 1 and result["sent"] == 1
    assert tasks.tick()["enrolled"] == 0  # the schedule waits 24 hours
    assert tasks.build_letters() == 0  # no letter today
