"""Cross-domain reactions: a fact received or a case closed may enrol people in journeys; an
inbound message answering one of our e-mails counts as a reply."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from parvis.people.models import Fact


@receiver(post_save, sender=Fact, dispatch_uid="journeys-fact-changed")
def fact_changed(sender, instance: Fact, created: bool, **kwargs):
    if not created:
        return
    from .models import Journey

    if not Journey.objects.filter(
        status="active", trigger="fact_changed", trigger_fact_key=instance.key_id
    ).exists():
        return
    from .services import enrol_on_event

    person_id, key = instance.person_id, instance.key_id
    transaction.on_commit(
        lambda: enrol_on_event("fact_changed", person_id, fact_key=key, reason=f"fact:{key}")
    )


def _connect_cases():
    try:
        from parvis.cases.models import Case, Message
    except ImportError:  # pragma: no cover - cases is always installed with Parvis
        return

    @receiver(post_save, sender=Case, dispatch_uid="journeys-case-closed", weak=False)
    def case_closed(sender, instance, **kwargs):
        if instance.status not in ("resolved", "closed") or not instance.person_id:
            return
        from .models import Journey

        if not Journey.objects.filter(status="active", trigger="case_closed").exists():
            return
        from .services import enrol_on_event

        person_id, reference = instance.person_id, instance.reference
        # Re-entry rules keep a case saved twice from enrolling twice.
        transaction.on_commit(
            lambda: enrol_on_event("case_closed", person_id, reason=f"case:{reference}")
        )

    @receiver(post_save, sender=Message, dispatch_uid="journeys-reply", weak=False)
    def reply_received(sender, instance, created, **kwargs):
        if (
            not created
            or instance.direction != "in"
            or not instance.in_reply_to
            and not instance.references
        ):
            return
        from .tracking import match_reply

        match_reply(instance.in_reply_to, instance.references.split(), at=instance.created_at)


_connect_cases()
