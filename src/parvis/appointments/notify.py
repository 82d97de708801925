"""The confirmation (with its .ics), the reminder the day before (with the documents to
bring) and the cancellation notice, by e-mail.

Each message asks the dispatch gate (consent, suppression, deceased…) for the purpose
"case_updates" — an appointment is the citizen's own request: not capped, and e-mail does
not wait for quiet hours — and is recorded as a `Dispatch` row with a unique send key, so
a task run twice sends once. It leaves through the e-mail adapter, which carries the .ics
attachment (the journeys' delivery worker sends bodies only)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from parvis.channels import adapters, gate
from parvis.channels.messages import DeliveryError, OutgoingMessage

from . import ics, links
from .models import Appointment

logger = logging.getLogger(__name__)
PURPOSE = "case_updates"
SOURCE = "appointment"


def _when(appointment: Appointment) -> str:
    local = timezone.localtime(appointment.start)
    return formats.date_format(local, "l j F Y") + " " + local.strftime("%H:%M")


def _lines(appointment: Appointment) -> list[str]:
    out = [
        _("Motive: %(m)s") % {"m": appointment.motive.name},
        _("When: %(w)s") % {"w": _when(appointment)},
        _("Where: %(p)s") % {"p": appointment.place.name},
    ]
    if appointment.place.address:
        out.append(appointment.place.address)
    return out


def _documents(appointment: Appointment) -> str:
    documents = appointment.motive.document_list
    if not documents:
        return ""
    return "\n" + _("Please bring:") + "\n" + "\n".join(f"- {d}" for d in documents) + "\n"


def confirmation(appointment: Appointment):
    person = appointment.person
    with translation.override(person.language or "fr"):
        subject = _("Your appointment on %(w)s is confirmed") % {"w": _when(appointment)}
        text = "\n".join(
            [
                _("Hello %(name)s,") % {"name": person.first_names},
                "",
                _("Your appointment is booked."),
                *_lines(appointment),
                _documents(appointment),
                _("To cancel it: %(url)s") % {"url": links.booking_url(person.pk)},
                "",
                _("The appointment is attached: add it to your calendar."),
            ]
        )
    return _send(
        appointment,
        "confirmation",
        subject,
        text,
        [("rendez-vous.ics", ics.appointment_ics(appointment), "text/calendar")],
    )


def reminder(appointment: Appointment):
    person = appointment.person
    with translation.override(person.language or "fr"):
        subject = _("Reminder: your appointment tomorrow, %(w)s") % {"w": _when(appointment)}
        text = "\n".join(
            [
                _("Hello %(name)s,") % {"name": person.first_names},
                "",
                _("We remind you of your appointment tomorrow."),
                *_lines(appointment),
                _documents(appointment),
                _("If you cannot come, please cancel it: %(url)s")
                % {"url": links.booking_url(person.pk)},
            ]
        )
    return _send(appointment, "reminder", subject, text, [])


def cancellation(appointment: Appointment):
    person = appointment.person
    with translation.override(person.language or "fr"):
        subject = _("Your appointment on %(w)s is cancelled") % {"w": _when(appointment)}
        text = "\n".join(
            [
                _("Hello %(name)s,") % {"name": person.first_names},
                "",
                _("Your appointment is cancelled."),
                *_lines(appointment),
                "",
                _("To book another one: %(url)s") % {"url": links.booking_url(person.pk)},
            ]
        )
    return _send(
        appointment,
        "cancellation",
        subject,
        text,
        [("rendez-vous.ics", ics.appointment_ics(appointment, cancelled=True), "text/calendar")],
    )


def _send(appointment: Appointment, kind: str, subject: str, text: str, attachments):
    from parvis.journeys.models import Dispatch, new_token

    send_key = f"appointment{appointment.pk}:{kind}"
    existing = Dispatch.objects.filter(send_key=send_key).first()
    if existing is not None and existing.status != "failed":
        return existing  # sent, refused, or being sent by another worker: once only
    person = appointment.person
    decision = gate.check(person, "email", PURPOSE, source=SOURCE, journey=appointment.journey_id)
    allowed = decision.allowed
    if existing is not None:  # a provider failure last time: try again, same row
        claimed = Dispatch.objects.filter(pk=existing.pk, status="failed").update(
            status="sending" if allowed else "refused",
            reason="" if allowed else decision.reason,
            address=decision.address,
        )
        if not claimed:
            return existing
        dispatch = existing
        dispatch.refresh_from_db()
        return _deliver(dispatch, decision, appointment, kind, attachments) if allowed else dispatch
    token = new_token()
    try:
        with transaction.atomic():
            dispatch = Dispatch.objects.create(
                person=person,
                channel="email",
                purpose=PURPOSE,
                address=decision.address,
                language=person.language or "fr",
                subject=subject[:300],
                body_text=text,
                status="sending" if allowed else "refused",
                reason="" if allowed else decision.reason,
                send_key=send_key,
                source=SOURCE,
                journey_id=appointment.journey_id,
                token=token,
                message_id=f"<{token}@{settings.PARVIS_EMAIL_DOMAIN}>",
                claimed_at=timezone.now(),
            )
    except IntegrityError:  # another worker wrote the same key just now
        return Dispatch.objects.get(send_key=send_key)
    if not allowed:
        logger.info("Appointment %s %s not sent: %s", appointment.pk, kind, decision.reason)
        return dispatch
    return _deliver(dispatch, decision, appointment, kind, attachments)


def _deliver(dispatch, decision, appointment: Appointment, kind: str, attachments):
    from parvis.journeys.models import Dispatch
    from parvis.people.models import Interaction
    from parvis.people.services import record_interaction

    try:
        adapters.send(
            OutgoingMessage(
                channel="email",
                to=decision.address,
                subject=dispatch.subject,
                body_text=dispatch.body_text,
                message_id=dispatch.message_id,
                headers={"Auto-Submitted": "auto-generated"},
                attachments=attachments,
            )
        )
    except DeliveryError as exc:
        Dispatch.objects.filter(pk=dispatch.pk).update(
            status="failed", attempts=dispatch.attempts + 1, last_error=str(exc)[:500]
        )
        logger.warning("Appointment %s %s failed: %s", appointment.pk, kind, exc)
        return dispatch
    Dispatch.objects.filter(pk=dispatch.pk).update(
        status="sent",
        sent_at=timezone.now(),
        attempts=dispatch.attempts + 1,
        provider_id=dispatch.message_id[:200],
    )
    record_interaction(
        appointment.person,
        kind=Interaction.Kind.MESSAGE_OUT,
        channel="email",
        summary=dispatch.subject,
        ref=dispatch,
    )
    dispatch.refresh_from_db()
    return dispatch
