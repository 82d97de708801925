"""The business logic of the people domain: creating and changing what Parvis knows about a
person, always validated, and keeping the name index in step."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from .models import (
    Channel,
    Consent,
    ContactPoint,
    DataSource,
    Fact,
    FactKey,
    HouseholdMember,
    Interaction,
    NameToken,
    Person,
    Residence,
    Sex,
    TokenVariant,
)
from .normalize import (
    deletions,
    name_tokens,
    normalize_email,
    normalize_nir,
    normalize_phone,
    phone_kind,
)

SENSITIVE = list(FactKey.SENSITIVE_CATEGORIES)


# --- persons -------------------------------------------------------------------------------


def validate_person_fields(data: dict) -> dict:
    """Clean the identity fields of a person; raise one ValidationError naming every bad field."""
    errors: dict[str, str] = {}
    cleaned = dict(data)
    for field in ("first_names", "last_name"):
        value = (data.get(field) or "").strip()
        if not value:
            errors[field] = _("This field is required.")
        elif len(value) > 150:
            errors[field] = _("At most 150 characters.")
        cleaned[field] = value
    cleaned["birth_name"] = (data.get("birth_name") or "").strip()[:150]
    birth_date = data.get("birth_date")
    if isinstance(birth_date, str) and birth_date:
        try:
            birth_date = parse_date(birth_date)
        except ValueError:
            birth_date = None
        if birth_date is None:
            errors["birth_date"] = _("Enter a valid date (YYYY-MM-DD).")
    if isinstance(birth_date, date):
        if birth_date > timezone.localdate():
            errors["birth_date"] = _("The birth date cannot be in the future.")
        elif birth_date.year < 1880:
            errors["birth_date"] = _("The birth date is too far in the past.")
    cleaned["birth_date"] = birth_date or None
    if data.get("sex") and data["sex"] not in Sex.values:
        errors["sex"] = _("Unknown value: choose F, M or X.")
    if data.get("preferred_channel") and data["preferred_channel"] not in Channel.values:
        errors["preferred_channel"] = _("Unknown channel.")
    if data.get("nir"):
        try:
            cleaned["nir"] = normalize_nir(data["nir"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def create_person(**data) -> Person:
    cleaned = validate_person_fields(data)
    if cleaned.get("nir") and Person.objects.filter(nir=cleaned["nir"]).exists():
        raise ValidationError({"nir": _("A person with this social security number exists.")})
    person = Person.objects.create(**cleaned)
    index_person_names([person])
    return person


def update_person(person: Person, **data) -> Person:
    fields = ("first_names", "last_name", "birth_name", "birth_date", "sex", "preferred_channel")
    current = {f: getattr(person, f) for f in fields}
    cleaned = validate_person_fields({**current, **data})
    if not data.get("nir"):
        cleaned.pop("nir", None)
    for field, value in cleaned.items():
        setattr(person, field, value)
    with transaction.atomic():
        person.save()
        NameToken.objects.filter(person=person).delete()
        index_person_names([person])
    return person


# --- the name index --------------------------------------------------------------------------


def person_tokens(person: Person) -> set[str]:
    return name_tokens(person.first_names, person.last_name, person.birth_name)


def index_person_names(persons: Iterable[Person]) -> None:
    """Add the name tokens of these persons and the typo variants of any new token."""
    rows = [NameToken(person=p, token=t) for p in persons for t in person_tokens(p)]
    NameToken.objects.bulk_create(rows, batch_size=5000)
    add_token_variants({row.token for row in rows})


def add_token_variants(tokens: set[str]) -> None:
    TokenVariant.objects.bulk_create(
        [TokenVariant(variant=v, token=t) for t in tokens for v in deletions(t)],
        batch_size=5000,
        ignore_conflicts=True,
    )


# The same variants as `deletions()`, made by PostgreSQL: the token itself, and for tokens of
# four characters or more, the token without its i-th character. Sorted, so that the unique
# index of (variant, token) is filled in order.
_REBUILD_TOKEN_VARIANTS_SQL = """
WITH tokens AS (SELECT DISTINCT token FROM people_nametoken),
new AS (
    SELECT t.token FROM tokens t WHERE NOT EXISTS (
        SELECT 1 FROM people_tokenvariant v WHERE v.variant = t.token AND v.token = t.token)
),
inserted AS (
    INSERT INTO people_tokenvariant (variant, token)
    SELECT variant, token FROM (
        SELECT token AS variant, token FROM new
        UNION
        SELECT left(token, i - 1) || substr(token, i + 1), token
        FROM new, generate_series(1, length(token)) AS i
        WHERE length(token) >= 4
    ) AS variants
    ORDER BY variant, token
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT count(*) FROM tokens), (SELECT count(*) FROM inserted)
"""


def rebuild_token_variants() -> int:
    """Add the variants of every token not yet indexed, set-based (after a bulk load)."""
    if connection.vendor == "postgresql":
        # One statement: millions of variants never travel to Python and back.
        with connection.cursor() as cursor:
            cursor.execute(_REBUILD_TOKEN_VARIANTS_SQL)
            return cursor.fetchone()[0]
    tokens = set(NameToken.objects.values_list("token", flat=True).distinct().iterator(10000))
    known = set(TokenVariant.objects.filter(variant=F("token")).values_list("token", flat=True))
    add_token_variants(tokens - known)
    return len(tokens)


# --- contact points and consents ------------------------------------------------------------


def add_contact_point(person: Person, kind: str, value: str, verified: bool = False):
    if kind == ContactPoint.Kind.EMAIL:
        normalized = normalize_email(value, field="value")
    elif kind in (ContactPoint.Kind.MOBILE, ContactPoint.Kind.LANDLINE):
        normalized = normalize_phone(value, field="value")
        kind = phone_kind(normalized)
    elif kind == ContactPoint.Kind.POSTAL:
        normalized = " ".join(value.split()).lower()
        if not normalized:
            raise ValidationError({"value": _("This field is required.")})
    else:
        raise ValidationError({"kind": _("Unknown kind of contact point.")})
    existing = ContactPoint.objects.filter(person=person, kind=kind, normalized=normalized).first()
    if existing:
        return existing
    return ContactPoint.objects.create(
        person=person, kind=kind, value=value.strip(), normalized=normalized, verified=verified
    )


def record_consent(
    person: Person,
    *,
    purpose: str,
    channel: str,
    granted: bool,
    method: str,
    legal_basis: str = "consent",
    by=None,
    at: datetime | None = None,
) -> Consent:
    consent = Consent(
        person=person,
        purpose=purpose,
        channel=channel,
        granted=granted,
        method=method,
        legal_basis=legal_basis,
        recorded_by=by if getattr(by, "pk", None) else None,
        recorded_at=at or timezone.now(),
    )
    try:
        consent.full_clean(exclude=["person", "recorded_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    consent.save()
    verb = _("granted") if granted else _("withdrawn")
    record_interaction(
        person,
        kind=Interaction.Kind.CONSENT,
        summary=_("Consent %(verb)s: %(purpose)s by %(channel)s")
        % {
            "verb": verb,
            "purpose": consent.get_purpose_display(),
            "channel": consent.get_channel_display(),
        },
        actor=by,
        ref=consent,
        at=consent.recorded_at,
    )
    return consent


def current_consents(person: Person) -> list[Consent]:
    """The latest decision for each (purpose, channel) the person ever expressed."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in person.consents.order_by("recorded_at", "id"):
        latest[(consent.purpose, consent.channel)] = consent
    return sorted(latest.values(), key=lambda c: (c.purpose, c.channel))


def has_consent(person: Person, purpose: str, channel: str) -> bool:
    latest = (
        Consent.objects.filter(person=person, purpose=purpose, channel=channel)
        .order_by("-recorded_at", "-id")
        .first()
    )
    return bool(latest and latest.granted)


# --- facts ------------------------------------------------------------------------------------


def parse_fact_value(fact_key: FactKey, value):
    """Turn a raw value (from a form, a file or JSON) into the key's type, or raise."""
    kind = fact_key.value_type
    try:
        if kind == FactKey.ValueType.DATE:
            if isinstance(value, date):
                return value
            parsed = parse_date(str(value).strip())
            if parsed is None:
                raise ValueError
            return parsed
        if kind == FactKey.ValueType.NUMBER:
            return Decimal(str(value).replace(",", ".").replace(" ", ""))
        if kind == FactKey.ValueType.BOOLEAN:
            if isinstance(value, bool):
                return value
            lowered = str(value).strip().lower()
            if lowered in {"1", "true", "oui", "yes", "o", "vrai"}:
                return True
            if lowered in {"0", "false", "non", "no", "n", "faux"}:
                return False
            raise ValueError
        text = str(value).strip()
        if not text or len(text) > 300:
            raise ValueError
        return text
    except (ValueError, InvalidOperation):
        raise ValidationError(
            {
                "value": _("“%(value)s” is not a valid %(type)s for %(key)s.")
                % {
                    "value": str(value)[:40],
                    "type": fact_key.get_value_type_display().lower(),
                    "key": fact_key.key,
                }
            }
        ) from None


def add_fact(
    person: Person,
    *,
    key: str,
    value,
    source: DataSource,
    legal_basis: str,
    collected_at: datetime | None = None,
    valid_until: date | None = None,
    actor=None,
) -> Fact:
    fact_key = FactKey.objects.filter(key=key).first()
    if fact_key is None:
        raise ValidationError({"key": _("Unknown fact key “%(key)s”.") % {"key": key[:60]}})
    if not (legal_basis or "").strip():
        raise ValidationError({"legal_basis": _("A fact needs its legal basis.")})
    typed = parse_fact_value(fact_key, value)
    fact = Fact.objects.create(
        person=person,
        key=fact_key,
        source=source,
        legal_basis=legal_basis.strip(),
        collected_at=collected_at or timezone.now(),
        valid_until=valid_until,
        **Fact.value_columns(fact_key.value_type, typed),
    )
    record_interaction(
        person,
        kind=Interaction.Kind.FACT,
        summary=_("%(label)s received from %(source)s")
        % {"label": fact_key.label, "source": source.name},
        actor=actor,
        ref=fact,
    )
    return fact


def visible_facts(person: Person, user) -> QuerySet[Fact]:
    """The facts this user may see: sensitive categories only with the right permission."""
    facts = person.facts.select_related("key", "source").order_by("source__name", "key__label")
    if not user.has_perm("people.view_sensitive_facts"):
        facts = facts.exclude(key__category__in=SENSITIVE)
    return facts


def hidden_fact_count(person: Person, user) -> int:
    if user.has_perm("people.view_sensitive_facts"):
        return 0
    return person.facts.filter(key__category__in=SENSITIVE).count()


# --- timeline ---------------------------------------------------------------------------------


def record_interaction(
    person: Person,
    *,
    kind: str,
    summary: str,
    channel: str = "",
    body: str = "",
    actor=None,
    ref=None,
    at: datetime | None = None,
) -> Interaction:
    """Write one line of the person's timeline. Every domain calls this; `ref` is the object
    the line is about (a message, a case, a journey step)."""
    return Interaction.objects.create(
        person=person,
        kind=kind,
        channel=channel,
        summary=summary[:300],
        body=body,
        actor=actor if getattr(actor, "pk", None) else None,
        ref_type=ref._meta.label_lower if ref is not None else "",
        ref_id=str(ref.pk) if ref is not None else "",
        occurred_at=at or timezone.now(),
    )


def timeline(person: Person, user=None) -> QuerySet[Interaction]:
    """The person's timeline, as `user` may see it (everything when no user is given)."""
    events = person.interactions.select_related("actor").order_by("-occurred_at", "-id")
    if user is not None and not user.has_perm("people.view_sensitive_facts"):
        # The line of a fact names its key ("Handicap reconnu (MDPH) received from …"): it is
        # hidden with the fact, or the timeline would tell what the facts section hides.
        hidden = person.facts.filter(key__category__in=SENSITIVE).values_list("pk", flat=True)
        events = events.exclude(
            kind=Interaction.Kind.FACT,
            ref_type=Fact._meta.label_lower,
            ref_id__in=[str(pk) for pk in hidden],
        )
    if user is not None:
        events = _without_unreachable_cases(person, user, events)
    return events


def _without_unreachable_cases(person: Person, user, events: QuerySet[Interaction]):
    """Lines about a case the user may not open (another service's), or about one of its
    messages, are hidden: their summary names the case and its subject."""
    from parvis.cases.access import SEE_ALL, visible_cases  # cases builds on people
    from parvis.cases.models import Message

    if user.has_perm(SEE_ALL):
        return events
    case_type, message_type = "cases.case", "cases.message"
    refs = person.interactions.filter(ref_type__in=[case_type, message_type]).values_list(
        "ref_type", "ref_id"
    )
    case_ids = {int(r) for t, r in refs if t == case_type and r.isdigit()}
    message_ids = {int(r) for t, r in refs if t == message_type and r.isdigit()}
    message_case = dict(Message.objects.filter(pk__in=message_ids).values_list("pk", "case_id"))
    reachable = set(
        visible_cases(user)
        .filter(pk__in=case_ids | set(message_case.values()))
        .values_list("pk", flat=True)
    )
    return events.exclude(
        ref_type=case_type, ref_id__in=[str(c) for c in case_ids if c not in reachable]
    ).exclude(
        ref_type=message_type,
        ref_id__in=[str(m) for m, c in message_case.items() if c not in reachable],
    )


# --- the 360° view ------------------------------------------------------------------------------


def person_file(person_id: int, user) -> dict:
    """Everything the 360° page shows, in a handful of indexed queries."""
    person = Person.objects.get(pk=person_id)
    residences = list(
        Residence.objects.filter(person=person)
        .select_related("address__street")
        .order_by("end", "-start")
    )
    memberships = list(
        HouseholdMember.objects.filter(person=person, until__isnull=True)
        .select_related("household__address__street")
        .prefetch_related(
            Prefetch(
                "household__members",
                queryset=HouseholdMember.objects.filter(until__isnull=True).select_related(
                    "person"
                ),
            )
        )
    )
    facts = list(visible_facts(person, user))
    by_source: dict[DataSource, list[Fact]] = {}
    for fact in facts:
        by_source.setdefault(fact.source, []).append(fact)
    return {
        "person": person,
        "current_residences": [r for r in residences if r.end is None],
        "past_residences": [r for r in residences if r.end is not None],
        "memberships": memberships,
        "contact_points": list(person.contact_points.order_by("kind", "id")),
        "consents": current_consents(person),
        "facts_by_source": by_source,
        "hidden_facts": hidden_fact_count(person, user),
        "last_interaction": person.interactions.aggregate(last=Max("occurred_at"))["last"],
    }
