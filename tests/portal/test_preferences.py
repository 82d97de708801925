import pytest
from django.urls import reverse

from parvis.people.models import Consent
from parvis.people.services import current_consents, has_consent

pytestmark = pytest.mark.django_db


def granted_boxes(client):
    page = client.get(reverse("portal:preferences"))
    form = page.context["form"]
    return {name for name, field in form.fields.items() if name.startswith("consent-")
            and form[name].value()}  # fmt: skip


def test_the_grid_shows_current_consents(citizen_client):
    # The person fixture granted alerts by SMS at the portal.
    assert granted_boxes(citizen_client) == {"consent-alerts-sms"}


def test_only_changed_consents_are_recorded_and_history_is_kept(citizen_client, person, citizen):
    before = Consent.objects.count()
    response = citizen_client.post(
        reverse("portal:preferences"),
        {"preferred_channel": "email", "consent-case_updates-email": "on",
         "consent-alerts-sms": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    # One change (case updates by email); alerts by SMS unchanged; unticked never-asked boxes
    # are not decisions.
    assert Consent.objects.count() == before + 1
    consent = Consent.objects.order_by("-id").first()
    assert (consent.purpose, consent.channel, consent.granted) == ("case_updates", "email", True)
    assert consent.method == "portal" and consent.recorded_by == citizen
    person.refresh_from_db()
    assert person.preferred_channel == "email"

    # The same choices again: nothing recorded.
    citizen_client.post(
        reverse("portal:preferences"),
        {"preferred_channel": "email", "consent-case_updates-email": "on",
         "consent-alerts-sms": "on"},
    )  # fmt: skip
    assert Consent.objects.count() == before + 1

    # Withdrawing alerts by SMS adds a row; the old one stays as history.
    citizen_client.post(
        reverse("portal:preferences"),
        {"preferred_channel": "email", "consent-case_updates-email": "on"},
    )
    assert Consent.objects.count() == before + 2
    assert not has_consent(person, "alerts", "sms")
    assert person.consents.filter(purpose="alerts", channel="sms").count() == 2
    assert {(c.purpose, c.channel, c.granted) for c in current_consents(person)} == {
        ("alerts", "sms", False),
        ("case_updates", "email", True),
    }
    page = citizen_client.get(reverse("portal:preferences")).content.decode()
    assert page.count("<tr><td>") >= 3  # the history table


def test_an_unknown_channel_is_refused(citizen_client, person):
    response = citizen_client.post(reverse("portal:preferences"), {"preferred_channel": "fax"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    person.refresh_from_db()
    assert person.preferred_channel == ""


def test_preferences_need_a_citizen(client, person):
    assert client.get(reverse("portal:preferences")).status_code == 302
