"""Filling templates for a batch of people: one query for the facts they mention, one
compiled template per source, and the tracking links of each message."""

from django.conf import settings
from django.utils import formats

from parvis.channels import templates_render
from parvis.people.models import Fact, FactKey

from . import tracking


def booking_url(person_id: int, token: str) -> str:
    from parvis.appointments.links import booking_url as signed_booking_url

    return signed_booking_url(person_id, token)


def facts_for(person_ids, sources) -> dict[int, dict]:
    keys = templates_render.fact_keys(*sources)
    if not keys:
        return {}
    # Sensitive facts (social, health, tax) never go into a message.
    allowed = set(
        FactKey.objects.filter(key__in=keys)
        .exclude(category__in=FactKey.SENSITIVE_CATEGORIES)
        .values_list("key", flat=True)
    )
    out: dict[int, dict] = {}
    rows = (
        Fact.objects.filter(person_id__in=list(person_ids), key_id__in=allowed)
        .select_related("key")
        .order_by("collected_at", "id")
    )
    for fact in rows:
        value = fact.value
        if fact.key.value_type == "date" and value:
            value = formats.date_format(value, "j F Y")
        out.setdefault(fact.person_id, {})[fact.key_id] = value
    return out


def context(person, facts: dict, token: str, channel: str) -> dict:
    base = tracking.public_url()
    return {
        "person": {
            "first_names": person.first_names,
            "last_name": person.last_name,
            "display_name": str(person),
            "language": person.language,
        },
        "facts": facts,
        # The signed link to book or cancel an appointment without signing in.
        "booking_url": booking_url(person.pk, token),
        "links": {
            "portal": f"{base}/portal/",
            "book": f"{base}/portal/requests/new/",
            "unsubscribe": tracking.unsubscribe_url(token) if channel == "email" else "",
        },
        "town": getattr(settings, "PARVIS_INSTANCE_NAME", "Mont-Bonvillers"),
    }


def render_for(template, person, facts: dict, token: str) -> templates_render.Rendered:
    channel = template.channel
    track = channel == "email"
    return templates_render.render(
        channel=channel,
        subject=template.subject,
        text=template.body_text,
        html=template.body_html,
        context=context(person, facts, token, channel),
        rewrite_link=(lambda url: tracking.click_url(token, url)) if track else None,
        pixel_url=tracking.open_url(token) if track else "",
    )
