"""Send-time optimisation: a journey message waits for the hour this person usually opens
their messages, learned from their tracked opens, when that hour is inside the allowed
window (no quiet hours, no Sunday or public holiday) within the next 24 hours.

One query for a whole batch. A person with fewer than `MIN_OPENS` opens in the last
`HISTORY_DAYS` days has no usual hour: their message leaves now. Switched off with
`PARVIS_SEND_TIME_OPTIMISATION=0` or per step (`"send_time": "now"`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from parvis.channels import gate

MIN_OPENS = 3
HISTORY_DAYS = 180
CHANNELS = {"email", "sms", "push"}


def enabled(step: dict) -> bool:
    choice = step.get("send_time") or ""
    if choice == "now":
        return False
    if choice == "optimal":
        return True
    return bool(getattr(settings, "PARVIS_SEND_TIME_OPTIMISATION", True))


def usual_hours(person_ids, at, *, min_opens: int = MIN_OPENS) -> dict[int, int]:
    """{person id: local hour they open most often}, for people with enough history."""
    from .models import EngagementEvent

    hours: dict[int, Counter] = defaultdict(Counter)
    rows = EngagementEvent.objects.filter(
        person_id__in=list(person_ids),
        kind="opened",
        at__gte=at - timedelta(days=HISTORY_DAYS),
        at__lte=at,
    ).values_list("person_id", "at")
    for person_id, opened_at in rows:
        hours[person_id][timezone.localtime(opened_at).hour] += 1
    out = {}
    for person_id, counter in hours.items():
        if sum(counter.values()) >= min_opens:
            # The most frequent hour; the earliest of equals, so the result is stable.
            out[person_id] = min(counter, key=lambda h: (-counter[h], h))
    return out


def best_time(hour: int, now):
    """The next moment at `hour`:00 within 24 hours if the gate allows sending then; None
    to send now (this hour already, or the usual hour is not allowed)."""
    local = timezone.localtime(now)
    if local.hour == hour:
        return None
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    candidate = timezone.make_aware(candidate.replace(tzinfo=None))  # DST-safe
    if gate.quiet_reason(candidate):
        return None
    return candidate
