"""Thin, idempotent tasks: the state is in the rows (send keys, `reminder_sent_at`)."""

from datetime import datetime, time, timedelta

from celery import shared_task
from django.utils import timezone

from .models import Appointment


@shared_task
def send_confirmation(appointment_id: int) -> str:
    from . import notify

    appointment = (
        Appointment.objects.select_related("person", "place", "motive")
        .filter(pk=appointment_id, status=Appointment.Status.BOOKED)
        .first()
    )
    if appointment is None:
        return "gone"
    return notify.confirmation(appointment).status


@shared_task
def send_cancellation(appointment_id: int) -> str:
    from . import notify

    appointment = (
        Appointment.objects.select_related("person", "place", "motive")
        .filter(pk=appointment_id, status=Appointment.Status.CANCELLED)
        .first()
    )
    if appointment is None:
        return "gone"
    return notify.cancellation(appointment).status


def send_reminders_due(now=None) -> dict:
    """The reminder of every appointment of tomorrow (local date) not reminded yet."""
    from . import notify

    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, time(0)))
    rows = Appointment.objects.filter(
        status=Appointment.Status.BOOKED,
        reminder_sent_at__isnull=True,
        start__gte=start,
        start__lt=start + timedelta(days=1),
    ).select_related("person", "place", "motive")
    out = {"sent": 0, "refused": 0, "failed": 0}
    for appointment in rows:
        dispatch = notify.reminder(appointment)
        if dispatch.status == "failed":
            out["failed"] += 1
            continue  # tried again at the next run
        Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=now)
        out["sent" if dispatch.status == "sent" else "refused"] += 1
    return out


@shared_task
def send_reminders() -> dict:
    return send_reminders_due()
