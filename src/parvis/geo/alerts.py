"""Alerts: compose once, send on every chosen channel at once, follow up, close.

`create_alert` validates and records the alert and its first message; `add_update` adds an
update or the closing message. Each message is queued by `queue_update` (a Celery task calls
it): the audience is frozen at the first send (`AlertRecipient`, one INSERT … SELECT), then
recipients are taken in person-id order by chunks; each chunk asks the dispatch gate for the
whole chunk per channel (`gate.check_many`: a fixed number of queries, joining the chunk as a
subquery; every decision logged), writes the `Dispatch` rows, their links to the update and
the timeline lines column-wise (`journeys.bulk.insert_columns`: one INSERT … SELECT FROM
unnest(…) each on PostgreSQL, no model instance per row), and records its progress in the
same transaction. A task that dies resumes after the last committed chunk.

Safety alerts (vital interest) are sent with `safety=True`: the gate lets them through quiet
hours and holidays and does not cap or count them; they go without opt-in consent but never
against an explicit refusal. Their subject carries the safety marker. Other alerts obey every
rule of the gate: outside the allowed hours they are deferred, over the pressure cap refused."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parvis.channels import gate
from parvis.journeys import bulk
from parvis.journeys.models import Dispatch, new_token
from parvis.people.models import Interaction

from . import geometry, selection
from .models import Alert, AlertDispatch, AlertRecipient, AlertSubscription, AlertUpdate, Area

logger = logging.getLogger(__name__)

CHANNELS = ("email", "sms", "push", "postal")
CHUNK = 20000
DELIVERY_CHUNK = 500
# What differs from one queued message to the next (the rest is the same for the chunk).
_DISPATCH_COLUMNS = (
    "person_id",
    "channel",
    "address",
    "status",
    "reason",
    "not_before",
    "token",
    "send_key",
    "message_id",
)


def _check_message(subject: str, body: str, errors: dict) -> None:
    if not (subject or "").strip():
        errors["subject"] = _("This field is required.")
    if not (body or "").strip():
        errors["body"] = _("This field is required.")
    if len(subject or "") > 150:
        errors["subject"] = _("At most 150 characters.")


def create_alert(
    *, title: str, topic: str, channels, selection_data, subject: str, body: str, user=None
) -> Alert:
    """Validate and record an alert and its first message (queued after commit)."""
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("This field is required.")
    if topic not in dict(Alert._meta.get_field("topic").choices):
        errors["topic"] = _("Choose a topic.")
    channels = [c for c in dict.fromkeys(channels or []) if c]
    if not channels or any(c not in CHANNELS for c in channels):
        errors["channels"] = _("Choose at least one channel (email, SMS, push, letter).")
    _check_message(subject, body, errors)
    tree = None
    try:
        tree = selection.to_tree(selection_data)
    except selection.SelectionError as exc:
        errors["selection"] = str(exc)
    if tree is not None and not selection.people(tree).exists():
        if not subscribers(topic, selection_data, tree).exists():
            errors["selection"] = _(
                "No one lives in the selected area: nobody would receive this alert."
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        alert = Alert.objects.create(
            title=title.strip()[:200],
            topic=topic,
            channels=channels,
            selection=selection_data,
            definition=tree,
            created_by=user if getattr(user, "pk", None) else None,
        )
        update = AlertUpdate.objects.create(
            alert=alert,
            kind=AlertUpdate.Kind.INITIAL,
            subject=subject.strip(),
            body=body.strip(),
            created_by=alert.created_by,
        )
        _schedule(update)
    return alert


def add_update(alert: Alert, *, subject: str, body: str, closing: bool = False, user=None):
    """An update, or the closing message (the alert is then closed), to the same audience."""
    errors: dict[str, str] = {}
    if alert.status != Alert.Status.OPEN:
        errors["__all__"] = _("This alert is closed: no more messages can be sent.")
    _check_message(subject, body, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        update = AlertUpdate.objects.create(
            alert=alert,
            kind=AlertUpdate.Kind.CLOSING if closing else AlertUpdate.Kind.UPDATE,
            subject=subject.strip(),
            body=body.strip(),
            created_by=user if getattr(user, "pk", None) else None,
        )
        if closing:
            alert.status = Alert.Status.CLOSED
            alert.closed_at = timezone.now()
            alert.save(update_fields=["status", "closed_at"])
        _schedule(update)
    return update


def _schedule(update: AlertUpdate) -> None:
    from .tasks import queue_alert_update

    transaction.on_commit(lambda: queue_alert_update.delay(update.pk))


# --- the audience ----------------------------------------------------------------------------


def tree_rings(tree: dict) -> list:
    """The selection's polygons (lists of rings) from its validated tree."""
    out = []
    for node in tree.get("conditions", []):
        kind = node["kind"]
        if kind == "polygon":
            out.extend([[tuple(p) for p in poly[0]]] for poly in node["geometry"]["coordinates"])
        elif kind == "radius":
            out.append([geometry.circle_ring(node["lat"], node["lon"], node["metres"])])
        elif kind == "area":
            from .areas import area_rings

            out.extend(area_rings(a) for a in Area.objects.filter(pk__in=node["areas"]))
        elif kind == "street":
            box = selection._street_box(node["streets"])
            if box:
                out.append(box)
    return out


def subscribers(topic: str, selection_data, tree: dict):
    """Living persons subscribed to the topic for an area that overlaps the selection."""
    rings = tree_rings(tree)
    areas = [
        area.pk
        for area in Area.objects.filter(subscriptions__topic=topic).distinct()
        if any(geometry.overlap(_area_rings(area), shape) for shape in rings)
    ]
    return AlertSubscription.objects.filter(
        topic=topic, area_id__in=areas, person__deceased_on__isnull=True
    ).values("person_id")


def _area_rings(area):
    from .areas import area_rings

    return area_rings(area)


def freeze(alert: Alert) -> int:
    """The audience of the first send, frozen once: residents of the selection (one
    INSERT … SELECT) and the subscribers of other areas that overlap it."""
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.frozen_at:
            alert.frozen_at, alert.recipients = locked.frozen_at, locked.recipients
            return locked.recipients
        table = AlertRecipient._meta.db_table
        residents = selection.people(alert.definition).annotate(pid=F("pk")).values("pid")
        sql, params = residents.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (alert_id, person_id) SELECT %s, sub.pid FROM ({sql}) sub",
                [alert.pk, *params],
            )
        extra = (
            subscribers(alert.topic, alert.selection, alert.definition)
            .exclude(person_id__in=AlertRecipient.objects.filter(alert=alert).values("person_id"))
            .distinct()
        )
        AlertRecipient.objects.bulk_create(
            [
                AlertRecipient(alert=alert, person_id=pid)
                for pid in extra.values_list("person_id", flat=True)
            ],
            batch_size=2000,
        )
        alert.recipients = AlertRecipient.objects.filter(alert=alert).count()
        alert.frozen_at = timezone.now()
        alert.save(update_fields=["recipients", "frozen_at"])
        return alert.recipients


# --- queuing ---------------------------------------------------------------------------------


def subject_for(update: AlertUpdate) -> str:
    alert = update.alert
    parts = []
    if alert.safety:
        parts.append("[" + _("Safety alert") + "]")
    if update.kind == AlertUpdate.Kind.UPDATE:
        parts.append(_("Update") + " —")
    elif update.kind == AlertUpdate.Kind.CLOSING:
        parts.append(_("End of alert") + " —")
    parts.append(update.subject)
    return " ".join(parts)[:300]


def queue_update(update: AlertUpdate, *, at=None, chunk: int = CHUNK, enqueue: bool = True):
    """Judge and queue the message for every recipient on every channel of the alert.
    Returns the totals {"email:queued": n, "sms:no_consent": n, ...}."""
    update = AlertUpdate.objects.select_related("alert").get(pk=update.pk)
    if update.status == AlertUpdate.Status.QUEUED:
        return update.totals
    alert = update.alert
    freeze(alert)
    AlertUpdate.objects.filter(pk=update.pk).update(status=AlertUpdate.Status.QUEUING)
    with translation.override(settings.LANGUAGE_CODE):
        subject = subject_for(update)
        kind_label = str(AlertUpdate.Kind(update.kind).label)
        summary = (_("Alert “%(title)s”") % {"title": alert.title} + f" — {kind_label}")[:300]
    domain = settings.PARVIS_EMAIL_DOMAIN
    totals = dict(update.totals or {})
    progress = update.progress
    step_id = f"alert:{alert.pk}"
    while True:
        ids = list(
            AlertRecipient.objects.filter(alert=alert, person_id__gt=progress)
            .order_by("person_id")
            .values_list("person_id", flat=True)[:chunk]
        )
        if not ids:
            break
        now = at or timezone.now()
        # The chunk as a set for the gate's look-ups (a subquery, not thousands of ids).
        people = AlertRecipient.objects.filter(
            alert=alert, person_id__gt=progress, person_id__lte=ids[-1]
        ).values("person_id")
        with transaction.atomic():
            cols: dict[str, list] = {name: [] for name in _DISPATCH_COLUMNS}
            for channel in alert.channels:
                requests = [gate.Request(pid, channel) for pid in ids]
                gate.check_many(
                    requests,
                    "alerts",
                    safety=alert.safety,
                    at=now,
                    source="alert",
                    people=people,
                )
                for request in requests:
                    decision = request.decision
                    outcome = "queued" if decision.allowed else decision.reason
                    totals[f"{channel}:{outcome}"] = totals.get(f"{channel}:{outcome}", 0) + 1
                    if not (decision.allowed or decision.deferred):
                        continue
                    token = new_token()
                    pid = request.person_id
                    cols["person_id"].append(pid)
                    cols["channel"].append(channel)
                    cols["address"].append(decision.address)
                    cols["status"].append("queued" if decision.allowed else "deferred")
                    cols["reason"].append("" if decision.allowed else decision.reason)
                    cols["not_before"].append(decision.defer_until)
                    cols["token"].append(token)
                    cols["send_key"].append(f"alert:{update.pk}:{pid}:{channel}")
                    cols["message_id"].append(f"<{token}@{domain}>" if channel == "email" else "")
            # Column-wise INSERTs (one statement each on PostgreSQL): no model instances.
            written = bulk.insert_columns(
                Dispatch,
                cols,
                constants={
                    "purpose": "alerts",
                    "safety": alert.safety,
                    "language": "fr",
                    "subject": subject,
                    "body_text": update.body,
                    "source": "alert",
                    "step_id": step_id,
                },
                returning=("id", "status"),
            )
            bulk.insert_columns(
                AlertDispatch,
                {"dispatch_id": [pk for pk, _status in written]},
                constants={"update_id": update.pk},
            )
            bulk.insert_columns(
                Interaction,
                {"person_id": cols["person_id"], "channel": cols["channel"]},
                constants={
                    "occurred_at": now,
                    "kind": Interaction.Kind.MESSAGE_OUT,
                    "summary": summary,
                    "body": subject,
                    "ref_type": "geo.alertupdate",
                    "ref_id": str(update.pk),
                },
            )
            progress = ids[-1]
            AlertUpdate.objects.filter(pk=update.pk).update(progress=progress, totals=totals)
            queued_ids = sorted(pk for pk, status in written if status == "queued")
            if enqueue and queued_ids:
                _enqueue_delivery(queued_ids)
    AlertUpdate.objects.filter(pk=update.pk).update(
        status=AlertUpdate.Status.QUEUED, queued_at=timezone.now(), totals=totals
    )
    return totals


def _enqueue_delivery(ids: list[int]) -> None:
    from .tasks import deliver_alert_messages

    for start in range(0, len(ids), DELIVERY_CHUNK):
        part = ids[start : start + DELIVERY_CHUNK]
        transaction.on_commit(lambda part=part: deliver_alert_messages.delay(part))


# --- reading ---------------------------------------------------------------------------------


def update_figures(alert: Alert) -> list[dict]:
    """Per message: what the gate decided per channel, and where the messages are now."""
    from django.db.models import Count

    status_rows = (
        AlertDispatch.objects.filter(update__alert=alert)
        .values("update_id", "dispatch__channel", "dispatch__status")
        .annotate(n=Count("id"))
        .order_by()
    )
    statuses: dict[int, dict] = {}
    for row in status_rows:
        per = statuses.setdefault(row["update_id"], {})
        per.setdefault(row["dispatch__channel"], {})[row["dispatch__status"]] = row["n"]
    out = []
    for update in alert.updates.all():
        decided: dict[str, dict] = {}
        for key, n in (update.totals or {}).items():
            channel, _sep, outcome = key.partition(":")
            decided.setdefault(channel, {})[outcome] = n
        out.append({"update": update, "decided": decided, "statuses": statuses.get(update.pk, {})})
    return out
