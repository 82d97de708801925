"""Eligibility: runs (national benefits through OpenFisca-France, local rules in SQL), the
querysets other domains use (`eligible_people`), the non-take-up report and saved selections."""

import logging
import multiprocessing
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.people.models import Person

from .benefits import NATIONAL_BENEFITS
from .models import EligibilityResult, EligibilityRun, LocalRule, SavedSelection
from .results import result_tuple, write_results
from .workers import init_worker, national_chunk

if TYPE_CHECKING:
    from parvis.audiences.models import Audience

logger = logging.getLogger(__name__)

ELIGIBLE = EligibilityResult.Status.ELIGIBLE
INSUFFICIENT = EligibilityResult.Status.INSUFFICIENT


def chunk_size_default() -> int:
    return int(getattr(settings, "PARVIS_RIGHTS_CHUNK_HOUSEHOLDS", 20_000))


def processes_default() -> int:
    return int(getattr(settings, "PARVIS_RIGHTS_PROCESSES", 1))


# --- periods and benefits -------------------------------------------------------------------


def parse_period(value=None) -> date:
    """A month: a date, "YYYY-MM", or None for the current month."""
    if value is None or value == "":
        return timezone.localdate().replace(day=1)
    if isinstance(value, date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        year, month = (int(part) for part in text[:7].split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a month (YYYY-MM).") % {"value": text[:20]}
        ) from None


def benefit_labels() -> dict[str, str]:
    """Every benefit code Parvis computes, with its label: national ones, then local rules."""
    labels = {code: b.label for code, b in NATIONAL_BENEFITS.items()}
    labels.update(LocalRule.objects.filter(enabled=True).values_list("code", "label"))
    return labels


# --- runs ------------------------------------------------------------------------------------


def start_run(period=None, benefits: list[str] | None = None, user=None) -> EligibilityRun:
    period = parse_period(period)
    known = set(NATIONAL_BENEFITS) | set(LocalRule.objects.values_list("code", flat=True))
    unknown = [b for b in benefits or [] if b not in known]
    if unknown:
        raise ValueError(_("Unknown benefit: %(codes)s.") % {"codes": ", ".join(unknown)})
    return EligibilityRun.objects.create(
        period=period,
        benefits=list(benefits or []),
        requested_by=user if getattr(user, "pk", None) else None,
    )


def compute(
    period=None, benefits=None, *, user=None, chunk_size=None, processes=None, progress=None
) -> EligibilityRun:
    """Create a run and execute it here (the command line; the console queues a task)."""
    run = start_run(period, benefits, user)
    return execute_run(run.pk, chunk_size=chunk_size, processes=processes, progress=progress)


def execute_run(run_id: int, *, chunk_size=None, processes=None, progress=None) -> EligibilityRun:
    """Advance a run to its end. Idempotent: each chunk replaces its own previous results."""
    run = EligibilityRun.objects.get(pk=run_id)
    if run.status == EligibilityRun.Status.DONE:
        return run
    run.status = EligibilityRun.Status.RUNNING
    run.started_at = timezone.now()
    run.error = ""
    run.save(update_fields=["status", "started_at", "error"])
    try:
        codes = run.benefits or [*NATIONAL_BENEFITS, *_enabled_rule_codes()]
        national = [c for c in codes if c in NATIONAL_BENEFITS]
        if national:
            _run_national(
                run,
                national,
                chunk_size or chunk_size_default(),
                processes or processes_default(),
                progress,
            )
        rules = [c for c in codes if c not in NATIONAL_BENEFITS]
        if rules:
            _run_rules(run, rules)
        run.counts = _counts(run.period, codes)
        run.status = EligibilityRun.Status.DONE
    except Exception as exc:
        logger.exception("eligibility run %s failed", run.pk)
        run.status = EligibilityRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        raise
    finally:
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "counts", "error", "finished_at"])
    return run


def _enabled_rule_codes() -> list[str]:
    return list(
        LocalRule.objects.filter(enabled=True).order_by("code").values_list("code", flat=True)
    )


def _counts(period: date, codes: list[str]) -> dict:
    counts: dict[str, dict[str, int]] = {code: {} for code in codes}
    rows = (
        EligibilityResult.objects.filter(period=period, benefit__in=codes)
        .values_list("benefit", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for benefit, status, n in rows:
        counts[benefit][status] = n
    return counts


# -- national benefits, in chunks, optionally in worker processes --


def _chunks(ids, size: int) -> list[tuple[int, int, int]]:
    """(first id, last id, households) for each chunk of `size` households."""
    return [
        (int(ids[i]), int(ids[min(i + size, len(ids)) - 1]), min(size, len(ids) - i))
        for i in range(0, len(ids), size)
    ]


def _store_chunk(run: EligibilityRun, codes, first_id, last_id, households, rows) -> None:
    with transaction.atomic():
        EligibilityResult.objects.filter(
            benefit__in=codes,
            period=run.period,
            household_id__gte=first_id,
            household_id__lte=last_id,
        ).delete()
        write_results(rows)
    run.households_done += households
    EligibilityRun.objects.filter(pk=run.pk).update(households_done=run.households_done)


def _run_national(run, codes, chunk_size, processes, progress) -> None:
    from .situations import household_ids

    ids = household_ids()
    run.households_total = len(ids)
    run.households_done = 0
    run.save(update_fields=["households_total", "households_done"])
    chunks = _chunks(ids, chunk_size)
    parallel = processes > 1 and len(chunks) > 1 and not multiprocessing.current_process().daemon
    if not parallel:
        for first, last, households in chunks:
            rows = national_chunk(run.pk, first, last, run.period, codes)
            _store_chunk(run, codes, first, last, households, rows)
            if progress:
                progress(run)
        return
    # Worker processes start fresh (spawn): no database connection or thread is shared with
    # this process; each loads the legislation once and computes whole chunks.
    database = dict(connection.settings_dict)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=init_worker, initargs=(database,)
    ) as pool:
        pending: deque = deque()
        queue = deque(chunks)
        while queue or pending:
            # At most `processes` chunks in flight: bounded memory in workers and here.
            while queue and len(pending) < processes:
                first, last, households = queue.popleft()
                future = pool.submit(national_chunk, run.pk, first, last, run.period, codes)
                pending.append((first, last, households, future))
            first, last, households, future = pending.popleft()
            rows = future.result()
            _store_chunk(run, codes, first, last, households, rows)
            if progress:
                progress(run)


# -- local rules --


def _run_rules(run: EligibilityRun, codes: list[str]) -> None:
    from .local import rule_rows
    from .rule_sql import base_citycodes, territory_may_match
    from .rules import known_fields

    fields = known_fields()
    citycodes = base_citycodes()
    for rule in LocalRule.objects.filter(code__in=codes).order_by("code"):
        now = timezone.now()
        with transaction.atomic():
            EligibilityResult.objects.filter(benefit=rule.code, period=run.period).delete()
            if not territory_may_match(rule.definition, citycodes):
                continue
            for batch in rule_rows(rule, run.period, fields):
                write_results([result_tuple(run.pk, run.period, now, r) for r in batch])


# --- what other domains use ---------------------------------------------------------------------


def latest_period(benefit: str) -> date | None:
    return (
        EligibilityResult.objects.filter(benefit=benefit)
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )


def eligible_people(
    benefit: str, period=None, *, unclaimed: bool = False, area_kind: str = "", area_value=""
) -> QuerySet[Person]:
    """The persons probably entitled to `benefit` for `period` (a date, "YYYY-MM", or None for
    the latest period computed): the claimant of each family for national benefits, the person
    for local rules. With `unclaimed`, only those not known to receive it; with an area, only
    there (see `non_take_up`). A queryset, so audiences use it as a subquery."""
    period = parse_period(period) if period else latest_period(benefit)
    results = EligibilityResult.objects.filter(
        _area_filter(area_kind, area_value), benefit=benefit, period=period, status=ELIGIBLE
    )
    if unclaimed:
        results = results.filter(NOT_RECEIVING)
    return Person.objects.filter(pk__in=results.values("person_id"))


AREA_KINDS = {
    # kind: (grouping column of a result, label column)
    "street": ("household__address__street_id", "household__address__street__name"),
    "postcode": ("household__address__street__postcode", "household__address__street__postcode"),
    "commune": ("household__address__street__citycode", "household__address__street__city"),
}
NOT_RECEIVING = Q(receives=False) | Q(receives__isnull=True)


def _area_filter(area_kind: str, area_value: str) -> Q:
    if not area_kind:
        return Q()
    if area_kind not in AREA_KINDS:
        raise ValueError(_("Unknown kind of area."))
    column = AREA_KINDS[area_kind][0]
    if area_value in ("", None):
        return Q(**{f"{column}__isnull": True})
    return Q(**{column: area_value})


def unclaimed_people(benefit: str, period, area_kind: str = "", area_value: str = ""):
    """Probably entitled, not known to receive it, in the area: whom outreach is for."""
    return eligible_people(
        benefit, parse_period(period), unclaimed=True, area_kind=area_kind, area_value=area_value
    )


def non_take_up(period, area_kind: str = "street", benefit: str = "") -> list[dict]:
    """Per benefit and area: probably entitled, already receiving (from facts), not receiving,
    the estimated unclaimed amount per month, and the results lacking data."""
    period = parse_period(period)
    if area_kind not in AREA_KINDS:
        raise ValueError(_("Unknown kind of area."))
    column, label = AREA_KINDS[area_kind]
    results = EligibilityResult.objects.filter(period=period)
    if benefit:
        results = results.filter(benefit=benefit)
    eligible = Q(status=ELIGIBLE)
    rows = (
        results.values("benefit", column, label)
        .annotate(
            entitled=Count("id", filter=eligible),
            households=Count("household_id", filter=eligible, distinct=True),
            receiving=Count("id", filter=eligible & Q(receives=True)),
            unclaimed=Count("id", filter=eligible & NOT_RECEIVING),
            unclaimed_amount=Sum("amount", filter=eligible & NOT_RECEIVING),
            insufficient=Count("id", filter=Q(status=INSUFFICIENT)),
        )
        .order_by("benefit", label)
    )
    labels = {code: b.label for code, b in NATIONAL_BENEFITS.items()}
    labels.update(LocalRule.objects.values_list("code", "label"))
    out = []
    for row in rows:
        if not row["entitled"] and not row["insufficient"]:
            continue
        out.append(
            {
                "benefit": row["benefit"],
                "benefit_label": labels.get(row["benefit"], row["benefit"]),
                "area": row[column],
                "area_label": row[label] or _("(no address)"),
                "entitled": row["entitled"],
                "households": row["households"],
                "receiving": row["receiving"],
                "unclaimed": row["unclaimed"],
                "unclaimed_amount": row["unclaimed_amount"] or 0,
                "insufficient": row["insufficient"],
            }
        )
    return out


# --- the person's 360° page -----------------------------------------------------------------


@dataclass(frozen=True)
class ProbableRight:
    """The latest result of one benefit for one person, as the 360° page shows it."""

    result: EligibilityResult
    label: str
    national: bool
    # True/False when the result or the facts the viewer may see say so, None otherwise.
    receives: bool | None

    @property
    def amount_display(self) -> str:
        return french_euros(self.result.amount) if self.result.amount is not None else ""


def french_euros(amount) -> str:
    """Decimal("1234.56") -> "1 234,56 €": a narrow no-break space between thousands, a
    no-break space before the sign, whatever language the console uses."""
    text = f"{Decimal(amount):,.2f}".replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


def _received_from_facts(fact_key: str | None, facts) -> bool | None:
    if not fact_key:
        return None
    today = timezone.localdate()
    known = [
        f
        for f in facts
        if f.key_id == fact_key
        and f.value_bool is not None
        and (f.valid_until is None or f.valid_until >= today)
    ]
    if not known:
        return None
    return max(known, key=lambda f: f.collected_at).value_bool


def person_rights(person, user, facts=()) -> list[ProbableRight] | None:
    """The person's latest eligibility result for each benefit (national benefits first, then
    local rules by label), in one query; None when `user` may not see eligibility results.

    `facts` are the facts the page already shows to `user` (never more): when a result does
    not say whether the benefit is already received, a current yes/no fact among them may."""
    if not user.has_perm("rights.view_eligibilityresult"):
        return None
    rules = LocalRule.objects.filter(code=OuterRef("benefit"))
    results = (
        EligibilityResult.objects.filter(person=person)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("benefit")],
                order_by=[F("period").desc(), F("computed_at").desc(), F("id").desc()],
            ),
            rule_label=Subquery(rules.values("label")[:1]),
            rule_received=Subquery(
                rules.annotate(key=KeyTextTransform("already_received", "definition")).values(
                    "key"
                )[:1]
            ),
        )
        .filter(rank=1)
        .defer("inputs")
    )
    facts = list(facts)
    national_order = list(NATIONAL_BENEFITS)
    out = []
    for result in results:
        national = NATIONAL_BENEFITS.get(result.benefit)
        if national:
            label, fact_key = national.label, national.recipient_fact
        else:
            label, fact_key = result.rule_label or result.benefit, result.rule_received
        receives = result.receives
        if receives is None:
            receives = _received_from_facts(fact_key, facts)
        out.append(ProbableRight(result, label, national is not None, receives))
    out.sort(
        key=lambda r: (
            (0, national_order.index(r.result.benefit), "")
            if r.national
            else (1, 0, r.label.casefold())
        )
    )
    return out


def save_selection(
    *, benefit: str, period, area_kind: str = "", area_value: str = "", user=None, name: str = ""
) -> SavedSelection:
    period = parse_period(period)
    labels = benefit_labels()
    if benefit not in labels and not EligibilityResult.objects.filter(benefit=benefit).exists():
        raise ValueError(_("Unknown benefit."))
    people = unclaimed_people(benefit, period, area_kind, area_value)
    if not name:
        name = _("%(benefit)s — not claimed, %(period)s") % {
            "benefit": labels.get(benefit, benefit),
            "period": f"{period:%m/%Y}",
        }
        if area_kind:
            name += f" ({area_value or _('no address')})"
    return SavedSelection.objects.create(
        name=name[:200],
        benefit=benefit,
        period=period,
        area_kind=area_kind,
        area_value=str(area_value or ""),
        person_count=people.count(),
        created_by=user if getattr(user, "pk", None) else None,
    )


def selection_audience_definition(selection: SavedSelection) -> dict:
    """The audiences filter tree selecting the same people as `selection.people()`."""
    node = {
        "kind": "eligibility",
        "benefit": selection.benefit,
        "period": f"{selection.period:%Y-%m}",
        "unclaimed": True,
    }
    if selection.area_kind:
        node.update(area_kind=selection.area_kind, area_value=selection.area_value)
    return {"kind": "all", "conditions": [node]}


@transaction.atomic
def make_audience(
    *, benefit: str, period, area_kind: str = "", area_value: str = "", user=None
) -> tuple[SavedSelection, "Audience"]:
    """The non-take-up report's "make it an audience": the selection (kept in the report's
    history) and an audience of the audiences app, which outreach journeys target."""
    from parvis.audiences.services import save_audience

    selection = save_selection(
        benefit=benefit, period=period, area_kind=area_kind, area_value=area_value, user=user
    )
    audience = save_audience(
        name=selection.name,
        definition=selection_audience_definition(selection),
        description=_(
            "Probably entitled and not known to receive it, from the non-take-up report "
            "(eligibility computed for %(period)s)."
        )
        % {"period": f"{selection.period:%m/%Y}"},
        user=user,
    )
    return selection, audience
