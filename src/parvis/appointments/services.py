"""Slots, booking, cancelling and attendance.

A slot of a motive starts at an opening time and every `duration` minutes after, while it
ends within the opening range. Its capacity is the number of agents available at the place
for the whole slot; the seats left are the capacity minus the appointments that overlap it
at its busiest moment. No slot on French public holidays, on the place's closures, or in the
past (nor within `PARVIS_BOOKING_MIN_NOTICE_MINUTES`).

Booking locks the place's row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite's write
transactions are serialised anyway), counts again and writes: of two citizens taking the
last seat at once, one gets it and the other a `BookingError` saying the slot was just taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import holidays
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.people.models import Interaction, Person
from parvis.people.services import record_interaction

from .models import Appointment, Availability, Closure, Motive, OpeningHours, Place


class BookingError(Exception):
    """A booking or cancellation that cannot be done; the message is for the citizen."""


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    capacity: int
    taken: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.taken, 0)


@cache
def _holidays(year: int):
    return holidays.France(years=year)


def is_closed(place: Place, day: date) -> bool:
    return day in _holidays(day.year) or Closure.objects.filter(place=place, day=day).exists()


def min_notice() -> timedelta:
    return timedelta(minutes=getattr(settings, "PARVIS_BOOKING_MIN_NOTICE_MINUTES", 60))


def booking_horizon_days() -> int:
    return getattr(settings, "PARVIS_BOOKING_HORIZON_DAYS", 90)


def _aware(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _busiest(intervals: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> int:
    """The largest number of `intervals` overlapping one moment of [start, end)."""
    points = sorted({start, *(s for s, _e in intervals if start < s < end)})
    return max(
        (sum(1 for s, e in intervals if s <= point < e) for point in points),
        default=0,
    )


def slots(motive: Motive, day: date, *, now: datetime | None = None) -> list[Slot]:
    """Every slot of `motive` on `day`, with its capacity and seats taken (full ones too)."""
    place = motive.place
    now = now or timezone.now()
    if not (place.active and motive.active) or is_closed(place, day):
        return []
    if day > timezone.localdate(now) + timedelta(days=booking_horizon_days()):
        return []
    weekday = day.weekday()
    ranges = OpeningHours.objects.filter(place=place, weekday=weekday).order_by("start")
    agents = [
        a for a in Availability.objects.filter(place=place, weekday=weekday) if not a.absent_on(day)
    ]
    booked = list(
        Appointment.objects.filter(
            place=place,
            status__in=Appointment.HOLDING,
            start__lt=_aware(day + timedelta(days=1), time(0)),
            end__gt=_aware(day, time(0)),
        ).values_list("start", "end")
    )
    step = timedelta(minutes=motive.duration_minutes)
    earliest = now + min_notice()
    out = []
    for opening in ranges:
        start = _aware(day, opening.start)
        closing = _aware(day, opening.end)
        while start + step <= closing:
            end = start + step
            if start >= earliest:
                local_start, local_end = timezone.localtime(start), timezone.localtime(end)
                capacity = len(
                    {
                        a.agent_id
                        for a in agents
                        if a.start <= local_start.time() and local_end.time() <= a.end
                    }
                )
                out.append(Slot(start, end, capacity, _busiest(booked, start, end)))
            start = end
    return out


def free_slots(motive: Motive, day: date, *, now=None) -> list[Slot]:
    return [s for s in slots(motive, day, now=now) if s.free > 0]


def week(motive: Motive, first: date, *, days: int = 7, now=None) -> list[tuple[date, list[Slot]]]:
    """The free slots of `days` days from `first`, day by day (closed days included, empty)."""
    return [
        (first + timedelta(days=i), free_slots(motive, first + timedelta(days=i), now=now))
        for i in range(days)
    ]


def upcoming(person: Person, *, now=None):
    now = now or timezone.now()
    return (
        Appointment.objects.filter(person=person, status=Appointment.Status.BOOKED, end__gte=now)
        .select_related("place", "motive")
        .order_by("start")
    )


def _summary(appointment: Appointment) -> str:
    local = timezone.localtime(appointment.start)
    return f"{appointment.motive.name}, {local:%d/%m/%Y %H:%M}, {appointment.place.name}"


@transaction.atomic
def book(
    person: Person,
    motive: Motive,
    start: datetime,
    *,
    source: str,
    actor=None,
    dispatch_token: str = "",
    now: datetime | None = None,
) -> Appointment:
    """Book `start` for `person`; raises BookingError (with a message for the citizen) when
    the slot does not exist, is full or was just taken."""
    now = now or timezone.now()
    place = Place.objects.select_for_update().get(pk=motive.place_id)
    motive.place = place
    day = timezone.localtime(start).date()
    slot = next((s for s in slots(motive, day, now=now) if s.start == start), None)
    if slot is None:
        raise BookingError(_("This time is not offered for this motive. Please choose a slot."))
    if slot.free <= 0:
        raise BookingError(
            _("Sorry, this slot has just been taken by someone else. Please choose another one.")
        )
    if upcoming(person, now=now).filter(motive=motive).exists():
        raise BookingError(
            _("You already have an appointment for this motive: cancel it first to change it.")
        )
    journey_id, dispatch = None, None
    if dispatch_token:
        from parvis.journeys.models import Dispatch

        dispatch = Dispatch.objects.filter(token=dispatch_token, person=person).first()
        journey_id = dispatch.journey_id if dispatch else None
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                place=place,
                motive=motive,
                person=person,
                start=slot.start,
                end=slot.end,
                source=source,
                journey_id=journey_id,
            )
    except IntegrityError:
        raise BookingError(_("You already have an appointment at this time.")) from None
    record_interaction(
        person,
        kind=Interaction.Kind.VISIT,
        channel="portal" if source != "console" else "counter",
        summary=_("Appointment booked: %(s)s") % {"s": _summary(appointment)},
        actor=actor,
        ref=appointment,
    )
    _engagement(appointment, dispatch)
    _record_fact(appointment, actor)
    from .tasks import send_confirmation

    transaction.on_commit(lambda: send_confirmation.delay(appointment.pk))
    return appointment


def _engagement(appointment: Appointment, dispatch) -> None:
    """A booking is an engagement event journeys branch on ("booked" in the engagement
    split): on the message whose link was used when there is one, else on the person."""
    from parvis.journeys import tracking

    detail = f"appointment {appointment.pk}: {appointment.motive.code}"
    if dispatch is not None:
        tracking.record(dispatch, "booked", detail=detail)
    else:
        tracking.record_person_event(appointment.person, "booked", detail=detail)


def _record_fact(appointment: Appointment, actor) -> None:
    """The motive's dated fact (e.g. passport_appointment_on): journeys wait for it."""
    key = appointment.motive.fact_key
    if not key:
        return
    from parvis.people.models import DataSource, FactKey
    from parvis.people.services import add_fact

    source = DataSource.objects.filter(code="agent").first()
    if source is None or not FactKey.objects.filter(key=key, value_type="date").exists():
        return  # a key not (or no longer) in the catalogue: the booking stands without it
    add_fact(
        appointment.person,
        key=key,
        value=timezone.localtime(appointment.start).date(),
        source=source,
        legal_basis=_("Appointment booked by the citizen"),
        actor=actor,
    )


def cancel(appointment: Appointment, *, actor=None, by_citizen: bool = True, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if row.status != Appointment.Status.BOOKED:
            raise BookingError(_("This appointment is no longer booked: nothing to cancel."))
        if row.start <= now:
            raise BookingError(_("This appointment has already started: it cannot be cancelled."))
        row.status = Appointment.Status.CANCELLED
        row.cancelled_at = now
        row.save(update_fields=["status", "cancelled_at"])
        who = _("by the citizen") if by_citizen else _("by an agent")
        record_interaction(
            row.person,
            kind=Interaction.Kind.VISIT,
            channel="portal" if by_citizen else "",
            summary=_("Appointment cancelled %(who)s: %(s)s") % {"who": who, "s": _summary(row)},
            actor=actor,
            ref=row,
        )
        from .tasks import send_cancellation

        transaction.on_commit(lambda: send_cancellation.delay(row.pk))
    appointment.status, appointment.cancelled_at = row.status, row.cancelled_at
    return row


def mark(appointment: Appointment, status: str, *, actor, now=None) -> Appointment:
    """The agent records that the citizen came, or did not."""
    if status not in (Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW):
        raise BookingError(_("Unknown attendance."))
    now = now or timezone.now()
    with transaction.atomic():
        row = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if row.status == Appointment.Status.CANCELLED:
            raise BookingError(_("This appointment was cancelled."))
        if row.start > now:
            raise BookingError(_("The appointment has not started yet."))
        row.status, row.marked_at, row.marked_by = status, now, actor
        row.save(update_fields=["status", "marked_at", "marked_by"])
        label = (
            _("Came to the appointment: %(s)s")
            if status == Appointment.Status.ATTENDED
            else _("Did not come to the appointment: %(s)s")
        )
        record_interaction(
            row.person,
            kind=Interaction.Kind.VISIT,
            channel="counter",
            summary=label % {"s": _summary(row)},
            actor=actor,
            ref=row,
        )
    return row


def agenda(place: Place, day: date):
    """The day's appointments of a place, cancelled ones included (greyed in the page)."""
    return (
        Appointment.objects.filter(
            place=place,
            start__gte=_aware(day, time(0)),
            start__lt=_aware(day + timedelta(days=1), time(0)),
        )
        .select_related("motive", "person")
        .order_by("start", "id")
    )
