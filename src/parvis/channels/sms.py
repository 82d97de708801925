"""SMS providers and what every SMS needs whatever the operator: segment counting (GSM-7 or
UCS-2), STOP keywords, numbers in E.164.

A provider is a class named by PARVIS_SMS_PROVIDER (a dotted path); each real operator lives
in its own module under `parvis.channels.sms_providers` (plug-ins by file). A provider:

- `send(to, text) -> str` sends one SMS and returns the operator's id for it, or raises
  `DeliveryError(retryable=...)`;
- `parse_incoming(request) -> list[InboundSms]` reads an inbound webhook call;
- `parse_receipt(request) -> list[DeliveryReceipt]` reads a delivery-report webhook call.

Both parsers raise `PayloadError` on a malformed call. The default `LogProvider` sends
nothing and reads Parvis's own generic JSON format (below), for the demo, tests and any
gateway (a self-hosted GSM modem bridge, say) that can be told to post that format."""

import json
import logging
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


# --- what providers hand over -----------------------------------------------------------------


@dataclass
class InboundSms:
    provider_id: str  # unique per provider, namespaced ("ovh:incoming:123"): the dedup key
    sender: str  # as given by the operator; normalised to E.164 by the caller
    text: str
    received_at: datetime | None = None
    raw: bytes = b""  # what the operator said, kept as the message's source


@dataclass
class DeliveryReceipt:
    provider_id: str  # the id `send` returned
    delivered: bool | None  # True delivered, False failed for good, None still in progress
    detail: str = ""


class PayloadError(ValueError):
    """The webhook call is not in the provider's format: answered with 400, nothing stored."""


def request_data(request: HttpRequest) -> dict:
    """Parameters of a webhook call, wherever the operator puts them: query string, form
    body or JSON object body (operators differ, and some change over the years)."""
    data: dict = {key: request.GET.get(key) for key in request.GET}
    if request.method == "POST":
        content_type = request.content_type or ""
        if content_type == "application/json" or request.body[:1] in (b"{", b"["):
            try:
                body = json.loads(request.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise PayloadError(f"the body is not valid JSON: {exc}") from None
            if not isinstance(body, dict):
                raise PayloadError("the JSON body must be an object")
            data.update(body)
        else:
            data.update({key: request.POST.get(key) for key in request.POST})
    return data


def parse_timestamp(value) -> datetime | None:
    """ISO 8601 (with or without offset) or a Unix timestamp; None when absent."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise PayloadError(f"bad timestamp {value!r}") from None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        raise PayloadError(f"bad date {str(value)[:40]!r}")
    if parsed.tzinfo is None:
        from django.utils import timezone

        parsed = timezone.make_aware(parsed)
    return parsed


# --- providers ----------------------------------------------------------------------------------


class SmsProvider:
    """Base of every provider; the parsers read Parvis's generic JSON format:

    incoming: {"id": "...", "from": "+336...", "text": "...", "received_at": "ISO 8601"}
    receipt:  {"id": "...", "status": "delivered" | "failed" | "pending", "error": "..."}
    """

    name = "parvis"

    def send(self, to: str, text: str) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse_incoming(self, request: HttpRequest) -> list[InboundSms]:
        data = request_data(request)
        missing = [key for key in ("id", "from") if not str(data.get(key) or "").strip()]
        if missing:
            raise PayloadError(f"missing field(s): {', '.join(missing)}")
        text = data.get("text", "")
        if not isinstance(text, str):
            raise PayloadError("'text' must be a string")
        if not isinstance(data["id"], str | int) or not isinstance(data["from"], str | int):
            raise PayloadError("'id' and 'from' must be strings")
        return [
            InboundSms(
                provider_id=f"{self.name}:{str(data['id']).strip()[:200]}",
                sender=str(data["from"]).strip(),
                text=text,
                received_at=parse_timestamp(data.get("received_at")),
                raw=request.body or json.dumps(data).encode(),
            )
        ]

    def parse_receipt(self, request: HttpRequest) -> list[DeliveryReceipt]:
        data = request_data(request)
        if not str(data.get("id") or "").strip():
            raise PayloadError("missing field: id")
        status = str(data.get("status") or "").lower()
        states = {"delivered": True, "failed": False, "pending": None}
        if status not in states:
            raise PayloadError("'status' must be delivered, failed or pending")
        return [
            DeliveryReceipt(
                provider_id=str(data["id"]).strip(),
                delivered=states[status],
                detail=str(data.get("error") or "")[:300],
            )
        ]


class LogProvider(SmsProvider):
    """Sends nothing: logs the SMS. For the demo and development."""

    name = "log"

    def send(self, to: str, text: str) -> str:
        message_id = f"{self.name}:{uuid.uuid4().hex}"
        logger.info("SMS to %s (%s): %s", to, message_id, text)
        return message_id


def provider() -> SmsProvider:
    return import_string(settings.PARVIS_SMS_PROVIDER)()


# --- numbers and keywords ---------------------------------------------------------------------


def e164(number: str) -> str:
    """The number in E.164 ("+33612345678"), or '' when it is not a phone number (a short code,
    an alphanumeric sender). French national forms ("06 12...", "0033 6...") are understood."""
    from phonenumbers import PhoneNumberFormat, format_number

    from parvis.people.normalize import parse_phone

    number = (number or "").strip()
    if number.startswith("00"):
        number = "+" + number[2:]
    elif number[:2] == "33" and len(number) == 11 and number.isdigit():
        number = "+" + number  # operators often drop the "+"
    parsed = parse_phone(number)
    return format_number(parsed, PhoneNumberFormat.E164) if parsed is not None else ""


# French operators and the CNIL use STOP; ARRET is the usual French variant. A keyword only
# counts as the whole message ("stop the roadworks" is a request, not an unsubscription).
STOP_KEYWORDS = {"STOP", "ARRET", "STOP SMS", "STOPSMS", "UNSUBSCRIBE", "DESABONNER"}


def is_stop(text: str) -> bool:
    folded = unicodedata.normalize("NFKD", text or "")
    folded = "".join(c for c in folded if not unicodedata.combining(c)).upper()
    words = "".join(c if c.isalnum() else " " for c in folded).split()
    return " ".join(words) in STOP_KEYWORDS


# --- segments ---------------------------------------------------------------------------------

# GSM 03.38 default alphabet and its extension table (an extension character is sent as
# ESC + character: two septets).
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int  # SMS parts the operator will send (and bill)
    per_segment: int  # capacity of one part in this message (160/153 or 70/67)


def segments(text: str) -> Segments:
    """How an operator will split `text`: 160 GSM-7 septets in one SMS, 153 per part when
    concatenated (the UDH takes 7); UCS-2 as soon as one character is outside GSM-7 (an emoji,
    "ê", typographic quotes...), then 70, or 67 per part. A character is never split across
    parts (an extension pair, a surrogate pair), as handsets and operators do."""
    text = text or ""
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        costs = [2 if c in GSM7_EXTENSION else 1 for c in text]
        encoding, single, multi = "GSM-7", 160, 153
    else:
        costs = [2 if ord(c) > 0xFFFF else 1 for c in text]
        encoding, single, multi = "UCS-2", 70, 67
    units = sum(costs)
    if units == 0:
        return Segments(encoding, 0, 0, single)
    if units <= single:
        return Segments(encoding, units, 1, single)
    count, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            count, used = count + 1, 0
        used += cost
    return Segments(encoding, units, count, multi)
