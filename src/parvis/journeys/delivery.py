"""The delivery worker: sends the `Dispatch` rows the gate let through, exactly once, in
batches.

One batch costs a handful of queries whatever its size:

1. **claim** — one short transaction picks due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL:
   two workers never hold the same row) and marks them `sending` with the batch's claim
   token (the idempotency key of the batch);
2. **gate, again** — consent and suppression are judged for the whole batch with set-based
   queries (`gate.check_many(recheck=True)`): a withdrawal between scheduling and sending
   wins; refusals are written with one INSERT and one UPDATE per reason;
3. **send** — e-mails are serialised straight to bytes from the rendered rows (no MIME
   object per message) and leave over ONE SMTP connection, pipelined (RFC 2920) when the
   server offers it; other channels go through their adapters. Per-provider rate limits
   (`PARVIS_RATE_LIMITS`) pace them;
4. **write back** — statuses are written in bulk (one UPDATE for the sent e-mails, a few for
   the rest) every `FLUSH_EVERY` messages and at the end of the batch.

Exactly once. Before a message's content leaves, its id is appended to the batch's *journal*
(`<PARVIS_DELIVERY_JOURNAL_DIR>/<claim>.journal`, one `os.write` — it survives a SIGKILL of
the worker, the kernel holds it), and its acceptance is appended when the provider answers.
When a worker dies mid-batch its rows stay `sending`; `recover_stale()` reads the journal:
accepted → `sent`, refused → `failed`, handed over without an answer → `uncertain` (never
re-sent automatically: a duplicate reminder is the harm to avoid; the dashboard shows them for
an agent to decide), never attempted → back to the queue. Without the journal (lost disk,
recovery run on another host) the first `FLUSH_EVERY` rows still `sending` become `uncertain`
— the worker never hands over more than that beyond its last write-back — and the rest are
re-queued. A provider outage (connection refused, 4xx) is certain not to have delivered: those
rows go back to the queue with exponential back-off and lose nothing."""

from __future__ import annotations

import binascii
import logging
import os
import secrets
import time
from collections import defaultdict
from datetime import timedelta
from email.header import Header
from email.utils import format_datetime, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from parvis.channels import adapters, gate
from parvis.channels.messages import DeliveryError, OutgoingMessage

from . import tracking
from .models import Dispatch

logger = logging.getLogger(__name__)
BATCH = 500
FLUSH_EVERY = 100  # messages handed over between two write-backs, at most
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 12
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


# --- claiming ------------------------------------------------------------------------------


def claim(now, limit: int, ids=None) -> tuple[str, list[Dispatch]]:
    token = secrets.token_hex(8)
    with transaction.atomic():
        rows = Dispatch.objects.filter(
            Q(status="queued") | Q(status="deferred"),
            Q(not_before__isnull=True) | Q(not_before__lte=now),
        ).order_by("id")
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        picked = list(rows.values_list("pk", flat=True)[:limit])
        if picked:
            Dispatch.objects.filter(pk__in=picked).update(
                status="sending", claim=token, claimed_at=now
            )
    if not picked:
        return token, []
    return token, list(Dispatch.objects.filter(pk__in=picked).order_by("id"))


def deliver_due(
    now=None, *, batch_size: int = BATCH, max_batches: int | None = None, ids=None
) -> dict:
    now = now or timezone.now()
    totals = {"sent": 0, "refused": 0, "failed": 0, "retry": 0}
    batches = 0
    limiter = RateLimiter()
    while max_batches is None or batches < max_batches:
        token, rows = claim(now, batch_size, ids)
        if not rows:
            break
        for key, value in deliver_batch(rows, now, token=token, limiter=limiter).items():
            totals[key] = totals.get(key, 0) + value
        batches += 1
        if totals["retry"]:
            break  # the provider is down: stop hammering it; the back-off decides
    return totals


# --- the gate at the moment of sending ---------------------------------------------------------


def _recheck(rows, now) -> list[Dispatch]:
    """Consent and suppression judged again at the moment of sending, set-based."""
    from .models import GateDecision

    keep, refused = [], []
    by_purpose: dict[tuple[str, bool], list[Dispatch]] = defaultdict(list)
    for row in rows:
        by_purpose[(row.purpose, row.safety)].append(row)
    for (purpose, safety), group in by_purpose.items():
        requests = [gate.Request(r.person_id, r.channel) for r in group]
        gate.check_many(
            requests, purpose, safety=safety, at=now, source="delivery", recheck=True, record=False
        )
        for row, request in zip(group, requests, strict=True):
            if request.decision.allowed:
                keep.append(row)
            else:
                row.reason = request.decision.reason
                refused.append(row)
    if refused:
        GateDecision.objects.bulk_create(
            [
                GateDecision(
                    person_id=r.person_id,
                    channel=r.channel,
                    purpose=r.purpose,
                    allowed=False,
                    reason=r.reason,
                    detail="at sending",
                    safety=r.safety,
                    source="delivery",
                    journey_id=r.journey_id,
                    at=now,
                )
                for r in refused
            ]
        )
        by_reason = defaultdict(list)
        for row in refused:
            by_reason[row.reason].append(row.pk)
        for reason, pks in by_reason.items():
            Dispatch.objects.filter(pk__in=pks).update(status="refused", reason=reason, claim="")
    return keep


# --- the journal -------------------------------------------------------------------------------


def journal_dir():
    from pathlib import Path

    configured = getattr(settings, "PARVIS_DELIVERY_JOURNAL_DIR", None) or os.environ.get(
        "PARVIS_DELIVERY_JOURNAL_DIR"
    )
    return Path(configured or Path(settings.VAR_DIR) / "delivery")


class Journal:
    """Append-only lines `> id` (content handed over), `+ id` (accepted), `- id error`
    (refused). Unbuffered `os.write`: a killed process loses nothing it wrote."""

    def __init__(self, token: str):
        self.path = journal_dir() / f"{token}.journal"
        self.fd = None  # opened at the first line: a batch that hands nothing over writes none

    def write(self, mark: str, pk: int, detail: str = "") -> None:
        if self.fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        line = f"{mark} {pk} {detail}".rstrip().replace("\n", " ") + "\n"
        os.write(self.fd, line.encode("utf-8", "replace"))

    def close(self, remove: bool = True) -> None:
        if self.fd is None:
            return
        os.close(self.fd)
        self.fd = None
        if remove:
            self.path.unlink(missing_ok=True)

    @staticmethod
    def read(token: str) -> dict[int, tuple[str, str]] | None:
        """{id: (state, detail)}, state in handed/sent/failed; None without a journal."""
        path = journal_dir() / f"{token}.journal"
        if not path.exists():
            return None
        states: dict[int, tuple[str, str]] = {}
        for line in path.read_text("utf-8", "replace").splitlines():
            mark, _sep, rest = line.partition(" ")
            pk_text, _sep, detail = rest.partition(" ")
            if not pk_text.isdigit():
                continue  # a line cut by the kill
            state = {">": "handed", "+": "sent", "-": "failed"}.get(mark)
            if state:
                states[int(pk_text)] = (state, detail)
        return states


# --- rate limits -------------------------------------------------------------------------------


def parse_rate_limits(text) -> dict[str, float]:
    """ "smtp=200/s,sms=10/s,brevo=600/min" → {"smtp": 200.0, "sms": 10.0, "brevo": 10.0}
    (messages per second). Raises ValueError naming the faulty part."""
    if isinstance(text, dict):
        return {k: float(v) for k, v in text.items()}
    per = {"s": 1, "sec": 1, "min": 60, "h": 3600}
    out = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _sep, rule = part.partition("=")
        count, _slash, unit = rule.strip().partition("/")
        try:
            rate = float(count) / per[unit.strip() or "s"]
        except (ValueError, KeyError):
            raise ValueError(f"PARVIS_RATE_LIMITS: cannot read {part.strip()!r}") from None
        if rate <= 0:
            raise ValueError(f"PARVIS_RATE_LIMITS: {part.strip()!r} must be positive")
        out[name.strip()] = rate
    return out


def provider_of(channel: str) -> str:
    """The provider a channel's messages go to: 'smtp' or the django-anymail ESP for e-mail,
    the configured SMS provider's name for SMS, else the channel."""
    if channel == "email":
        backend = settings.EMAIL_BACKEND
        if backend.startswith("anymail.backends."):
            return backend.split(".")[2]
        return "smtp"
    if channel == "sms":
        return getattr(settings, "PARVIS_SMS_PROVIDER", "sms").rsplit(".", 1)[-1].lower()
    return channel


class RateLimiter:
    """A token bucket per provider (one second of burst), per worker process: with W workers
    give each 1/W of the provider's quota. `clock` and `sleep` are injectable for tests."""

    def __init__(self, limits=None, clock=time.monotonic, sleep=time.sleep):
        if limits is None:
            limits = getattr(settings, "PARVIS_RATE_LIMITS", "")
        self.rates = parse_rate_limits(limits)
        self.clock, self.sleep = clock, sleep
        self.buckets: dict[str, tuple[float, float]] = {}  # provider -> (tokens, at)

    def rate(self, channel: str) -> float | None:
        return self.rates.get(provider_of(channel)) or self.rates.get(channel)

    def wait(self, channel: str) -> float:
        """Take one token for `channel`'s provider, sleeping if needed; returns the wait."""
        rate = self.rate(channel)
        if not rate:
            return 0.0
        key = provider_of(channel)
        now = self.clock()
        tokens, at = self.buckets.get(key, (max(rate, 1.0), now))
        tokens = min(max(rate, 1.0), tokens + (now - at) * rate)
        waited = 0.0
        if tokens < 1.0:
            waited = (1.0 - tokens) / rate
            self.sleep(waited)
            tokens, now = 1.0, now + waited
        self.buckets[key] = (tokens - 1.0, now)
        return waited


# --- e-mail bytes ------------------------------------------------------------------------------


def _qp_lines(text: str) -> bytes:
    """Quoted-printable (C-level), CRLF line ends: readable in any mail file."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    return encoded.replace(b"\n", b"\r\n") + b"\r\n"


def _header(value: str) -> str:
    if value.isascii():
        return value
    return Header(value, "utf-8").encode(linesep="\r\n")


class EmailWriter:
    """Serialises rendered rows to RFC 5322 bytes: the constant part once per batch, then
    per message a few string joins and a C-level quoted-printable of each body."""

    def __init__(self, now):
        self.from_header = sanitize_address(settings.DEFAULT_FROM_EMAIL, "utf-8")
        self.envelope_from = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        self.date = format_datetime(timezone.localtime(now))
        self.unsubscribe_base = tracking.unsubscribe_url("TOKEN")

    def bytes_for(self, row: Dispatch) -> bytes:
        boundary = f"=_parvis_{row.token}"
        unsubscribe = self.unsubscribe_base.replace("TOKEN", row.token)
        head = (
            f"From: {self.from_header}\r\n"
            f"To: {row.address}\r\n"
            f"Subject: {_header(row.subject)}\r\n"
            f"Date: {self.date}\r\n"
            f"Message-ID: {row.message_id}\r\n"
            f"List-Unsubscribe: <{unsubscribe}>\r\n"
            # RFC 8058 one-click unsubscribe: the POST is answered without login or cookie.
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            # RFC 3834: no out-of-office answer to a message nobody typed.
            "Auto-Submitted: auto-generated\r\n"
            "MIME-Version: 1.0\r\n"
        )
        text_part = _qp_lines(row.body_text)
        if not row.body_html:
            return (
                head + 'Content-Type: text/plain; charset="utf-8"\r\n'
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
            ).encode() + text_part
        return b"".join(
            (
                (
                    head + f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
                    f"--{boundary}\r\n"
                    'Content-Type: text/plain; charset="utf-8"\r\n'
                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                ).encode(),
                text_part,
                (
                    f"--{boundary}\r\n"
                    'Content-Type: text/html; charset="utf-8"\r\n'
                    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                ).encode(),
                _qp_lines(row.body_html),
                f"--{boundary}--\r\n".encode(),
            )
        )


def email_message(row: Dispatch, mail=None) -> EmailMultiAlternatives:
    """The same message as a Django object, for non-SMTP backends (anymail, locmem, …)."""
    unsubscribe = tracking.unsubscribe_url(row.token)
    headers = {
        "Message-ID": row.message_id,
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.address],
        headers=headers,
        connection=mail,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


# --- one batch ---------------------------------------------------------------------------------


class _Batch:
    """Results of one claimed batch, written back in bulk."""

    def __init__(self, token: str, now):
        self.token, self.now = token, now
        self.journal = Journal(token)
        self.sent_email: list[int] = []
        self.sent_other: list[tuple[Dispatch, str]] = []
        self.failed: list[tuple[Dispatch, str]] = []
        self.handed = 0  # handed over since the last write-back
        self.totals = {"sent": 0, "refused": 0, "failed": 0, "retry": 0}

    def handing(self, row: Dispatch) -> None:
        self.journal.write(">", row.pk)
        self.handed += 1

    def sent(self, row: Dispatch, provider_id: str = "") -> None:
        self.journal.write("+", row.pk)
        if row.channel == "email":
            self.sent_email.append(row.pk)
        else:
            self.sent_other.append((row, provider_id))
        self.totals["sent"] += 1

    def fail(self, row: Dispatch, error: str, permanent: bool) -> None:
        self.journal.write("-", row.pk, error[:300])
        self.failed.append((row, error))
        self.totals["failed"] += 1
        self.handed += 1  # counted like a hand-over: the fallback bound stays true
        if permanent and row.channel in ("email", "sms") and row.address:
            gate.suppress(
                row.channel,
                row.address,
                "hard_bounce" if row.channel == "email" else "invalid",
                detail=error,
            )

    def flush(self) -> None:
        """Write the statuses known so far: a few statements whatever their number."""
        stamp = timezone.now()
        for start in range(0, len(self.sent_email), 900):  # SQLite's variable limit
            Dispatch.objects.filter(pk__in=self.sent_email[start : start + 900]).update(
                status="sent",
                sent_at=stamp,
                provider_id=F("message_id"),
                attempts=F("attempts") + 1,
                claim="",
            )
        for row, provider_id in self.sent_other:
            row.status, row.sent_at, row.claim = "sent", stamp, ""
            row.provider_id = (provider_id or "")[:200]
            row.attempts += 1
        if self.sent_other:
            Dispatch.objects.bulk_update(
                [r for r, _p in self.sent_other],
                ["status", "sent_at", "provider_id", "attempts", "claim"],
                batch_size=500,
            )
        for row, error in self.failed:
            row.status, row.claim, row.last_error = "failed", "", error[:500]
            row.attempts += 1
        if self.failed:
            Dispatch.objects.bulk_update(
                [r for r, _e in self.failed], ["status", "claim", "last_error", "attempts"]
            )
        self.sent_email, self.sent_other, self.failed = [], [], []
        self.handed = 0

    def requeue(self, rows: list[Dispatch], error: str, first_attempts: int) -> None:
        """The provider is down: certain not delivered, back with back-off."""
        if not rows:
            return
        Dispatch.objects.filter(pk__in=[r.pk for r in rows]).update(
            status="queued",
            claim="",
            not_before=self.now + backoff(first_attempts + 1),
            last_error=error[:500],
        )
        Dispatch.objects.filter(pk=rows[0].pk).update(attempts=first_attempts + 1)
        self.totals["retry"] += len(rows)
        logger.warning("Delivery paused, provider error: %s", error)


def deliver_batch(rows: list[Dispatch], now, *, token: str | None = None, limiter=None) -> dict:
    token = token or (rows[0].claim if rows else secrets.token_hex(8))
    limiter = limiter or RateLimiter()
    keep = _recheck(rows, now)
    batch = _Batch(token, now)
    batch.totals["refused"] = len(rows) - len(keep)
    emails = [r for r in keep if r.channel == "email"]
    others = [r for r in keep if r.channel != "email"]
    settled = False
    try:
        if emails:
            if settings.EMAIL_BACKEND == SMTP_BACKEND:
                _send_smtp(emails, batch, limiter)
            else:
                _send_backend(emails, batch, limiter)
        if others:
            _send_others(others, batch, limiter)
        batch.flush()
        settled = True
    finally:
        if not settled:  # an unexpected error: write what is known, keep the journal
            try:
                batch.flush()
            finally:
                batch.journal.close(remove=False)
        else:
            batch.journal.close()
    return batch.totals


def _send_smtp(rows: list[Dispatch], batch: _Batch, limiter) -> None:
    from parvis.channels.smtp_batch import Pipeline

    by_pk = {r.pk: r for r in rows}
    writer = EmailWriter(batch.now)
    pipe = Pipeline(before_content=lambda pk: batch.handing(by_pk[pk]))

    def record(results):
        for result in results:
            row = by_pk[result.key]
            if result.ok:
                batch.sent(row)
            elif result.retryable and row.attempts + 1 < MAX_ATTEMPTS:
                # A temporary refusal of one recipient: this one waits, the rest go on.
                batch.journal.write("-", row.pk, "retry")
                Dispatch.objects.filter(pk=row.pk).update(
                    status="queued",
                    claim="",
                    attempts=row.attempts + 1,
                    not_before=batch.now + backoff(row.attempts + 1),
                    last_error=f"SMTP {result.code}: {result.text}"[:500],
                )
                batch.totals["retry"] += 1
            else:
                batch.fail(row, f"SMTP {result.code}: {result.text}", result.code >= 500)

    index = 0
    try:
        pipe.open()
        for index, row in enumerate(rows):  # noqa: B007 - read in the except clause
            limiter.wait("email")
            record(pipe.submit(row.pk, writer.envelope_from, row.address, writer.bytes_for(row)))
            if batch.handed >= FLUSH_EVERY - 1:
                record(pipe.finish())  # nothing in flight across a write-back
                batch.flush()
        record(pipe.finish())
        index = len(rows)
    except DeliveryError as exc:
        doubt = pipe.in_doubt
        rest = [r for r in rows[index:] if r.pk != doubt]
        if doubt is not None:  # its content left, no answer came: never sent twice
            Dispatch.objects.filter(pk=doubt).update(
                status="uncertain", claim="", last_error=str(exc)[:500]
            )
        first = rows[index] if index < len(rows) else rows[-1]
        batch.requeue(rest, str(exc), first.attempts)
    finally:
        pipe.close()


def _send_backend(rows: list[Dispatch], batch: _Batch, limiter) -> None:
    """Any other Django e-mail backend (anymail providers, locmem, console): one connection,
    one message object each."""
    import smtplib

    mail = get_connection(fail_silently=False)
    try:
        try:
            mail.open()
        except Exception as exc:  # noqa: BLE001 - the provider is unreachable
            batch.requeue(rows, f"E-mail provider unreachable: {exc}", rows[0].attempts)
            return
        for index, row in enumerate(rows):
            limiter.wait("email")
            batch.handing(row)
            try:
                sent = mail.send_messages([email_message(row, mail)])
                if not sent:
                    raise DeliveryError("the message was not accepted")
            except smtplib.SMTPRecipientsRefused as exc:
                batch.fail(row, f"Recipient refused: {exc}", True)
                continue
            except Exception as exc:  # noqa: BLE001 - any provider's error, kept
                permanent = isinstance(exc, DeliveryError) and not exc.retryable
                if permanent or row.attempts + 1 >= MAX_ATTEMPTS:
                    batch.fail(row, str(exc), permanent)
                    continue
                batch.requeue(rows[index:], str(exc), row.attempts)
                return
            batch.sent(row, row.message_id)
            if batch.handed >= FLUSH_EVERY:
                batch.flush()
    finally:
        try:
            mail.close()
        except Exception:  # noqa: BLE001 - closing a dead connection
            pass


def _send_others(rows: list[Dispatch], batch: _Batch, limiter) -> None:
    for index, row in enumerate(rows):
        limiter.wait(row.channel)
        batch.handing(row)
        try:
            provider_id = send_other(row, batch.now)
        except DeliveryError as exc:
            if exc.retryable and row.attempts + 1 < MAX_ATTEMPTS:
                batch.journal.write("-", row.pk, "retry")
                batch.requeue(rows[index:], str(exc), row.attempts)
                return
            batch.fail(row, str(exc), not exc.retryable)
            continue
        batch.sent(row, provider_id)
        if batch.handed >= FLUSH_EVERY:
            batch.flush()


def send_other(row: Dispatch, now) -> str:
    if row.channel == "postal":
        from .letters import queue_letter

        return queue_letter(row, now)
    return adapters.send(
        OutgoingMessage(
            channel=row.channel, to=row.address, subject=row.subject, body_text=row.body_text
        )
    )


# --- recovery ----------------------------------------------------------------------------------


def recover_stale(now=None, lease: timedelta = LEASE) -> dict:
    """Rows left `sending` by a dead worker, settled from its journal (see above)."""
    now = now or timezone.now()
    out = {"uncertain": 0, "requeued": 0, "recovered_sent": 0, "recovered_failed": 0}
    stale = (
        Dispatch.objects.filter(status="sending", claimed_at__lt=now - lease)
        .values_list("claim", flat=True)
        .distinct()
    )
    for claim_token in list(stale):
        with transaction.atomic():
            pks = list(
                Dispatch.objects.filter(status="sending", claim=claim_token)
                .order_by("id")
                .values_list("pk", flat=True)
            )
            if not pks:
                continue
            states = Journal.read(claim_token)
            if states is None:
                doubtful, rest = pks[:FLUSH_EVERY], pks[FLUSH_EVERY:]
                sent, failed = [], []
            else:
                sent = [pk for pk in pks if states.get(pk, ("",))[0] == "sent"]
                failed = [
                    pk
                    for pk in pks
                    if states.get(pk, ("",))[0] == "failed" and states[pk][1] != "retry"
                ]
                doubtful = [pk for pk in pks if states.get(pk, ("",))[0] == "handed"]
                settled = set(sent) | set(failed) | set(doubtful)
                rest = [pk for pk in pks if pk not in settled]
            if sent:
                out["recovered_sent"] += Dispatch.objects.filter(pk__in=sent).update(
                    status="sent",
                    sent_at=now,
                    provider_id=F("message_id"),
                    attempts=F("attempts") + 1,
                    claim="",
                )
            for pk in failed:
                out["recovered_failed"] += Dispatch.objects.filter(pk=pk).update(
                    status="failed", claim="", last_error=states[pk][1][:500]
                )
            out["uncertain"] += Dispatch.objects.filter(pk__in=doubtful).update(
                status="uncertain", claim=""
            )
            out["requeued"] += Dispatch.objects.filter(pk__in=rest).update(
                status="queued", claim=""
            )
        (journal_dir() / f"{claim_token}.journal").unlink(missing_ok=True)
    return out
