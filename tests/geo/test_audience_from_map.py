"""Saving the map's selection as an audience (issue 6: audiences filter on a drawn area)."""

import json

import pytest

from parvis.audiences import services as audience_services
from parvis.audiences.models import Audience, AudienceMember
from parvis.geo import areas, demo, selection
from parvis.geo.models import Area

from .conftest import at, resident, street

pytestmark = pytest.mark.django_db

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[5.83, 49.32], [5.84, 49.32], [5.84, 49.33], [5.83, 49.33], [5.83, 49.32]]],
}


@pytest.fixture
def town(db):
    joffre = street("Rue Joffre")
    resident("Ana", at(joffre, 1, 49.3222, 5.8336), email="ana@example.org")
    resident("Ben", at(joffre, 3, 49.3251, 5.8372))
    resident("Cyd", at(joffre, 90, 49.3500, 5.8800))  # outside the drawn square
    resident("Dan", at(street("Rue Haute"), 2, 49.3300, 5.9000))  # outside, other street
    return joffre


def test_a_supervisor_saves_the_drawn_selection_and_counts_the_same(client, supervisor, town):
    data = {
        "shapes": [
            {"type": "polygon", "geometry": POLYGON},
            {"type": "circle", "lat": 49.33, "lon": 5.90, "metres": 50},
        ]
    }
    client.force_login(supervisor)
    page = client.get("/geo/").content.decode()
    assert 'id="geo-audience-form"' in page
    map_count = client.post(
        "/geo/count/", json.dumps({"selection": data}), content_type="application/json"
    ).json()["persons"]
    response = client.post(
        "/geo/audience/", {"selection": json.dumps(data), "name": "Bord de l'Orne"}
    )
    audience = Audience.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/audiences/{audience.pk}/"
    assert audience.name == "Bord de l'Orne" and audience.kind == "dynamic"
    assert audience.created_by == supervisor
    assert map_count == 3
    assert audience_services.members(audience).count() == map_count
    # The audience builder shows it with its polygon and circle rows.
    assert client.get(f"/audiences/{audience.pk}/edit/").status_code == 200


def test_streets_and_named_areas_become_a_static_audience(supervisor, town):
    areas.import_areas(demo.AREAS_FILE, kind="neighbourhood")
    centre = Area.objects.get(name="Centre")
    data = {
        "shapes": [
            {"type": "streets", "streets": [town.pk]},
            {"type": "area", "areas": [centre.pk]},
        ]
    }
    tree = selection.to_tree(data)
    audience = selection.save_as_audience(data, name="Joffre", kind="static", user=supervisor)
    assert audience.snapshot_at is not None
    assert audience.snapshot_count == selection.counts(tree)["persons"]
    assert AudienceMember.objects.filter(audience=audience).count() == audience.snapshot_count


def test_an_agent_without_the_right_gets_403(client, agent, nobody, town):
    body = {
        "selection": json.dumps({"shapes": [{"type": "polygon", "geometry": POLYGON}]}),
        "name": "x",
    }
    client.force_login(agent)  # sees the map, may not build audiences
    assert 'id="geo-audience-form"' not in client.get("/geo/").content.decode()
    assert client.post("/geo/audience/", body).status_code == 403
    client.force_login(nobody)
    assert client.post("/geo/audience/", body).status_code == 403
    assert not Audience.objects.exists()


def test_bad_input_saves_nothing_and_says_why(client, supervisor, town, english):
    client.force_login(supervisor)
    response = client.post("/geo/audience/", {"selection": "not json", "name": "x"}, follow=True)
    assert "Dessinez une zone" in response.content.decode()
    bow_tie = {
        "type": "Polygon",
        "coordinates": [
            [[5.83, 49.32], [5.84, 49.33], [5.84, 49.32], [5.83, 49.33], [5.83, 49.32]]
        ],
    }
    data = json.dumps({"shapes": [{"type": "polygon", "geometry": bow_tie}]})
    response = client.post("/geo/audience/", {"selection": data, "name": "x"}, follow=True)
    assert "se recoupe" in response.content.decode()
    ok = json.dumps({"shapes": [{"type": "polygon", "geometry": POLYGON}]})
    response = client.post("/geo/audience/", {"selection": ok, "name": "  "}, follow=True)
    assert "Donnez un nom" in response.content.decode()
    assert not Audience.objects.exists()


def test_the_builder_links_to_the_map(client, supervisor):
    client.force_login(supervisor)
    page = client.get("/audiences/new/").content.decode()
    assert 'data-testid="draw-on-map-link"' in page and 'href="/geo/"' in page
