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


MAX_ATTEMPTS = 5


def retry_failed(now=None) -> int:
    """Confirmations and cancellations the mail server refused for a passing reason (the
    hourly run tries them again, a few times, for appointments still ahead)."""
    from parvis.journeys.models import Dispatch

    now = now or timezone.now()
    failed = Dispatch.objects.filter(
        send_key__startswith="appointment", status="failed", attempts__lt=MAX_ATTEMPTS
    ).values_list("send_key", flat=True)
    retried = 0
    for send_key in failed:
        appointment_id, _sep, kind = send_key.removeprefix("appointment").partition(":")
        task = {"confirmation": send_confirmation, "cancellation": send_cancellation}.get(kind)
        if (
            task is None
            or not Appointment.objects.filter(pk=int(appointment_id), start__gt=now).exists()
        ):
            continue
        task(int(appointment_id))
        retried += 1
    return retried


@shared_task
def send_reminders() -> dict:
    return {**send_reminders_due(), "retried": retry_failed()}
