"""The delivery worker: sends the `Dispatch` rows the gate let through, exactly once.

A batch is claimed in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL: two
workers never hold the same row) and marked `sending` with the batch's claim token. Consent
and suppression are judged again (a withdrawal between scheduling and sending wins). Then
the messages leave one by one in id order, over one SMTP connection, and each is marked
`sent` by its own autocommitted UPDATE right after the provider accepted it.

So when a worker is killed mid-batch, its rows still `sending` are: at most one that may
have been handed to the provider (the lowest id — sending is sequential) and others never
attempted. `recover_stale()` puts the latter back in the queue and marks the former
`uncertain`, which is not re-sent automatically: a duplicate reminder is the harm to avoid,
and the dashboard shows the uncertain ones for an agent to decide. A provider outage
(connection refused, 4xx) is certain not to have delivered: those rows go back to the queue
with exponential back-off and lose nothing."""

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from parvis.channels import adapters, gate
from parvis.channels.messages import DeliveryError, OutgoingMessage

from . import tracking
from .models import Dispatch

logger = logging.getLogger(__name__)
BATCH = 200
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 12


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


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
    return token, list(
        Dispatch.objects.filter(pk__in=picked).select_related("person").order_by("id")
    ) if picked else []


def deliver_due(
    now=None, *, batch_size: int = BATCH, max_batches: int | None = None, ids=None
) -> dict:
    now = now or timezone.now()
    totals = {"sent": 0, "refused": 0, "failed": 0, "retry": 0}
    batches = 0
    while max_batches is None or batches < max_batches:
        _claim, rows = claim(now, batch_size, ids)
        if not rows:
            break
        for key, value in deliver_batch(rows, now).items():
            totals[key] += value
        batches += 1
        if totals["retry"]:
            break  # the provider is down: stop hammering it; the back-off decides
    return totals


def _recheck(rows, now) -> list[Dispatch]:
    """Consent and suppression judged again at the moment of sending."""
    keep, refused = [], []
    by_purpose: dict[tuple[str, bool], list[Dispatch]] = {}
    for row in rows:
        by_purpose.setdefault((row.purpose, row.safety), []).append(row)
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
        from .models import GateDecision

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
        for row in refused:
            Dispatch.objects.filter(pk=row.pk).update(status="refused", reason=row.reason, claim="")
    return keep


def deliver_batch(rows: list[Dispatch], now) -> dict:
    totals = {"sent": 0, "refused": 0, "failed": 0, "retry": 0}
    keep = _recheck(rows, now)
    totals["refused"] = len(rows) - len(keep)
    mail = None
    try:
        for index, row in enumerate(keep):
            try:
                if row.channel == "email":
                    if mail is None:
                        mail = open_connection()
                    provider_id = send_email(row, mail)
                else:
                    provider_id = send_other(row, now)
            except DeliveryError as exc:
                if exc.retryable and row.attempts + 1 < MAX_ATTEMPTS:
                    # Certain not delivered: this one and the rest go back with back-off.
                    rest = [r.pk for r in keep[index:]]
                    Dispatch.objects.filter(pk__in=rest).update(
                        status="queued",
                        claim="",
                        not_before=now + backoff(row.attempts + 1),
                        last_error=str(exc)[:500],
                    )
                    Dispatch.objects.filter(pk=row.pk).update(attempts=row.attempts + 1)
                    totals["retry"] += len(rest)
                    logger.warning("Delivery paused, provider error: %s", exc)
                    break
                Dispatch.objects.filter(pk=row.pk).update(
                    status="failed", attempts=row.attempts + 1, last_error=str(exc)[:500], claim=""
                )
                if not exc.retryable and row.channel in ("email", "sms") and row.address:
                    gate.suppress(
                        row.channel,
                        row.address,
                        "hard_bounce" if row.channel == "email" else "invalid",
                        detail=str(exc),
                    )
                totals["failed"] += 1
                continue
            _mark_sent(row, provider_id)
            totals["sent"] += 1
    finally:
        if mail is not None:
            try:
                mail.close()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
    return totals


MARK_SENT = (
    f"UPDATE {Dispatch._meta.db_table} SET status = 'sent', sent_at = %s, "
    "provider_id = %s, attempts = %s, claim = '' WHERE id = %s"
)


def _mark_sent(row: Dispatch, provider_id: str) -> None:
    """Its own autocommitted statement right after the provider said yes (see above); plain
    SQL because it runs once per message on the hot path."""
    with connection.cursor() as cursor:
        cursor.execute(
            MARK_SENT,
            [
                connection.ops.adapt_datetimefield_value(timezone.now()),
                (provider_id or "")[:200],
                row.attempts + 1,
                row.pk,
            ],
        )


def email_message(row: Dispatch, mail=None) -> EmailMultiAlternatives:
    unsubscribe = tracking.unsubscribe_url(row.token)
    headers = {
        "Message-ID": row.message_id,
        # RFC 8058 one-click unsubscribe: the POST is answered without login or cookie.
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        # RFC 3834: no out-of-office answer to a message nobody typed.
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


def open_connection():
    import smtplib

    mail = get_connection(fail_silently=False)
    try:
        mail.open()
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP server unreachable: {exc}") from exc
    return mail


def send_email(row: Dispatch, mail) -> str:
    import smtplib

    try:
        sent = mail.send_messages([email_message(row, mail)])
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"Recipient refused: {exc}", retryable=False) from exc
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"SMTP {exc.smtp_code}: {exc}", retryable=not 500 <= exc.smtp_code < 600
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP: {exc}") from exc
    if not sent:
        raise DeliveryError("SMTP: the message was not accepted")
    return row.message_id


def send_other(row: Dispatch, now) -> str:
    if row.channel == "postal":
        from .letters import queue_letter

        return queue_letter(row, now)
    return adapters.send(
        OutgoingMessage(
            channel=row.channel, to=row.address, subject=row.subject, body_text=row.body_text
        )
    )


def recover_stale(now=None, lease: timedelta = LEASE) -> dict:
    """Rows left `sending` by a dead worker: the first of each claim becomes `uncertain`,
    the others (never attempted) go back to the queue."""
    now = now or timezone.now()
    out = {"uncertain": 0, "requeued": 0}
    stale = (
        Dispatch.objects.filter(status="sending", claimed_at__lt=now - lease)
        .values_list("claim", flat=True)
        .distinct()
    )
    for claim_token in list(stale):
        with transaction.atomic():
            rows = list(
                Dispatch.objects.filter(status="sending", claim=claim_token)
                .order_by("id")
                .values_list("pk", flat=True)
            )
            if not rows:
                continue
            Dispatch.objects.filter(pk=rows[0]).update(status="uncertain", claim="")
            out["uncertain"] += 1
            out["requeued"] += Dispatch.objects.filter(pk__in=rows[1:]).update(
                status="queued", claim=""
            )
    return out
