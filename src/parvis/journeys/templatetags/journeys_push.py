"""`{% push_subscribe %}`: the web push subscribe button for a portal page; renders nothing
when web push is not configured (no VAPID public key) or the visitor has no citizen file."""

from django import template
from django.middleware.csrf import get_token
from django.urls import reverse

from ..push import vapid_config

register = template.Library()


@register.inclusion_tag("journeys/_push_subscribe.html", takes_context=True)
def push_subscribe(context):
    request = context.get("request")
    _private, public, _subject = vapid_config()
    account = getattr(getattr(request, "user", None), "portal_account", None)
    if not public or request is None or getattr(account, "person", None) is None:
        return {"enabled": False}
    return {
        "enabled": True,
        "public_key": public,
        "endpoint": reverse("journeys-track:push-subscribe"),
        "worker": reverse("journeys-track:push-worker"),
        "scope": reverse("journeys-track:push-worker").rsplit("/", 1)[0] + "/",
        "csrf": get_token(request),
    }
