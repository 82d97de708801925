"""Bounces coming back to the inbox: a delivery status notification (RFC 3464) marks the
message it reports on `bounced`, records a `bounced` engagement event, and puts the address
on the suppression list when the failure is permanent (action "failed", status 5.x.x). A
temporary failure ("delayed", 4.x.x) is only recorded. Nothing here opens a case.

The message is found by the Message-ID quoted in the report (ours: "<token@domain>"), else
as the last message sent to that recipient; found that way (a DSN without our Message-ID,
which anyone could forge) it is only recorded, never marked bounced nor suppressed. The
rows live in the journeys app, reached lazily like the gate's (see `gate`)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from . import gate
from .messages import DeliveryReport

logger = logging.getLogger(__name__)


def record(reports: list[DeliveryReport], at=None) -> dict:
    """Apply the reports of one DSN; returns {"bounced": n, "suppressed": n, "unknown": n}."""
    from parvis.journeys.models import Dispatch, EngagementEvent

    at = at or timezone.now()
    out = {"bounced": 0, "suppressed": 0, "unknown": 0}
    for report in reports:
        if report.action not in ("failed", "delayed"):
            continue  # "delivered", "relayed", "expanded": nothing went wrong
        sent = Dispatch.objects.filter(channel="email", address=report.recipient)
        dispatch = None
        if report.original_message_id:
            dispatch = sent.filter(message_id=report.original_message_id).first()
        # Anyone can mail the inbox a DSN: only one quoting the (unguessable) Message-ID of
        # a message we sent to that very address may mark it bounced or suppress the address.
        proven = dispatch is not None or _case_reply_sent(report)
        if dispatch is None:
            dispatch = (
                sent.filter(status__in=["sent", "uncertain", "bounced"])
                .order_by("-sent_at", "-id")
                .first()
            )
        detail = f"{report.action} {report.status} {report.diagnostic}".strip()[:500]
        with transaction.atomic():
            if dispatch is None:
                out["unknown"] += 1
            else:
                if report.action == "failed" and proven:
                    Dispatch.objects.filter(pk=dispatch.pk).update(
                        status="bounced", last_error=detail
                    )
                    out["bounced"] += 1
                EngagementEvent.objects.create(
                    dispatch=dispatch,
                    person_id=dispatch.person_id,
                    journey_id=dispatch.journey_id,
                    kind="bounced",
                    detail=detail,
                    at=at,
                )
            if report.hard and proven:
                gate.suppress("email", report.recipient, "hard_bounce", detail=detail)
                out["suppressed"] += 1
    if out["unknown"]:
        logger.info("DSN for %s unknown recipient(s)", out["unknown"])
    return out


def _case_reply_sent(report: DeliveryReport) -> bool:
    """An agent's answer (cases) with the quoted Message-ID went to this recipient."""
    from parvis.cases.models import Message

    return bool(report.original_message_id) and (
        Message.objects.filter(
            direction=Message.Direction.OUT,
            message_id=report.original_message_id,
            recipient__iexact=report.recipient,
        ).exists()
    )
