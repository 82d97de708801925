"""Accepting or refusing files sent by citizens, and storing the accepted ones.

A refused file is still recorded (name, size, reason) so the agent and the sender know what
happened; only its bytes are not kept."""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .models import Attachment, Message


def check(filename: str, content: bytes) -> str:
    """The reason to refuse this file, or '' to accept it."""
    if len(content) > settings.PARVIS_MAX_ATTACHMENT_BYTES:
        return _("The file is larger than %(max)s MB.") % {
            "max": settings.PARVIS_MAX_ATTACHMENT_BYTES // (1024 * 1024)
        }
    return ""


def store_attachment(message: Message, filename: str, content: bytes) -> Attachment:
    filename = (filename or "piece-jointe").replace("/", "_").replace("\\", "_")[:255]
    reason = check(filename, content)
    attachment = Attachment(
        message=message,
        filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        status=Attachment.Status.REFUSED if reason else Attachment.Status.ACCEPTED,
        refusal_reason=reason,
    )
    if not reason:
        attachment.file.save(filename, ContentFile(content), save=False)
    attachment.save()
    return attachment


def record_refused(message: Message, filename: str, reason: str, size: int = 0) -> Attachment:
    """A file refused before its bytes were read (too big for the channel, unreadable)."""
    return Attachment.objects.create(
        message=message,
        filename=(filename or "piece-jointe")[:255],
        size=size,
        status=Attachment.Status.REFUSED,
        refusal_reason=reason[:300],
    )
