"""Signed links: open pixel, click redirect, one-click unsubscribe; and engagement events.

A token is the dispatch's random `token` signed with the instance's secret (Django's
`signing`), so a link cannot be forged to record an event for another message, and a click
link carries its destination inside the signature: the redirect cannot be turned into an
open redirect."""

import os
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

OPEN_SALT = "parvis.journeys.open"
CLICK_SALT = "parvis.journeys.click"
UNSUBSCRIBE_SALT = "parvis.journeys.unsubscribe"


def public_url() -> str:
    return getattr(settings, "PARVIS_PUBLIC_URL", "") or os.environ.get(
        "PARVIS_PUBLIC_URL", "http://127.0.0.1:8000"
    ).rstrip("/")


@lru_cache(maxsize=8)
def _route(name: str) -> tuple[str, str]:
    """The URL of a route around its token, reversed once (thousands of links per batch)."""
    before, after = reverse(name, args=["TOKEN"]).split("TOKEN")
    return before, after


def _link(name: str, signed: str) -> str:
    before, after = _route(name)
    return f"{public_url()}{before}{signed}{after}"


def open_url(token: str) -> str:
    return _link("journeys-track:open", signing.Signer(salt=OPEN_SALT).sign(token))


def click_url(token: str, url: str) -> str:
    signed = signing.dumps({"t": token, "u": url}, salt=CLICK_SALT, compress=True)
    return _link("journeys-track:click", signed)


def unsubscribe_url(token: str) -> str:
    return _link("journeys-track:unsubscribe", signing.Signer(salt=UNSUBSCRIBE_SALT).sign(token))


def unsign(value: str, salt: str) -> str | None:
    try:
        return signing.Signer(salt=salt).unsign(value)
    except signing.BadSignature:
        return None


def unsign_click(value: str) -> dict | None:
    try:
        data = signing.loads(value, salt=CLICK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not str(data.get("u", "")).startswith(("http://", "https://")):
        return None
    return data


STAMPS = {"opened": "opened_at", "clicked": "clicked_at", "replied": "replied_at"}


def record(dispatch, kind: str, detail: str = "", at=None):
    """One engagement event on a message; the first of each kind also stamps the message
    (a click implies an open: images are often blocked)."""
    from .models import Dispatch, EngagementEvent

    at = at or timezone.now()
    with transaction.atomic():
        EngagementEvent.objects.create(
            dispatch=dispatch,
            person_id=dispatch.person_id,
            journey_id=dispatch.journey_id,
            kind=kind,
            detail=detail[:500],
            at=at,
        )
        kinds = [kind] + (["opened"] if kind == "clicked" else [])
        for k in kinds:
            field = STAMPS.get(k)
            if field:
                Dispatch.objects.filter(pk=dispatch.pk, **{f"{field}__isnull": True}).update(
                    **{field: at}
                )
    return dispatch


def record_person_event(person, kind: str, *, journey=None, detail: str = "", at=None):
    """An engagement that is not about one message: booked an appointment, goal reached
    (called by other domains)."""
    from .models import EngagementEvent

    return EngagementEvent.objects.create(
        person=person, journey=journey, kind=kind, detail=detail[:500], at=at or timezone.now()
    )


def match_reply(in_reply_to: str, references: list[str], at=None):
    """An inbound e-mail answering one of our messages: record `replied` (called from the
    post_save signal on the inbox's messages)."""
    from .models import Dispatch

    ids = [i for i in [in_reply_to, *references] if i]
    if not ids:
        return None
    dispatch = Dispatch.objects.filter(message_id__in=ids).first()
    if dispatch is not None:
        record(dispatch, "replied", at=at)
    return dispatch


def count_attempt(dispatch_id: int):
    from .models import Dispatch

    Dispatch.objects.filter(pk=dispatch_id).update(attempts=F("attempts") + 1)
