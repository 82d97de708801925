"""Webhooks through which operators push messages in: SMS received, SMS delivery reports.

Operators do not sign every callback, so a webhook is authenticated by a secret in its URL
(PARVIS_SMS_WEBHOOK_TOKEN, compared in constant time), optionally with an allow-list of the
operator's addresses (PARVIS_SMS_WEBHOOK_IPS, addresses or networks). Without a token the
webhooks are off. A wrong token is answered 403 before anything is read; a malformed call
400 with a JSON error; an operator API that cannot be reached to read the message back 503,
so that the operator tries again. The configured provider (PARVIS_SMS_PROVIDER) reads its own
format; the business rules (STOP keywords, cases) are here, the same for every operator."""

import hmac
import ipaddress
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from parvis.channels import sms
from parvis.channels.messages import DeliveryError, IncomingMessage
from parvis.people.models import Channel, Consent, Person, Purpose
from parvis.people.services import record_consent

from . import intake
from .models import Message

logger = logging.getLogger(__name__)

SMS_THREAD_DAYS = 14


# --- the business side: plain functions ------------------------------------------------------


def receive_sms(inbound: sms.InboundSms) -> dict:
    """One SMS in: a STOP withdraws SMS consents and opens nothing; anything else goes
    through the common intake (dedup on the operator's id, threading, identification)."""
    sender = sms.e164(inbound.sender)
    if not sender:
        # Alphanumeric senders and short codes are operators' robots, not citizens.
        return {"outcome": "ignored", "reason": "the sender is not a phone number"}
    if sms.is_stop(inbound.text):
        persons = withdraw_sms_consents(sender)
        return {"outcome": "unsubscribed", "persons": persons}
    result = intake.receive(
        IncomingMessage(
            channel=Channel.SMS,
            sender=sender,
            body_text=inbound.text,
            message_id=inbound.provider_id,
            received_at=inbound.received_at,
            raw=inbound.raw,
            raw_extension="json" if inbound.raw[:1] in (b"{", b"[") else "txt",
        ),
        case=answered_case(sender),
    )
    return {
        "outcome": result.outcome,
        "case": result.case.reference if result.case else None,
    }


def answered_case(number: str):
    """The case an SMS from this number answers: SMS carry no thread headers, so a text
    received within SMS_THREAD_DAYS of our last SMS to the same number continues that case
    (re-opened by the intake if it was closed); None opens a new case."""
    last_out = (
        Message.objects.filter(
            channel=Channel.SMS,
            direction=Message.Direction.OUT,
            recipient=number,
            created_at__gte=timezone.now() - timedelta(days=SMS_THREAD_DAYS),
        )
        .select_related("case")
        .order_by("-created_at", "-id")
        .first()
    )
    return intake._follow_merges(last_out.case) if last_out else None


def withdraw_sms_consents(number: str) -> int:
    """Record "no more SMS, for any purpose" for everyone with this mobile number; returns
    how many persons. Idempotent: a purpose already withdrawn is not recorded again, so the
    same STOP delivered twice changes nothing the second time."""
    person_ids = intake.identify(Channel.SMS, number)
    for person in Person.objects.filter(pk__in=person_ids):
        with transaction.atomic():
            for purpose in Purpose.values:
                latest = (
                    Consent.objects.filter(person=person, purpose=purpose, channel=Channel.SMS)
                    .order_by("-recorded_at", "-id")
                    .first()
                )
                if latest is not None and not latest.granted:
                    continue
                record_consent(
                    person,
                    purpose=purpose,
                    channel=Channel.SMS,
                    granted=False,
                    method=Consent.Method.UNSUBSCRIBE,
                )
    if not person_ids:
        logger.info("STOP received from a number nobody has")
    return len(person_ids)


def apply_receipt(receipt: sms.DeliveryReceipt) -> int:
    """Mark the SMS the receipt is about as delivered or failed; returns rows changed."""
    if receipt.delivered is None:
        return 0  # still on its way: nothing to tell the agent yet
    sent = Message.objects.filter(
        channel=Channel.SMS, direction=Message.Direction.OUT, message_id=receipt.provider_id
    )
    if receipt.delivered:
        return sent.update(delivery=Message.Delivery.SENT, delivery_error="")
    return sent.update(
        delivery=Message.Delivery.FAILED,
        delivery_error=(receipt.detail or _("The operator could not deliver the SMS."))[:500],
    )


# --- the HTTP side --------------------------------------------------------------------------


def webhook_allowed(request: HttpRequest, token: str) -> bool:
    expected = settings.PARVIS_SMS_WEBHOOK_TOKEN or ""
    if not expected or not hmac.compare_digest(token.encode("utf-8"), expected.encode("utf-8")):
        return False
    allowed = settings.PARVIS_SMS_WEBHOOK_IPS
    if not allowed:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for network in allowed:
        try:
            if address in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:
            logger.error("PARVIS_SMS_WEBHOOK_IPS: %r is not an address or network", network)
    return False


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _read(request: HttpRequest, token: str, parse):
    """Authenticate, then parse with the provider; (items, None) or (None, error response)."""
    if not webhook_allowed(request, token):
        logger.warning("SMS webhook refused for %s", request.META.get("REMOTE_ADDR"))
        return None, _error(403, "forbidden")
    try:
        return parse(request), None
    except sms.PayloadError as exc:
        return None, _error(400, f"malformed call: {exc}")
    except DeliveryError as exc:
        logger.warning("SMS webhook: the operator's API failed: %s", exc)
        return None, _error(503, f"the operator's API cannot be reached now: {exc}")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_incoming(request: HttpRequest, token: str) -> JsonResponse:
    items, error = _read(request, token, lambda r: sms.provider().parse_incoming(r))
    if error:
        return error
    return JsonResponse({"results": [receive_sms(item) for item in items]})


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_status(request: HttpRequest, token: str) -> JsonResponse:
    items, error = _read(request, token, lambda r: sms.provider().parse_receipt(r))
    if error:
        return error
    return JsonResponse({"updated": sum(apply_receipt(item) for item in items)})
