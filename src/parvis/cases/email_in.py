"""Email in: one function takes raw email bytes into the common intake, whether they come
from an IMAP mailbox, a local maildir (the demo) or a folder of .eml files
(`parvis ingest-eml`), so that all three behave the same."""

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings

from parvis.channels import imap, maildir
from parvis.channels.email_parse import MalformedEmail, parse_email

from . import intake
from .models import Service

logger = logging.getLogger(__name__)

DATE_HEADER = re.compile(rb"^Date:[ \t]*(.+?)\r?$", re.IGNORECASE | re.MULTILINE)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class EmailResult:
    outcome: str  # created, threaded, duplicate, ignored, rejected
    reason: str = ""
    reference: str = ""


def receive_email(
    raw: bytes, *, service: Service | None = None, sent_date: bool = False
) -> EmailResult:
    """Parse one email and take it in; commits before returning (autocommit).

    A message polled from a mailbox is dated when it arrives: its Date header is the
    sender's clock, which may be wrong or forged and would bury the case in the inbox.
    `sent_date` keeps the Date header instead, for a mailbox migrated from .eml files."""
    try:
        incoming = parse_email(raw)
    except MalformedEmail as exc:
        logger.warning("Email refused: %s", exc.reason)
        return EmailResult("rejected", exc.reason)
    if not sent_date:
        incoming.received_at = None
    result = intake.receive(incoming, service=service)
    return EmailResult(result.outcome, result.reason, result.case.reference if result.case else "")


def _service(code: str) -> Service | None:
    if not code:
        return None
    service = Service.objects.filter(slug=code).first()
    if service is None:
        logger.error("Mailbox configured for an unknown service %r: cases left unassigned", code)
    return service


def poll_mailboxes() -> list[imap.PollReport]:
    """Every configured IMAP mailbox and maildir, once. One that fails does not stop the
    others; its messages wait for the next poll."""
    reports = []
    for url in settings.PARVIS_IMAP_MAILBOXES:
        try:
            mailbox = imap.parse_mailbox_url(url)
        except ValueError as exc:
            logger.error("PARVIS_IMAP_MAILBOXES: %s", exc)
            continue
        service = _service(mailbox.service)
        reports.append(
            imap.poll(
                mailbox,
                lambda raw, service=service: receive_email(raw, service=service).outcome,
                max_message_bytes=settings.PARVIS_EMAIL_MAX_BYTES,
            )
        )
    for path in settings.PARVIS_MAILDIRS:
        reports.append(maildir.poll_maildir(path, lambda raw: receive_email(raw).outcome))
    for report in reports:
        if report.handled or report.failed or report.error:
            logger.info("Mail from %s: %s", report.mailbox, report.summary())
    return reports


# --- a folder of .eml files -------------------------------------------------------------------


@dataclass
class FolderReport:
    files: int = 0
    outcomes: Counter = field(default_factory=Counter)
    rejections: list[tuple[str, str]] = field(default_factory=list)  # file, reason

    def line(self) -> str:
        o = self.outcomes
        return (
            f"files={self.files} ingested={o['created'] + o['threaded']} "
            f"new_cases={o['created']} threaded={o['threaded']} "
            f"ignored={o['ignored'] + o['duplicate']} auto_replies={o['ignored']} "
            f"duplicates={o['duplicate']} rejected={o['rejected']}"
        )


def _sent_at(path: Path) -> datetime:
    """The Date header, read from the head of the file only: files are taken oldest first
    so that an answer finds the message it answers already there."""
    with path.open("rb") as handle:
        head = handle.read(65536).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = DATE_HEADER.search(head)
    if found:
        try:
            date = parsedate_to_datetime(found.group(1).decode("ascii", "replace"))
            return date if date.tzinfo else date.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    return EPOCH


def eml_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    files = [p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".eml"]
    return sorted(files, key=lambda p: (_sent_at(p), str(p)))


def ingest_folder(folder, *, service: Service | None = None, progress=None) -> FolderReport:
    """Take every .eml of a folder (and its subfolders) through the same path as IMAP.
    Files are only read: running it again finds duplicates and changes nothing."""
    report = FolderReport()
    for path in eml_files(Path(folder)):
        report.files += 1
        try:
            result = receive_email(path.read_bytes(), service=service, sent_date=True)
        except Exception as exc:  # one bad file does not stop a migration
            logger.exception("%s could not be taken in", path)
            result = EmailResult("rejected", f"internal error: {type(exc).__name__}: {exc}")
        report.outcomes[result.outcome] += 1
        if result.outcome == "rejected":
            report.rejections.append((str(path), result.reason))
        if progress:
            progress(report)
    return report
