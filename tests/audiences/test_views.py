"""The audience builder pages: live count, save, bad input, permissions."""

import pytest
from django.urls import reverse

from parvis.audiences.models import Audience

pytestmark = pytest.mark.django_db

PASSPORT_ROW = {
    "rows": "1",
    "match": "all",
    "c-0-kind": "fact",
    "c-0-key": "passport_expires_on",
    "c-0-op": "between",
    "c-0-from_days": "120",
    "c-0-to_days": "180",
}


def test_live_count_while_editing_and_errors_in_place(client, supervisor, town):
    client.force_login(supervisor)
    response = client.post(reverse("audiences:count"), PASSPORT_ROW)
    assert 'data-count="1"' in response.content.decode()
    bad = client.post(reverse("audiences:count"), {**PASSPORT_ROW, "c-0-to_days": "10"})
    assert "audience-error" in bad.content.decode()
    expert = client.post(reverse("audiences:count"), {"expert": "{broken"})
    assert "JSON" in expert.content.decode()


def test_builder_adds_rows_saves_and_snapshots(client, supervisor, town):
    client.force_login(supervisor)
    page = client.get(reverse("audiences:new"))
    assert page.status_code == 200
    added = client.post(
        reverse("audiences:new"),
        {**PASSPORT_ROW, "action": "add", "new_kind": "radius"},
        HTTP_HX_REQUEST="true",
    )
    assert 'name="c-1-metres"' in added.content.decode()
    saved = client.post(
        reverse("audiences:new"),
        {
            **PASSPORT_ROW,
            "rows": "2",
            "c-1-kind": "radius",
            "c-1-lat": "49.0",
            "c-1-lon": "6.0",
            "c-1-metres": "1000",
            "name": "Passeports du centre",
            "kind": "static",
            "action": "save",
        },
    )
    audience = Audience.objects.get()
    assert saved.status_code == 302 and audience.snapshot_count == 1
    detail = client.get(reverse("audiences:detail", args=[audience.pk]))
    assert "Anne" in detail.content.decode()
    edit = client.get(reverse("audiences:edit", args=[audience.pk]))
    assert 'value="120"' in edit.content.decode()


def test_saving_bad_filters_keeps_the_form_and_saves_nothing(client, supervisor, town):
    client.force_login(supervisor)
    response = client.post(
        reverse("audiences:new"),
        {**PASSPORT_ROW, "c-0-key": "shoe_size", "name": "X", "action": "save"},
    )
    assert response.status_code == 400
    assert "definition-error" in response.content.decode()
    assert 'value="X"' in response.content.decode()
    assert not Audience.objects.exists()


def test_permissions(client, nobody, agent, town):
    client.force_login(nobody)
    assert client.get(reverse("audiences:list")).status_code == 403
    assert client.post(reverse("audiences:count"), PASSPORT_ROW).status_code == 403
    client.force_login(agent)
    assert client.get(reverse("audiences:list")).status_code == 200
    assert client.get(reverse("audiences:new")).status_code == 403  # agents do not build
    audience = Audience.objects.create(
        name="A", definition={"kind": "all", "conditions": []}, kind="static"
    )
    assert client.post(reverse("audiences:snapshot", args=[audience.pk])).status_code == 403
