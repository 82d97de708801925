"""Reading the base into column arrays: the members and the relevant facts of a range of
households, in three set-based queries, ready for `mapping.py`.

Nothing here knows OpenFisca; nothing here loops over persons in the database."""

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db.models import FloatField
from django.db.models.functions import Cast, TruncDate

from parvis.people.models import DataSource, Fact, Household, HouseholdMember

# The facts the national benefits read.
INCOME_KEYS = ("monthly_net_salary", "monthly_unemployment_benefit", "monthly_pension")
SITUATION_KEYS = (
    "employment_status",
    "housing_status",
    "monthly_rent",
    "marital_status",
    "rsa_recipient",
    "housing_aid_recipient",
    "activity_bonus_recipient",
)
FACT_KEYS = INCOME_KEYS + SITUATION_KEYS
NO_END = 10**6  # a month index far in the future: "no valid_until"


def month_index(day: date) -> int:
    """Months since year 0: consecutive months have consecutive indexes."""
    return day.year * 12 + day.month - 1


def month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass
class Situation:
    """The members and facts of some households, as parallel arrays."""

    # households (h)
    household_id: np.ndarray  # int64
    citycode: np.ndarray  # object: INSEE code of the address, "" when unknown
    # persons (n), grouped by household
    person_id: np.ndarray  # int64
    person_household: np.ndarray  # int64: index into the household arrays
    role: np.ndarray  # object: reference, spouse, child, other
    birth_date: np.ndarray  # datetime64[D], NaT when unknown
    # facts (f)
    fact_id: np.ndarray  # int64
    fact_person: np.ndarray  # int64: index into the person arrays
    fact_key: np.ndarray  # object
    fact_number: np.ndarray  # float64, NaN when not a number
    fact_text: np.ndarray  # object
    fact_bool: np.ndarray  # int8: 1 true, 0 false, -1 not a boolean
    fact_month: np.ndarray  # int64: month index of collection
    fact_day: np.ndarray  # datetime64[D]: collection day (for explanations)
    fact_until: np.ndarray  # int64: month index of valid_until, NO_END when open
    fact_source: np.ndarray  # object: source name

    @property
    def size(self) -> int:
        return len(self.household_id)


def household_ids(after: int = 0) -> np.ndarray:
    """Every household id, sorted: the work list that runs are cut into chunks from."""
    ids = Household.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)
    return np.fromiter(ids.iterator(chunk_size=50_000), dtype=np.int64)


def without_empty_households(situation: Situation) -> Situation:
    """Households with no living current member have nobody to compute for: dropped."""
    used = np.zeros(situation.size, bool)
    used[situation.person_household] = True
    if used.all():
        return situation
    new_index = np.cumsum(used) - 1
    situation.household_id = situation.household_id[used]
    situation.citycode = situation.citycode[used]
    situation.person_household = new_index[situation.person_household]
    return situation


def load_situation(first_id: int, last_id: int, source_names: dict | None = None) -> Situation:
    """The households with first_id <= id <= last_id, their current living members and facts."""
    households = list(
        Household.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .order_by("pk")
        .values_list("pk", "address__street__citycode")
    )
    hh_ids = np.array([h[0] for h in households], dtype=np.int64)
    citycode = np.array([h[1] or "" for h in households], dtype=object)
    members = list(
        HouseholdMember.objects.filter(
            household_id__gte=first_id,
            household_id__lte=last_id,
            until__isnull=True,
            person__deceased_on__isnull=True,
        )
        .order_by("household_id", "id")
        .values_list("household_id", "person_id", "role", "person__birth_date")
    )
    # A person listed twice (bad data) counts in the first household only.
    seen: set[int] = set()
    members = [m for m in members if not (m[1] in seen or seen.add(m[1]))]
    person_id = np.array([m[1] for m in members], dtype=np.int64)
    person_household = np.searchsorted(hh_ids, np.array([m[0] for m in members], dtype=np.int64))
    role = np.array([m[2] for m in members], dtype=object)
    birth = np.array(
        [np.datetime64(m[3], "D") if m[3] else np.datetime64("NaT") for m in members],
        dtype="datetime64[D]",
    )
    # Day of collection (local time) and numbers as floats, computed by the database:
    # converting 100,000 aware datetimes and Decimals in Python would dominate the load.
    facts = list(
        Fact.objects.filter(
            key_id__in=FACT_KEYS,
            person_id__in=HouseholdMember.objects.filter(
                household_id__gte=first_id, household_id__lte=last_id, until__isnull=True
            ).values("person_id"),
        )
        .annotate(day=TruncDate("collected_at"), number=Cast("value_number", FloatField()))
        .order_by("id")
        .values_list(
            "id",
            "person_id",
            "key_id",
            "number",
            "value_text",
            "value_bool",
            "day",
            "valid_until",
            "source_id",
        )
    )
    names = (
        source_names
        if source_names is not None
        else dict(DataSource.objects.values_list("pk", "name"))
    )
    order = np.argsort(person_id)
    sorted_ids = person_id[order]
    fact_person_ids = np.array([f[1] for f in facts], dtype=np.int64)
    pos = np.searchsorted(sorted_ids, fact_person_ids)
    pos = np.clip(pos, 0, max(len(sorted_ids) - 1, 0))
    known = (sorted_ids[pos] == fact_person_ids) if len(sorted_ids) else np.zeros(0, bool)
    keep = np.flatnonzero(known)
    facts = [facts[i] for i in keep]
    fact_person = order[pos[keep]] if len(keep) else np.zeros(0, dtype=np.int64)
    collected = [f[6] for f in facts]
    situation = Situation(
        household_id=hh_ids,
        citycode=citycode,
        person_id=person_id,
        person_household=person_household.astype(np.int64),
        role=role,
        birth_date=birth,
        fact_id=np.array([f[0] for f in facts], dtype=np.int64),
        fact_person=np.asarray(fact_person, dtype=np.int64),
        fact_key=np.array([f[2] for f in facts], dtype=object),
        fact_number=np.array([np.nan if f[3] is None else f[3] for f in facts], np.float64),
        fact_text=np.array([f[4] or "" for f in facts], dtype=object),
        fact_bool=np.array([-1 if f[5] is None else int(f[5]) for f in facts], dtype=np.int8),
        fact_month=np.array([month_index(day) for day in collected], dtype=np.int64),
        fact_day=np.array(collected, dtype="datetime64[D]"),
        fact_until=np.array([month_index(f[7]) if f[7] else NO_END for f in facts], dtype=np.int64),
        fact_source=np.array([names.get(f[8], "") for f in facts], dtype=object),
    )
    return without_empty_households(situation)


def situation_from_rows(households: list[dict]) -> Situation:
    """A Situation built from plain dictionaries, without the database: for tests and for
    the benchmark's bare-OpenFisca floor. Each household: {"id", "citycode", "members": [
    {"id", "role", "birth_date", "facts": [{"id", "key", "value", "collected", "until",
    "source"}]}]}."""
    hh_ids, citycodes = [], []
    pid, phh, roles, births = [], [], [], []
    f_rows = []
    for h_index, household in enumerate(households):
        hh_ids.append(household["id"])
        citycodes.append(household.get("citycode", ""))
        for member in household["members"]:
            p_index = len(pid)
            pid.append(member["id"])
            phh.append(h_index)
            roles.append(member["role"])
            births.append(member.get("birth_date"))
            for fact in member.get("facts", []):
                f_rows.append((p_index, fact))
    number, text, flag = [], [], []
    for _p, fact in f_rows:
        value = fact["value"]
        if isinstance(value, bool):
            number.append(np.nan)
            text.append("")
            flag.append(int(value))
        elif isinstance(value, int | float):
            number.append(float(value))
            text.append("")
            flag.append(-1)
        else:
            number.append(np.nan)
            text.append(str(value))
            flag.append(-1)
    situation = Situation(
        household_id=np.array(hh_ids, dtype=np.int64),
        citycode=np.array(citycodes, dtype=object),
        person_id=np.array(pid, dtype=np.int64),
        person_household=np.array(phh, dtype=np.int64),
        role=np.array(roles, dtype=object),
        birth_date=np.array(
            [np.datetime64(b, "D") if b else np.datetime64("NaT") for b in births],
            dtype="datetime64[D]",
        ),
        fact_id=np.array([f.get("id", i + 1) for i, (_p, f) in enumerate(f_rows)], np.int64),
        fact_person=np.array([p for p, _f in f_rows], dtype=np.int64),
        fact_key=np.array([f["key"] for _p, f in f_rows], dtype=object),
        fact_number=np.array(number, dtype=np.float64),
        fact_text=np.array(text, dtype=object),
        fact_bool=np.array(flag, dtype=np.int8),
        fact_month=np.array([month_index(f["collected"]) for _p, f in f_rows], dtype=np.int64),
        fact_day=np.array(
            [np.datetime64(f["collected"], "D") for _p, f in f_rows], dtype="datetime64[D]"
        ),
        fact_until=np.array(
            [month_index(f["until"]) if f.get("until") else NO_END for _p, f in f_rows],
            dtype=np.int64,
        ),
        fact_source=np.array([f.get("source", "") for _p, f in f_rows], dtype=object),
    )
    return without_empty_households(situation)
