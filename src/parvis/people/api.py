"""REST routes for people, facts, consents and the timeline.

Every read of a person writes the access log; every route checks a permission."""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from parvis.api.auth import require
from parvis.audit.models import AccessLog
from parvis.audit.services import client_ip, log_access

from . import services
from .models import Channel, DataSource, Person, Purpose
from .search import search_people

router = Router(tags=["people"])

# Deep OFFSETs are slow and past 2**63 they overflow the database's integers: 100,000 pages of
# the largest page size reach ten million rows.
MAX_PAGE = 100_000


class Page(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1)

    def bounds(self) -> tuple[int, int, int]:
        size = min(self.page_size, settings.PARVIS_API_MAX_PAGE_SIZE)
        start = (self.page - 1) * size
        return start, start + size, size


class PersonSummary(Schema):
    id: int
    first_names: str
    last_name: str
    birth_name: str
    birth_date: date | None


class AddressOut(Schema):
    label: str
    latitude: float | None
    longitude: float | None
    since: date | None


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    normalized: str
    verified: bool
    status: str


class PersonOut(PersonSummary):
    sex: str
    birth_place: str
    language: str
    nir_masked: str
    preferred_channel: str
    addresses: list[AddressOut]
    contact_points: list[ContactPointOut]


class PersonIn(Schema):
    first_names: str
    last_name: str
    birth_name: str = ""
    birth_date: date | None = None
    birth_place: str = ""
    sex: str = ""
    language: str = "fr"
    nir: str = ""
    preferred_channel: str = ""


class PersonPage(Schema):
    count: int = Field(
        ..., description="People in the listing; for a search, the matches found up to this page"
    )
    page: int
    page_size: int
    has_next: bool
    results: list[PersonSummary]


class FactOut(Schema):
    id: int
    key: str
    label: str
    category: str
    sensitive: bool
    value: str | Decimal | date | bool | None
    source: str
    legal_basis: str
    collected_at: datetime
    valid_until: date | None


class FactIn(Schema):
    key: str
    value: str | float | int | bool | date
    source: str = Field(..., description="Code of the data source")
    legal_basis: str
    collected_at: datetime | None = None
    valid_until: date | None = None


class ConsentOut(Schema):
    purpose: str
    channel: str
    granted: bool
    recorded_at: datetime
    method: str
    legal_basis: str


class ConsentIn(Schema):
    purpose: Purpose
    channel: Channel
    granted: bool
    method: str = "import"
    legal_basis: str = "consent"


class ContactPointIn(Schema):
    kind: str
    value: str
    verified: bool = False


class InteractionOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    channel: str
    summary: str
    ref_type: str
    ref_id: str


class TimelinePage(Schema):
    count: int
    page: int
    page_size: int
    has_next: bool
    results: list[InteractionOut]


def _read(request, person_id: int, action: str) -> Person:
    require(request, "people.view_person")
    person = get_object_or_404(Person, pk=person_id)
    log_access(
        user=request.auth,
        person=person,
        action=action,
        channel=AccessLog.Channel.API,
        reason=request.headers.get("X-Parvis-Reason", ""),
        request=request,
    )
    return person


def _person_out(person: Person) -> dict:
    residences = person.residences.filter(end__isnull=True).select_related("address__street")
    return {
        **{f: getattr(person, f) for f in PersonIn.model_fields if f != "nir"},
        "id": person.pk,
        "nir_masked": person.masked_nir,
        "addresses": [
            {
                "label": r.address.label,
                "latitude": r.address.latitude,
                "longitude": r.address.longitude,
                "since": r.start,
            }
            for r in residences
        ],
        "contact_points": list(person.contact_points.all()),
    }


def _fact_out(fact) -> dict:
    return {
        "id": fact.pk,
        "key": fact.key_id,
        "label": fact.key.label,
        "category": fact.key.category,
        "sensitive": fact.key.sensitive,
        "value": fact.value,
        "source": fact.source.code,
        "legal_basis": fact.legal_basis,
        "collected_at": fact.collected_at,
        "valid_until": fact.valid_until,
    }


@router.get("", response=PersonPage, summary="Search or list people")
def list_people(request, q: str = "", page: Query[Page] = None):
    require(request, "people.view_person")
    page = page or Page()
    start, stop, size = page.bounds()
    if q.strip():
        # A search gives its best matches, not a listing: capping its depth keeps a deep page
        # of a short prefix ("mar") from loading every Marie and Martin of the town. It looks
        # no further than this page, so its count is what it found so far.
        cap = settings.PARVIS_API_MAX_PAGE_SIZE * 10
        found = search_people(q, limit=min(stop, cap))
        count, results = len(found.persons), found.persons[start:stop]
        has_next = found.truncated and stop < cap
    else:
        queryset = Person.objects.order_by("last_name", "first_names", "pk")
        count, results = queryset.count(), list(queryset[start:stop])
        has_next = stop < count
    # Even a list is a read of each person shown in it.
    AccessLog.objects.bulk_create(
        [
            AccessLog(
                user=request.auth,
                username=request.auth.username,
                person_id=p.pk,
                person_label=str(p)[:300],
                action="api.list",
                channel=AccessLog.Channel.API,
                reason=request.headers.get("X-Parvis-Reason", "")[:300],
                ip_address=client_ip(request),
            )
            for p in results
        ]
    )
    return {
        "count": count,
        "page": page.page,
        "page_size": size,
        "has_next": has_next,
        "results": results,
    }


@router.post("", response={201: PersonOut}, summary="Create a person")
def create_person(request, payload: PersonIn):
    require(request, "people.add_person")
    person = services.create_person(**payload.dict())
    return Status(201, _person_out(person))


@router.get("/{int:person_id}", response=PersonOut, summary="A person's identity and contacts")
def get_person(request, person_id: int):
    return _person_out(_read(request, person_id, "api.person"))


@router.post(
    "/{int:person_id}/contact-points", response={201: ContactPointOut}, summary="Add a contact"
)
def add_contact_point(request, person_id: int, payload: ContactPointIn):
    require(request, "people.add_contactpoint")
    person = _read(request, person_id, "api.contact_points.add")
    point = services.add_contact_point(person, payload.kind, payload.value, payload.verified)
    return Status(201, point)


@router.get(
    "/{int:person_id}/facts", response=list[FactOut], summary="What is known, and from where"
)
def list_facts(request, person_id: int):
    person = _read(request, person_id, "api.facts")
    return [_fact_out(f) for f in services.visible_facts(person, request.auth)]


@router.post("/{int:person_id}/facts", response={201: FactOut}, summary="Record a fact")
def add_fact(request, person_id: int, payload: FactIn):
    require(request, "people.add_fact")
    person = _read(request, person_id, "api.facts.add")
    source = DataSource.objects.filter(code=payload.source).first()
    if source is None:
        # A bad code in the body is a malformed payload (400), not a missing resource (404).
        raise ValidationError(
            {"source": _("Unknown data source “%(code)s”.") % {"code": payload.source[:60]}}
        )
    fact = services.add_fact(
        person,
        key=payload.key,
        value=payload.value,
        source=source,
        legal_basis=payload.legal_basis,
        collected_at=payload.collected_at,
        valid_until=payload.valid_until,
        actor=request.auth,
    )
    return Status(201, _fact_out(fact))


@router.get("/{int:person_id}/consents", response=list[ConsentOut], summary="Current consents")
def list_consents(request, person_id: int):
    return services.current_consents(_read(request, person_id, "api.consents"))


@router.post("/{int:person_id}/consents", response={201: ConsentOut}, summary="Record a consent")
def add_consent(request, person_id: int, payload: ConsentIn):
    require(request, "people.add_consent")
    person = _read(request, person_id, "api.consents.add")
    consent = services.record_consent(person, by=request.auth, **payload.dict())
    return Status(201, consent)


@router.get("/{int:person_id}/timeline", response=TimelinePage, summary="The person's timeline")
def get_timeline(request, person_id: int, page: Query[Page] = None):
    require(request, "people.view_interaction")
    person = _read(request, person_id, "api.timeline")
    page = page or Page()
    start, stop, size = page.bounds()
    events = services.timeline(person, request.auth)
    count = events.count()
    return {
        "count": count,
        "page": page.page,
        "page_size": size,
        "has_next": stop < count,
        "results": list(events[start:stop]),
    }
