"""Journey console pages: create, edit steps (new version), dashboard, takeover, templates,
and who may do what."""

import pytest
from django.urls import reverse

from parvis.audit.models import AccessLog
from parvis.journeys import services
from parvis.journeys.models import Enrolment, Journey, MessageTemplate

from .conftest import NOW, make_person

pytestmark = pytest.mark.django_db


def test_create_a_journey_edit_its_steps_and_see_the_dashboard(
    client, supervisor, templates, audience
):
    client.force_login(supervisor)
    response = client.post(
        reverse("journeys:new"),
        {
            "name": "Relance",
            "purpose": "document_reminders",
            "audience": audience.pk,
            "trigger": "schedule",
            "schedule_hours": "24",
            "reentry": "never",
            "reentry_days": "365",
        },
    )
    journey = Journey.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("/steps/")
    added = client.post(
        reverse("journeys:steps", args=[journey.pk]),
        {
            "steps": "1",
            "s-0-kind": "send",
            "s-0-id": "hello",
            "s-0-template": "m6",
            "s-0-channels": "email",
            "action": "add",
            "new_step_kind": "wait",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'name="s-1-days"' in added.content.decode()
    saved = client.post(
        reverse("journeys:steps", args=[journey.pk]),
        {
            "steps": "2",
            "s-0-kind": "send",
            "s-0-id": "hello",
            "s-0-template": "m6",
            "s-0-channels": "email",
            "s-1-kind": "wait",
            "s-1-id": "pause",
            "s-1-mode": "duration",
            "s-1-days": "3",
            "action": "save",
        },
    )
    assert saved.status_code == 302
    journey.refresh_from_db()
    assert journey.current_version.number == 1
    assert [s["id"] for s in journey.current_version.steps] == ["hello", "pause"]
    dashboard = client.get(reverse("journeys:dashboard", args=[journey.pk]))
    assert dashboard.status_code == 200
    assert "journey-diagram" in dashboard.content.decode()


def test_bad_steps_are_shown_and_no_version_is_made(client, supervisor, journey):
    client.force_login(supervisor)
    response = client.post(
        reverse("journeys:steps", args=[journey.pk]),
        {"steps": "1", "s-0-kind": "send", "s-0-id": "x", "s-0-template": "nope", "action": "save"},
    )
    assert response.status_code == 400 and "steps-error" in response.content.decode()
    assert "nope" in response.content.decode()
    assert journey.versions.count() == 1
    bad_json = client.post(
        reverse("journeys:steps", args=[journey.pk]),
        {"steps": "0", "expert": "[{", "action": "save"},
    )
    assert bad_json.status_code == 400


def test_agent_takes_over_one_enrolment(client, agent, journey):
    anne = make_person("Anne", email="anne@example.org")
    services.enrol(journey, now=NOW)
    enrolment = Enrolment.objects.get()
    client.force_login(agent)
    page = client.get(reverse("journeys:enrolment", args=[enrolment.pk]))
    assert page.status_code == 200
    assert AccessLog.objects.filter(person_id=anne.pk, action="console.journey").exists()
    client.post(reverse("journeys:enrolment-action", args=[enrolment.pk]), {"action": "pause"})
    enrolment.refresh_from_db()
    assert enrolment.status == "paused"
    client.post(reverse("journeys:enrolment-action", args=[enrolment.pk]), {"action": "resume"})
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    # Agents may operate but not edit journeys.
    assert client.get(reverse("journeys:steps", args=[journey.pk])).status_code == 403


def test_template_preview_on_a_real_person_counts_sms_segments(client, supervisor, templates):
    anne = make_person("Anne", email="anne@example.org")
    client.force_login(supervisor)
    response = client.post(
        reverse("journeys:template-new"),
        {
            "code": "ready",
            "channel": "sms",
            "language": "fr",
            "body_text": "Bonjour {{ person.first_names }}, votre passeport est prêt à la mairie.",
            "preview_person": anne.pk,
            "action": "preview",
        },
    )
    text = response.content.decode()
    assert "Bonjour Anne" in text and "UCS-2" in text  # "ê" forces UCS-2
    broken = client.post(
        reverse("journeys:template-new"),
        {
            "code": "broken",
            "channel": "email",
            "language": "fr",
            "subject": "{% if %}",
            "body_text": "x",
            "action": "save",
        },
    )
    assert broken.status_code == 400 and not MessageTemplate.objects.filter(code="broken")
    unknown = client.post(
        reverse("journeys:template-new"),
        {
            "code": "x",
            "channel": "sms",
            "language": "fr",
            "body_text": "x",
            "preview_person": "999999",
            "action": "preview",
        },
    )
    assert unknown.status_code == 400


@pytest.mark.parametrize("name", ["journeys:list", "journeys:new", "journeys:templates"])
def test_people_without_the_right_get_403(client, nobody, name):
    client.force_login(nobody)
    assert client.get(reverse(name)).status_code == 403


def test_nobody_cannot_operate_or_see_a_journey(client, nobody, journey):
    client.force_login(nobody)
    assert client.get(reverse("journeys:dashboard", args=[journey.pk])).status_code == 403
    assert (
        client.post(reverse("journeys:action", args=[journey.pk]), {"action": "pause"}).status_code
        == 403
    )
    journey.refresh_from_db()
    assert journey.status == "active"
