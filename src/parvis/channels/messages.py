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
class DeliveryReport:
    """One recipient's line of a delivery status notification (RFC 3464)."""

    recipient: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str  # "5.1.1"
    diagnostic: str = ""
    original_message_id: str = ""  # the Message-ID of the message it reports on

    @property
    def hard(self) -> bool:
        return self.action == "failed" and self.status.startswith("5")


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
    # A bounce (multipart/report; report-type=delivery-status): never a case, see
    # parvis.channels.bounces.
    delivery_reports: list[DeliveryReport] = field(default_factory=list)


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
