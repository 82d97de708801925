"""Every inbound message, whatever its channel, goes through `receive`: de-duplication,
threading into its case, identification of the sender, attachments, timeline.

Idempotent: receiving the same message twice (an IMAP fetch repeated after a crash, a
webhook delivered twice) returns "duplicate" and changes nothing."""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.channels.messages import IncomingMessage
from parvis.channels.sanitize import sanitize_html
from parvis.people.models import ContactPoint, Interaction, Person
from parvis.people.normalize import parse_phone
from parvis.people.services import record_interaction

from . import attachments
from .models import Case, CaseEvent, Message, Service
from .references import next_reference, reference_in
from .sla import add_business_days

# Sent after a message is committed in a case: AI triage and journeys listen to it.
message_received = Signal()

DEFAULT_SLA_DAYS = 5


@dataclass
class IntakeResult:
    outcome: str  # created, threaded, duplicate, ignored
    case: Case | None = None
    message: Message | None = None
    reason: str = ""


def dedup_key(incoming: IncomingMessage) -> str:
    if incoming.message_id:
        return incoming.message_id.strip()[:300]
    if incoming.raw:
        return "sha256:" + hashlib.sha256(incoming.raw).hexdigest()
    return ""


def receive(
    incoming: IncomingMessage,
    *,
    person: Person | None = None,
    case: Case | None = None,
    service: Service | None = None,
) -> IntakeResult:
    if incoming.delivery_reports:  # a bounce: the outbound message's fate, not a case
        from parvis.channels import bounces

        bounces.record(incoming.delivery_reports)
        return IntakeResult("ignored", reason=_("delivery status notification"))
    if incoming.auto_submitted:
        return IntakeResult("ignored", reason=_("automatic reply"))
    key = dedup_key(incoming)
    if key and Message.objects.filter(channel=incoming.channel, message_id=key).exists():
        return IntakeResult("duplicate", reason=_("already received"))
    try:
        with transaction.atomic():
            result = _receive(incoming, key, person, case, service)
    except IntegrityError:
        # Two workers raced on the same message: the other one stored it.
        return IntakeResult("duplicate", reason=_("already received"))
    transaction.on_commit(
        lambda: message_received.send(
            sender=Message, message=result.message, created=result.outcome == "created"
        )
    )
    return result


def _receive(incoming, key, person, case, service) -> IntakeResult:
    now = incoming.received_at or timezone.now()
    case = case or find_case(incoming)
    candidates: list[int] = []
    if person is None:
        if case is not None and case.person_id and _sender_matches(case.person, incoming.sender):
            person = case.person
        else:
            candidates = identify(incoming.channel, incoming.sender)
            if len(candidates) == 1:
                person = Person.objects.get(pk=candidates[0])
    outcome = "threaded"
    if case is None:
        outcome = "created"
        case = open_case(
            subject=incoming.subject or _first_words(incoming.body_text),
            channel=incoming.channel,
            person=person,
            service=service,
            at=now,
        )
        if person is None:
            case.candidate_ids = candidates
            if not candidates:
                case.proposed_person = propose_person(incoming)
            case.save(update_fields=["candidate_ids", "proposed_person"])
    else:
        _reopen_if_needed(case, now)
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.IN,
        channel=incoming.channel,
        person=person,
        sender=incoming.sender[:300],
        sender_name=incoming.sender_name[:200],
        recipient=incoming.recipient[:300],
        subject=incoming.subject[:300],
        body_text=incoming.body_text,
        body_html=sanitize_html(incoming.body_html) if incoming.body_html else "",
        message_id=key,
        in_reply_to=incoming.in_reply_to[:300],
        references=" ".join(incoming.references),
        created_at=now,
    )
    if incoming.raw:
        message.raw.save(f"{message.pk}.{incoming.raw_extension}", ContentFile(incoming.raw))
    for attachment in incoming.attachments:
        attachments.store_attachment(message, attachment.filename, attachment.content)
    for filename, reason in incoming.rejected_attachments:
        attachments.record_refused(message, filename, reason)
    Case.objects.filter(pk=case.pk).update(updated_at=now)
    if person is not None:
        record_interaction(
            person,
            kind=Interaction.Kind.MESSAGE_IN,
            channel=incoming.channel,
            summary=_("%(subject)s (case %(reference)s)")
            % {
                "subject": message.subject or _first_words(message.body_text),
                "reference": case.reference,
            },
            ref=message,
            at=now,
        )
    return IntakeResult(outcome, case, message)


def find_case(incoming: IncomingMessage) -> Case | None:
    """The case this message answers: by email headers first, then by [#reference]."""
    ids = [i for i in [incoming.in_reply_to, *incoming.references] if i]
    if ids:
        known = (
            Message.objects.filter(message_id__in=ids[-50:])
            .select_related("case")
            .order_by("-created_at")
            .first()
        )
        if known:
            return _follow_merges(known.case)
    reference = reference_in(incoming.subject)
    if reference:
        case = Case.objects.filter(reference=reference).first()
        if case:
            return _follow_merges(case)
    return None


def _follow_merges(case: Case) -> Case:
    seen = set()
    while case.merged_into_id and case.pk not in seen:
        seen.add(case.pk)
        case = case.merged_into
    return case


def _normalized_sender(channel: str, sender: str) -> tuple[list[str], str] | None:
    sender = (sender or "").strip()
    if not sender:
        return None
    if "@" in sender:
        return ["email"], sender.lower()
    number = parse_phone(sender)
    if number is None:
        return None
    from phonenumbers import PhoneNumberFormat, format_number

    return ["mobile", "landline"], format_number(number, PhoneNumberFormat.E164)


def identify(channel: str, sender: str) -> list[int]:
    """Persons whose contact point is the sender's address or number (most often one)."""
    normalized = _normalized_sender(channel, sender)
    if normalized is None:
        return []
    kinds, value = normalized
    return sorted(
        set(
            ContactPoint.objects.filter(kind__in=kinds, normalized=value).values_list(
                "person_id", flat=True
            )[:20]
        )
    )


def _sender_matches(person: Person, sender: str) -> bool:
    normalized = _normalized_sender("", sender)
    if normalized is None:
        return True  # portal and chat messages carry no address: the case's person wrote
    kinds, value = normalized
    return person.contact_points.filter(kind__in=kinds, normalized=value).exists()


def propose_person(incoming: IncomingMessage) -> dict:
    """What a new person would look like; an agent confirms before anything is created."""
    words = [w for w in (incoming.sender_name or "").replace(",", " ").split() if w]
    proposal = {"email" if "@" in incoming.sender else "phone": incoming.sender.strip()}
    if len(words) >= 2:
        # "NOM Prénom" (upper-case surname first) is common in French mail clients.
        if words[0].isupper() and not words[-1].isupper():
            proposal.update(last_name=words[0].title(), first_names=" ".join(words[1:]))
        else:
            proposal.update(first_names=" ".join(words[:-1]), last_name=words[-1])
    elif words:
        proposal["last_name"] = words[0]
    return proposal


def open_case(*, subject: str, channel: str, person=None, service=None, at=None) -> Case:
    at = at or timezone.now()
    days = service.sla_business_days if service else DEFAULT_SLA_DAYS
    return Case.objects.create(
        reference=next_reference(),
        subject=(subject or _("(no subject)"))[:300],
        channel=channel,
        person=person,
        service=service,
        created_at=at,
        updated_at=at,
        due_at=add_business_days(at, days),
    )


def _reopen_if_needed(case: Case, now) -> None:
    if case.status in (Case.Status.RESOLVED, Case.Status.CLOSED, Case.Status.WAITING):
        previous = case.get_status_display()
        case.status = Case.Status.OPEN
        case.closed_at = None
        case.save(update_fields=["status", "closed_at"])
        CaseEvent.objects.create(
            case=case,
            at=now,
            kind="status",
            summary=_("Re-opened by a new message from the citizen (was: %(status)s)")
            % {"status": previous},
        )


def _first_words(text: str, length: int = 80) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def suggested_people(case: Case) -> list[Person]:
    """The candidates an agent picks from when the sender matched several persons."""
    return list(Person.objects.filter(pk__in=case.candidate_ids))
