"""The audience filter tree: validation and compilation to one ORM condition on `Person`.

A tree is JSON. Inner nodes combine conditions:

    {"kind": "all", "conditions": [...]}   {"kind": "any", "conditions": [...]}
    {"kind": "not", "condition": {...}}

Leaves are condition kinds registered with `@condition("name")` (plug-ins by file: another
domain adds a kind by registering it, as journeys does for engagement events). Each kind
validates its node (returning a cleaned copy or raising `TreeError` with the node's path) and
compiles it to a `Q` built from `Exists` subqueries over indexed columns: the whole tree
becomes one `SELECT … FROM people_person WHERE …`, never a Python loop over people.

Relative dates are stored as day offsets ({"days": 120}) and resolved against `today` at
compile time, so a saved audience "passport expires in 120 to 180 days" moves with time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from parvis.people.models import (
    Channel,
    Consent,
    ContactPoint,
    Fact,
    FactKey,
    Interaction,
    Person,
    Purpose,
    Sex,
)

MAX_DEPTH = 8
MAX_NODES = 100
BOOLEAN_KINDS = {"all", "any", "not"}


class TreeError(ValueError):
    """A filter tree is invalid; `path` says where ("conditions[2].to")."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


@dataclass
class Context:
    """What validation and compilation may need besides the tree."""

    today: date
    user: object | None = None  # validation: may this user filter on sensitive facts?
    depth: int = 0  # nesting of saved audiences referring to each other
    seen_audiences: frozenset = frozenset()


class ConditionKind:
    name = ""
    label = ""

    def validate(self, node: dict, path: str, ctx: Context) -> dict:  # pragma: no cover
        raise NotImplementedError

    def compile(self, node: dict, ctx: Context) -> Q:  # pragma: no cover
        raise NotImplementedError


KINDS: dict[str, ConditionKind] = {}


def condition(name: str):
    def register(cls):
        instance = cls()
        instance.name = name
        KINDS[name] = instance
        return cls

    return register


# --- helpers shared by kinds -----------------------------------------------------------------


def require(node: dict, key: str, path: str):
    if key not in node or node[key] in (None, ""):
        raise TreeError(f"{path}.{key}", _("This field is required."))
    return node[key]


def as_int(value, path: str, *, minimum=None, maximum=None) -> int:
    if isinstance(value, bool):
        raise TreeError(path, _("Expected a whole number."))
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise TreeError(path, _("Expected a whole number.")) from None
    if isinstance(value, float) and value != number:
        raise TreeError(path, _("Expected a whole number."))
    if minimum is not None and number < minimum:
        raise TreeError(path, _("Must be at least %(n)s.") % {"n": minimum})
    if maximum is not None and number > maximum:
        raise TreeError(path, _("Must be at most %(n)s.") % {"n": maximum})
    return number


def as_float(value, path: str, *, minimum=None, maximum=None) -> float:
    if isinstance(value, bool):
        raise TreeError(path, _("Expected a number."))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TreeError(path, _("Expected a number.")) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise TreeError(path, _("Expected a number."))
    if minimum is not None and number < minimum:
        raise TreeError(path, _("Must be at least %(n)s.") % {"n": minimum})
    if maximum is not None and number > maximum:
        raise TreeError(path, _("Must be at most %(n)s.") % {"n": maximum})
    return number


def as_choice(value, choices, path: str) -> str:
    if value not in choices:
        raise TreeError(
            path,
            _("Unknown value “%(v)s”: expected one of %(c)s.")
            % {"v": str(value)[:40], "c": ", ".join(choices)},
        )
    return value


def date_bound(value, path: str) -> dict | str:
    """A date bound: {"days": n} relative to today, or an ISO date."""
    if isinstance(value, dict):
        if set(value) != {"days"}:
            raise TreeError(path, _('A relative date is written {"days": n}.'))
        return {"days": as_int(value["days"], f"{path}.days", minimum=-36500, maximum=36500)}
    if isinstance(value, str):
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise TreeError(path, _("Enter a valid date (YYYY-MM-DD)."))
        return parsed.isoformat()
    raise TreeError(path, _('Expected a date (YYYY-MM-DD) or {"days": n}.'))


def resolve_date(bound: dict | str, today: date) -> date:
    if isinstance(bound, dict):
        return today + timedelta(days=bound["days"])
    return date.fromisoformat(bound)


def latest_only(model, outer_fields: list[str], order_field: str):
    """Rows of `model` for which no newer row of the same (person, outer_fields…) exists: the
    current consent, the current value of a fact. Compiled to NOT EXISTS on an index."""
    newer = model.objects.filter(
        person=OuterRef("person"),
        **{f: OuterRef(f) for f in outer_fields},
    ).filter(
        Q(**{f"{order_field}__gt": OuterRef(order_field)})
        | Q(**{order_field: OuterRef(order_field), "pk__gt": OuterRef("pk")})
    )
    return ~Exists(newer)


# --- the tree --------------------------------------------------------------------------------


def validate(tree, *, user=None, today: date | None = None) -> dict:
    """Check a tree and return its cleaned copy; raise `TreeError` naming the bad node."""
    ctx = Context(today=today or timezone.localdate(), user=user)
    counter = [0]
    return _validate(tree, "", ctx, 0, counter)


def _validate(node, path: str, ctx: Context, depth: int, counter: list[int]) -> dict:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise TreeError(path, _("Too many conditions (at most %(n)s).") % {"n": MAX_NODES})
    if depth > MAX_DEPTH:
        raise TreeError(path, _("Conditions nested too deep (at most %(n)s).") % {"n": MAX_DEPTH})
    if not isinstance(node, dict):
        raise TreeError(path, _("Expected an object with a “kind”."))
    kind = node.get("kind")
    here = path or "filters"
    if kind in ("all", "any"):
        children = node.get("conditions")
        if not isinstance(children, list):
            raise TreeError(f"{here}.conditions", _("Expected a list of conditions."))
        return {
            "kind": kind,
            "conditions": [
                _validate(child, f"{here}.conditions[{i}]", ctx, depth + 1, counter)
                for i, child in enumerate(children)
            ],
        }
    if kind == "not":
        return {
            "kind": "not",
            "condition": _validate(
                node.get("condition"), f"{here}.condition", ctx, depth + 1, counter
            ),
        }
    if kind not in KINDS:
        raise TreeError(
            f"{here}.kind",
            _("Unknown condition “%(kind)s”.") % {"kind": str(kind)[:40]},
        )
    cleaned = KINDS[kind].validate(node, here, ctx)
    cleaned["kind"] = kind
    return cleaned


def compile_tree(tree: dict, *, today: date | None = None, ctx: Context | None = None) -> Q:
    """The tree (already validated) as one condition on Person."""
    ctx = ctx or Context(today=today or timezone.localdate())
    kind = tree["kind"]
    if kind in ("all", "any"):
        parts = [compile_tree(child, ctx=ctx) for child in tree["conditions"]]
        if not parts:
            return Q() if kind == "all" else Q(pk__in=[])
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined & part) if kind == "all" else (combined | part)
        return combined
    if kind == "not":
        return ~compile_tree(tree["condition"], ctx=ctx)
    return KINDS[kind].compile(tree, ctx)


def people(tree: dict, *, today: date | None = None):
    """The living persons matching a validated tree: one queryset, one SQL query."""
    return Person.objects.filter(deceased_on__isnull=True).filter(compile_tree(tree, today=today))


# --- person attributes --------------------------------------------------------------------------

ATTRIBUTES = {
    "age": "number",
    "sex": "choice",
    "language": "text",
    "preferred_channel": "choice",
}
ATTRIBUTE_CHOICES = {"sex": Sex.values, "preferred_channel": [*Channel.values, ""]}


@condition("attribute")
class AttributeCondition(ConditionKind):
    """{"kind": "attribute", "field": "age", "op": "between", "from": 18, "to": 25}
    {"kind": "attribute", "field": "sex", "op": "in", "values": ["F"]}"""

    label = "Attribut de la personne"

    def validate(self, node, path, ctx):
        field = as_choice(require(node, "field", path), list(ATTRIBUTES), f"{path}.field")
        if ATTRIBUTES[field] == "number":
            op = as_choice(require(node, "op", path), ["gte", "lte", "between"], f"{path}.op")
            cleaned = {"field": field, "op": op}
            if op in ("gte", "between"):
                cleaned["from"] = as_int(
                    require(node, "from", path), f"{path}.from", minimum=0, maximum=130
                )
            if op in ("lte", "between"):
                cleaned["to"] = as_int(
                    require(node, "to", path), f"{path}.to", minimum=0, maximum=130
                )
            if op == "between" and cleaned["from"] > cleaned["to"]:
                raise TreeError(f"{path}.to", _("The upper bound is below the lower bound."))
            return cleaned
        op = as_choice(node.get("op", "in"), ["in", "not_in"], f"{path}.op")
        values = require(node, "values", path)
        if isinstance(values, str):
            values = [values]
        if not isinstance(values, list) or not values:
            raise TreeError(f"{path}.values", _("Expected a list of values."))
        if field in ATTRIBUTE_CHOICES:
            for i, value in enumerate(values):
                as_choice(value, ATTRIBUTE_CHOICES[field], f"{path}.values[{i}]")
        return {"field": field, "op": op, "values": [str(v)[:20] for v in values]}

    def compile(self, node, ctx):
        field = node["field"]
        if field == "age":
            q = Q()
            # age >= n  ⇔  born on or before today minus n years (birthdays counted exactly).
            if "from" in node:
                q &= Q(birth_date__lte=_years_before(ctx.today, node["from"]))
            if "to" in node:
                q &= Q(birth_date__gt=_years_before(ctx.today, node["to"] + 1))
            return q
        q = Q(**{f"{field}__in": node["values"]})
        return ~q if node["op"] == "not_in" else q


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- facts ---------------------------------------------------------------------------------------

FACT_OPS = {
    FactKey.ValueType.DATE: ["exists", "missing", "between", "before", "after"],
    FactKey.ValueType.NUMBER: [
        "exists",
        "missing",
        "eq",
        "ne",
        "lt",
        "lte",
        "gt",
        "gte",
        "between",
    ],
    FactKey.ValueType.TEXT: ["exists", "missing", "eq", "ne", "in"],
    FactKey.ValueType.BOOLEAN: ["exists", "missing", "is"],
}


@condition("fact")
class FactCondition(ConditionKind):
    """The current value of a fact (the latest collected for that key):

    {"kind": "fact", "key": "passport_expires_on", "op": "between",
     "from": {"days": 120}, "to": {"days": 180}}
    {"kind": "fact", "key": "family_quotient", "op": "lte", "value": 700}
    """

    label = "Donnée connue"

    def validate(self, node, path, ctx):
        key = require(node, "key", path)
        fact_key = FactKey.objects.filter(key=str(key)[:60]).first()
        if fact_key is None:
            raise TreeError(
                f"{path}.key", _("Unknown fact key “%(key)s”.") % {"key": str(key)[:60]}
            )
        if (
            fact_key.sensitive
            and ctx.user is not None
            and not ctx.user.has_perm("people.view_sensitive_facts")
        ):
            raise TreeError(f"{path}.key", _("You may not filter on sensitive facts."))
        vtype = fact_key.value_type
        op = as_choice(require(node, "op", path), FACT_OPS[vtype], f"{path}.op")
        cleaned = {"key": fact_key.key, "op": op, "type": vtype}
        if op in ("exists", "missing"):
            return cleaned
        if vtype == FactKey.ValueType.DATE:
            if op in ("between", "after"):
                cleaned["from"] = date_bound(require(node, "from", path), f"{path}.from")
            if op in ("between", "before"):
                cleaned["to"] = date_bound(require(node, "to", path), f"{path}.to")
            if op == "between":
                lo, hi = (resolve_date(cleaned[b], ctx.today) for b in ("from", "to"))
                if lo > hi:
                    raise TreeError(f"{path}.to", _("The end date is before the start date."))
        elif vtype == FactKey.ValueType.NUMBER:
            for bound in ("from", "to") if op == "between" else ("value",):
                raw = require(node, bound, path)
                try:
                    cleaned[bound] = str(Decimal(str(raw).replace(",", ".")))
                except InvalidOperation:
                    raise TreeError(f"{path}.{bound}", _("Expected a number.")) from None
            if op == "between" and Decimal(cleaned["from"]) > Decimal(cleaned["to"]):
                raise TreeError(f"{path}.to", _("The upper bound is below the lower bound."))
        elif vtype == FactKey.ValueType.BOOLEAN:
            value = require(node, "value", path)
            if not isinstance(value, bool):
                raise TreeError(f"{path}.value", _("Expected true or false."))
            cleaned["value"] = value
        else:
            if op == "in":
                values = require(node, "values", path)
                if not isinstance(values, list) or not values:
                    raise TreeError(f"{path}.values", _("Expected a list of values."))
                cleaned["values"] = [str(v)[:300] for v in values]
            else:
                cleaned["value"] = str(require(node, "value", path))[:300]
        return cleaned

    def compile(self, node, ctx):
        key, op = node["key"], node["op"]
        current = Fact.objects.filter(person=OuterRef("pk"), key_id=key).filter(
            latest_only(Fact, ["key"], "collected_at")
        )
        if op == "exists":
            return Q(Exists(current))
        if op == "missing":
            return ~Q(Exists(Fact.objects.filter(person=OuterRef("pk"), key_id=key)))
        column = {
            "date": "value_date",
            "number": "value_number",
            "text": "value_text",
            "boolean": "value_bool",
        }[node["type"]]
        if node["type"] == "date":
            lookup = {}
            if "from" in node:
                lookup[f"{column}__gte"] = resolve_date(node["from"], ctx.today)
            if "to" in node:
                lookup[f"{column}__lte"] = resolve_date(node["to"], ctx.today)
            return Q(Exists(current.filter(**lookup)))
        if node["type"] == "number":
            if op == "between":
                lookup = {
                    f"{column}__gte": Decimal(node["from"]),
                    f"{column}__lte": Decimal(node["to"]),
                }
            elif op == "ne":
                return Q(Exists(current.exclude(**{column: Decimal(node["value"])})))
            else:
                suffix = "" if op == "eq" else f"__{op}"
                lookup = {f"{column}{suffix}": Decimal(node["value"])}
            return Q(Exists(current.filter(**lookup)))
        if node["type"] == "boolean":
            return Q(Exists(current.filter(**{column: node["value"]})))
        if op == "in":
            return Q(Exists(current.filter(**{f"{column}__in": node["values"]})))
        if op == "ne":
            return Q(Exists(current.exclude(**{column: node["value"]})))
        return Q(Exists(current.filter(**{column: node["value"]})))


# --- consents and contacts ----------------------------------------------------------------


@condition("consent")
class ConsentCondition(ConditionKind):
    """The person's current decision for a purpose on a channel ("any" channel: at least one).

    {"kind": "consent", "purpose": "document_reminders", "channel": "email", "granted": true}
    """

    label = "Consentement"

    def validate(self, node, path, ctx):
        purpose = as_choice(require(node, "purpose", path), Purpose.values, f"{path}.purpose")
        channel = as_choice(node.get("channel", "any"), ["any", *Channel.values], f"{path}.channel")
        granted = node.get("granted", True)
        if not isinstance(granted, bool):
            raise TreeError(f"{path}.granted", _("Expected true or false."))
        return {"purpose": purpose, "channel": channel, "granted": granted}

    def compile(self, node, ctx):
        rows = Consent.objects.filter(
            person=OuterRef("pk"), purpose=node["purpose"], granted=node["granted"]
        )
        if node["channel"] != "any":
            rows = rows.filter(channel=node["channel"])
        return Q(Exists(rows.filter(latest_only(Consent, ["purpose", "channel"], "recorded_at"))))


@condition("contact")
class ContactCondition(ConditionKind):
    """{"kind": "contact", "contact_kind": "email", "verified": false}: a usable contact point
    (not bounced, not invalid) of that kind."""

    label = "Moyen de contact"

    def validate(self, node, path, ctx):
        kind = as_choice(
            require(node, "contact_kind", path), ContactPoint.Kind.values, f"{path}.contact_kind"
        )
        verified = node.get("verified", False)
        if not isinstance(verified, bool):
            raise TreeError(f"{path}.verified", _("Expected true or false."))
        return {"contact_kind": kind, "verified": verified}

    def compile(self, node, ctx):
        rows = ContactPoint.objects.filter(
            person=OuterRef("pk"), kind=node["contact_kind"], status=ContactPoint.Status.OK
        )
        if node["verified"]:
            rows = rows.filter(verified=True)
        return Q(Exists(rows))


# --- engagement history (the timeline) --------------------------------------------------------


@condition("interaction")
class InteractionCondition(ConditionKind):
    """{"kind": "interaction", "interaction_kind": "visit", "channel": "", "within_days": 365}:
    at least one line of that kind in the person's timeline over the period."""

    label = "Historique des échanges"

    def validate(self, node, path, ctx):
        kind = node.get("interaction_kind", "")
        if kind:
            as_choice(kind, Interaction.Kind.values, f"{path}.interaction_kind")
        channel = node.get("channel", "")
        if channel:
            as_choice(channel, Channel.values, f"{path}.channel")
        days = as_int(
            require(node, "within_days", path), f"{path}.within_days", minimum=1, maximum=36500
        )
        return {"interaction_kind": kind, "channel": channel, "within_days": days}

    def compile(self, node, ctx):
        since = timezone.now() - timedelta(days=node["within_days"])
        rows = Interaction.objects.filter(person=OuterRef("pk"), occurred_at__gte=since)
        if node["interaction_kind"]:
            rows = rows.filter(kind=node["interaction_kind"])
        if node["channel"]:
            rows = rows.filter(channel=node["channel"])
        return Q(Exists(rows))


# --- other saved audiences -------------------------------------------------------------------


@condition("audience")
class AudienceCondition(ConditionKind):
    """{"kind": "audience", "id": 12}: members of another saved audience (its snapshot when
    static, its filters when dynamic)."""

    label = "Autre audience"

    def validate(self, node, path, ctx):
        from .models import Audience

        audience_id = as_int(require(node, "id", path), f"{path}.id", minimum=1)
        if not Audience.objects.filter(pk=audience_id).exists():
            raise TreeError(f"{path}.id", _("Unknown audience."))
        return {"id": audience_id}

    def compile(self, node, ctx):
        from .models import Audience, AudienceMember

        audience = Audience.objects.get(pk=node["id"])
        if audience.kind == Audience.Kind.STATIC and audience.snapshot_at:
            return Q(
                Exists(AudienceMember.objects.filter(audience=audience, person=OuterRef("pk")))
            )
        if audience.pk in ctx.seen_audiences or ctx.depth >= MAX_DEPTH:
            raise TreeError("", _("Audiences refer to each other in a loop."))
        inner = Context(
            today=ctx.today,
            depth=ctx.depth + 1,
            seen_audiences=ctx.seen_audiences | {audience.pk},
        )
        return compile_tree(audience.definition, ctx=inner)


# --- eligibility (the rights domain, when installed) -------------------------------------------


def eligibility_source():
    """`eligible_people(benefit, period)` from the rights domain, or None before it lands."""
    for module in ("parvis.rights.services", "parvis.rights"):
        try:
            imported = __import__(module, fromlist=["eligible_people"])
        except ImportError:
            continue
        function = getattr(imported, "eligible_people", None)
        if function is not None:
            return function
    return None


@condition("eligibility")
class EligibilityCondition(ConditionKind):
    """{"kind": "eligibility", "benefit": "rsa", "period": "2025-06"}: the people the rights
    domain finds probably entitled (its result is a queryset, used as a subquery)."""

    label = "Éligibilité à une aide"

    def validate(self, node, path, ctx):
        if eligibility_source() is None:
            raise TreeError(f"{path}.kind", _("Eligibility results are not available."))
        benefit = str(require(node, "benefit", path)).strip()[:130]
        period = str(node.get("period") or "").strip()
        if period:
            try:
                year, month = (int(part) for part in period.split("-"))
                date(year, month, 1)
            except (TypeError, ValueError):
                raise TreeError(f"{path}.period", _("A month is written YYYY-MM.")) from None
            period = f"{year:04d}-{month:02d}"
        cleaned = {"benefit": benefit, "period": period}
        # Optional, as the non-take-up report's "make it an audience" writes them: only those
        # not known to receive the benefit, only in one area (street id, postcode, INSEE code).
        if node.get("unclaimed"):
            cleaned["unclaimed"] = True
        if node.get("area_kind"):
            cleaned["area_kind"] = as_choice(
                node["area_kind"], ["street", "postcode", "commune"], f"{path}.area_kind"
            )
            cleaned["area_value"] = str(node.get("area_value") or "")[:200]
        return cleaned

    def compile(self, node, ctx):
        extra = {k: node[k] for k in ("unclaimed", "area_kind", "area_value") if k in node}
        result = eligibility_source()(node["benefit"], node["period"] or None, **extra)
        if hasattr(result, "values"):  # a queryset of persons (or of rows with person_id)
            model = getattr(result, "model", None)
            column = "pk" if model is Person else "person_id"
            return Q(pk__in=result.values(column))
        return Q(pk__in=list(result))


from . import geo  # noqa: E402, F401  (registers the geographic kinds)
