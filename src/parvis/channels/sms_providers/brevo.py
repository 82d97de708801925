"""Brevo (formerly Sendinblue, a French company) transactional SMS: sending and delivery
reports. Brevo posts no incoming SMS to a webhook, so answers from citizens need a two-way
operator (see the `ovh` module); this provider refuses inbound calls as malformed.

Documentation followed:

- sending: POST https://api.brevo.com/v3/transactionalSMS/send with the `api-key` header
  and a JSON body {sender, recipient, content, type, tag, unicodeEnabled}; the answer is
  {"messageId": ...} (https://developers.brevo.com/docs/transactional-sms-endpoints; the
  former POST /v3/transactionalSMS/sms is deprecated,
  https://developers.brevo.com/changelog/deprecated-endpoint-post-v3transactionalsmssms);
- delivery reports: the transactional SMS webhook (https://developers.brevo.com/docs/
  transactional-webhooks) posts JSON with `messageId`, `to` and `msg_status` (sent,
  delivered, soft_bounce, hard_bounce), plus `reference`, `date`, `sms_count`...

Configuration (settings or environment): PARVIS_SMS_API_URL (default
https://api.brevo.com/v3), PARVIS_BREVO_API_KEY, PARVIS_BREVO_SMS_SENDER (11 letters or
digits, or 15 digits), PARVIS_SMS_TIMEOUT (seconds, default 10)."""

import json

from django.http import HttpRequest

from ..messages import DeliveryError
from ..sms import DeliveryReceipt, InboundSms, PayloadError, SmsProvider, request_data, segments
from . import ProviderHTTPError, config, http_json

DEFAULT_API_URL = "https://api.brevo.com/v3"
STATES = {
    "sent": None,
    "accepted": None,
    "delivered": True,
    # A bounce is final for Brevo: it does not send the SMS again.
    "soft_bounce": False,
    "hard_bounce": False,
    "rejected": False,
    "skip": False,
}


class BrevoProvider(SmsProvider):
    name = "brevo"

    def __init__(self):
        self.base_url = config("PARVIS_SMS_API_URL", DEFAULT_API_URL).rstrip("/")
        self.api_key = config("PARVIS_BREVO_API_KEY")
        self.sender = config("PARVIS_BREVO_SMS_SENDER")
        self.timeout = float(config("PARVIS_SMS_TIMEOUT", "10"))

    def send(self, to: str, text: str) -> str:
        if not self.api_key or not self.sender:
            raise DeliveryError(
                "Brevo SMS is not configured (PARVIS_BREVO_API_KEY, PARVIS_BREVO_SMS_SENDER)",
                retryable=False,
            )
        body = {
            "sender": self.sender,
            "recipient": to.lstrip("+"),  # "with the country code": 33612345678
            "content": text,
            "type": "transactional",
            "tag": "parvis",
            "unicodeEnabled": segments(text).encoding == "UCS-2",
        }
        try:
            answer = http_json(
                "POST",
                f"{self.base_url}/transactionalSMS/send",
                headers={
                    "accept": "application/json",
                    "content-type": "application/json",
                    "api-key": self.api_key,
                },
                body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                timeout=self.timeout,
            )
        except ProviderHTTPError as exc:
            raise ProviderHTTPError(exc.status, f"Brevo: {exc}") from None
        except DeliveryError as exc:
            raise DeliveryError(f"Brevo: {exc}", exc.retryable) from None
        message_id = answer.get("messageId") if isinstance(answer, dict) else None
        if not message_id:
            raise DeliveryError("Brevo sent nothing (no messageId in the answer)", False)
        return f"{self.name}:{message_id}"

    def parse_incoming(self, request: HttpRequest) -> list[InboundSms]:
        raise PayloadError("Brevo does not forward incoming SMS; use a two-way operator")

    def parse_receipt(self, request: HttpRequest) -> list[DeliveryReceipt]:
        data = request_data(request)
        message_id = str(data.get("messageId") or "").strip()
        status = str(data.get("msg_status") or "").strip().lower()
        if not message_id or not status:
            raise PayloadError("missing 'messageId' or 'msg_status'")
        return [
            DeliveryReceipt(
                provider_id=f"{self.name}:{message_id}",
                delivered=STATES.get(status),
                detail=status.replace("_", " ") if STATES.get(status) is False else "",
            )
        ]
