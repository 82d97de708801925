"""Seeding the synthetic town `Mont-Bonvillers` and its demo accounts."""

import math
import random
import time
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from parvis.cases.models import Service
from parvis.console import roles
from parvis.people.normalize import normalize_text
from parvis.people.services import rebuild_token_variants

from . import geography
from .population import PopulationGenerator, Tables
from .writer import next_ids, reset_sequences, write_rows

CHUNK_HOUSEHOLDS = 4000
PEOPLE_PER_HOUSEHOLD = 2.2
HOUSEHOLDS_PER_ADDRESS = 1.4
ADDRESSES_PER_STREET = 60

TABLES = {
    "people_household": ("households", ["id", "address_id", "created_at"]),
    "people_person": (
        "persons",
        [
            "id",
            "first_names",
            "last_name",
            "birth_name",
            "sex",
            "birth_date",
            "birth_place",
            "birth_place_code",
            "language",
            "nir",
            "preferred_channel",
            "deceased_on",
            "created_at",
            "updated_at",
        ],
    ),
    "people_householdmember": (
        "members",
        ["id", "household_id", "person_id", "role", "since", "until"],
    ),
    "people_residence": ("residences", ["id", "person_id", "address_id", "start", "end"]),
    "people_contactpoint": (
        "contacts",
        ["id", "person_id", "kind", "value", "normalized", "verified", "status", "created_at"],
    ),
    "people_consent": (
        "consents",
        [
            "id",
            "person_id",
            "purpose",
            "channel",
            "granted",
            "recorded_at",
            "method",
            "legal_basis",
            "recorded_by_id",
        ],
    ),
    "people_fact": (
        "facts",
        [
            "id",
            "person_id",
            "key",
            "value_text",
            "value_number",
            "value_date",
            "value_bool",
            "source_id",
            "legal_basis",
            "collected_at",
            "valid_until",
            "recorded_at",
        ],
    ),
    "people_interaction": (
        "interactions",
        [
            "id",
            "person_id",
            "occurred_at",
            "kind",
            "channel",
            "summary",
            "body",
            "actor_id",
            "ref_type",
            "ref_id",
        ],
    ),
}

DEMO_PASSWORD = "parvis-demo"
DEMO_ACCOUNTS = [
    # username, role, first name, last name
    ("agent", roles.AGENT, "Camille", "Agent"),
    ("superviseur", roles.SUPERVISOR, "Dominique", "Superviseur"),
    ("admin", roles.ADMINISTRATOR, "Alex", "Administrateur"),
    ("dpo", roles.DPO, "Claude", "Délégué"),
]
DEMO_SERVICES = [
    ("État civil", "etat-civil"),
    ("Action sociale (CCAS)", "action-sociale"),
    ("Voirie et propreté", "voirie"),
    ("Écoles et périscolaire", "ecoles"),
    ("Urbanisme", "urbanisme"),
    ("Accueil", "accueil"),
]


@dataclass
class SeedReport:
    persons: int
    households: int
    addresses: int
    streets: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.persons / self.seconds if self.seconds else 0.0


def seed_town(people: int, seed: int = 1, today: date | None = None, progress=None) -> SeedReport:
    """Add a synthetic population of about `people` persons (whole households) to the base."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    source_ids = _source_ids()
    address_ids, street_count = _build_streets(people, rng)
    ids = next_ids(list(TABLES))
    generator = PopulationGenerator(seed, today, address_ids, ids)
    households = 0
    while generator.person_count < people:
        tables = Tables()
        for _ in range(CHUNK_HOUSEHOLDS):
            if generator.person_count >= people:
                break
            generator.household(tables)
            households += 1
        tables.facts = [row[:7] + (source_ids[row[7]],) + row[8:] for row in tables.facts]
        with transaction.atomic():
            for table, (attribute, columns) in TABLES.items():
                write_rows(table, columns, getattr(tables, attribute))
            write_rows("people_nametoken", ["person_id", "token"], tables.tokens)
        if progress:
            progress(generator.person_count, people)
    reset_sequences(list(TABLES))
    rebuild_token_variants()
    from .cases import seed_cases  # a few hundred demo requests from the new townspeople

    seed_cases(min(300, max(20, people // 20)), seed=seed, today=today)
    from parvis.journeys.demo import install_demo  # the passport renewal journey

    install_demo(today=today, seed=seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return SeedReport(
        generator.person_count,
        households,
        len(address_ids),
        street_count,
        time.perf_counter() - started,
    )


def _source_ids() -> dict[str, int]:
    from parvis.people.models import DataSource

    return dict(DataSource.objects.values_list("code", "id"))


def _build_streets(people: int, rng: random.Random) -> tuple[list[int], int]:
    """Streets and addresses for the population: the real ones first, synthetic ones around."""
    from parvis.people.models import Address, Street

    wanted_addresses = max(50, math.ceil(people / PEOPLE_PER_HOUSEHOLD / HOUSEHOLDS_PER_ADDRESS))
    real_streets, real_rows = geography.real_addresses()
    existing = set(
        Street.objects.filter(citycode=geography.TOWN_INSEE).values_list("name", flat=True)
    )
    radius_km = 1.5 + math.sqrt(people / 20000) * 1.5
    synthetic_count = max(0, math.ceil((wanted_addresses - len(real_rows)) / ADDRESSES_PER_STREET))
    synthetic = geography.synthetic_streets(synthetic_count, existing | set(real_streets), rng)
    names = [n for n in real_streets if n not in existing] + synthetic
    with transaction.atomic():
        streets = Street.objects.bulk_create(
            [
                Street(
                    name=name,
                    name_norm=normalize_text(name),
                    postcode=geography.TOWN_POSTCODE,
                    citycode=geography.TOWN_INSEE,
                    city=geography.TOWN_NAME,
                )
                for name in names
            ],
            batch_size=2000,
        )
        by_name = {s.name: s for s in Street.objects.filter(citycode=geography.TOWN_INSEE)}
        rows = []
        if real_streets and real_streets[0] not in existing:
            rows += [
                Address(
                    street=by_name[real_streets[r.street_index]],
                    number=r.number,
                    suffix=r.suffix,
                    latitude=r.latitude,
                    longitude=r.longitude,
                    ban_id=r.ban_id,
                )
                for r in real_rows
            ]
        for index, name in enumerate(synthetic):
            for r in geography.street_addresses(
                index, ADDRESSES_PER_STREET, radius_km, len(synthetic), rng
            ):
                rows.append(
                    Address(
                        street=by_name[name],
                        number=r.number,
                        latitude=r.latitude,
                        longitude=r.longitude,
                    )
                )
        Address.objects.bulk_create(rows, batch_size=5000)
    address_ids = list(
        Address.objects.filter(street__citycode=geography.TOWN_INSEE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return address_ids, len(streets)


def create_demo_accounts() -> list[tuple[str, str, str]]:
    User = get_user_model()
    accounts = []
    for username, role, first, last in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = role == roles.ADMINISTRATOR
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        accounts.append((username, DEMO_PASSWORD, role))
    for name, slug in DEMO_SERVICES:
        Service.objects.get_or_create(slug=slug, defaults={"name": name})
    join_demo_agent()
    from .cases import assign_demo_cases

    assign_demo_cases()
    from parvis.appointments.demo import install_demo as install_appointments

    install_appointments()  # the town hall's counter, its opening hours and agenda
    return accounts


# Social action's cases stay with its own team: the demo agent sees the others, which shows
# that an agent's inbox holds their services' cases only.
DEMO_AGENT_OUTSIDE = {"action-sociale"}


def join_demo_agent(username: str = "agent") -> None:
    """Make the demo agent a member of every service but social action (run again after
    other services are created)."""
    agent = get_user_model().objects.filter(username=username).first()
    if agent is not None:
        agent.services.add(*Service.objects.exclude(slug__in=DEMO_AGENT_OUTSIDE))
