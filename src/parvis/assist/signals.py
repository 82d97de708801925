"""Reactions to the cases domain: a message received is triaged by a worker."""

import logging

logger = logging.getLogger(__name__)


def on_message_received(sender, message, created=False, **kwargs):
    from . import versions
    from .tasks import classify_attachments, triage_message

    if message is None or message.direction != "in":
        return
    # No model has been trained in this database: triage is off (nothing to suggest yet).
    if versions.active_triage() is None:
        return
    triage_message.delay(message.pk)
    if message.attachments.exists():
        classify_attachments.delay(message.pk)
