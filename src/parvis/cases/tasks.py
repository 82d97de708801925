from celery import shared_task

from parvis.channels.messages import DeliveryError

from . import services


@shared_task(
    autoretry_for=(DeliveryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=12,
    acks_late=True,
)
def deliver_message(message_id: int) -> str:
    return services.deliver(message_id)


@shared_task
def sweep_queued_messages() -> int:
    """Re-dispatch answers left queued (a worker died, the broker lost a task)."""
    ids = list(services.stale_queued()[:500])
    for message_id in ids:
        deliver_message.delay(message_id)
    return len(ids)


@shared_task
def poll_mailboxes() -> dict:
    """Email in: every IMAP mailbox and maildir once (beat, every minute)."""
    from .email_in import poll_mailboxes as poll

    return {report.mailbox: report.summary() for report in poll()}
