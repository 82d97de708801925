from datetime import date, datetime, time, timedelta

import holidays
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from parvis.appointments.models import Availability, Motive, OpeningHours, Place
from parvis.people import services as people
from parvis.people.models import FactKey
from parvis.portal.models import PortalAccount

PASSPORT_DOCUMENTS = "Ancien passeport\nPhoto d'identité\nTimbre fiscal"


def open_day(after_days: int = 2) -> date:
    """The first day at least `after_days` ahead that is not a French public holiday (the
    test place opens every day of the week)."""
    day = timezone.localdate() + timedelta(days=after_days)
    while day in holidays.France(years=day.year):
        day += timedelta(days=1)
    return day


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def counter_agent(make_user):
    return make_user("counter1", "agent", first_name="Paul")


@pytest.fixture
def place(db, counter_agent):
    """A town hall counter open 9:00-12:00 every day, one agent: capacity one."""
    place = Place.objects.create(name="Mairie", slug="mairie", address="1 place de la Mairie")
    for weekday in range(7):
        OpeningHours.objects.create(place=place, weekday=weekday, start=time(9), end=time(12))
        Availability.objects.create(
            place=place, agent=counter_agent, weekday=weekday, start=time(9), end=time(12)
        )
    return place


@pytest.fixture
def passport(place):
    FactKey.objects.get_or_create(
        key="passport_appointment_on",
        defaults={"label": "Rendez-vous passeport", "value_type": "date", "category": "identity"},
    )
    return Motive.objects.create(
        place=place,
        code="passport",
        name="Passeport",
        duration_minutes=20,
        documents=PASSPORT_DOCUMENTS,
        fact_key="passport_appointment_on",
    )


@pytest.fixture
def id_card(place):
    return Motive.objects.create(
        place=place, code="id-card", name="Carte d'identité", duration_minutes=15
    )


def make_person(first: str, email: str | None = None, consent: bool = True):
    person = people.create_person(first_names=first, last_name="Test", birth_date=date(1980, 1, 1))
    if email:
        people.add_contact_point(person, "email", email, verified=True)
        if consent:
            people.record_consent(
                person, purpose="case_updates", channel="email", granted=True, method="portal"
            )
    return person


@pytest.fixture
def anne(db):
    return make_person("Anne", "anne@example.org")


@pytest.fixture
def bruno(db):
    return make_person("Bruno", "bruno@example.org")


@pytest.fixture
def citizen_client(client, anne, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = get_user_model().objects.create_user(username="portal-anne", password="x-Pw-123456")
    PortalAccount.objects.create(
        user=user, person=anne, email="anne@example.org", email_verified_at=timezone.now()
    )
    client.force_login(user)
    return client


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs what waits for the commit (the e-mails) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
