from celery import shared_task


@shared_task(acks_late=True)
def triage_message(message_id: int) -> str:
    """Idempotent: a message already triaged is not triaged again."""
    from . import services

    return services.triage_message_id(message_id)


@shared_task
def retrain_triage() -> int:
    """The periodic retraining on the administration's own closed cases."""
    from . import versions

    return versions.retrain().pk


@shared_task(acks_late=True)
def classify_attachments(message_id: int) -> int:
    from . import services

    return services.classify_message_attachments(message_id)
