"""Signed booking links: a journey message carries a link that lets the person book or
cancel without signing in. The link names the person (and the message it came in, so the
booking counts as that message's engagement), is signed with the instance's secret and
expires after `PARVIS_BOOKING_LINK_DAYS` days."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "parvis.appointments.booking"


@dataclass(frozen=True)
class LinkData:
    person_id: int
    dispatch_token: str = ""


class LinkError(Exception):
    def __init__(self, reason: str):  # "expired" or "invalid"
        super().__init__(reason)
        self.reason = reason


def max_age() -> int:
    return int(getattr(settings, "PARVIS_BOOKING_LINK_DAYS", 60)) * 24 * 3600


def sign(person_id: int, dispatch_token: str = "") -> str:
    payload = {"p": int(person_id)}
    if dispatch_token:
        payload["t"] = dispatch_token
    return signing.dumps(payload, salt=SALT, compress=True)


def unsign(value: str) -> LinkData:
    try:
        data = signing.loads(value, salt=SALT, max_age=max_age())
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        raise LinkError("invalid")
    return LinkData(data["p"], str(data.get("t") or ""))


def booking_url(person_id: int, dispatch_token: str = "") -> str:
    """The absolute booking link of a person (for templates: {{ booking_url }})."""
    from parvis.journeys.tracking import public_url

    path = reverse("appointments-portal:link", args=[sign(person_id, dispatch_token)])
    return f"{public_url()}{path}"
