"""OVHcloud SMS, over the OVHcloud REST API (a French operator, hosting in France).

Documentation followed:

- signing API calls ("First steps with the OVHcloud APIs",
  https://docs.ovh.com/gb/en/api/first-steps-with-ovh-api/): each call carries
  X-Ovh-Application, X-Ovh-Consumer, X-Ovh-Timestamp and
  X-Ovh-Signature = "$1$" + SHA1_HEX(AS+"+"+CK+"+"+METHOD+"+"+QUERY+"+"+BODY+"+"+TSTAMP),
  QUERY being the full URL and TSTAMP the server's time (GET /auth/time, unsigned);
- sending: POST /sms/{serviceName}/jobs, https://eu.api.ovh.com/console/#/sms and the
  "API SMS cookbook" https://docs.ovh.com/fr/sms/api_sms_cookbook/ (receivers, message,
  sender or senderForResponse, noStopClause, coding, priority...); the answer lists `ids`,
  `validReceivers` and `invalidReceivers`;
- replies (SMS in): the "SMS reply" options of the account ("Options > Reply options > CGI
  call", https://help.ovhcloud.com/csm/en-ie-sms-faq?id=kb_article_view&sysparm_article=KB0075339)
  call our URL for every reply with the incoming SMS's `id`; the content is then read from
  GET /sms/{serviceName}/incoming/{id} (object sms.Incoming: id, sender, message,
  creationDatetime, credits, tag). Reading it back from the signed API means what we store is
  what OVHcloud holds, not what the caller of a URL claims;
- delivery reports: the API user's callback URL ("SMS users" guide and the FAQ above) is called
  with `id`, `ptt` (1 in progress, 4 delivered, 5 failed), `date` and `description`; the
  account's older "status change callback URL" sends `id` and `dlr` (Kannel's codes: 1
  delivered, 2 failed, 4 buffered, 8 sent to the operator, 16 rejected). Both are understood.

Configuration (settings or environment): PARVIS_SMS_API_URL (default
https://eu.api.ovh.com/1.0), PARVIS_OVH_APPLICATION_KEY, PARVIS_OVH_APPLICATION_SECRET,
PARVIS_OVH_CONSUMER_KEY, PARVIS_OVH_SMS_SERVICE (the account, "sms-xx12345-1"),
PARVIS_OVH_SMS_SENDER (a validated sender name; empty: a short code the citizen can answer),
PARVIS_SMS_TIMEOUT (seconds, default 10)."""

import hashlib
import json
import logging
import time
from urllib.parse import quote

from django.http import HttpRequest

from ..messages import DeliveryError
from ..sms import (
    DeliveryReceipt,
    InboundSms,
    PayloadError,
    SmsProvider,
    parse_timestamp,
    request_data,
    segments,
)
from . import ProviderHTTPError, config, http_json

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://eu.api.ovh.com/1.0"
# Difference between OVHcloud's clock and ours, per API URL: signatures carry a timestamp
# the API checks, so a drifting server clock must not break sending.
_TIME_DELTAS: dict[str, int] = {}

PTT_STATES = {"1": None, "4": True, "5": False}
DLR_STATES = {"1": True, "2": False, "4": None, "8": None, "16": False}


def signature(secret: str, consumer: str, method: str, url: str, body: str, ts: str) -> str:
    payload = "+".join([secret, consumer, method.upper(), url, body, ts])
    return "$1$" + hashlib.sha1(payload.encode("utf-8")).hexdigest()


class OvhProvider(SmsProvider):
    name = "ovh"

    def __init__(self):
        self.base_url = config("PARVIS_SMS_API_URL", DEFAULT_API_URL).rstrip("/")
        self.application_key = config("PARVIS_OVH_APPLICATION_KEY")
        self.application_secret = config("PARVIS_OVH_APPLICATION_SECRET")
        self.consumer_key = config("PARVIS_OVH_CONSUMER_KEY")
        self.service = config("PARVIS_OVH_SMS_SERVICE")
        self.sender = config("PARVIS_OVH_SMS_SENDER")
        self.timeout = float(config("PARVIS_SMS_TIMEOUT", "10"))

    # --- the signed API ---------------------------------------------------------------------

    def _check_configured(self):
        missing = [
            name
            for name, value in [
                ("PARVIS_OVH_APPLICATION_KEY", self.application_key),
                ("PARVIS_OVH_APPLICATION_SECRET", self.application_secret),
                ("PARVIS_OVH_CONSUMER_KEY", self.consumer_key),
                ("PARVIS_OVH_SMS_SERVICE", self.service),
            ]
            if not value
        ]
        if missing:
            # Retrying will not help until an administrator sets them.
            raise DeliveryError(
                f"OVHcloud SMS is not configured ({', '.join(missing)})", retryable=False
            )

    def _time_delta(self) -> int:
        if self.base_url not in _TIME_DELTAS:
            try:
                server = http_json(
                    "GET",
                    f"{self.base_url}/auth/time",
                    headers={},
                    body=None,
                    timeout=self.timeout,
                )
                _TIME_DELTAS[self.base_url] = int(server) - int(time.time())
            except (DeliveryError, TypeError, ValueError) as exc:
                logger.warning("OVHcloud time not read (%s): signing with the local clock", exc)
                return 0
        return _TIME_DELTAS[self.base_url]

    def call(self, method: str, path: str, payload=None):
        self._check_configured()
        url = self.base_url + path
        body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        timestamp = str(int(time.time()) + self._time_delta())
        headers = {
            "Accept": "application/json",
            "X-Ovh-Application": self.application_key,
            "X-Ovh-Consumer": self.consumer_key,
            "X-Ovh-Timestamp": timestamp,
            "X-Ovh-Signature": signature(
                self.application_secret, self.consumer_key, method, url, body, timestamp
            ),
        }
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        try:
            return http_json(
                method,
                url,
                headers=headers,
                body=body.encode("utf-8") if payload is not None else None,
                timeout=self.timeout,
            )
        except ProviderHTTPError as exc:
            raise ProviderHTTPError(exc.status, f"OVHcloud {method} {path}: {exc}") from None
        except DeliveryError as exc:
            raise DeliveryError(f"OVHcloud {method} {path}: {exc}", exc.retryable) from None

    def _service_path(self) -> str:
        return f"/sms/{quote(self.service, safe='')}"

    # --- out ----------------------------------------------------------------------------------

    def send(self, to: str, text: str) -> str:
        job = {
            "charset": "UTF-8",
            "class": "phoneDisplay",
            "coding": "7bit" if segments(text).encoding == "GSM-7" else "8bit",
            "message": text,
            # Answers to a citizen are not marketing: no "STOP 36xxx" clause, sent at once
            # (marketing SMS would otherwise wait for business hours).
            "noStopClause": True,
            "priority": "high",
            "receivers": [to],
            "tag": "parvis",
            "validityPeriod": 2880,
        }
        if self.sender:
            job["sender"] = self.sender
        else:
            job["senderForResponse"] = True  # a short code: the citizen can answer
        report = self.call("POST", f"{self._service_path()}/jobs", job)
        if not isinstance(report, dict):
            raise DeliveryError("OVHcloud: unexpected answer to POST jobs", retryable=True)
        if report.get("invalidReceivers"):
            raise DeliveryError(f"OVHcloud refused the number {to}", retryable=False)
        ids = report.get("ids") or []
        if not ids:
            raise DeliveryError("OVHcloud sent nothing (no id in the answer)", retryable=False)
        return f"{self.name}:{ids[0]}"

    # --- in -----------------------------------------------------------------------------------

    def parse_incoming(self, request: HttpRequest) -> list[InboundSms]:
        data = request_data(request)
        sms_id = str(data.get("id") or "").strip()
        if not sms_id.isdigit():
            raise PayloadError("missing or non-numeric 'id' of the incoming SMS")
        try:
            incoming = self.call("GET", f"{self._service_path()}/incoming/{sms_id}")
        except ProviderHTTPError as exc:
            if exc.status == 404:
                raise PayloadError(f"OVHcloud knows no incoming SMS {sms_id}") from None
            raise
        if not isinstance(incoming, dict) or not incoming.get("sender"):
            raise PayloadError(f"OVHcloud's incoming SMS {sms_id} has no sender")
        message = incoming.get("message") or ""
        if not isinstance(message, str):
            raise PayloadError("the incoming SMS's message is not text")
        return [
            InboundSms(
                provider_id=f"{self.name}:in:{incoming.get('id', sms_id)}",
                sender=str(incoming["sender"]),
                text=message,
                received_at=parse_timestamp(incoming.get("creationDatetime")),
                raw=json.dumps(incoming, ensure_ascii=False).encode("utf-8"),
            )
        ]

    def parse_receipt(self, request: HttpRequest) -> list[DeliveryReceipt]:
        data = request_data(request)
        sms_id = str(data.get("id") or "").strip()
        if not sms_id:
            raise PayloadError("missing 'id' of the SMS")
        if data.get("ptt") not in (None, ""):
            delivered = PTT_STATES.get(str(data["ptt"]).strip())
        elif data.get("dlr") not in (None, ""):
            delivered = DLR_STATES.get(str(data["dlr"]).strip())
        else:
            raise PayloadError("missing 'ptt' or 'dlr' delivery status")
        return [
            DeliveryReceipt(
                provider_id=f"{self.name}:{sms_id}",
                delivered=delivered,
                detail=str(data.get("description") or "")[:300],
            )
        ]
