"""What every channel turns its input into, and what it is asked to send.

Channels only translate between the outside world and these plain objects; the cases
domain decides what a message means (threading, identification, cases)."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class IncomingAttachment:
    filename: str
    content: bytes
    declared_type: str = ""


@dataclass
class IncomingMessage:
    channel: str
    sender: str = ""  # email address or E.164 number, as given
    sender_name: str = ""
    recipient: str = ""
    subject: str = ""
    body_text: str = ""
    body_html: str = ""  # not yet sanitised
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    received_at: datetime | None = None
    raw: bytes = b""
    raw_extension: str = "txt"
    attachments: list[IncomingAttachment] = field(default_factory=list)
    auto_submitted: bool = False  # auto-replies, out-of-office: never open a case
    rejected_attachments: list[tuple[str, str]] = field(default_factory=list)  # name, reason


@dataclass
class OutgoingMessage:
    channel: str
    to: str
    body_text: str
    subject: str = ""
    body_html: str = ""
    message_id: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)


class DeliveryError(Exception):
    """The provider refused or could not be reached; `retryable` says whether to try again."""

    def __init__(self, message: str, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable
