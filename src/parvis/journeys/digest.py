"""The periodic digest: informational messages the contact pressure cap would drop are kept
(`DigestItem`) and sent together, one e-mail per person per period, through the gate like
any other message.

Which purposes are informational: `PARVIS_DIGEST_PURPOSES` (default "town_news"); a
reminder or an alert is never folded into a digest. The period is a week by default
(`PARVIS_DIGEST_DAYS`); the digest's send key names the person and the period, so a second
run in the same period sends nothing more. When the gate refuses the digest itself for
pressure, its items wait for the next period; refused for good (no consent, no address,
deceased), they are closed with that refused message so that they are not tried forever."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from parvis.channels import gate
from parvis.people.models import Person

from .models import DigestItem, Dispatch

PERMANENT_REFUSALS = {"deceased", "no_contact", "no_consent", "consent_withdrawn", "suppressed"}


def purposes() -> set[str]:
    value = getattr(settings, "PARVIS_DIGEST_PURPOSES", "town_news")
    if isinstance(value, str):
        value = [p.strip() for p in value.split(",")]
    return {p for p in value if p}


def period_days() -> int:
    return max(1, int(getattr(settings, "PARVIS_DIGEST_DAYS", 7)))


def period_label(at) -> str:
    """The period `at` falls in: days since 2000-01-03 (a Monday) divided by the period."""
    day = timezone.localdate(at)
    index = (day.toordinal() - 730122) // period_days()
    return f"{period_days()}d{index}"


def keep(items: list[DigestItem]) -> int:
    """Store items for the digest (the step's send key makes a re-run harmless)."""
    return len(DigestItem.objects.bulk_create(items, ignore_conflicts=True))


def render(person, items: list[DigestItem]) -> tuple[str, str]:
    with override(person.language or "fr"):
        subject = _("Your news from %(town)s") % {
            "town": getattr(settings, "PARVIS_INSTANCE_NAME", "Mont-Bonvillers")
        }
        parts = [
            _("Hello %(name)s,") % {"name": person.first_names},
            _("Here is what we wanted to tell you recently, gathered in one message:"),
        ]
        for item in items:
            parts.append(f"— {item.subject}\n\n{item.body_text}".strip())
    return subject, "\n\n".join(parts)


def send_digests(now=None) -> dict:
    """One digest per person with pending items, per period; returns counts."""
    now = now or timezone.now()
    label = period_label(now)
    out = {"digests": 0, "items": 0, "waiting": 0, "closed": 0}
    pending = defaultdict(list)
    for item in DigestItem.objects.filter(digest__isnull=True, created_at__lte=now).order_by(
        "created_at", "id"
    ):
        pending[(item.person_id, item.purpose)].append(item)
    people = Person.objects.in_bulk({person_id for person_id, _purpose in pending})
    for (person_id, purpose), items in pending.items():
        person = people[person_id]
        key = f"digest:{person_id}:{purpose}:{label}"
        if Dispatch.objects.filter(send_key=key).exists():
            out["waiting"] += len(items)  # this period's digest has left: the next one
            continue
        subject, text = render(person, items)
        dispatch = gate.send(
            person, "email", purpose, subject=subject, text=text, send_key=key, source="digest"
        )
        if dispatch.status == "refused" and dispatch.reason not in PERMANENT_REFUSALS:
            # Refused for pressure: the items wait for the next run. The gate's decision is
            # logged (GateDecision); the refused row would only pile up, one per run.
            Dispatch.objects.filter(pk=dispatch.pk).delete()
            out["waiting"] += len(items)
            continue
        DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(digest=dispatch)
        if dispatch.status == "refused":
            out["closed"] += len(items)
        else:
            out["digests"] += 1
            out["items"] += len(items)
    return out


def pending_since(days: int = 30):
    return DigestItem.objects.filter(
        digest__isnull=True, created_at__gte=timezone.now() - timedelta(days=days)
    )
