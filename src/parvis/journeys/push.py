"""Web Push (RFC 8030 transport, RFC 8291 encryption, RFC 8292 VAPID) with pywebpush, for
portal users who subscribed in their browser. Registered as the "push" channel adapter.

Configuration from the environment: PARVIS_VAPID_PRIVATE_KEY (the PEM or the raw base64url
key, e.g. from `vapid --gen`), PARVIS_VAPID_PUBLIC_KEY (given to browsers) and
PARVIS_VAPID_SUBJECT (mailto: or https: contact for the push services)."""

import base64
import binascii
import json
import os
from urllib.parse import urlparse

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parvis.channels.adapters import register
from parvis.channels.messages import DeliveryError, OutgoingMessage

from .models import PushSubscription

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def vapid_config() -> tuple[str, str, str]:
    """(private key, public key, subject): from settings, else from the environment."""
    from django.conf import settings

    def value(name, default=""):
        return getattr(settings, name, "") or os.environ.get(name, default)

    return (
        value("PARVIS_VAPID_PRIVATE_KEY"),
        value("PARVIS_VAPID_PUBLIC_KEY"),
        value("PARVIS_VAPID_SUBJECT", "mailto:mairie@mont-bonvillers.localhost"),
    )


def _b64(value: str) -> bytes:
    value = (value or "").strip()
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def validate_subscription(data) -> dict:
    """The browser's PushSubscription.toJSON(), checked: an https endpoint (http only on
    loopback, for development), a P-256 public key and a 16-byte auth secret."""
    if not isinstance(data, dict):
        raise ValidationError(_("Expected the subscription as a JSON object."))
    endpoint = str(data.get("endpoint") or "")
    parsed = urlparse(endpoint)
    if not (parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in LOOPBACK)):
        raise ValidationError({"endpoint": _("The push endpoint must be an https URL.")})
    if len(endpoint) > 1000:
        raise ValidationError({"endpoint": _("The push endpoint is too long.")})
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        p256dh, auth = _b64(keys.get("p256dh", "")), _b64(keys.get("auth", ""))
    except (binascii.Error, ValueError, TypeError):
        raise ValidationError({"keys": _("The subscription keys are not base64url.")}) from None
    if len(p256dh) != 65 or p256dh[0] != 4:
        raise ValidationError({"keys": _("The p256dh key is not an uncompressed P-256 key.")})
    if len(auth) != 16:
        raise ValidationError({"keys": _("The auth secret must be 16 bytes.")})
    return {"endpoint": endpoint, "p256dh": keys["p256dh"].strip(), "auth": keys["auth"].strip()}


def subscribe(person, data) -> PushSubscription:
    cleaned = validate_subscription(data)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=cleaned["endpoint"],
        defaults={
            "person": person,
            "p256dh": cleaned["p256dh"],
            "auth": cleaned["auth"],
            "active": True,
        },
    )
    return subscription


@register("push")
def send_push(message: OutgoingMessage) -> str:
    from pywebpush import WebPushException, webpush

    private_key, _public, subject = vapid_config()
    if not private_key:
        raise DeliveryError(
            "Web push is not configured (PARVIS_VAPID_PRIVATE_KEY)", retryable=False
        )
    subscription = PushSubscription.objects.filter(endpoint=message.to, active=True).first()
    if subscription is None:
        raise DeliveryError("No active push subscription", retryable=False)
    if private_key.startswith("-----BEGIN"):
        from py_vapid import Vapid

        private_key = Vapid.from_pem(private_key.encode())
    payload = json.dumps({"title": message.subject, "body": message.body_text[:1000]})
    try:
        response = webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=payload,
            vapid_private_key=private_key,
            vapid_claims={"sub": subject},
            ttl=24 * 3600,
            timeout=15,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):  # the browser unsubscribed: forget it
            PushSubscription.objects.filter(pk=subscription.pk).update(active=False)
            raise DeliveryError(f"Push subscription gone ({status})", retryable=False) from exc
        raise DeliveryError(
            f"Push service: {exc}", retryable=status is None or status >= 500 or status == 429
        ) from exc
    except OSError as exc:
        raise DeliveryError(f"Push service unreachable: {exc}") from exc
    return response.headers.get("Location", "") if hasattr(response, "headers") else ""
