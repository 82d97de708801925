"""The dispatch gate: the one place that decides whether a message may leave.

Every outbound message to a citizen — a journey step, an agent's extra message, a case
status notification — asks `check()` (one person) or `check_many()` (a batch, in a handful
of queries whatever its size), and `send()` records and queues one message. The rules, in
order, each with the reason code the dashboard shows:

1. ``deceased`` — never write to a person recorded as dead;
2. ``no_contact`` — no usable address on that channel (bounced and invalid contact points do
   not count; the portal needs none);
3. consent for the purpose on the channel: e-mail, SMS and push are opt-in (``no_consent``
   without a granted decision), postal letters and the portal are opt-out
   (``consent_withdrawn`` only after an explicit refusal). A safety alert (vital interest,
   GDPR art. 6(1)(d)) goes without consent but never against an explicit refusal;
4. ``suppressed`` — the address is on the suppression list (hard bounce, invalid number,
   one-click unsubscribe) for this purpose or for all;
5. ``pressure`` — the contact pressure cap: at most N messages per person over a rolling
   period across all journeys and producers, configurable per purpose
   (``PARVIS_CONTACT_PRESSURE``); safety alerts are not capped and not counted;
6. ``quiet_hours`` / ``holiday`` — outside the allowed hours, on Sundays and French public
   holidays (the `holidays` library) the message is not refused but deferred
   (``defer_until``: the next allowed time). Safety alerts are exempt; for case updates only
   the channels that ring (SMS, push) wait.

Every decision is written to `GateDecision`, allowed or not. The rows (decisions,
suppression list, messages) live in the journeys app (see its models), imported lazily so
that this module stays importable from anywhere in `channels`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import holidays as holidays_lib
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

OPT_IN = {"email", "sms", "push"}
RINGING = {"sms", "push", "phone"}
CONTACT_KINDS = {"email": ["email"], "sms": ["mobile"]}
DEFAULT_PRESSURE = {
    # purpose: [messages, days] — None: not capped and not counted.
    "default": [3, 7],
    "town_news": [2, 30],
    "case_updates": None,
    "alerts": None,
}
COUNTED_STATUSES = ("queued", "deferred", "sending", "sent", "uncertain")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    detail: str = ""
    defer_until: datetime | None = None
    address: str = ""

    @property
    def deferred(self) -> bool:
        return self.defer_until is not None


@dataclass
class Request:
    """One message to judge: who, on which channel (filled by `check_many`)."""

    person_id: int
    channel: str
    decision: Decision | None = field(default=None)


# --- configuration -------------------------------------------------------------------------------


def parse_pressure(text: str) -> dict:
    """ "default=3/7,town_news=2/30,alerts=off" → {"default": [3, 7], ..., "alerts": None}."""
    rules = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        purpose, _sep, rule = part.partition("=")
        rule = rule.strip().lower()
        if rule in ("off", "none", ""):
            rules[purpose.strip()] = None
            continue
        count, _slash, days = rule.partition("/")
        rules[purpose.strip()] = [int(count), int(days or 7)]
    return rules


def pressure_rule(purpose: str):
    configured = getattr(settings, "PARVIS_CONTACT_PRESSURE", {}) or {}
    if isinstance(configured, str):
        configured = parse_pressure(configured)
    rules = {**DEFAULT_PRESSURE, **configured}
    return rules.get(purpose, rules["default"])


def quiet_hours() -> tuple[int, int]:
    """(start, end): messages may leave from `end` o'clock until `start` o'clock."""
    return tuple(getattr(settings, "PARVIS_QUIET_HOURS", (20, 8)))


_FRENCH_HOLIDAYS = holidays_lib.France()


def is_holiday(day: date) -> bool:
    return day in _FRENCH_HOLIDAYS or day.weekday() == 6  # Sundays rest too


def quiet_reason(at: datetime) -> str:
    """'' when a message may leave at `at`, else 'holiday' or 'quiet_hours'."""
    local = timezone.localtime(at)
    start, end = quiet_hours()
    if is_holiday(local.date()):
        return "holiday"
    if local.hour >= start or local.hour < end:
        return "quiet_hours"
    return ""


def next_allowed(at: datetime) -> datetime:
    """The first moment at or after `at` when a non-urgent message may leave."""
    local = timezone.localtime(at)
    start, end = quiet_hours()
    for _day in range(30):
        if not is_holiday(local.date()):
            if local.hour < end:
                return local.replace(hour=end, minute=0, second=0, microsecond=0)
            if local.hour < start:
                return local
        following = local.date() + timedelta(days=1)
        local = timezone.make_aware(datetime.combine(following, time(0)))
    return local  # pragma: no cover - thirty holidays in a row do not exist


def waits_for_quiet_hours(purpose: str, channel: str) -> bool:
    if channel == "portal":
        return False
    if purpose == "case_updates":
        return channel in RINGING
    return True


# --- the decision ----------------------------------------------------------------------------


def check(
    person,
    channel: str,
    purpose: str,
    *,
    safety: bool = False,
    at=None,
    source: str = "",
    journey=None,
    record: bool = True,
) -> Decision:
    """May a message for `purpose` go to `person` on `channel` at `at` (now)? Logged."""
    request = Request(person.pk, channel)
    check_many(
        [request], purpose, safety=safety, at=at, source=source, journey=journey, record=record
    )
    return request.decision


def check_many(
    requests: list[Request],
    purpose: str,
    *,
    safety: bool = False,
    at=None,
    source: str = "",
    journey=None,
    record: bool = True,
    recheck: bool = False,
    people=None,
) -> list[Request]:
    """Decide for a batch in a fixed number of queries; fills each request's `decision`.

    `recheck` is for the moment of sending a message already counted: the pressure cap and
    the quiet hours were judged when it was scheduled, consent and suppression are judged
    again (a citizen may have withdrawn in between).

    `people`, when given, is a queryset of the batch's person ids (one column, e.g. an
    alert's recipients in an id range): the look-ups then join it as a subquery instead of
    carrying thousands of ids as parameters (set-based; the same rules, the same answers).
    Every request's person must be in it."""
    from parvis.journeys.models import Dispatch, PushSubscription, Suppression
    from parvis.people.models import Consent, ContactPoint, Person, Residence

    at = at or timezone.now()
    ids = {r.person_id for r in requests} if people is None else people
    channels = {r.channel for r in requests}
    dead = set(
        Person.objects.filter(pk__in=ids, deceased_on__isnull=False).values_list("pk", flat=True)
    )
    addresses: dict[tuple[int, str], str] = {}
    kinds = [k for c in channels for k in CONTACT_KINDS.get(c, [])]
    if kinds:
        rows = (
            ContactPoint.objects.filter(
                person_id__in=ids, kind__in=kinds, status=ContactPoint.Status.OK
            )
            .order_by("-verified", "-id")
            .values_list("person_id", "kind", "normalized")
        )
        for person_id, kind, normalized in rows:
            channel = "email" if kind == "email" else "sms"
            addresses.setdefault((person_id, channel), normalized)
    if "postal" in channels:
        rows = (
            Residence.objects.filter(person_id__in=ids, end__isnull=True)
            .select_related("address__street")
            .order_by("-start")
        )
        for residence in rows:
            addresses.setdefault((residence.person_id, "postal"), residence.address.label)
    if "push" in channels:
        rows = PushSubscription.objects.filter(person_id__in=ids, active=True).values_list(
            "person_id", "endpoint"
        )
        for person_id, endpoint in rows:
            addresses.setdefault((person_id, "push"), endpoint)
    latest: dict[tuple[int, str], bool] = {}
    for person_id, channel, granted in (
        Consent.objects.filter(person_id__in=ids, purpose=purpose, channel__in=channels)
        .order_by("recorded_at", "id")
        .values_list("person_id", "channel", "granted")
    ):
        latest[(person_id, channel)] = granted
    wanted = sorted({addresses.get((r.person_id, r.channel)) for r in requests} - {None})
    suppressed = set()
    for start in range(0, len(wanted), 10_000):  # bounded parameters per query
        suppressed.update(
            Suppression.objects.filter(
                channel__in=channels,
                address__in=wanted[start : start + 10_000],
                purpose__in=[purpose, ""],
            ).values_list("channel", "address")
        )
    rule = None if (safety or recheck) else pressure_rule(purpose)
    pressure: dict[int, int] = {}
    if rule:
        limit, days = rule
        counted = [p for p in _counted_purposes()]
        pressure = dict(
            Dispatch.objects.filter(
                person_id__in=ids,
                status__in=COUNTED_STATUSES,
                safety=False,
                purpose__in=counted,
                created_at__gte=at - timedelta(days=days),
            )
            .values("person")
            .annotate(n=Count("id"))
            .values_list("person", "n")
        )
    quiet = "" if (safety or recheck) else quiet_reason(at)

    for request in requests:
        pid, channel = request.person_id, request.channel
        address = addresses.get((pid, channel), "")
        consent = latest.get((pid, channel))
        if pid in dead:
            decision = Decision(False, "deceased", _("The person is recorded as deceased."))
        elif channel != "portal" and not address:
            decision = Decision(False, "no_contact", _("No usable address on this channel."))
        elif consent is False:
            decision = Decision(
                False, "consent_withdrawn", _("The person refused messages for this purpose here.")
            )
        elif channel in OPT_IN and consent is None and not safety:
            decision = Decision(
                False, "no_consent", _("No consent for this purpose on this channel.")
            )
        elif (channel, address) in suppressed:
            decision = Decision(False, "suppressed", _("The address is on the suppression list."))
        elif rule and pressure.get(pid, 0) >= rule[0]:
            decision = Decision(
                False,
                "pressure",
                _("Already %(n)s messages in %(d)s days.") % {"n": pressure[pid], "d": rule[1]},
            )
        elif quiet and waits_for_quiet_hours(purpose, channel):
            decision = Decision(
                False,
                quiet,
                _("Deferred to the next allowed time."),
                defer_until=next_allowed(at),
                address=address,
            )
        else:
            decision = Decision(True, "ok", address=address)
        if decision.allowed and rule:
            pressure[pid] = pressure.get(pid, 0) + 1
        request.decision = decision
    if record:
        _record(requests, purpose, safety=safety, at=at, source=source, journey=journey)
    return requests


def _record(requests, purpose, *, safety, at, source, journey) -> None:
    """The decision log: one row per decision, allowed or not, with its reason — written
    column-wise in one statement (no model instance per row)."""
    from parvis.journeys.bulk import insert_columns
    from parvis.journeys.models import GateDecision

    decisions = [r.decision for r in requests]
    insert_columns(
        GateDecision,
        {
            "person_id": [r.person_id for r in requests],
            "channel": [r.channel for r in requests],
            "allowed": [d.allowed for d in decisions],
            "reason": [d.reason for d in decisions],
            "detail": [d.detail[:300] for d in decisions],
            "defer_until": [d.defer_until for d in decisions],
        },
        constants={
            "purpose": purpose,
            "safety": safety,
            "source": source[:40],
            "journey_id": getattr(journey, "pk", journey),
            "at": at,
        },
    )


def _counted_purposes() -> list[str]:
    from parvis.people.models import Purpose

    return [p for p in Purpose.values if pressure_rule(p) is not None]


# --- sending one message ------------------------------------------------------------------------


def send(
    person,
    channel: str,
    purpose: str,
    *,
    subject: str = "",
    text: str,
    html: str = "",
    safety: bool = False,
    send_key: str | None = None,
    source: str = "agent",
    journey=None,
    enrolment=None,
    step_id: str = "",
    actor=None,
    at=None,
):
    """Judge, record and queue one message; returns its `Dispatch` row (status queued,
    deferred or refused). With a `send_key` already used, returns the existing row and sends
    nothing (de-duplication)."""
    from parvis.journeys.models import Dispatch, new_token

    if send_key:
        existing = Dispatch.objects.filter(send_key=send_key).first()
        if existing:
            return existing
    decision = check(person, channel, purpose, safety=safety, at=at, source=source, journey=journey)
    status = "queued" if decision.allowed else "deferred" if decision.deferred else "refused"
    token = new_token()
    message_id = f"<{token}@{settings.PARVIS_EMAIL_DOMAIN}>" if channel == "email" else ""
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                person=person,
                channel=channel,
                purpose=purpose,
                safety=safety,
                address=decision.address,
                language=person.language or "fr",
                subject=subject[:300],
                body_text=text,
                body_html=html,
                status=status,
                reason="" if decision.allowed else decision.reason,
                not_before=decision.defer_until,
                send_key=send_key,
                source=source[:40],
                journey=journey,
                enrolment=enrolment,
                step_id=step_id,
                token=token,
                message_id=message_id,
            )
    except IntegrityError:  # another worker wrote the same send key just now
        return Dispatch.objects.get(send_key=send_key)
    if status != "refused":
        from parvis.people.models import Interaction
        from parvis.people.services import record_interaction

        record_interaction(
            person,
            kind=Interaction.Kind.MESSAGE_OUT,
            channel=channel,
            summary=(subject or text)[:200],
            actor=actor,
            ref=dispatch,
        )
    if status == "queued":
        from parvis.journeys.tasks import deliver_dispatch

        transaction.on_commit(lambda: deliver_dispatch.delay(dispatch.pk))
    return dispatch


# --- suppression ------------------------------------------------------------------------------


def suppress(channel: str, address: str, reason: str, *, purpose: str = "", detail: str = ""):
    """Put an address on the suppression list (idempotent). A hard bounce or an invalid
    number also marks the matching contact points, so that the 360° page shows it."""
    from parvis.journeys.models import Suppression
    from parvis.people.models import ContactPoint

    address = address.strip().lower() if channel == "email" else address.strip()
    row, _created = Suppression.objects.get_or_create(
        channel=channel,
        address=address,
        purpose=purpose,
        defaults={"reason": reason, "detail": detail[:300]},
    )
    if reason in ("hard_bounce", "invalid"):
        kinds = CONTACT_KINDS.get(channel, [])
        ContactPoint.objects.filter(kind__in=kinds, normalized=address).update(
            status=ContactPoint.Status.BOUNCED
            if reason == "hard_bounce"
            else ContactPoint.Status.INVALID
        )
    return row
