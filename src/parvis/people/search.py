"""Finding a person from what an agent types: a name (with accents or not, one typo), an
email, a phone number in any format, an address or a NIR.

Every branch is an indexed lookup; the typed text is normalised to letters and digits first,
so quotes, SQL, `%` or emoji are simply ignored and a 10 kB paste is cut short.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, Q

from .models import Address, ContactPoint, NameToken, Person, Residence, Street, TokenVariant
from .normalize import (
    deletions,
    name_tokens,
    normalize_text,
    parse_phone,
    within_one_edit,
)

_PHONE_CHARS = re.compile(r"^[\d\s+().\-/]+$")
_ADDRESS = re.compile(r"^(\d{1,5})\s*(bis|ter|quater|[a-z])?\s+(.+)$")
_STREET_WORDS = {
    "rue",
    "avenue",
    "av",
    "bd",
    "boulevard",
    "chemin",
    "place",
    "allee",
    "impasse",
    "route",
    "quai",
    "cours",
    "square",
    "sentier",
    "lotissement",
    "residence",
    "passage",
    "ruelle",
}
EXACT, PREFIX, TYPO = 3, 2, 1


@dataclass
class SearchResult:
    kind: str  # name, email, phone, address, nir, empty
    persons: list[Person] = field(default_factory=list)
    truncated: bool = False


def search_people(raw_query: str, limit: int | None = None) -> SearchResult:
    limit = limit or settings.PARVIS_SEARCH_MAX_RESULTS
    query = (raw_query or "")[: settings.PARVIS_SEARCH_MAX_QUERY].strip()
    if "@" in query:
        return _by_email(query, limit)
    compact_digits = re.sub(r"\D", "", query)
    if _PHONE_CHARS.match(query) and len(compact_digits) >= 6:
        if len(compact_digits) in (13, 15) and query[0] in "12":
            return _by_nir(compact_digits, limit)
        return _by_phone(query, limit)
    normalized = normalize_text(query)
    if not normalized:
        return SearchResult("empty")
    address = _ADDRESS.match(normalized)
    words = normalized.split()
    if address or (_STREET_WORDS & set(words)):
        result = _by_address(normalized, address, limit)
        if result.persons or not address:
            return result
    return _by_name(words, limit)


def _persons(ids, limit) -> list[Person]:
    return list(
        Person.objects.filter(pk__in=list(ids)[:limit]).order_by("last_name", "first_names")
    )


def _by_email(query: str, limit: int) -> SearchResult:
    email = query.strip().lower()
    ids = ContactPoint.objects.filter(kind="email", normalized=email).values_list(
        "person_id", flat=True
    )
    return SearchResult("email", _persons(ids[:limit], limit))


def _by_phone(query: str, limit: int) -> SearchResult:
    number = parse_phone(query)
    if number is None:
        return SearchResult("phone")
    from phonenumbers import PhoneNumberFormat, format_number

    e164 = format_number(number, PhoneNumberFormat.E164)
    ids = ContactPoint.objects.filter(kind__in=["mobile", "landline"], normalized=e164).values_list(
        "person_id", flat=True
    )
    return SearchResult("phone", _persons(ids[:limit], limit))


def _by_nir(digits: str, limit: int) -> SearchResult:
    lookup = Q(nir=digits) if len(digits) == 15 else Q(nir__startswith=digits)
    return SearchResult("nir", list(Person.objects.filter(lookup)[:limit]))


def _by_address(normalized: str, match, limit: int) -> SearchResult:
    number = int(match.group(1)) if match else None
    street_text = match.group(3) if match else normalized
    # Streets are few (thousands even for a city): a substring scan of that table is cheap.
    streets = Street.objects.filter(name_norm__contains=street_text).values_list("pk", flat=True)[
        :50
    ]
    addresses = Address.objects.filter(street_id__in=list(streets))
    if number is not None:
        addresses = addresses.filter(number=number)
    person_ids = (
        Residence.objects.filter(address__in=addresses.values("pk")[:500], end__isnull=True)
        .values_list("person_id", flat=True)
        .distinct()
    )
    ids = list(person_ids[: limit + 1])
    return SearchResult("address", _persons(ids, limit), truncated=len(ids) > limit)


def candidate_tokens(word: str) -> dict[str, int]:
    """Tokens of the index that may be meant by `word`, each with how well it matches."""
    candidates: dict[str, int] = {}
    rows = TokenVariant.objects.filter(variant__in=deletions(word)).values_list("variant", "token")
    for _variant, token in rows[:2000]:
        if token == word:
            candidates[token] = EXACT
        elif within_one_edit(word, token) and len(word) >= 4:
            candidates.setdefault(token, TYPO)
    if len(word) >= 3:
        # As-you-type: the word may be the start of a longer token.
        prefixed = (
            TokenVariant.objects.filter(variant__gte=word, variant__lt=word + "\uffff")
            .filter(variant=F("token"))
            .values_list("token", flat=True)[:200]
        )
        for token in prefixed:
            candidates.setdefault(token, PREFIX)
            candidates[token] = max(candidates[token], PREFIX)
    return candidates


def _by_name(words: list[str], limit: int) -> SearchResult:
    words = [w[:60] for w in dict.fromkeys(words)][:5]
    per_word = [candidate_tokens(w) for w in words]
    if any(not c for c in per_word):
        return SearchResult("name")
    found: dict[int, Person] = {}
    # Exact matches first, so that a common name's typo variants never crowd them out.
    for minimum in (EXACT, TYPO):
        if len(found) >= limit:
            break
        token_sets = [[t for t, score in c.items() if score >= minimum] for c in per_word]
        if not all(token_sets):
            continue
        persons = Person.objects.filter(pk__in=_having_all(token_sets))
        for person in persons.exclude(pk__in=list(found))[: limit * 4]:
            found[person.pk] = person
    ranked = sorted(
        found.values(),
        key=lambda p: (-_score(p, per_word), p.last_name, p.first_names, p.pk),
    )
    return SearchResult("name", ranked[:limit], truncated=len(ranked) > limit)


def _having_all(token_sets: list[list[str]]):
    """The ids of the persons having, for each word, one of its candidate tokens.

    One posting list per word, intersected (`INTERSECT`): each list is an index-only range
    read of (token, person), so the cost follows the number of postings whatever the
    planner's guess, where `id IN (…) AND id IN (…)` under a LIMIT could make PostgreSQL
    walk the whole person table when the candidate lists are long."""
    first, *others = (
        NameToken.objects.filter(token__in=tokens).values("person_id") for tokens in token_sets
    )
    return first.intersection(*others) if others else first


def _score(person: Person, per_word: list[dict[str, int]]) -> int:
    tokens = name_tokens(person.first_names, person.last_name, person.birth_name)
    return sum(max((c.get(t, 0) for t in tokens), default=0) for c in per_word)
