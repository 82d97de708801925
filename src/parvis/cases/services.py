"""What agents do with cases: answer, change status, assign, note, tag, merge, identify.

Answers are rows first (`delivery=queued`) and leave through `deliver`, run by a worker after
the transaction commits; a sweeper re-sends what a lost task left queued."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.channels import adapters
from parvis.channels.messages import DeliveryError, OutgoingMessage
from parvis.people.models import Channel, ContactPoint, Interaction, Person
from parvis.people.services import create_person, record_interaction

from .models import Case, CaseEvent, Message, ReplyTemplate, Service, Tag
from .references import tagged_subject

logger = logging.getLogger(__name__)

# Channels an answer can go back on; a phone call or a counter visit is answered on the
# portal (and by notification on the preferred channel).
REPLYABLE = {Channel.EMAIL, Channel.SMS, Channel.CHAT, Channel.PORTAL}


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{settings.PARVIS_EMAIL_DOMAIN}>"


def _event(case: Case, kind: str, summary: str, actor=None) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        summary=summary[:300],
        actor=actor if getattr(actor, "pk", None) else None,
    )
    if case.person_id:
        record_interaction(
            case.person,
            kind=Interaction.Kind.CASE_EVENT,
            summary=f"{case.reference} : {summary}",
            actor=actor,
            ref=case,
        )
    return event


# --- answering ------------------------------------------------------------------------------


def render_template(template: ReplyTemplate | str, case: Case, agent=None) -> str:
    """Fill a macro's variables. Only the case, its citizen and the agent are in reach."""
    body = template.body if isinstance(template, ReplyTemplate) else template
    person = case.person
    context = {
        "case": {
            "reference": case.reference,
            "subject": case.subject,
            "status": case.get_status_display(),
            "service": case.service.name if case.service else "",
        },
        "person": {
            "first_names": person.first_names if person else "",
            "last_name": person.last_name if person else "",
            "display_name": str(person) if person else "",
        },
        "agent": {"name": (agent.get_full_name() or agent.username) if agent else ""},
    }
    try:
        return Template(body).render(Context(context, autoescape=False))
    except TemplateSyntaxError as exc:
        raise ValueError(_("The template has an error: %(error)s") % {"error": exc}) from exc


def reply_address(case: Case, channel: str) -> str:
    """Where an answer on `channel` goes: the last address the citizen wrote from."""
    last_in = (
        case.messages.filter(direction=Message.Direction.IN, channel=channel)
        .exclude(sender="")
        .last()
    )
    if last_in:
        return last_in.sender
    if case.person_id:
        kinds = {"email": ["email"], "sms": ["mobile"]}.get(channel, [])
        contact = ContactPoint.objects.filter(
            person_id=case.person_id, kind__in=kinds, status="ok"
        ).first()
        if contact:
            return contact.normalized
    return ""


def reply(
    case: Case,
    *,
    author,
    body: str,
    channel: str | None = None,
    template: ReplyTemplate | None = None,
    new_status: str = "",
) -> Message:
    """An answer to the citizen, on the channel they used unless told otherwise."""
    if not body.strip():
        raise ValueError(_("The answer is empty."))
    channel = channel or _answer_channel(case)
    last_in = case.messages.filter(direction=Message.Direction.IN).last()
    references = (
        (last_in.references.split() + [last_in.message_id])
        if last_in and last_in.message_id
        else []
    )
    with transaction.atomic():
        message = Message.objects.create(
            case=case,
            direction=Message.Direction.OUT,
            channel=channel,
            person=case.person,
            author=author,
            recipient=reply_address(case, channel),
            subject=tagged_subject(
                case.reference, _("Re: %(subject)s") % {"subject": case.subject}
            ),
            body_text=body,
            message_id=new_message_id() if channel == Channel.EMAIL else "",
            in_reply_to=last_in.message_id
            if last_in and not last_in.message_id.startswith("sha256:")
            else "",
            references=" ".join(r for r in references if r and not r.startswith("sha256:")),
            delivery=Message.Delivery.QUEUED,
        )
        if case.first_response_at is None:
            case.first_response_at = message.created_at
        case.updated_at = message.created_at
        case.save(update_fields=["first_response_at", "updated_at"])
        target_status = (
            new_status or (template.set_status if template else "") or Case.Status.WAITING
        )
        if target_status != case.status:
            set_status(case, target_status, actor=author, notify=False)
        if case.person_id:
            record_interaction(
                case.person,
                kind=Interaction.Kind.MESSAGE_OUT,
                channel=channel,
                summary=_("Answer to %(reference)s") % {"reference": case.reference},
                actor=author,
                ref=message,
            )
        queue_delivery(message)
    return message


def _answer_channel(case: Case) -> str:
    last_in = case.messages.filter(direction=Message.Direction.IN).last()
    channel = last_in.channel if last_in else case.channel
    return channel if channel in REPLYABLE else Channel.PORTAL


def queue_delivery(message: Message) -> None:
    from .tasks import deliver_message

    transaction.on_commit(lambda: deliver_message.delay(message.pk))


def deliver(message_id: int) -> str:
    """Send one queued message. Idempotent: a message already sent is not sent again."""
    with transaction.atomic():
        message = (
            Message.objects.select_for_update().select_related("case").filter(pk=message_id).first()
        )
        if message is None or message.delivery != Message.Delivery.QUEUED:
            return "skipped"
        if message.channel in (Channel.EMAIL, Channel.SMS) and not message.recipient:
            message.delivery = Message.Delivery.FAILED
            message.delivery_error = _("No address to send to.")
            message.save(update_fields=["delivery", "delivery_error"])
            return "failed"
        outgoing = OutgoingMessage(
            channel=message.channel,
            to=message.recipient,
            subject=message.subject,
            body_text=message.body_text,
            message_id=message.message_id,
            in_reply_to=message.in_reply_to,
            references=message.references.split(),
            headers={"Auto-Submitted": "auto-replied"} if message.author_id is None else {},
        )
        try:
            provider_id = adapters.send(outgoing)
        except DeliveryError as exc:
            logger.warning("Delivery of message %s failed: %s", message.pk, exc)
            message.delivery_error = str(exc)[:500]
            if not exc.retryable:
                message.delivery = Message.Delivery.FAILED
            message.save(update_fields=["delivery", "delivery_error"])
            if exc.retryable:
                raise
            return "failed"
        message.delivery = Message.Delivery.SENT
        message.delivery_error = ""
        fields = ["delivery", "delivery_error"]
        if provider_id and not message.message_id:
            # SMS operators report delivery against their own id: keep it to match receipts.
            message.message_id = provider_id
            fields.append("message_id")
        message.save(update_fields=fields)
        return "sent"


def stale_queued(age: timedelta = timedelta(minutes=2)):
    return Message.objects.filter(
        delivery=Message.Delivery.QUEUED, created_at__lt=timezone.now() - age
    ).values_list("pk", flat=True)


# --- status, assignment, notes, tags --------------------------------------------------------------


def set_status(case: Case, status: str, *, actor=None, notify: bool = True) -> Case:
    if status not in Case.Status.values:
        raise ValueError(_("Unknown status."))
    if status == case.status:
        return case
    previous = case.get_status_display()
    case.status = status
    case.closed_at = (
        timezone.now() if status in (Case.Status.RESOLVED, Case.Status.CLOSED) else None
    )
    case.updated_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _event(
        case,
        "status",
        _("Status: %(old)s → %(new)s") % {"old": previous, "new": case.get_status_display()},
        actor,
    )
    if notify:
        notify_status(case)
    return case


def notify_status(case: Case) -> Message | None:
    """Tell the citizen, on their preferred channel, that their request moved."""
    person = case.person
    if person is None:
        return None
    from parvis.channels import gate

    channel, recipient = Channel.PORTAL, ""
    if person.preferred_channel in (Channel.EMAIL, Channel.SMS):
        # The dispatch gate decides (consent, usable address, suppression list, quiet hours
        # for SMS) and logs it; when it says no, the portal still shows the change.
        decision = gate.check(person, person.preferred_channel, "case_updates", source="case")
        if decision.allowed:
            channel, recipient = person.preferred_channel, decision.address
    text = _(
        "Hello %(name)s,\n\nYour request %(reference)s (%(subject)s) is now: %(status)s.\n"
        "You can follow it in your citizen account.\n"
    ) % {
        "name": person.first_names,
        "reference": case.reference,
        "subject": case.subject,
        "status": case.get_status_display(),
    }
    message = Message.objects.create(
        case=case,
        direction=Message.Direction.OUT,
        channel=channel,
        person=person,
        recipient=recipient,
        subject=tagged_subject(
            case.reference, _("Your request: %(status)s") % {"status": case.get_status_display()}
        ),
        body_text=text,
        message_id=new_message_id() if channel == Channel.EMAIL else "",
        delivery=Message.Delivery.QUEUED,
    )
    record_interaction(
        person,
        kind=Interaction.Kind.MESSAGE_OUT,
        channel=channel,
        summary=_("Status notification for %(reference)s") % {"reference": case.reference},
        ref=message,
    )
    queue_delivery(message)
    return message


def assign(case: Case, *, agent=None, service: Service | None = None, actor=None) -> Case:
    if service is not None and service != case.service:
        case.service = service
        days = service.sla_business_days
        from .sla import add_business_days

        case.due_at = add_business_days(case.created_at, days)
        _event(
            case, "service", _("Sent to the service %(service)s") % {"service": service.name}, actor
        )
    if agent != case.assignee:
        case.assignee = agent
        _event(
            case,
            "assign",
            _("Assigned to %(agent)s") % {"agent": agent.get_full_name() or agent.username}
            if agent
            else _("Unassigned"),
            actor,
        )
    if case.status == Case.Status.NEW:
        case.status = Case.Status.OPEN
    case.save()
    return case


def add_note(case: Case, *, author, text: str) -> Message:
    if not text.strip():
        raise ValueError(_("The note is empty."))
    return Message.objects.create(
        case=case,
        direction=Message.Direction.NOTE,
        channel=case.channel,
        author=author,
        body_text=text,
        visible_to_citizen=False,
        delivery=Message.Delivery.RECEIVED,
    )


def set_priority(case: Case, priority: int, actor=None) -> Case:
    case.priority = int(priority)
    case.save(update_fields=["priority"])
    _event(case, "priority", _("Priority: %(p)s") % {"p": case.get_priority_display()}, actor)
    return case


def set_tags(case: Case, names: list[str], actor=None) -> Case:
    tags = [Tag.objects.get_or_create(name=n.strip()[:50])[0] for n in names if n.strip()]
    case.tags.set(tags)
    return case


def merge(source: Case, target: Case, *, actor=None) -> Case:
    """Move everything of `source` into `target`; `source` stays as a closed pointer so its
    reference still leads to the right case when the citizen writes again."""
    if source.pk == target.pk:
        raise ValueError(_("A case cannot be merged into itself."))
    with transaction.atomic():
        source.messages.update(case=target)
        source.events.update(case=target)
        target.tags.add(*source.tags.all())
        if target.person_id is None and source.person_id:
            target.person_id = source.person_id
        target.updated_at = timezone.now()
        target.save()
        source.merged_into = target
        source.status = Case.Status.CLOSED
        source.closed_at = timezone.now()
        source.save()
        _event(
            target,
            "merge",
            _("Case %(ref)s merged into this one") % {"ref": source.reference},
            actor,
        )
    return target


# --- identification -------------------------------------------------------------------------


def link_person(case: Case, person: Person, *, actor=None) -> Case:
    """The agent says who wrote: the case and its messages are attached to that person."""
    with transaction.atomic():
        case.person = person
        case.candidate_ids = []
        case.proposed_person = {}
        case.save(update_fields=["person", "candidate_ids", "proposed_person"])
        unlinked = case.messages.filter(person__isnull=True, direction=Message.Direction.IN)
        for message in unlinked:
            record_interaction(
                person,
                kind=Interaction.Kind.MESSAGE_IN,
                channel=message.channel,
                summary=_("%(subject)s (case %(reference)s)")
                % {"subject": message.subject or case.subject, "reference": case.reference},
                ref=message,
                at=message.created_at,
            )
        unlinked.update(person=person)
        _event(case, "identify", _("Sender identified as %(person)s") % {"person": person}, actor)
    return case


def create_proposed_person(case: Case, *, actor=None, **overrides) -> Person:
    """Create the person proposed for an unknown sender, after the agent checked it."""
    data = {**case.proposed_person, **overrides}
    email, phone = data.pop("email", ""), data.pop("phone", "")
    from parvis.people.services import add_contact_point

    with transaction.atomic():
        person = create_person(
            **{
                k: v
                for k, v in data.items()
                if k in {"first_names", "last_name", "birth_name", "birth_date"}
            }
        )
        if email:
            add_contact_point(person, "email", email)
        if phone:
            add_contact_point(person, "mobile", phone)
        link_person(case, person, actor=actor)
    return person
