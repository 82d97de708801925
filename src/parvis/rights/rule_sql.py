"""Local rules compiled to one SQL query over `people_person`, with three-valued logic: each
condition is true, false, or unknown (the fact it reads is missing). A person is eligible when
the whole rule is true, not eligible when it is false, and "insufficient data" otherwise.
Yes/no facts are the exception: their sources list who is concerned, so no fact means "no".

Facts, household size and address are correlated subqueries on indexed columns; the rule's
verdict is a CASE expression; only eligible and insufficient rows leave the database."""

import calendar
import math
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from parvis.people.models import Fact, HouseholdMember, Person, Residence, Street

from .geography import REGION_DEPARTEMENTS, departement_of, region_of
from .rules import BUILTINS

# Facts that describe the household: read on any current member (they are recorded on the
# reference person), so that a child's canteen rate sees the family quotient.
HOUSEHOLD_FACTS = {
    "housing_status",
    "monthly_rent",
    "dependent_children",
    "reference_tax_income",
    "family_quotient",
    "rsa_recipient",
    "housing_aid_recipient",
    "activity_bonus_recipient",
}
# Facts of a couple: a spouse without her own reads the reference person's.
COUPLE_FACTS = {"marital_status"}
COLUMN = {
    "number": "value_number",
    "boolean": "value_bool",
    "text": "value_text",
    "date": "value_date",
}
LOOKUP = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte", "=": "exact"}
NEGATION = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}


def years_before(day: date, years: int) -> date:
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def period_bounds(period: date) -> tuple[date, datetime]:
    start = period.replace(day=1)
    last = calendar.monthrange(start.year, start.month)[1]
    end = datetime.combine(
        start.replace(day=last), time.max, tzinfo=timezone.get_current_timezone()
    )
    return start, end


class Compiler:
    """Builds the annotations and the (true, false) conditions of a rule for one period."""

    def __init__(self, period: date, fields: dict):
        self.start, self.end = period_bounds(period)
        self.fields = fields
        self.annotations: dict = {}
        self.reads: list[tuple[str, str]] = []  # (field, annotation) shown in explanations

    # -- annotations ------------------------------------------------------------------------

    def _household(self) -> str:
        if "_hh" not in self.annotations:
            self.annotations["_hh"] = Subquery(
                HouseholdMember.objects.filter(person=OuterRef("pk"), until__isnull=True)
                .order_by("id")
                .values("household_id")[:1]
            )
            self.annotations["_role"] = Subquery(
                HouseholdMember.objects.filter(person=OuterRef("pk"), until__isnull=True)
                .order_by("id")
                .values("role")[:1]
            )
        return "_hh"

    def _count_members(self, name: str, **filters) -> str:
        self._household()
        if name not in self.annotations:
            members = (
                HouseholdMember.objects.filter(
                    household_id=OuterRef("_hh"),
                    until__isnull=True,
                    person__deceased_on__isnull=True,
                    **filters,
                )
                .order_by()
                .values("household_id")
                .annotate(c=Count("pk"))
                .values("c")[:1]
            )
            self.annotations[name] = Subquery(members, output_field=IntegerField())
        return name

    def _address(self, column: str) -> str:
        name = f"_{column}"
        if name not in self.annotations:
            self._household()
            residence = (
                Residence.objects.filter(person=OuterRef("pk"), end__isnull=True)
                .order_by("-start", "-id")
                .values(f"address__street__{column}")[:1]
            )
            household = (
                HouseholdMember.objects.filter(person=OuterRef("pk"), until__isnull=True)
                .order_by("id")
                .values(f"household__address__street__{column}")[:1]
            )
            self.annotations[name] = Coalesce(
                Subquery(residence), Subquery(household), output_field=CharField()
            )
        return name

    def _fact(self, key: str, kind: str) -> str:
        name = f"_f_{key}"
        if name in self.annotations:
            return name
        column = COLUMN[kind]
        valid = Q(valid_until__isnull=True) | Q(valid_until__gte=self.start)
        own = Fact.objects.filter(
            valid, person=OuterRef("pk"), key_id=key, collected_at__lte=self.end
        ).order_by("-collected_at", "-id")
        value, ident = Subquery(own.values(column)[:1]), Subquery(own.values("pk")[:1])
        if key in HOUSEHOLD_FACTS:
            self._household()
            # Driven by the household's few members (index on person and key), not by every
            # fact of that key joined to memberships: that plan is quadratic in the base.
            members = HouseholdMember.objects.filter(
                household_id=OuterRef(OuterRef("_hh")), until__isnull=True
            ).values("person_id")
            shared = Fact.objects.filter(
                valid, key_id=key, collected_at__lte=self.end, person_id__in=Subquery(members)
            ).order_by("-collected_at", "-id")
            value = Coalesce(value, Subquery(shared.values(column)[:1]))
            ident = Coalesce(ident, Subquery(shared.values("pk")[:1]))
        elif key in COUPLE_FACTS:
            self._household()
            reference = (
                HouseholdMember.objects.filter(
                    household_id=OuterRef(OuterRef("_hh")), until__isnull=True, role="reference"
                )
                .order_by("id")
                .values("person_id")[:1]
            )
            couple = Fact.objects.filter(
                valid, key_id=key, collected_at__lte=self.end, person_id=Subquery(reference)
            ).order_by("-collected_at", "-id")
            spouse = Q(_role="spouse")
            value = Coalesce(value, Case(When(spouse, then=Subquery(couple.values(column)[:1]))))
            ident = Coalesce(ident, Case(When(spouse, then=Subquery(couple.values("pk")[:1]))))
        if key == "employment_status":
            # School is compulsory until 16 (Code de l'éducation, art. L. 131-1): a child
            # without a recorded situation is a pupil (not a student of higher education).
            child = Q(birth_date__gt=years_before(self.start, 16))
            value = Coalesce(value, Case(When(child, then=Value("pupil"))))
        if kind == "boolean":
            # Yes/no facts come from lists kept by their sources (recipients, a register,
            # the MDPH's decisions): a person absent from the list counts as "no".
            value = Coalesce(value, Value(False))
        self.annotations[name] = value
        self.annotations[f"_i_{key}"] = ident
        return name

    # -- conditions ---------------------------------------------------------------------------

    def compile(self, node: dict) -> tuple[Q, Q]:
        if "all" in node:
            parts = [self.compile(c) for c in node["all"]]
            return _and([t for t, _f in parts]), _or([f for _t, f in parts])
        if "any" in node:
            parts = [self.compile(c) for c in node["any"]]
            return _or([t for t, _f in parts]), _and([f for _t, f in parts])
        return self.leaf(node)

    def leaf(self, node: dict) -> tuple[Q, Q]:
        field, op, value = node["field"], node["op"], node["value"]
        if field == "age":
            return self._age(op, value)
        if field == "sex":
            true = Q(sex__in=value)
            known = ~Q(sex="")
            return (true, known & ~true) if op == "in" else (known & ~true, true)
        if field in ("lives_alone", "household_size", "children"):
            if field == "children":
                self._count_members("_hh_children", role="child")
                name = "_children"
                self.annotations[name] = Case(
                    When(
                        _role__in=["reference", "spouse"], then=Coalesce("_hh_children", Value(0))
                    ),
                    When(_hh__isnull=False, then=Value(0)),
                    default=None,
                    output_field=IntegerField(),
                )
            else:
                name = self._count_members("_hh_size")
            self.reads.append((field, name))
            if field == "lives_alone":
                true = Q(**{name: 1})
                known = Q(**{f"{name}__isnull": False})
                return (true, known & ~true) if value else (known & ~true, true)
            return self._compare(name, op, value)
        if field in ("commune", "postcode", "departement", "region"):
            name = self._address("postcode" if field == "postcode" else "citycode")
            self.reads.append((field, name))
            known = Q(**{f"{name}__isnull": False}) & ~Q(**{name: ""})
            if field in ("commune", "postcode"):
                true = Q(**{f"{name}__in": value})
            else:
                deps = (
                    value
                    if field == "departement"
                    else [d for region in value for d in REGION_DEPARTEMENTS[region]]
                )
                true = _or([Q(**{f"{name}__startswith": d}) for d in deps])
            return (true, known & ~true) if op == "in" else (known & ~true, known & true)
        kind = self.fields[field].kind
        name = self._fact(field, kind)
        self.reads.append((field, name))
        if kind == "date" and isinstance(value, dict):
            value = self.start + timedelta(days=value["days"])
        elif kind == "date":
            value = date.fromisoformat(value)
        if op in ("in", "not_in"):
            known = Q(**{f"{name}__isnull": False})
            true = Q(**{f"{name}__in": value})
            return (true, known & ~true) if op == "in" else (known & ~true, true)
        return self._compare(name, op, value)

    def _compare(self, name: str, op: str, value) -> tuple[Q, Q]:
        known = Q(**{f"{name}__isnull": False})
        return _cmp(name, op, value, known), _cmp(name, NEGATION[op], value, known)

    def _age(self, op: str, value) -> tuple[Q, Q]:
        self.reads.append(("age", "birth_date"))
        known = Q(birth_date__isnull=False)

        def at_least(k: int) -> Q:  # age >= k
            return Q(birth_date__lte=years_before(self.start, k))

        def under(k: int) -> Q:  # age < k
            return Q(birth_date__gt=years_before(self.start, k))

        def cond(o: str, v: float) -> Q:
            if o == ">=":
                return at_least(math.ceil(v))
            if o == ">":
                return at_least(math.floor(v) + 1)
            if o == "<=":
                return under(math.floor(v) + 1)
            if o == "<":
                return under(math.ceil(v))
            if o == "=":
                return at_least(int(v)) & under(int(v) + 1) if v == int(v) else Q(pk__in=[])
            return ~cond("=", v)

        if op in ("in", "not_in"):
            true = _or([cond("=", v) for v in value])
            true = true if op == "in" else ~true
        else:
            true = cond(op, value)
        return known & true, known & ~true


def _cmp(name: str, op: str, value, known: Q) -> Q:
    if op == "!=":
        return known & ~Q(**{name: value})
    return Q(**{f"{name}__{LOOKUP[op]}": value})


def _and(parts: list[Q]) -> Q:
    result = parts[0]
    for part in parts[1:]:
        result &= part
    return result


def _or(parts: list[Q]) -> Q:
    if not parts:
        return Q(pk__in=[])
    result = parts[0]
    for part in parts[1:]:
        result |= part
    return result


def rule_queryset(definition: dict, period: date, fields: dict):
    """Persons with their verdict (`_verdict`) and the values the rule read, as a queryset."""
    compiler = Compiler(period, fields)
    compiler._household()  # every result names the person's household
    true, false = compiler.compile(definition["conditions"])
    received = definition.get("already_received")
    if received:
        compiler._fact(received, "boolean")
    queryset = (
        Person.objects.filter(deceased_on__isnull=True)
        .annotate(**compiler.annotations)
        .annotate(
            _verdict=Case(
                When(true, then=Value("eligible")),
                When(false, then=Value("not_eligible")),
                default=Value("insufficient_data"),
                output_field=CharField(),
            )
        )
    )
    return queryset, compiler


def territory_may_match(definition: dict, citycodes: set[str]) -> bool:
    """False when the rule's top-level geographic conditions exclude every town of the base:
    the rule is then not evaluated at all (imported national rules for other regions)."""
    for node in definition["conditions"].get("all", []):
        field = node.get("field")
        if field not in ("commune", "departement", "region") or node.get("op") != "in":
            continue
        values = set(node["value"])
        if field == "commune" and not values & citycodes:
            return False
        if field == "departement" and not values & {departement_of(c) for c in citycodes}:
            return False
        if field == "region" and not values & {region_of(c) for c in citycodes}:
            return False
    return True


def base_citycodes() -> set[str]:
    return set(Street.objects.values_list("citycode", flat=True).distinct())


__all__ = ["BUILTINS", "rule_queryset", "territory_may_match", "base_citycodes"]
