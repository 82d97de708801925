"""Building households with facts in the database, with full control of collection dates."""

from datetime import UTC, date, datetime, time

from parvis.people.models import (
    Address,
    DataSource,
    Fact,
    FactKey,
    Household,
    HouseholdMember,
    Person,
    Residence,
    Street,
)


def street(citycode="54084", postcode="54150", name="Rue de la Gare") -> Street:
    return Street.objects.get_or_create(
        citycode=citycode,
        name=name,
        defaults={"name_norm": name.lower(), "postcode": postcode, "city": "Mont-Bonvillers"},
    )[0]


def add_fact(
    person: Person, key: str, value, collected: date, until: date | None = None, source: str = "caf"
) -> Fact:
    fact_key = FactKey.objects.get(key=key)
    return Fact.objects.create(
        person=person,
        key=fact_key,
        source=DataSource.objects.get(code=source),
        legal_basis="Test",
        collected_at=datetime.combine(collected, time(12, 0), tzinfo=UTC),
        valid_until=until,
        **Fact.value_columns(fact_key.value_type, value),
    )


def household(
    members: list[dict],
    *,
    citycode: str | None = "54084",
    postcode="54150",
    street_name="Rue de la Gare",
) -> tuple[Household, list[Person]]:
    """members: [{"role", "birth", "first", "facts": [(key, value, collected[, until])]}]."""
    address = None
    if citycode:
        address = Address.objects.create(street=street(citycode, postcode, street_name), number=1)
    home = Household.objects.create(address=address)
    persons = []
    for i, member in enumerate(members):
        person = Person.objects.create(
            first_names=member.get("first", f"Membre{i}"),
            last_name="Test",
            birth_date=member.get("birth"),
            sex=member.get("sex", ""),
            deceased_on=member.get("deceased"),
        )
        HouseholdMember.objects.create(household=home, person=person, role=member["role"])
        if address:
            Residence.objects.create(person=person, address=address, start=date(2010, 1, 1))
        for fact in member.get("facts", []):
            add_fact(person, *fact)
        persons.append(person)
    return home, persons
