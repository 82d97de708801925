"""An email as received (RFC 5322 / MIME bytes) turned into an `IncomingMessage`.

Mail from the outside world is often broken: 8-bit headers without encoding, charsets
nobody knows, wrong charset declarations, missing boundaries, NUL bytes. Everything is read
best-effort and never raises for such defects; only input that is not an email at all (or
is beyond the configured size) is refused, with a reason (`MalformedEmail`).

The structure comes from the standard library parser (`email`). Header values are decoded
here from their raw form rather than through policy.default's header objects, because those
replace undecodable bytes with U+FFFD in some places, keep lone surrogates in others (which
no database accepts) and cut malformed Message-IDs short; and since no header object is
needed, the message is parsed with policy.compat32, which does not build one on every header
access (policy.default spent more time there than in parsing the message).

The HTML part is kept as received: the cases domain sanitises it (parvis.channels.sanitize,
which also drops remote images) when it stores the message. Attachments are only extracted;
the attachment policy (size, type, programs, archive bombs) is applied by the cases domain.
"""

import base64
import binascii
import email
import email.utils
import quopri
import re
from datetime import UTC, datetime
from email import policy
from email.message import Message as MimeMessage
from html.parser import HTMLParser
from mimetypes import guess_extension

from django.conf import settings
from django.utils import timezone

from .messages import DeliveryReport, IncomingAttachment, IncomingMessage

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# RFC 2047 encoded word: =?charset?encoding?text?=
ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
BETWEEN_ENCODED_WORDS = re.compile(r"(\?=)\s+(=\?)")
SURROGATES = re.compile(r"[\udc80-\udcff]+")
MESSAGE_ID = re.compile(r"<([^<>]*)>")
# Subjects of out-of-office replies sent without the headers saying so.
AUTOMATIC_SUBJECTS = re.compile(
    r"^\s*(r[ée]ponse automatique|absence du bureau|automatic reply|auto[- ]?reply|"
    r"out of (the )?office|abwesenheitsnotiz|delivery status notification|"
    r"undeliver(ed|able)( mail)?\s*:|mail delivery (failed|system)|non remis\s*:|"
    r"notification d'[ée]tat de remise)",
    re.IGNORECASE,
)
# Bounces come from these; "noreply" senders are not listed: a platform's notification may
# be a real request, it is just never answered by mail to that address.
AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)


class MalformedEmail(ValueError):
    """Not an email that can be read; `reason` says why, in words for the agent."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def max_bytes() -> int:
    return getattr(settings, "PARVIS_EMAIL_MAX_BYTES", DEFAULT_MAX_BYTES)


# --- text and header decoding -----------------------------------------------------------------


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Bytes to text: the declared charset, else UTF-8, else Windows-1252 (the superset of
    latin-1 that French mail written without a declaration nearly always is)."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return data.decode(candidate.strip().strip('"').split("*")[0])
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return data.decode("cp1252", errors="replace")


def _resurrect(match: re.Match) -> str:
    # The parser keeps undecodable bytes as lone surrogates (surrogateescape): get the bytes
    # back and read them as UTF-8, else Windows-1252.
    return decode_bytes(match.group(0).encode("utf-8", "surrogateescape"))


def clean_text(text: str) -> str:
    """Text that any database accepts: no lone surrogates, no NUL characters."""
    if not text:
        return ""
    return SURROGATES.sub(_resurrect, str(text)).replace("\x00", "")


def _decode_word(charset: str, encoding: str, text: str) -> str:
    if encoding.upper() == "B":
        try:
            data = base64.b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            return text
    else:
        data = quopri.decodestring(text.replace("_", " ").encode("ascii", "replace"), header=True)
    return decode_bytes(data, charset)


def decode_header(value) -> str:
    """A raw header value (RFC 2047 encoded words, or raw 8-bit) as clean text, unfolded."""
    if value is None:
        return ""
    text = clean_text(str(value))
    text = re.sub(r"\r?\n[ \t]*", " ", text)
    if "=?" in text:
        # Whitespace between two encoded words is not part of the text (RFC 2047 §6.2).
        text = BETWEEN_ENCODED_WORDS.sub(r"\1\2", text)
        text = BETWEEN_ENCODED_WORDS.sub(r"\1\2", text)
        text = ENCODED_WORD.sub(lambda m: _decode_word(*m.groups()), text)
    return clean_text(text).strip()


def raw_header(message: MimeMessage, name: str) -> str | None:
    """The header's value as it was in the source (the first one when repeated)."""
    name = name.lower()
    for key, value in message.raw_items():
        if key.lower() == name:
            return value
    return None


def _address(value: str | None) -> tuple[str, str]:
    """(display name, address) of the first mailbox of an address header."""
    if not value:
        return "", ""
    text = re.sub(r"\r?\n[ \t]*", " ", clean_text(value))
    try:
        pairs = email.utils.getaddresses([text])
    except Exception:  # the parser has had bugs on hostile input; never fail on a header
        pairs = []
    for name, address in pairs:
        if address and "@" in address:
            return decode_header(name)[:200], address.strip().strip("<>")[:300]
    return decode_header(text)[:200], ""


def _message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    text = clean_text(value)
    ids = ["<" + re.sub(r"\s+", "", found) + ">" for found in MESSAGE_ID.findall(text)]
    if not ids and text.strip():
        ids = [re.sub(r"\s+", "", text)]  # an id without brackets: keep it whole
    return [i[:300] for i in ids if len(i) > 2]


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        date = email.utils.parsedate_to_datetime(clean_text(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if date is None:
        return None
    if date.tzinfo is None:
        date = date.replace(tzinfo=UTC)
    # A clock in the future would put the message above everything in the inbox.
    return min(date, timezone.now())


# --- HTML to text -----------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    BLOCKS = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
        "pre", "table", "ul", "ol", "hr", "section", "article", "header", "footer",
    }  # fmt: skip
    HIDDEN = {"script", "style", "head", "title", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS and tag != "li":
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The readable text of an HTML body, for when the sender gave no text/plain part."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # html.parser is lenient; be safe anyway
        return re.sub(r"<[^>]*>", " ", html)
    lines = [line.strip() for line in "".join(extractor.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- automatic messages -----------------------------------------------------------------------


def _own_addresses() -> set[str]:
    _name, address = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    return {address.lower()} if address else set()


def is_automatic(message: MimeMessage, sender: str, subject: str) -> bool:
    """Auto-replies, out-of-office notices, bounces, read receipts and our own mail coming
    back: they never open a case and are never answered (no mail loops, RFC 3834)."""
    auto = (raw_header(message, "Auto-Submitted") or "").strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return True
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse", "X-Auto-Reply"):
        value = (raw_header(message, name) or "").strip().lower()
        if value and value not in ("no", "false", "0"):
            return True
    precedence = (raw_header(message, "Precedence") or "").strip().lower()
    if precedence in ("auto_reply", "bulk", "junk"):
        return True
    if message.get_content_type() == "multipart/report":  # bounces, read receipts
        return True
    if (raw_header(message, "Return-Path") or "").strip() == "<>":
        return True
    if sender and (AUTOMATIC_SENDERS.match(sender) or sender.lower() in _own_addresses()):
        return True
    return bool(AUTOMATIC_SUBJECTS.match(subject or ""))


# --- delivery status notifications (RFC 3464) --------------------------------------------------


def _dsn_blocks(part: MimeMessage) -> list[MimeMessage]:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser splits message/delivery-status in blocks
        return [p for p in payload if isinstance(p, MimeMessage)]
    text = _bytes_payload(part).decode("utf-8", "replace") if payload else ""
    blocks = re.split(r"\r?\n\s*\r?\n", text.strip())
    return [email.message_from_string(b, policy=policy.compat32) for b in blocks if b.strip()]


def _bytes_payload(part: MimeMessage) -> bytes:
    data = part.get_payload(decode=True)
    if data is None:
        data = str(part.get_payload() or "").encode("utf-8", "replace")
    return data


def _typed_address(value: str) -> str:
    """ "rfc822; jean@example.org" → "jean@example.org"."""
    value = decode_header(value or "").strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    return value.strip().strip("<>").strip()


def delivery_reports(message: MimeMessage) -> list[DeliveryReport]:
    """The per-recipient lines of a DSN (multipart/report; report-type=delivery-status),
    with the Message-ID of the message it reports on; [] for anything else."""
    if message.get_content_type() != "multipart/report":
        return []
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return []  # read receipts (disposition-notification) are not bounces
    status_part, original = None, ""
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("message/delivery-status", "message/global-delivery-status"):
            status_part = status_part or part
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/global-headers"):
            payload = part.get_payload()
            inner = (
                payload[0]
                if isinstance(payload, list) and payload
                else email.message_from_bytes(_bytes_payload(part), policy=policy.compat32)
            )
            ids = _message_ids(raw_header(inner, "Message-ID"))
            original = original or (ids[0] if ids else "")
    if status_part is None:
        return []
    reports = []
    for block in _dsn_blocks(status_part)[1:]:  # the first block is about the message
        recipient = _typed_address(
            raw_header(block, "Final-Recipient") or raw_header(block, "Original-Recipient")
        )
        if not recipient:
            continue
        status = (raw_header(block, "Status") or "").strip().split(" ")[0]
        reports.append(
            DeliveryReport(
                recipient=recipient.lower(),
                action=(raw_header(block, "Action") or "").strip().lower(),
                status=status,
                diagnostic=decode_header(raw_header(block, "Diagnostic-Code") or "")[:300],
                original_message_id=original,
            )
        )
    return reports


# --- MIME structure ---------------------------------------------------------------------------


def _leaves(part: MimeMessage, depth: int = 0):
    """The parts holding content, in order. An attached email (message/*) is one leaf: its
    own parts belong to it, not to this message."""
    payload = part.get_payload()
    if (
        part.get_content_maintype() == "multipart"
        and isinstance(payload, list)
        and depth < 50  # a crafted nesting would otherwise recurse without end
    ):
        for sub in payload:
            yield from _leaves(sub, depth + 1)
    else:
        yield part


def _part_bytes(part: MimeMessage) -> bytes:
    if part.get_content_maintype() == "message":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(inner, MimeMessage):
            try:
                return inner.as_bytes(policy=policy.compat32)
            except Exception:
                return str(inner).encode("utf-8", "surrogateescape")
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        raw = part.get_payload()
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
    return data


def _part_text(part: MimeMessage) -> str:
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    text = clean_text(decode_bytes(_part_bytes(part), charset))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_named(part: MimeMessage) -> bool:
    try:
        return bool(
            part.get_param("name") or part.get_param("filename", header="content-disposition")
        )
    except Exception:
        return False


def _filename(part: MimeMessage, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        try:
            name = part.get_param("name")
        except Exception:
            name = None
        if isinstance(name, tuple):  # RFC 2231 value not collapsed
            name = email.utils.collapse_rfc2231_value(name)
    name = decode_header(name) if name else ""
    if name:
        return name
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        extension = ".eml"
    else:
        extension = guess_extension(content_type) or ".bin"
    return f"piece-jointe-{index}{extension}"


# --- the whole message ------------------------------------------------------------------------


def parse_email(raw: bytes, *, channel: str = "email") -> IncomingMessage:
    """Read one email; raises MalformedEmail only when it cannot be an email at all."""
    if not raw or not raw.strip():
        raise MalformedEmail("the file is empty")
    limit = max_bytes()
    if len(raw) > limit:
        raise MalformedEmail(
            f"the message is larger than {limit // (1024 * 1024)} MB ({len(raw)} bytes)"
        )
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception as exc:  # the parser is lenient; this is the unforeseen
        raise MalformedEmail(f"unreadable MIME structure ({type(exc).__name__}: {exc})") from exc
    names = {key.lower() for key in message.keys()}
    if not names & {"from", "to", "subject", "date", "message-id"}:
        raise MalformedEmail(
            "not an email message: none of the From, To, Subject, Date or Message-ID headers"
        )

    sender_name, sender = _address(raw_header(message, "From"))
    _to_name, recipient = _address(
        raw_header(message, "To")
        or raw_header(message, "Delivered-To")
        or raw_header(message, "X-Original-To")
    )
    subject = decode_header(raw_header(message, "Subject"))[:300]
    message_ids = _message_ids(raw_header(message, "Message-ID"))
    in_reply_to = _message_ids(raw_header(message, "In-Reply-To"))
    references = _message_ids(raw_header(message, "References"))

    texts: list[str] = []
    html = ""
    attachments: list[IncomingAttachment] = []
    rejected: list[tuple[str, str]] = []
    for index, part in enumerate(_leaves(message), start=1):
        try:
            content_type = part.get_content_type()
            disposition = part.get_content_disposition()
        except Exception:
            content_type, disposition = "application/octet-stream", "attachment"
        is_body = disposition != "attachment" and not _is_named(part)
        if is_body and content_type == "text/plain":
            texts.append(_part_text(part))
        elif is_body and content_type == "text/html" and not html:
            html = _part_text(part)
        elif is_body and content_type.startswith("multipart/"):
            # A multipart whose boundary is missing or wrong: its content as text.
            texts.append(_part_text(part))
        else:
            filename = _filename(part, index)
            try:
                content = _part_bytes(part)
            except Exception as exc:
                rejected.append((filename, f"the attachment cannot be decoded ({exc})"))
                continue
            attachments.append(
                IncomingAttachment(filename=filename, content=content, declared_type=content_type)
            )
    body_text = "\n\n".join(t.strip("\n") for t in texts if t.strip())
    if not body_text and html:
        body_text = html_to_text(html)

    return IncomingMessage(
        channel=channel,
        sender=sender,
        sender_name=sender_name,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=html,
        message_id=message_ids[0] if message_ids else "",
        in_reply_to=in_reply_to[0] if in_reply_to else "",
        references=references,
        received_at=_date(raw_header(message, "Date")),
        raw=raw,
        raw_extension="eml",
        attachments=attachments,
        auto_submitted=is_automatic(message, sender, subject),
        rejected_attachments=rejected,
        delivery_reports=delivery_reports(message),
    )
