"""Permissions on every view (403 without the right), the pages, the portal subscriptions."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from parvis.geo import areas, demo
from parvis.geo.models import Alert, AlertSubscription, Area
from parvis.people.models import Interaction
from parvis.portal.models import PortalAccount

from .conftest import at, resident, street

pytestmark = pytest.mark.django_db

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[5.83, 49.32], [5.84, 49.32], [5.84, 49.33], [5.83, 49.33], [5.83, 49.32]]],
}
SELECTION = {"shapes": [{"type": "polygon", "geometry": POLYGON}]}


@pytest.fixture
def alert(db):
    return Alert.objects.create(
        title="Crue", topic="safety", channels=["email"], selection=SELECTION, definition={}
    )


@pytest.fixture
def inhabited(db):
    resident("Ana", at(street("Rue Joffre"), 1, 49.3222, 5.8336), email="ana@example.org")


READ_AREA = [
    "/geo/",
    "/geo/grid.json?bbox=5.8,49.3,5.9,49.4",
    "/geo/areas.json",
    "/geo/streets.json?q=jo",
    "/geo/missing/",
]


def test_everything_is_refused_without_the_rights(client, nobody, alert):
    client.force_login(nobody)
    for url in [*READ_AREA, "/geo/alerts/", f"/geo/alerts/{alert.pk}/"]:
        assert client.get(url).status_code == 403, url
    for url in ["/geo/count/", "/geo/alerts/new/", f"/geo/alerts/{alert.pk}/update/"]:
        assert client.post(url, {}).status_code == 403, url


def test_anonymous_users_are_sent_to_log_in(client, alert):
    response = client.get("/geo/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_agent_sees_the_map_and_alerts_but_cannot_send(client, agent, alert, inhabited):
    client.force_login(agent)
    for url in [*READ_AREA, "/geo/alerts/", f"/geo/alerts/{alert.pk}/"]:
        assert client.get(url).status_code == 200, url
    page = client.get("/geo/").content.decode()
    assert "geo-alert-form-section" not in page
    response = client.post(
        "/geo/count/", json.dumps({"selection": SELECTION}), content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["few"] is True  # one person: hidden
    assert client.post("/geo/alerts/new/", {}).status_code == 403
    assert client.post(f"/geo/alerts/{alert.pk}/update/", {}).status_code == 403


def test_a_supervisor_sends_from_the_map(
    client, supervisor, inhabited, django_capture_on_commit_callbacks
):
    client.force_login(supervisor)
    assert "geo-alert-form-section" in client.get("/geo/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/geo/alerts/new/",
            {
                "title": "Crue de l'Orne",
                "topic": "safety",
                "channels": ["email"],
                "selection": json.dumps(SELECTION),
                "subject": "Montée des eaux",
                "body": "Évacuez les caves.",
            },
        )
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/geo/alerts/{alert.pk}/"
    page = client.get(f"/geo/alerts/{alert.pk}/").content.decode()
    assert "safety-badge" in page and ("queued: 1" in page or "sent: 1" in page)
    response = client.post(
        f"/geo/alerts/{alert.pk}/update/", {"subject": "Fin", "body": "Fin", "closing": "1"}
    )
    alert.refresh_from_db()
    assert alert.status == "closed"


def test_small_selections_are_counted_only_for_those_who_send_alerts(
    client, agent, supervisor, inhabited
):
    """Under five persons an agent gets a clear refusal, not the figure (it would single
    people out); a supervisor, who sends alerts, gets the exact counts; five and more, both."""

    def count(user):
        client.force_login(user)
        return client.post(
            "/geo/count/", json.dumps({"selection": SELECTION}), content_type="application/json"
        )

    refused = count(agent)
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "Moins de 5 personnes habitent dans cette sélection : élargissez-la.",
        "few": True,
    }
    assert count(supervisor).json()["persons"] == 1
    joffre = street("Rue Joffre")
    for i, first in enumerate(["Ben", "Cyd", "Dan", "Eva"]):
        resident(first, at(joffre, 3 + 2 * i, 49.3225, 5.8340))
    assert count(agent).status_code == 200 and count(agent).json()["persons"] == 5
    assert count(supervisor).json()["persons"] == 5


def test_bad_input_on_the_count_endpoint(client, agent, english):
    client.force_login(agent)
    bad = client.post("/geo/count/", "not json", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "JSON invalide."
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[5.83, 49.32], [5.84, 49.33], [5.84, 49.32], [5.83, 49.33], [5.83, 49.32]]
        ],
    }
    response = client.post(
        "/geo/count/",
        json.dumps({"selection": {"shapes": [{"type": "polygon", "geometry": bow_tie}]}}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "se recoupe" in response.json()["error"]


def test_missing_coordinates_are_listed(client, agent):
    resident("Bob", at(street("Rue Sans Position"), 4))
    client.force_login(agent)
    assert 'data-testid="missing-link"' in client.get("/geo/").content.decode()
    page = client.get("/geo/missing/").content.decode()
    assert "4 Rue Sans Position, 54111 Mont-Bonvillers" in page


def test_citizens_subscribe_on_the_portal(client, person, agent):
    areas.import_areas(demo.AREAS_FILE, kind="neighbourhood")
    user = get_user_model().objects.create_user(username="citizen", password="x")
    PortalAccount.objects.create(
        user=user, person=person, email="e@example.org", email_verified_at=timezone.now()
    )
    client.force_login(user)
    assert client.get("/portal/alerts/").status_code == 200
    centre = Area.objects.get(name="Centre")
    response = client.post(
        "/portal/alerts/", {"subscription": ["works:home", f"event:{centre.pk}"]}
    )
    assert response.status_code == 302
    assert set(AlertSubscription.objects.filter(person=person).values_list("topic", "area")) == {
        ("works", None),
        ("event", centre.pk),
    }
    assert Interaction.objects.filter(
        person=person, kind="consent", summary__contains="2 ajoutés"
    ).exists()
    client.post("/portal/alerts/", {"subscription": ["nope:home"]})
    assert AlertSubscription.objects.filter(person=person).count() == 2  # nothing lost
    client.force_login(agent)  # an agent has no citizen account
    assert client.get("/portal/alerts/").status_code == 403
