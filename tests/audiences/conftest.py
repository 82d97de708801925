from datetime import date, timedelta

import pytest
from django.utils import timezone

from parvis.people import services
from parvis.people.models import Address, DataSource, Residence, Street

# A small square town around (49.0 N, 6.0 E); one degree of latitude is about 111 km.
CENTRE = (49.0, 6.0)


def make_person(first, last, *, born=date(1980, 1, 1), lat=None, lon=None, street=None, **kw):
    person = services.create_person(first_names=first, last_name=last, birth_date=born, **kw)
    if lat is not None:
        street = (
            street
            or Street.objects.get_or_create(
                citycode="54084",
                name="Rue de la Gare",
                defaults={"name_norm": "rue de la gare", "postcode": "54000", "city": "Ville"},
            )[0]
        )
        address = Address.objects.create(street=street, number=1, latitude=lat, longitude=lon)
        Residence.objects.create(person=person, address=address)
    return person


def fact(person, key, value, *, days_ago=10):
    return services.add_fact(
        person,
        key=key,
        value=value,
        source=DataSource.objects.get(code="ants"),
        legal_basis="test",
        collected_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def town(db):
    today = timezone.localdate()
    other_street = Street.objects.create(
        citycode="54084",
        name="Allée des Tilleuls",
        name_norm="allee des tilleuls",
        postcode="54000",
        city="Ville",
    )
    people = {
        # passport in 150 days, lives at the centre, email + consent for reminders
        "anne": make_person("Anne", "Alpha", lat=49.0, lon=6.0, born=date(1990, 5, 1)),
        # passport in 400 days, 300 m north
        "bruno": make_person("Bruno", "Bravo", lat=49.0027, lon=6.0, born=date(1950, 1, 1)),
        # passport in 150 days but renewed since (newer fact: in 3650 days), 5 km east
        "chloe": make_person("Chloé", "Charlie", lat=49.0, lon=6.0685, born=date(2010, 1, 1)),
        # no passport, no address
        "denis": make_person("Denis", "Delta", born=date(1970, 1, 1)),
        # passport in 130 days, lives in the other street; dead
        "eve": make_person("Ève", "Echo", lat=49.001, lon=6.001, street=other_street),
    }
    fact(people["anne"], "passport_expires_on", today + timedelta(days=150))
    fact(people["bruno"], "passport_expires_on", today + timedelta(days=400))
    fact(people["chloe"], "passport_expires_on", today + timedelta(days=150), days_ago=400)
    fact(people["chloe"], "passport_expires_on", today + timedelta(days=3650), days_ago=5)
    fact(people["eve"], "passport_expires_on", today + timedelta(days=130))
    fact(people["anne"], "family_quotient", "612.50")
    fact(people["bruno"], "family_quotient", "1200")
    fact(people["anne"], "rsa_recipient", "oui")
    services.add_contact_point(people["anne"], "email", "anne@example.org")
    services.add_contact_point(people["bruno"], "mobile", "06 11 22 33 44")
    services.record_consent(
        people["anne"],
        purpose="document_reminders",
        channel="email",
        granted=True,
        method="portal",
    )
    # Bruno granted then withdrew: the latest row counts.
    services.record_consent(
        people["bruno"],
        purpose="document_reminders",
        channel="sms",
        granted=True,
        method="portal",
        at=timezone.now() - timedelta(days=30),
    )
    services.record_consent(
        people["bruno"],
        purpose="document_reminders",
        channel="sms",
        granted=False,
        method="portal",
    )
    people["eve"].deceased_on = today - timedelta(days=3)
    people["eve"].save()
    return people


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Tests read error messages in English (the French catalogue changes with the UI)."""
    from django.utils import translation

    with translation.override("en"):
        yield
