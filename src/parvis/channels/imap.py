"""Polling IMAP mailboxes: every message not yet taken is fetched, handed to a handler, and
flagged only once the handler has returned, that is once the case and message are committed.

So a connection dropped in the middle of a fetch loses nothing (what was not flagged is
fetched again at the next poll) and doubles nothing (what was committed but not flagged
comes back as a duplicate, which the intake recognises by its Message-ID, and is flagged
then). Messages are read with BODY.PEEK[], which does not set \\Seen.

A message taken is flagged \\Seen and $ParvisProcessed; one that could not be read as an
email also \\Flagged and $ParvisRejected, and stays in the mailbox for a person to look at.
On a server without custom keywords (no \\* in PERMANENTFLAGS) \\Seen alone marks it.

Mailboxes are configured by URL (PARVIS_IMAP_MAILBOXES, comma-separated):

    imaps://user:password@imap.example.fr/INBOX             TLS (port 993 by default)
    imap+starttls://user:password@imap.example.fr/INBOX     STARTTLS (port 143)
    imap://user:password@127.0.0.1:1143/INBOX               no encryption: loopback only
    ...?service=etat-civil                                  cases go to that service

Special characters in the user or password are percent-encoded (%40 for @, %2C for a comma).
"""

import imaplib
import ipaddress
import logging
import re
import ssl
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

logger = logging.getLogger(__name__)

PROCESSED = "$ParvisProcessed"
REJECTED = "$ParvisRejected"
# A SEARCH answer comes on one line: 1 MB (imaplib's default cap) is ~150,000 message
# numbers, which a migrated mailbox can exceed.
imaplib._MAXLINE = max(imaplib._MAXLINE, 64 * 1024 * 1024)

Handler = Callable[[bytes], str]  # raw message -> outcome ("rejected" or anything else)
SCHEMES = {"imaps": ("tls", 993), "imap+starttls": ("starttls", 143), "imap": ("none", 143)}


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    security: str = "tls"  # tls, starttls, none
    service: str = ""  # code (slug) of the service its cases go to

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


def parse_mailbox_url(url: str) -> Mailbox:
    parts = urlsplit(url.strip())
    if parts.scheme not in SCHEMES:
        raise ValueError(
            "mailbox URL scheme must be imaps://, imap+starttls:// or imap://, "
            f"not {parts.scheme!r}"
        )
    if not parts.hostname or not parts.username:
        raise ValueError("mailbox URL needs a user and a host: imaps://user:password@host/INBOX")
    security, default_port = SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ValueError(f"mailbox URL has an invalid port: {exc}") from None
    query = parse_qs(parts.query)
    return Mailbox(
        host=parts.hostname,
        port=port,
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        security=security,
        service=(query.get("service") or [""])[0],
    )


@dataclass
class PollReport:
    mailbox: str
    outcomes: Counter = field(default_factory=Counter)
    failed: int = 0  # the handler raised: left unflagged, tried again at the next poll
    error: str = ""  # the connection failed or dropped

    @property
    def handled(self) -> int:
        return sum(self.outcomes.values())

    def summary(self) -> dict:
        return {**self.outcomes, "failed": self.failed, "error": self.error}


def _quote(folder: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_./-]+", folder):
        return folder
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _uid_set(uids: list[int]) -> str:
    """1,2,3,5 -> "1:3,5": a short command line even for thousands of messages."""
    ranges: list[str] = []
    start = previous = None
    for uid in sorted(uids):
        if start is None:
            start = previous = uid
        elif uid == previous + 1:
            previous = uid
        else:
            ranges.append(f"{start}:{previous}" if start != previous else str(start))
            start = previous = uid
    if start is not None:
        ranges.append(f"{start}:{previous}" if start != previous else str(start))
    return ",".join(ranges)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def connect(mailbox: Mailbox, timeout: float = 60) -> imaplib.IMAP4:
    if mailbox.security == "tls":
        connection = imaplib.IMAP4_SSL(
            mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=timeout
        )
    else:
        connection = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=timeout)
        if mailbox.security == "starttls":
            connection.starttls(ssl.create_default_context())
        elif not _is_loopback(mailbox.host):
            logger.warning("IMAP mailbox %s is read without encryption", mailbox.label)
    connection.login(mailbox.user, mailbox.password)
    return connection


def _check(response, what: str):
    typ, data = response
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what}: {typ} {detail}")
    return data


def _fetched(data) -> list[tuple[int, bytes]]:
    """(uid, bytes) pairs of a UID FETCH ... BODY.PEEK[] answer, whatever the item order."""
    messages: list[tuple[int, bytes]] = []
    pending: bytes | None = None
    for item in data:
        if isinstance(item, tuple):
            head, literal = item[0], item[1]
            found = re.search(rb"UID (\d+)", head)
            if found:
                messages.append((int(found.group(1)), literal))
                pending = None
            else:
                pending = literal
        elif isinstance(item, bytes) and pending is not None:
            # The server sent UID after the message: "... BODY[] {n}\r\n<bytes> UID 7)".
            found = re.search(rb"UID (\d+)", item)
            if found:
                messages.append((int(found.group(1)), pending))
            pending = None
    return messages


def _sizes(connection: imaplib.IMAP4, uids: list[int]) -> dict[int, int]:
    data = _check(connection.uid("FETCH", _uid_set(uids), "(UID RFC822.SIZE)"), "FETCH sizes")
    sizes: dict[int, int] = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if not isinstance(line, bytes):
            continue
        uid, size = re.search(rb"UID (\d+)", line), re.search(rb"RFC822\.SIZE (\d+)", line)
        if uid and size:
            sizes[int(uid.group(1))] = int(size.group(1))
    return sizes


def _batches(uids: list[int], sizes: dict[int, int], max_count: int, max_bytes: int):
    batch: list[int] = []
    total = 0
    for uid in uids:
        size = sizes.get(uid, 0)
        if batch and (len(batch) >= max_count or total + size > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def poll(
    mailbox: Mailbox,
    handle: Handler,
    *,
    batch_count: int = 100,
    batch_bytes: int = 32 * 1024 * 1024,
    max_message_bytes: int | None = None,
    timeout: float = 60,
) -> PollReport:
    """Take every new message of one mailbox through `handle`; never raises for the
    server's failures (they are in the report and the next poll goes on from there)."""
    report = PollReport(mailbox.label)
    connection = None
    try:
        connection = connect(mailbox, timeout)
        _check(connection.select(_quote(mailbox.folder)), f"SELECT {mailbox.folder}")
        permanent = b" ".join(connection.response("PERMANENTFLAGS")[1] or [b""])
        keywords = b"\\*" in (permanent or b"")
        done_flags = f"(\\Seen {PROCESSED})" if keywords else "(\\Seen)"
        rejected_flags = (
            f"(\\Seen \\Flagged {PROCESSED} {REJECTED})" if keywords else "(\\Seen \\Flagged)"
        )
        criteria = ("UNKEYWORD", PROCESSED) if keywords else ("UNSEEN",)
        found = _check(connection.uid("SEARCH", None, *criteria), "SEARCH")
        uids = sorted(int(u) for u in b" ".join(found).split())
        if not uids:
            return report
        sizes = _sizes(connection, uids)
        if max_message_bytes:
            too_big = [uid for uid in uids if sizes.get(uid, 0) > max_message_bytes]
            if too_big:
                logger.warning(
                    "%s: %d message(s) larger than %d bytes left in the mailbox, flagged",
                    mailbox.label,
                    len(too_big),
                    max_message_bytes,
                )
                _check(
                    connection.uid("STORE", _uid_set(too_big), "+FLAGS.SILENT", rejected_flags),
                    "STORE",
                )
                report.outcomes["rejected"] += len(too_big)
                uids = [uid for uid in uids if uid not in set(too_big)]
        for batch in _batches(uids, sizes, batch_count, batch_bytes):
            data = _check(connection.uid("FETCH", _uid_set(batch), "(UID BODY.PEEK[])"), "FETCH")
            done: list[int] = []
            rejected: list[int] = []
            for uid, raw in _fetched(data):
                try:
                    outcome = handle(raw)
                except Exception:
                    logger.exception("%s: message UID %s could not be taken in", mailbox.label, uid)
                    report.failed += 1
                    continue
                report.outcomes[outcome] += 1
                (rejected if outcome == "rejected" else done).append(uid)
            # Only now, with every message of the batch committed, are they marked.
            if done:
                _check(
                    connection.uid("STORE", _uid_set(done), "+FLAGS.SILENT", done_flags), "STORE"
                )
            if rejected:
                _check(
                    connection.uid("STORE", _uid_set(rejected), "+FLAGS.SILENT", rejected_flags),
                    "STORE",
                )
    except (imaplib.IMAP4.error, OSError, EOFError) as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        logger.warning("IMAP mailbox %s: %s", mailbox.label, report.error)
    finally:
        if connection is not None:
            try:
                connection.logout()
            except (imaplib.IMAP4.error, OSError, EOFError):
                pass
    return report
