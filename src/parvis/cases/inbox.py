"""The agents' inbox: which cases a filter selects, in which order, and the queue counts.

Built for a base of millions of cases where only a small share is open: every query the
inbox runs on open cases starts from a partial index of open cases (see Case.Meta), pages
are cut with LIMIT/OFFSET on the index order and never counted, and a page is read in one
query (plus one for its tags)."""

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from parvis.people.search import search_people

from .access import visible_cases
from .models import Case

PAGE_SIZE = 25
MAX_PAGE = 400  # deeper than this nobody reads; an OFFSET that far is refused
OPEN = list(Case.OPEN_STATUSES)
REFERENCE = re.compile(r"^\s*#?\s*(\d{4}-\d{1,6})\s*$")
LIST_FIELDS = [
    "reference",
    "subject",
    "channel",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "due_at",
    "service__name",
    "assignee__username",
    "assignee__first_name",
    "assignee__last_name",
    "person__first_names",
    "person__last_name",
]


@dataclass
class InboxFilters:
    service: int | None = None  # a service id; 0 = cases without a service
    status: str = ""  # "" = every open status; "all"; or one status
    assigned: str = ""  # "", "me", "unassigned"
    channel: str = ""
    tag: int | None = None
    overdue: bool = False
    q: str = ""

    @property
    def open_only(self) -> bool:
        return self.status == "" or self.status in OPEN


@dataclass
class InboxPage:
    cases: list[Case]
    number: int
    has_previous: bool
    has_next: bool


def inbox_cases(filters: InboxFilters, user) -> QuerySet[Case]:
    """The cases the filters select, in inbox order: open cases by answer deadline (the
    most urgent first), other views by last activity."""
    cases = visible_cases(user)
    if filters.open_only:
        # Always spelled as the partial indexes' condition, so PostgreSQL uses them even
        # when one open status is asked for. A merged case is closed by the merge: no need
        # to test `merged_into` (which would send every row to the table).
        cases = cases.filter(status__in=OPEN)
    else:
        cases = cases.filter(merged_into__isnull=True)
    if filters.status and filters.status != "all":
        cases = cases.filter(status=filters.status)
    if filters.service == 0:
        cases = cases.filter(service__isnull=True)
    elif filters.service:
        cases = cases.filter(service_id=filters.service)
    if filters.assigned == "me":
        cases = cases.filter(assignee=user)
    elif filters.assigned == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.tag:
        tagged = Case.tags.through.objects.filter(case_id=OuterRef("pk"), tag_id=filters.tag)
        cases = cases.filter(Exists(tagged))
    if filters.overdue:
        cases = cases.filter(status__in=OPEN, due_at__lt=timezone.now())
    if filters.q.strip():
        cases = cases.filter(text_search(filters.q))
    if filters.open_only:
        order = [F("due_at").asc(nulls_last=True), "id"]
    else:
        order = ["-updated_at", "-id"]
    return cases.select_related("service", "assignee", "person").only(*LIST_FIELDS).order_by(*order)


def text_search(text: str) -> Q:
    """A reference, words of the subject, or the citizen (name with a typo, email, phone:
    whatever the people search understands)."""
    text = " ".join(text.split())[:100]
    query = Q(subject__icontains=text)
    reference = REFERENCE.match(text)
    if reference:
        query |= Q(reference__startswith=reference.group(1))
    persons = [p.pk for p in search_people(text, limit=50).persons]
    if persons:
        query |= Q(person_id__in=persons)
    return query


def exact_reference(text: str, user) -> Case | None:
    """The case whose full reference was typed, to open it directly (if `user` may see it)."""
    match = REFERENCE.match(text or "")
    if not match or len(match.group(1)) != 11:
        return None
    cases = visible_cases(user).filter(reference=match.group(1))
    return cases.only("pk", "merged_into").first()


def page_of(cases: QuerySet[Case], number: int, size: int = PAGE_SIZE) -> InboxPage:
    """One page without COUNT(*): one row more than the page says whether a next exists."""
    number = min(max(1, number), MAX_PAGE)
    rows = list(cases.prefetch_related("tags")[(number - 1) * size : number * size + 1])
    return InboxPage(rows[:size], number, number > 1, len(rows) > size)


def queue_counts(user) -> dict:
    """Open cases per service, with how many are mine, unassigned and overdue: one
    aggregate read from the open-cases index alone."""
    now = timezone.now()
    rows = (
        visible_cases(user)
        .filter(status__in=OPEN)
        .values("service_id")
        .annotate(
            total=Count("id"),
            mine=Count("id", filter=Q(assignee_id=user.pk)),
            unassigned=Count("id", filter=Q(assignee__isnull=True)),
            overdue=Count("id", filter=Q(due_at__lt=now)),
        )
        .order_by()
    )
    per_service = {row["service_id"]: row for row in rows}
    totals = {
        key: sum(row[key] for row in per_service.values())
        for key in ("total", "mine", "unassigned", "overdue")
    }
    return {"per_service": per_service, **totals}
