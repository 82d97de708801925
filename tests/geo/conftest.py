from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from parvis.people import services as people
from parvis.people.models import Address, Household, HouseholdMember, Residence, Street

BAN = settings.PARVIS_SHARED_DATA / "ban" / "adresses-54084.csv"
# A Tuesday morning (no quiet hours, no holiday) and a Sunday night (both).
NOW = timezone.make_aware(datetime(2025, 6, 10, 10, 0))
NIGHT = timezone.make_aware(datetime(2025, 6, 15, 23, 30))


def street(name: str, postcode: str = "54111") -> Street:
    from parvis.people.normalize import normalize_text

    row, _created = Street.objects.get_or_create(
        citycode="54084",
        name=name,
        defaults={
            "name_norm": normalize_text(name),
            "postcode": postcode,
            "city": "Mont-Bonvillers",
        },
    )
    return row


def resident(
    first: str,
    address: Address,
    *,
    email: str | None = None,
    mobile: str | None = None,
    consents=(),
    household: Household | None = None,
):
    person = people.create_person(
        first_names=first, last_name="Habitant", birth_date=date(1980, 1, 1)
    )
    if email:
        people.add_contact_point(person, "email", email)
    if mobile:
        people.add_contact_point(person, "mobile", mobile)
    for channel in consents:
        people.record_consent(
            person,
            purpose="alerts",
            channel=channel,
            granted=True,
            method="portal",
            at=NOW - timedelta(days=30),
        )
    Residence.objects.create(person=person, address=address, start=date(2020, 1, 1))
    household = household or Household.objects.create(address=address)
    HouseholdMember.objects.create(household=household, person=person, role="reference")
    return person


def at(street_row: Street, number: int, lat=None, lon=None, suffix="") -> Address:
    return Address.objects.create(
        street=street_row, number=number, suffix=suffix, latitude=lat, longitude=lon
    )
