"""Celery tasks: thin wrappers, the state is in the database (see scheduler and delivery)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import delivery, scheduler, services


@shared_task(acks_late=True)
def tick() -> dict:
    """Every minute (beat): enrol scheduled audiences, advance due enrolments, send what is
    due, recover batches of dead workers."""
    enrolled = services.enrol_due_schedules()
    steps = scheduler.run_due()
    recovered = delivery.recover_stale()
    sent = delivery.deliver_due()
    return {"enrolled": enrolled, "steps": steps, **sent, **recovered}


@shared_task(acks_late=True)
def deliver_dispatch(dispatch_id: int) -> dict:
    return delivery.deliver_due(ids=[dispatch_id], max_batches=1)


@shared_task
def build_letters(days_back: int = 1) -> int:
    """Each morning (beat): the printable PDF of yesterday's letters (and today's so far)."""
    from .letters import build_batch

    today = timezone.localdate()
    built = 0
    for offset in range(days_back, -1, -1):
        if build_batch(today - timedelta(days=offset)):
            built += 1
    return built


@shared_task
def send_digests() -> dict:
    """Daily (beat): the periodic digest of informational messages the pressure cap held."""
    from .digest import send_digests as run

    return run()
