"""What the portal does for a signed-in citizen (or a confirmed anonymous sender): every
request, reply, chat line and correction request goes through the cases intake, like an
email would; consents go through the people services. Views only call these functions.

Everything is scoped to the citizen's own person: a function here never takes a case or a
fact without the person it must belong to."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parvis.cases import intake
from parvis.cases.models import Attachment, Case, Message, Service
from parvis.cases.references import REFERENCE_IN_TEXT
from parvis.channels.messages import IncomingAttachment, IncomingMessage
from parvis.people.models import (
    Channel,
    Consent,
    DataSource,
    Fact,
    Person,
    Purpose,
    Residence,
)
from parvis.people.services import current_consents, record_consent

from .identity import LinkError, absolute_url, make_link_token, read_link_token, send_portal_email
from .models import PendingFile, PendingRequest

# The channels a citizen can consent to be contacted on, per purpose.
CONSENT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.POSTAL)
PREFERRED_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.POSTAL, Channel.PORTAL)


def new_submission_id() -> str:
    """Put in each form: the same form posted twice (a double click, a reload) becomes the
    same message id, which the intake recognises as a duplicate."""
    return uuid.uuid4().hex


def message_id(kind: str, owner, submission: str) -> str:
    try:
        token = uuid.UUID(submission).hex
    except (ValueError, TypeError, AttributeError):
        token = uuid.uuid4().hex
    return f"<{kind}-{owner}-{token}@portal.{settings.PARVIS_EMAIL_DOMAIN}>"


def neutral_subject(subject: str) -> str:
    """A web form is never threaded by a [#reference] typed in its subject: a citizen could
    otherwise write into someone else's case."""
    return REFERENCE_IN_TEXT.sub(lambda m: f"#{m.group(1)}", subject or "").strip()


def _receive(incoming: IncomingMessage, **kwargs) -> intake.IntakeResult:
    """intake.receive, and for a form posted twice the case of the first post."""
    result = intake.receive(incoming, **kwargs)
    if result.outcome == "duplicate":
        known = (
            Message.objects.filter(channel=incoming.channel, message_id=incoming.message_id)
            .select_related("case")
            .first()
        )
        if known is not None:
            result.case, result.message = known.case, known
    return result


def _attachments(files) -> list[IncomingAttachment]:
    # Uploads are passed as seekable files: the attachment policy reads them without
    # copying 20 MB into memory.
    return [IncomingAttachment(filename=f.name, content=f) for f in files]


# --- my requests -----------------------------------------------------------------------------


def citizen_cases(person: Person) -> QuerySet[Case]:
    return (
        Case.objects.filter(person=person, merged_into__isnull=True)
        .select_related("service")
        .order_by("-updated_at", "-id")
    )


def citizen_case(person: Person, reference: str) -> Case:
    """The citizen's case with this reference (following merges), or Case.DoesNotExist."""
    case = Case.objects.select_related("service").get(person=person, reference=reference)
    seen = set()
    while case.merged_into_id and case.pk not in seen:
        seen.add(case.pk)
        target = Case.objects.select_related("service").get(pk=case.merged_into_id)
        if target.person_id != person.pk:
            break
        case = target
    return case


def visible_messages(case: Case) -> QuerySet[Message]:
    """The conversation as the citizen sees it: received and sent messages, never internal
    notes, whatever flag a note carries."""
    return (
        case.messages.filter(visible_to_citizen=True)
        .exclude(direction=Message.Direction.NOTE)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("created_at", "id")
    )


def citizen_attachment(person: Person, attachment_id: int) -> Attachment:
    return Attachment.objects.select_related("message__case").get(
        pk=attachment_id,
        status=Attachment.Status.ACCEPTED,
        message__case__person=person,
        message__visible_to_citizen=True,
        message__direction__in=[Message.Direction.IN, Message.Direction.OUT],
    )


def submit_request(
    *,
    person: Person,
    subject: str,
    text: str,
    service: Service | None = None,
    files=(),
    submission: str = "",
) -> intake.IntakeResult:
    incoming = IncomingMessage(
        channel=Channel.PORTAL,
        sender_name=str(person)[:200],
        subject=neutral_subject(subject),
        body_text=text,
        message_id=message_id("request", person.pk, submission),
        attachments=_attachments(files),
    )
    return _receive(incoming, person=person, service=service)


def reply_to_case(
    *, person: Person, case: Case, text: str, files=(), submission: str = ""
) -> intake.IntakeResult:
    """The citizen writes in their case; the intake re-opens it if it was waiting or done."""
    if case.person_id != person.pk:
        raise PermissionError("not the citizen's case")
    incoming = IncomingMessage(
        channel=Channel.PORTAL,
        sender_name=str(person)[:200],
        subject=_("Re: %(subject)s") % {"subject": case.subject},
        body_text=text,
        message_id=message_id("reply", person.pk, submission),
        attachments=_attachments(files),
    )
    return _receive(incoming, person=person, case=case)


# --- anonymous requests ------------------------------------------------------------------------


def create_pending_request(
    *,
    name: str,
    email: str,
    subject: str,
    text: str,
    service: Service | None = None,
    files=(),
    request=None,
) -> PendingRequest:
    """Keep the request and its files until the sender proves the email is theirs."""
    with transaction.atomic():
        pending = PendingRequest.objects.create(
            name=name, email=email, subject=subject, body=text, service=service
        )
        for upload in files:
            kept = PendingFile(request=pending, filename=upload.name[:255])
            kept.file.save(upload.name, upload, save=False)
            kept.save()
    token = make_link_token("request", str(pending.pk))
    send_portal_email(
        email,
        _("Confirm your request"),
        "portal/email/request_confirm.txt",
        {
            "url": absolute_url(request, reverse("portal:request-confirm", args=[token])),
            "hours": settings.PARVIS_PORTAL_LINK_MAX_AGE // 3600,
        },
    )
    return pending


def confirm_pending_request(token: str) -> tuple[PendingRequest, bool]:
    """Hand the request behind this link to the intake, once: the same link clicked again
    (or by a mail scanner first) returns the case already opened. Returns (request, new)."""
    pending_id = read_link_token("request", token)
    with transaction.atomic():
        pending = PendingRequest.objects.select_for_update().filter(pk=pending_id).first()
        if pending is None:
            raise LinkError("invalid")
        if pending.confirmed_at:
            return pending, False
        kept = list(pending.files.all())
        opened = [k.file.open("rb") for k in kept]
        try:
            incoming = IncomingMessage(
                channel=Channel.PORTAL,
                sender=pending.email,
                sender_name=pending.name,
                subject=neutral_subject(pending.subject),
                body_text=pending.body,
                message_id=message_id("pending", "anonymous", str(pending.pk)),
                attachments=[
                    IncomingAttachment(filename=k.filename, content=f)
                    for k, f in zip(kept, opened, strict=True)
                ],
            )
            result = _receive(incoming, service=pending.service)
        finally:
            for f in opened:
                f.close()
        pending.case = result.case
        pending.confirmed_at = timezone.now()
        pending.save(update_fields=["case", "confirmed_at"])
        names = [k.file.name for k in kept]
        pending.files.all().delete()
        transaction.on_commit(lambda: _delete_stored(names))
    return pending, True


def _delete_stored(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def purge_pending_requests(now=None) -> int:
    """Forget requests whose link has expired (confirmed or not) and their kept files."""
    limit = (now or timezone.now()) - timedelta(seconds=settings.PARVIS_PORTAL_LINK_MAX_AGE)
    old = PendingRequest.objects.filter(created_at__lt=limit)
    names = list(PendingFile.objects.filter(request__in=old).values_list("file", flat=True))
    count, _unused = old.delete()
    _delete_stored(names)
    return count


# --- preferences and consents ------------------------------------------------------------------


def consent_grid(person: Person) -> list[dict]:
    """One row per purpose, one cell per channel, with the current decision."""
    current = {(c.purpose, c.channel): c for c in current_consents(person)}
    rows = []
    for purpose, purpose_label in Purpose.choices:
        cells = []
        for channel in CONSENT_CHANNELS:
            consent = current.get((purpose, channel))
            cells.append(
                {
                    "name": f"consent-{purpose}-{channel}",
                    "channel": channel,
                    "label": Channel(channel).label,
                    "granted": bool(consent and consent.granted),
                    "consent": consent,
                }
            )
        rows.append({"purpose": purpose, "label": purpose_label, "cells": cells})
    return rows


def save_preferences(
    person: Person, *, preferred_channel: str, granted: set[tuple[str, str]], user=None
) -> list[Consent]:
    """Record the decisions that changed (the history is the rows; nothing is rewritten).
    A box left unticked where nothing was ever recorded is not a decision."""
    current = {(c.purpose, c.channel): c.granted for c in current_consents(person)}
    recorded = []
    with transaction.atomic():
        for purpose in Purpose.values:
            for channel in CONSENT_CHANNELS:
                wanted = (purpose, channel) in granted
                had = current.get((purpose, channel))
                if had is None and not wanted or had == wanted:
                    continue
                recorded.append(
                    record_consent(
                        person,
                        purpose=purpose,
                        channel=channel,
                        granted=wanted,
                        method=Consent.Method.PORTAL,
                        by=user,
                    )
                )
        if preferred_channel != person.preferred_channel:
            if preferred_channel and preferred_channel not in PREFERRED_CHANNELS:
                raise ValueError("unknown channel")
            person.preferred_channel = preferred_channel
            person.save(update_fields=["preferred_channel", "updated_at"])
    return recorded


def consent_history(person: Person, limit: int = 50) -> list[Consent]:
    return list(person.consents.order_by("-recorded_at", "-id")[:limit])


# --- what the administration knows ----------------------------------------------------------


def own_file(person: Person) -> dict:
    """All the facts held about the citizen (sensitive ones too: it is their own data),
    grouped by source, with the contact points and current addresses."""
    by_source: dict[DataSource, list[Fact]] = {}
    facts = person.facts.select_related("key", "source").order_by("source__name", "key__label")
    for fact in facts:
        by_source.setdefault(fact.source, []).append(fact)
    residences = (
        Residence.objects.filter(person=person, end__isnull=True)
        .select_related("address__street")
        .order_by("-start")
    )
    return {
        "facts_by_source": by_source,
        "contact_points": list(person.contact_points.order_by("kind", "id")),
        "residences": list(residences),
    }


def fact_value_display(fact: Fact) -> str:
    """The value as the citizen reads it, in their language's formats (612,50 €)."""
    value = fact.value
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        value = formats.number_format(value, decimal_pos=0 if value == value.to_integral() else 2)
    unit = f" {fact.key.unit}" if fact.key.unit else ""
    return f"{value}{unit}"


def request_correction(
    *, person: Person, fact: Fact, text: str, submission: str = ""
) -> intake.IntakeResult:
    """The right to rectification (GDPR art. 16): a case, like any other request."""
    if fact.person_id != person.pk:
        raise PermissionError("not the citizen's fact")
    subject = _("Correction request: %(label)s") % {"label": fact.key.label}
    body = _(
        "Data: %(label)s\nValue held: %(value)s\nSource: %(source)s (legal basis: %(basis)s)\n"
        "Collected on: %(collected)s\n\nWhat the citizen says:\n%(text)s"
    ) % {
        "label": fact.key.label,
        "value": fact_value_display(fact),
        "source": fact.source.name,
        "basis": fact.legal_basis,
        "collected": formats.date_format(
            timezone.localtime(fact.collected_at), "SHORT_DATE_FORMAT"
        ),
        "text": text,
    }
    incoming = IncomingMessage(
        channel=Channel.PORTAL,
        sender_name=str(person)[:200],
        subject=neutral_subject(subject),
        body_text=body,
        message_id=message_id("correction", person.pk, submission),
    )
    return _receive(incoming, person=person)


# --- chat ----------------------------------------------------------------------------------------


def open_chat_case(person: Person) -> Case | None:
    """The chat the citizen is having, if any: the latest open chat case."""
    return (
        Case.objects.filter(
            person=person,
            channel=Channel.CHAT,
            status__in=Case.OPEN_STATUSES,
            merged_into__isnull=True,
        )
        .order_by("-updated_at", "-id")
        .first()
    )


def send_chat_message(*, person: Person, text: str, submission: str = "") -> intake.IntakeResult:
    """A line typed in the chat: it continues the open chat case or starts one."""
    incoming = IncomingMessage(
        channel=Channel.CHAT,
        sender_name=str(person)[:200],
        body_text=text,
        message_id=message_id("chat", person.pk, submission),
    )
    return _receive(incoming, person=person, case=open_chat_case(person))


def chat_messages(case: Case | None) -> list[Message]:
    if case is None:
        return []
    return list(visible_messages(case))
