"""Journeys: definitions and versions, enrolment (set-based), agent takeover."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.audiences import filters
from parvis.audiences.services import members
from parvis.people.models import Interaction, Person, Purpose
from parvis.people.services import record_interaction

from . import steps as step_kinds
from .models import Enrolment, Journey, JourneyVersion, StepRun

# --- definitions ------------------------------------------------------------------------------


def validate_journey_fields(data: dict) -> dict:
    errors = {}
    cleaned = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = _("This field is required.")
    cleaned["name"] = name[:200]
    if data.get("purpose") not in Purpose.values:
        errors["purpose"] = _("Choose a purpose.")
    cleaned["purpose"] = data.get("purpose")
    trigger = data.get("trigger") or "manual"
    if trigger not in Journey.Trigger.values:
        errors["trigger"] = _("Unknown trigger.")
    cleaned["trigger"] = trigger
    reentry = data.get("reentry") or "never"
    if reentry not in Journey.Reentry.values:
        errors["reentry"] = _("Unknown re-entry rule.")
    cleaned["reentry"] = reentry
    for field, default, top in (("reentry_days", 365, 3650), ("schedule_hours", 24, 24 * 90)):
        try:
            value = int(data.get(field) or default)
            if not 1 <= value <= top:
                raise ValueError
            cleaned[field] = value
        except (TypeError, ValueError):
            errors[field] = _("Expected a number from 1 to %(n)s.") % {"n": top}
    cleaned["audience"] = data.get("audience") or None
    if trigger == "schedule" and cleaned["audience"] is None:
        errors["audience"] = _("A scheduled journey needs an audience.")
    key = str(data.get("trigger_fact_key") or "").strip()
    if trigger == "fact_changed":
        from parvis.people.models import FactKey

        if not FactKey.objects.filter(key=key).exists():
            errors["trigger_fact_key"] = _("Choose a known fact.")
    cleaned["trigger_fact_key"] = key
    if errors:
        raise ValidationError(errors)
    return cleaned


def save_journey(data: dict, *, journey: Journey | None = None, user=None) -> Journey:
    cleaned = validate_journey_fields(data)
    journey = journey or Journey(created_by=user if getattr(user, "pk", None) else None)
    for field, value in cleaned.items():
        setattr(journey, field, value)
    journey.save()
    return journey


def new_version(journey: Journey, steps, *, goal=None, user=None) -> JourneyVersion:
    """Save edited steps as a new version (the old one stays for the people running it)."""
    try:
        cleaned = step_kinds.validate_steps(steps)
        cleaned_goal = filters.validate(goal) if goal else None
    except step_kinds.StepError as exc:
        raise ValidationError({"steps": str(exc)}) from None
    except filters.TreeError as exc:
        raise ValidationError({"goal": str(exc)}) from None
    with transaction.atomic():
        locked = Journey.objects.select_for_update().get(pk=journey.pk)
        last = locked.versions.order_by("-number").first()
        version = JourneyVersion.objects.create(
            journey=locked,
            number=(last.number + 1) if last else 1,
            steps=cleaned,
            goal=cleaned_goal,
            created_by=user if getattr(user, "pk", None) else None,
        )
        locked.current_version = version
        locked.save(update_fields=["current_version"])
    journey.current_version = version
    return version


def set_status(journey: Journey, status: str, *, actor=None) -> Journey:
    if status not in Journey.Status.values:
        raise ValueError(_("Unknown status."))
    if status == Journey.Status.ACTIVE and journey.current_version_id is None:
        raise ValidationError({"status": _("Add steps before starting the journey.")})
    journey.status = status
    journey.save(update_fields=["status"])
    return journey


# --- enrolment ------------------------------------------------------------------------------------


def _reentry_filter(journey: Journey, now) -> Q:
    """Persons who may not enter now, as a condition to exclude. An uncorrelated IN (one
    hashed set, computed once) rather than a NOT EXISTS per person: the INSERT that follows
    adds rows to this very table, and a per-person scan of it would grow with every row."""
    mine = Enrolment.objects.filter(journey=journey)
    if journey.reentry == Journey.Reentry.AFTER_DAYS:
        mine = mine.filter(
            Q(status__in=Enrolment.LIVE)
            | Q(entered_at__gte=now - timedelta(days=journey.reentry_days))
        )
    elif journey.reentry == Journey.Reentry.AFTER_EXIT:
        mine = mine.filter(status__in=Enrolment.LIVE)
    return Q(pk__in=mine.values("person_id"))


def enrol(journey: Journey, *, person_ids=None, reason: str = "audience", now=None) -> int:
    """Enrol the journey's audience (or these persons, if they belong to it) with one
    INSERT … SELECT, skipping who the re-entry rule keeps out; each entry is written to the
    person's timeline by a second INSERT … SELECT. Returns how many entered."""
    now = now or timezone.now()
    version = journey.current_version
    if version is None:
        raise ValidationError({"steps": _("The journey has no steps yet.")})
    people = (
        members(journey.audience, today=timezone.localdate(now))
        if journey.audience_id
        else Person.objects.filter(deceased_on__isnull=True)
    )
    if person_ids is not None:
        people = people.filter(pk__in=list(person_ids))
    elif not journey.audience_id:
        return 0
    people = people.exclude(_reentry_filter(journey, now)).annotate(pid=F("pk")).values("pid")
    sql, params = people.query.sql_with_params()
    table = Enrolment._meta.db_table
    first = version.steps[0]["id"]
    at = connection.ops.adapt_datetimefield_value(now)
    insert = "INSERT OR IGNORE INTO" if connection.vendor == "sqlite" else "INSERT INTO"
    conflict = "" if connection.vendor == "sqlite" else " ON CONFLICT DO NOTHING"
    with transaction.atomic(), connection.cursor() as cursor:
        # bucket: a fixed pseudo-random 0-99 per person and journey for A/B variants.
        cursor.execute(
            f"{insert} {table} (journey_id, version_id, person_id, status, step_id, "
            "step_entered_at, steps_done, next_run_at, bucket, entered_at, entry_reason) "
            f"SELECT %s, %s, sub.pid, 'active', %s, %s, 0, %s, "
            f"((sub.pid * 7919 + %s) %% 100), %s, %s FROM ({sql}) sub{conflict}",
            [journey.pk, version.pk, first, at, at, journey.pk * 104729, at, reason[:60], *params],
        )
        entered = cursor.rowcount
        if entered:
            summary = (_("Entered the journey “%(j)s”") % {"j": journey.name})[:300]
            cursor.execute(
                f"INSERT INTO {Interaction._meta.db_table} (person_id, occurred_at, kind, "
                "channel, summary, body, ref_type, ref_id) "
                f"SELECT person_id, %s, %s, '', %s, '', 'journeys.enrolment', "
                f"CAST(id AS TEXT) FROM {table} "
                "WHERE journey_id = %s AND entered_at = %s AND entry_reason = %s",
                [at, Interaction.Kind.JOURNEY_STEP, summary, journey.pk, at, reason[:60]],
            )
    journey.last_enrolled_at = now
    journey.save(update_fields=["last_enrolled_at"])
    return entered


def enrol_due_schedules(now=None) -> int:
    """Enrol the audiences of active scheduled journeys whose interval has elapsed."""
    now = now or timezone.now()
    total = 0
    for journey in Journey.objects.filter(
        status=Journey.Status.ACTIVE, trigger=Journey.Trigger.SCHEDULE
    ):
        due = (
            journey.last_enrolled_at is None
            or journey.last_enrolled_at + timedelta(hours=journey.schedule_hours) <= now
        )
        if due:
            total += enrol(journey, reason="schedule", now=now)
    return total


def enrol_on_event(trigger: str, person_id: int, *, fact_key: str = "", reason: str = ""):
    journeys = Journey.objects.filter(status=Journey.Status.ACTIVE, trigger=trigger)
    if fact_key:
        journeys = journeys.filter(trigger_fact_key=fact_key)
    for journey in journeys:
        enrol(journey, person_ids=[person_id], reason=reason or trigger)


# --- agent takeover ----------------------------------------------------------------------------


def _takeover(enrolment: Enrolment, outcome: str, summary: str, actor):
    now = timezone.now()
    StepRun.objects.create(
        enrolment=enrolment,
        journey_id=enrolment.journey_id,
        step_id=enrolment.step_id,
        kind="agent",
        outcome=outcome,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
    )
    record_interaction(
        enrolment.person,
        kind=Interaction.Kind.JOURNEY_STEP,
        summary=summary,
        actor=actor,
        ref=enrolment,
    )


def pause_enrolment(enrolment: Enrolment, *, actor=None) -> Enrolment:
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise ValidationError(_("Only a running enrolment can be paused."))
    enrolment.status = Enrolment.Status.PAUSED
    enrolment.save(update_fields=["status"])
    _takeover(
        enrolment,
        "paused",
        _("Journey “%(j)s” paused by an agent") % {"j": enrolment.journey.name},
        actor,
    )
    return enrolment


def resume_enrolment(enrolment: Enrolment, *, actor=None) -> Enrolment:
    if enrolment.status != Enrolment.Status.PAUSED:
        raise ValidationError(_("Only a paused enrolment can be resumed."))
    enrolment.status = Enrolment.Status.ACTIVE
    enrolment.next_run_at = enrolment.next_run_at or timezone.now()
    enrolment.save(update_fields=["status", "next_run_at"])
    _takeover(
        enrolment,
        "resumed",
        _("Journey “%(j)s” resumed by an agent") % {"j": enrolment.journey.name},
        actor,
    )
    return enrolment


def skip_step(enrolment: Enrolment, *, actor=None) -> Enrolment:
    if enrolment.status not in Enrolment.LIVE:
        raise ValidationError(_("This enrolment has ended."))
    skipped = enrolment.step_id
    following = enrolment.version.next_step_id(skipped)
    _takeover(
        enrolment,
        "skipped",
        _("Step “%(s)s” of “%(j)s” skipped by an agent")
        % {"s": skipped, "j": enrolment.journey.name},
        actor,
    )
    now = timezone.now()
    if following is None:
        enrolment.status, enrolment.ended_at = Enrolment.Status.COMPLETED, now
    else:
        enrolment.step_id, enrolment.step_entered_at, enrolment.next_run_at = following, now, now
        enrolment.steps_done += 1
    enrolment.save()
    return enrolment


def send_extra(enrolment: Enrolment, *, channel: str, subject: str, text: str, actor=None):
    """An agent's own message to a person of the journey, through the gate like any other."""
    from parvis.channels import gate

    if not (text or "").strip():
        raise ValidationError({"text": _("The message is empty.")})
    if channel not in ("email", "sms", "postal", "push", "portal"):
        raise ValidationError({"channel": _("Unknown channel.")})
    return gate.send(
        enrolment.person,
        channel,
        enrolment.journey.purpose,
        subject=subject,
        text=text,
        source="agent",
        journey=enrolment.journey,
        enrolment=enrolment,
        actor=actor,
    )
