"""Public endpoints reached from messages: open pixel, click redirect, one-click unsubscribe
(RFC 8058), and the portal's web push subscription. No login: the signed token is the
authority, and it only ever touches the message it was made for."""

import base64
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from parvis.channels import gate
from parvis.people.services import record_consent

from . import tracking
from .models import Dispatch

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
def open_pixel(request, signed: str):
    token = tracking.unsign(signed, tracking.OPEN_SALT)
    dispatch = Dispatch.objects.filter(token=token).first() if token else None
    if dispatch is not None:
        tracking.record(dispatch, "opened")
    # The same image either way: a forged link learns nothing.
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
def click(request, signed: str):
    data = tracking.unsign_click(signed)
    if data is None:
        return HttpResponseBadRequest("Invalid link")
    dispatch = Dispatch.objects.filter(token=data["t"]).first()
    if dispatch is not None:
        tracking.record(dispatch, "clicked", detail=data["u"])
    return HttpResponseRedirect(data["u"])


@csrf_exempt  # RFC 8058: the mailbox provider POSTs without cookie nor CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, signed: str):
    token = tracking.unsign(signed, tracking.UNSUBSCRIBE_SALT)
    dispatch = (
        Dispatch.objects.select_related("person").filter(token=token).first() if token else None
    )
    if dispatch is None:
        return render(request, "journeys/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "GET":
        # A GET never unsubscribes: link scanners and previews follow links.
        return render(
            request, "journeys/unsubscribe.html", {"dispatch": dispatch, "signed": signed}
        )
    with transaction.atomic():
        unsubscribe_dispatch(dispatch)
    return render(request, "journeys/unsubscribe.html", {"dispatch": dispatch, "done": True})


def unsubscribe_dispatch(dispatch: Dispatch):
    """Withdraw the consent for this message's purpose on its channel and suppress the
    address for that purpose (idempotent: a second click changes nothing)."""
    from .models import EngagementEvent, Suppression

    if Suppression.objects.filter(
        channel=dispatch.channel, address=dispatch.address, purpose=dispatch.purpose
    ).exists():
        return
    gate.suppress(dispatch.channel, dispatch.address, "unsubscribe", purpose=dispatch.purpose)
    record_consent(
        dispatch.person,
        purpose=dispatch.purpose,
        channel=dispatch.channel,
        granted=False,
        method="unsubscribe",
    )
    tracking.record(dispatch, EngagementEvent.Kind.UNSUBSCRIBED)


def push_worker(request):
    """The service worker script, at a stable URL (its scope is /j/push/)."""
    from pathlib import Path

    script = Path(__file__).parent / "static" / "journeys" / "push-sw.js"
    response = HttpResponse(script.read_bytes(), content_type="application/javascript")
    response["Cache-Control"] = "no-cache"  # browsers re-check it: updates take effect
    return response


@login_required
@require_POST
def push_subscribe(request):
    """The portal's service worker posts its subscription here (citizen accounts only)."""
    from .push import subscribe

    account = getattr(request.user, "portal_account", None)
    person = getattr(account, "person", None)
    if person is None:
        return JsonResponse({"error": "A confirmed citizen account is required."}, status=403)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error": "The body is not JSON."}, status=400)
    purposes = (
        data.get("purposes") or ["document_reminders", "alerts"] if isinstance(data, dict) else []
    )
    try:
        with transaction.atomic():
            subscription = subscribe(
                person, data.get("subscription", data) if isinstance(data, dict) else data
            )
            for purpose in purposes:
                record_consent(
                    person, purpose=purpose, channel="push", granted=True, method="portal"
                )
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    return JsonResponse({"id": subscription.pk}, status=201)
