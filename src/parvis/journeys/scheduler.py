"""The journey scheduler: due enrolments are claimed in batches and advanced set-based.

One batch is one transaction: claimed rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
workers never take the same enrolment; SQLite serialises writers), every step run for them,
the messages they produce (`Dispatch` rows, nothing leaves here), their history and timeline
lines, their new position. A worker killed mid-batch rolls the whole batch back, and the next
run redoes it; the unique send key of each message makes a re-run harmless anyway. Sending is
the delivery worker's job (`delivery.py`), from the rows committed here."""

import logging
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.audiences import filters
from parvis.people.models import Interaction, Person

from . import steps as step_kinds
from .models import Enrolment, Journey, JourneyVersion, StepRun

logger = logging.getLogger(__name__)
BATCH = 500
MAX_CHAIN = 20  # steps one enrolment may go through in one pass (waits stop the chain)


def claim(now, limit):
    rows = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE, next_run_at__lte=now, journey__status=Journey.Status.ACTIVE
    ).order_by("next_run_at", "id")
    if connection.features.has_select_for_update_skip_locked:
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    return list(rows[:limit])


def run_due(now=None, *, batch_size: int = BATCH, max_batches: int | None = None) -> int:
    """Advance every due enrolment; returns how many step runs were made."""
    now = now or timezone.now()
    done = batches = 0
    while max_batches is None or batches < max_batches:
        with transaction.atomic():
            enrolments = claim(now, batch_size)
            if not enrolments:
                break
            done += process(enrolments, now)
        batches += 1
    return done


def process(enrolments: list[Enrolment], now) -> int:
    versions = {
        v.pk: v
        for v in JourneyVersion.objects.select_related("journey").filter(
            pk__in={e.version_id for e in enrolments}
        )
    }
    persons = Person.objects.in_bulk({e.person_id for e in enrolments})
    runs, timeline, done = [], [], 0
    started_at = {e.pk: e.steps_done for e in enrolments}
    pending = list(enrolments)
    ended = _goal_reached(pending, versions, now, runs, timeline)
    pending = [e for e in pending if e.pk not in ended]
    for _round in range(MAX_CHAIN):
        if not pending:
            break
        groups = defaultdict(list)
        for enrolment in pending:
            groups[(enrolment.version_id, enrolment.step_id)].append(enrolment)
        pending = []
        for (version_id, step_id), group in groups.items():
            version = versions[version_id]
            step = version.step(step_id)
            if step is None:  # cannot happen: versions are immutable; be loud, not stuck
                logger.error("Enrolments on unknown step %s of %s", step_id, version)
                for e in group:
                    _end(e, Enrolment.Status.EXITED, now)
                continue
            batch = step_kinds.Batch(
                version=version, step=step, enrolments=group, now=now, persons=persons
            )
            step_kinds.KINDS[step["kind"]].run(batch)
            label = step_kinds.KINDS[step["kind"]].summary(step)
            for enrolment in group:
                outcome = batch.outcomes[enrolment.pk]
                done += 1
                if outcome.outcome != "waiting" or enrolment.step_entered_at == now:
                    runs.append(
                        StepRun(
                            enrolment=enrolment,
                            journey_id=version.journey_id,
                            step_id=step_id,
                            kind=step["kind"],
                            outcome=outcome.outcome,
                            detail=outcome.detail[:300],
                            at=now,
                        )
                    )
                    timeline.append(_line(enrolment, version.journey, label, outcome, now))
                if outcome.wait_until is not None:
                    enrolment.next_run_at = outcome.wait_until
                elif outcome.status or outcome.next_step is None:
                    _end(enrolment, outcome.status or Enrolment.Status.COMPLETED, now)
                else:
                    enrolment.step_id = outcome.next_step
                    enrolment.step_entered_at = now
                    enrolment.steps_done += 1
                    enrolment.next_run_at = now
                    pending.append(enrolment)  # run the next step in this pass
    _save_positions(enrolments, started_at)
    StepRun.objects.bulk_create(runs, batch_size=2000)
    Interaction.objects.bulk_create(timeline, batch_size=2000)
    return done


def _save_positions(enrolments, started_at):
    """Write the new positions with one UPDATE per distinct outcome (a batch mostly moves
    together), instead of a CASE per row and column."""
    groups = defaultdict(list)
    for e in enrolments:
        key = (
            e.status,
            e.step_id,
            e.step_entered_at,
            e.next_run_at,
            e.ended_at,
            e.steps_done - started_at[e.pk],
        )
        groups[key].append(e.pk)
    for (status, step_id, entered, next_run, ended, delta), ids in groups.items():
        for start in range(0, len(ids), 900):  # under SQLite's variable limit
            Enrolment.objects.filter(pk__in=ids[start : start + 900]).update(
                status=status,
                step_id=step_id,
                step_entered_at=entered,
                next_run_at=next_run,
                ended_at=ended,
                steps_done=F("steps_done") + delta,
            )


def _end(enrolment, status, now):
    enrolment.status = status
    enrolment.ended_at = now
    enrolment.next_run_at = None


def _line(enrolment, journey, label, outcome, now) -> Interaction:
    # The same row `people.services.record_interaction` writes, built for a bulk insert.
    summary = f"{journey.name} : {label} — {outcome.outcome}"
    return Interaction(
        person_id=enrolment.person_id,
        occurred_at=now,
        kind=Interaction.Kind.JOURNEY_STEP,
        summary=summary[:300],
        body=outcome.detail,
        ref_type="journeys.enrolment",
        ref_id=str(enrolment.pk),
    )


def _goal_reached(enrolments, versions, now, runs, timeline) -> set[int]:
    """Enrolments whose person meets their version's goal leave the journey first."""
    ended = set()
    by_version = defaultdict(list)
    for enrolment in enrolments:
        if versions[enrolment.version_id].goal:
            by_version[enrolment.version_id].append(enrolment)
    for version_id, group in by_version.items():
        version = versions[version_id]
        people = {e.person_id: e for e in group}
        hit = (
            filters.people(version.goal, today=timezone.localdate(now))
            .filter(pk__in=list(people))
            .values_list("pk", flat=True)
        )
        for person_id in hit:
            enrolment = people[person_id]
            _end(enrolment, Enrolment.Status.GOAL, now)
            ended.add(enrolment.pk)
            outcome = step_kinds.Outcome(None, "goal")
            runs.append(
                StepRun(
                    enrolment=enrolment,
                    journey_id=version.journey_id,
                    step_id=enrolment.step_id,
                    kind="goal",
                    outcome="goal",
                    at=now,
                )
            )
            timeline.append(_line(enrolment, version.journey, _("Goal reached"), outcome, now))
    return ended
