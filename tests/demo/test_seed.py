from collections import Counter
from datetime import date

import pytest
from stdnum.fr import nir

from parvis.demo.services import create_demo_accounts, seed_town
from parvis.people.models import (
    Address,
    ContactPoint,
    Fact,
    HouseholdMember,
    NameToken,
    Person,
    Residence,
    TokenVariant,
)
from parvis.people.normalize import normalize_phone
from parvis.people.search import search_people

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


@pytest.fixture
def town():
    return seed_town(600, seed=7, today=TODAY)


def test_town_is_deterministic(town):
    first = list(
        Person.objects.order_by("pk").values_list("first_names", "last_name", "birth_date")
    )
    Person.objects.all().delete()
    seed_town(600, seed=7, today=TODAY)
    again = list(
        Person.objects.order_by("pk").values_list("first_names", "last_name", "birth_date")
    )
    assert first == again


def test_population_looks_french_and_varied(town):
    assert 600 <= town.persons < 610
    sizes = Counter(
        HouseholdMember.objects.values("household").annotate().values_list("household", flat=True)
    )
    size_counts = Counter(sizes.values())
    assert size_counts[1] > 0 and size_counts[2] > 0 and max(size_counts) >= 4
    ages = [(TODAY - b).days // 365 for b in Person.objects.values_list("birth_date", flat=True)]
    assert min(ages) < 10 and max(ages) > 80
    assert len(set(Person.objects.values_list("last_name", flat=True))) > 150


def test_some_people_have_no_digital_contact(town):
    reachable = set(ContactPoint.objects.values_list("person_id", flat=True))
    adults = Person.objects.filter(birth_date__lte=date(2008, 1, 1))
    unreachable = adults.exclude(pk__in=reachable).count()
    assert 0 < unreachable < adults.count() * 0.3


def test_contacts_and_nir_are_valid(town):
    for cp in ContactPoint.objects.filter(kind__in=["mobile", "landline"])[:200]:
        assert normalize_phone(cp.value) == cp.normalized
    nirs = [n for n in Person.objects.exclude(nir="").values_list("nir", flat=True)]
    assert nirs and all(nir.is_valid(n) for n in nirs)


def test_identity_documents_expire_over_ten_years(town):
    dates = list(
        Fact.objects.filter(key="passport_expires_on").values_list("value_date", flat=True)
    )
    assert min(dates) < TODAY < max(dates)
    assert (max(dates) - min(dates)).days > 3000


def test_everyone_lives_somewhere_with_coordinates(town):
    assert Residence.objects.filter(end__isnull=True).count() == town.persons
    real = Address.objects.exclude(ban_id="")
    assert real.count() == 486 - 1 or real.count() > 400  # the BAN extract of Mont-Bonvillers
    lat = list(Address.objects.values_list("latitude", flat=True))
    assert all(49.0 < x < 49.7 for x in lat if x is not None)


def test_names_are_indexed_for_search(town):
    assert NameToken.objects.count() >= town.persons * 2
    assert TokenVariant.objects.exists()
    someone = Person.objects.order_by("pk")[10]
    typo = someone.last_name[:-1] + ("x" if someone.last_name[-1] != "x" else "y")
    assert someone in search_people(f"{someone.first_names.split()[0]} {typo}").persons


def test_demo_accounts_one_per_role(town):
    accounts = create_demo_accounts()
    assert {role for _u, _p, role in accounts} == {"agent", "supervisor", "administrator", "dpo"}
