"""Celery tasks of the alerts: thin, the state is in the database (see alerts.py)."""

from celery import shared_task


@shared_task(acks_late=True)
def queue_alert_update(update_id: int) -> dict:
    from . import alerts
    from .models import AlertUpdate

    update = AlertUpdate.objects.filter(pk=update_id).first()
    if update is None:
        return {}
    return alerts.queue_update(update)


@shared_task(acks_late=True)
def deliver_alert_messages(dispatch_ids: list[int]) -> dict:
    from parvis.journeys import delivery

    return delivery.deliver_due(ids=dispatch_ids)
