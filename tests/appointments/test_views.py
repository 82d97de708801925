"""The citizen's pages (signed in, and through a signed journey link) and the agents'
agenda, with their permission checks and the access log."""

import html
import time as time_module
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from parvis.appointments import links
from parvis.appointments.models import Appointment
from parvis.audit.models import AccessLog
from parvis.journeys.models import Dispatch, EngagementEvent
from parvis.journeys.rendering import context as template_context

from .conftest import at, open_day

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_signed_in_citizen_books_and_cancels(citizen_client, anne, passport):
    page = reverse("appointments-portal:mine")
    response = citizen_client.get(page, {"motive": passport.pk, "from": open_day().isoformat()})
    assert response.status_code == 200
    start = at(open_day(), 9, 40)
    assert start.isoformat() in response.content.decode()
    response = citizen_client.post(
        page, {"action": "book", "motive": passport.pk, "start": start.isoformat()}
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(person=anne)
    assert appointment.source == "portal" and appointment.start == start
    assert AccessLog.objects.filter(person_id=anne.pk, action="portal.appointments").exists()
    response = citizen_client.post(
        reverse("appointments-portal:cancel", args=[appointment.pk]), follow=True
    )
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"


def test_a_citizen_cannot_cancel_someone_elses_appointment(citizen_client, bruno, passport):
    from parvis.appointments import services

    other = services.book(bruno, passport, at(open_day(), 9), source="portal")
    response = citizen_client.post(reverse("appointments-portal:cancel", args=[other.pk]))
    assert response.status_code == 403
    response = citizen_client.post(
        reverse("appointments-portal:mine"), {"action": "cancel", "appointment": other.pk}
    )
    assert response.status_code == 404
    assert Appointment.objects.get(pk=other.pk).status == "booked"


def test_portal_pages_need_a_citizen(client, passport):
    response = client.get(reverse("appointments-portal:mine"))
    assert response.status_code == 302 and "/portal/login/" in response["Location"]


def test_slot_taken_meanwhile_gives_a_clear_message(citizen_client, bruno, passport):
    from parvis.appointments import services

    start = at(open_day(), 10)
    services.book(bruno, passport, start, source="portal")
    response = citizen_client.post(
        reverse("appointments-portal:mine"),
        {"action": "book", "motive": passport.pk, "start": start.isoformat()},
    )
    assert response.status_code == 409
    assert "vient d'être pris" in html.unescape(response.content.decode())
    response = citizen_client.post(
        reverse("appointments-portal:mine"),
        {"action": "book", "motive": passport.pk, "start": "not a date"},
    )
    assert response.status_code == 409 and "Choisissez un créneau" in response.content.decode()


def test_journey_link_books_without_sign_in_and_counts_as_engagement(client, anne, passport):
    dispatch = Dispatch.objects.create(person=anne, channel="email", purpose="document_reminders")
    # The journey template's {{ booking_url }} is this person's signed link.
    url = template_context(anne, {}, dispatch.token, "email")["booking_url"]
    assert links.unsign(url.rstrip("/").rsplit("/", 1)[1]) == links.LinkData(
        anne.pk, dispatch.token
    )
    path = _path(url)
    response = client.get(path, {"motive": passport.pk, "from": open_day().isoformat()})
    assert response.status_code == 200 and "Anne" in response.content.decode()
    start = at(open_day(), 11)
    response = client.post(
        path, {"action": "book", "motive": passport.pk, "start": start.isoformat()}
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(person=anne)
    assert appointment.source == "link"
    event = EngagementEvent.objects.get(kind="booked")
    assert event.dispatch == dispatch and event.person == anne
    # The same link lists the appointment and cancels it.
    response = client.post(path, {"action": "cancel", "appointment": appointment.pk})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"


def test_tampered_link_gets_a_clear_page(client, anne, passport):
    signed = links.sign(anne.pk)
    value, _sep, signature = signed.rpartition(":")
    forged = links.sign(anne.pk + 1).rpartition(":")[0] + ":" + signature
    for bad in (forged, signed[:-3] + "abc", "garbage"):
        response = client.get(reverse("appointments-portal:link", args=[bad]))
        assert response.status_code == 400
        assert b'data-reason="invalid"' in response.content
        assert "n'est pas valide" in html.unescape(response.content.decode())
    assert not Appointment.objects.exists()


def test_expired_link_gets_a_clear_page(client, anne, settings):
    settings.PARVIS_BOOKING_LINK_DAYS = 30
    long_ago = time_module.time() - 31 * 24 * 3600
    with mock.patch.object(signing.time, "time", return_value=long_ago):
        old = links.sign(anne.pk)
    response = client.get(reverse("appointments-portal:link", args=[old]))
    assert response.status_code == 410
    assert b'data-reason="expired"' in response.content
    assert "a expiré" in html.unescape(response.content.decode())
    with pytest.raises(links.LinkError):
        links.unsign(old)


def test_agenda_for_agents_with_the_access_log(client, agent, anne, passport):
    from parvis.appointments import services

    day = open_day()
    services.book(anne, passport, at(day, 9), source="portal")
    client.force_login(agent)
    assert client.get(reverse("appointments:places")).status_code == 200
    response = client.get(reverse("appointments:agenda", args=["mairie"]), {"day": day})
    assert response.status_code == 200
    assert "Anne" in response.content.decode() and "Passeport" in response.content.decode()
    log = AccessLog.objects.get(person_id=anne.pk, action="appointments.agenda")
    assert log.username == agent.username and log.channel == "console"


@pytest.mark.parametrize("who", ["nobody", "dpo"])
def test_agenda_and_marks_are_refused_without_the_right(client, request, who, anne, passport):
    from parvis.appointments import services

    appointment = services.book(anne, passport, at(open_day(), 9), source="portal")
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("appointments:places")).status_code == 403
    assert client.get(reverse("appointments:agenda", args=["mairie"])).status_code == 403
    response = client.post(
        reverse("appointments:mark", args=[appointment.pk]), {"status": "cancelled"}
    )
    assert response.status_code == 403
    assert Appointment.objects.get(pk=appointment.pk).status == "booked"
    assert not AccessLog.objects.filter(action="appointments.agenda").exists()


def test_agent_cancels_and_marks_from_the_agenda(client, agent, anne, bruno, passport):
    from parvis.appointments import services

    future = services.book(anne, passport, at(open_day(), 9), source="portal")
    client.force_login(agent)
    response = client.post(reverse("appointments:mark", args=[future.pk]), {"status": "no_show"})
    assert response.status_code == 302  # not started yet: refused with a message
    assert Appointment.objects.get(pk=future.pk).status == "booked"
    client.post(reverse("appointments:mark", args=[future.pk]), {"status": "cancelled"})
    assert Appointment.objects.get(pk=future.pk).status == "cancelled"


def test_agents_see_only_their_services_places(client, agent, supervisor, anne, passport):
    """The cases' rule: an agent sees the places of their services and those no service runs;
    another service's agenda and appointments are 404; a supervisor sees every place."""
    from parvis.appointments import services
    from parvis.appointments.models import Place
    from parvis.cases.models import Service

    mine = Service.objects.create(name="État civil", slug="etat-civil")
    mine.members.add(agent)
    theirs = Service.objects.create(name="Urbanisme", slug="urbanisme")
    Place.objects.create(name="Annexe Nord", slug="nord", service=mine)
    other = Place.objects.create(name="Annexe Sud", slug="sud", service=theirs)
    hidden = services.book(anne, passport, at(open_day(), 9), source="portal")
    Appointment.objects.filter(pk=hidden.pk).update(place=other)  # at the other service's

    client.force_login(agent)
    page = client.get(reverse("appointments:places")).content.decode()
    assert "Annexe Nord" in page and "Mairie" in page  # no service: everybody's
    assert "Annexe Sud" not in page
    assert client.get(reverse("appointments:agenda", args=["nord"])).status_code == 200
    assert client.get(reverse("appointments:agenda", args=["mairie"])).status_code == 200
    day = {"day": open_day().isoformat()}
    assert client.get(reverse("appointments:agenda", args=["sud"]), day).status_code == 404
    response = client.post(reverse("appointments:mark", args=[hidden.pk]), {"status": "cancelled"})
    assert response.status_code == 404
    assert Appointment.objects.get(pk=hidden.pk).status == "booked"
    assert not AccessLog.objects.filter(person_id=anne.pk).exists()

    client.force_login(supervisor)
    assert "Annexe Sud" in client.get(reverse("appointments:places")).content.decode()
    response = client.get(reverse("appointments:agenda", args=["sud"]), day)
    assert response.status_code == 200 and "Anne" in response.content.decode()
    response = client.post(reverse("appointments:mark", args=[hidden.pk]), {"status": "cancelled"})
    assert response.status_code == 302
    assert Appointment.objects.get(pk=hidden.pk).status == "cancelled"
