"""Phone calls and counter visits, logged by the agent who took them (from the 360° page).

A contact is a line of the person's timeline; when the citizen asked for something to be
done, it also opens a case, through the same intake as every other channel."""

import uuid

from django.conf import settings
from django.db import transaction

from parvis.channels.messages import IncomingMessage
from parvis.people.models import Channel, Interaction, Person
from parvis.people.services import record_interaction

from . import intake
from .models import Case, Message, Service

KINDS = {
    "call": (Interaction.Kind.CALL, Channel.PHONE),
    "visit": (Interaction.Kind.VISIT, Channel.COUNTER),
}


def log_contact(
    person: Person,
    *,
    kind: str,
    summary: str,
    details: str = "",
    actor=None,
    open_case: bool = False,
    service: Service | None = None,
    submission: str = "",
) -> tuple[Interaction, Case | None]:
    """Record a call or a visit; with `open_case`, a case holding what the citizen said.
    The same form posted twice (same `submission`) opens one case."""
    interaction_kind, channel = KINDS[kind]
    summary = " ".join(summary.split())
    if not summary:
        raise ValueError("empty summary")
    with transaction.atomic():
        if not open_case:
            line = record_interaction(
                person,
                kind=interaction_kind,
                channel=channel,
                summary=summary,
                body=details,
                actor=actor,
            )
            return line, None
        try:
            token = uuid.UUID(submission).hex
        except (ValueError, TypeError):
            token = uuid.uuid4().hex
        message_id = f"<{kind}-{person.pk}-{token}@desk.{settings.PARVIS_EMAIL_DOMAIN}>"
        result = intake.receive(
            IncomingMessage(
                channel=channel,
                sender_name=str(person)[:200],
                subject=summary,
                body_text=details or summary,
                message_id=message_id,
            ),
            person=person,
            service=service,
        )
        if result.message is None:  # the same form posted twice: the first one's case
            known = Message.objects.select_related("case").get(
                channel=channel, message_id=message_id
            )
            result.message, result.case = known, known.case
        # The intake wrote a generic "message received" line for the message: for the
        # timeline it is a call (or a visit) that this agent took.
        line = Interaction.objects.filter(
            person=person, ref_type="cases.message", ref_id=str(result.message.pk)
        ).first()
        if line is not None:
            line.kind, line.actor, line.body = interaction_kind, actor, details
            line.save(update_fields=["kind", "actor", "body"])
        else:
            line = record_interaction(
                person,
                kind=interaction_kind,
                channel=channel,
                summary=summary,
                body=details,
                actor=actor,
                ref=result.message,
            )
        return line, result.case
