"""Two citizens on the last seat at once (PostgreSQL, two threads), and the demo's counter."""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from parvis.appointments import demo, services
from parvis.appointments.models import Appointment, Place

from .conftest import at, make_person, open_day


@pytest.mark.django_db(transaction=True)
def test_two_citizens_booking_the_last_seat_at_once_on_postgresql(passport, anne, bruno):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises write transactions: see the sequential test")
    start = at(open_day(), 10)
    barrier = threading.Barrier(2)
    results = {}

    def take(person):
        try:
            barrier.wait()
            services.book(person, passport, start, source="link")
            results[person.first_names] = "booked"
        except services.BookingError as exc:
            results[person.first_names] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(p,)) for p in (anne, bruno)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()).count("booked") == 1, results
    refused = next(v for v in results.values() if v != "booked")
    assert "vient d'être pris" in refused or "just been taken" in refused
    assert Appointment.objects.filter(start=start, status="booked").count() == 1


@pytest.mark.django_db
def test_demo_counter_has_motives_hours_and_an_agenda(client, make_user):
    agent = make_user("agent", "agent")
    for first in ("Anne", "Bruno", "Chloé"):
        make_person(first)
    place = demo.install_demo()
    demo.install_demo()  # idempotent
    assert Place.objects.count() == 1
    passport = place.motives.get(code="passport")
    assert passport.duration_minutes == 20 and "Timbre fiscal" in passport.documents
    assert place.opening_hours.count() == 11 and place.availabilities.count() == 11
    seeded = list(place.appointments.order_by("start"))
    assert seeded  # today and the next three days: not all closed
    client.force_login(agent)
    day = timezone.localtime(seeded[0].start).date()
    response = client.get(reverse("appointments:agenda", args=[place.slug]), {"day": day})
    assert response.status_code == 200
    assert str(seeded[0].person) in response.content.decode()
