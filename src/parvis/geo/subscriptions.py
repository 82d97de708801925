"""Citizens' alert subscriptions: a topic for where they live, or for another area."""

from django.db import transaction
from django.utils.translation import gettext as _

from parvis.people.models import Interaction
from parvis.people.services import record_interaction

from .models import AlertSubscription, Area, Topic


def current_keys(person) -> set[str]:
    return {
        f"{s.topic}:{s.area_id or 'home'}" for s in AlertSubscription.objects.filter(person=person)
    }


def home_label(person) -> str:
    residence = person.residences.filter(end__isnull=True).select_related("address__street").first()
    return residence.address.label if residence else ""


@transaction.atomic
def save_subscriptions(person, wanted: set[str]) -> int:
    """Replace the person's subscriptions by `wanted` ("works:home", "event:12"); returns the
    number of changes, each written to the person's timeline."""
    parsed = set()
    area_ids = set(Area.objects.values_list("pk", flat=True))
    for key in wanted:
        topic, _sep, where = key.partition(":")
        if topic not in Topic.values:
            raise ValueError(_("Unknown alert topic."))
        if where == "home":
            parsed.add((topic, None))
        elif where.isdigit() and int(where) in area_ids:
            parsed.add((topic, int(where)))
        else:
            raise ValueError(_("Unknown area."))
    existing = {(s.topic, s.area_id): s for s in AlertSubscription.objects.filter(person=person)}
    added = parsed - set(existing)
    removed = set(existing) - parsed
    for key in removed:
        existing[key].delete()
    AlertSubscription.objects.bulk_create(
        [AlertSubscription(person=person, topic=t, area_id=a) for t, a in added]
    )
    if added or removed:
        record_interaction(
            person,
            kind=Interaction.Kind.CONSENT,
            channel="portal",
            summary=_("Alert subscriptions changed (%(a)s added, %(r)s removed)")
            % {"a": len(added), "r": len(removed)},
        )
    return len(added) + len(removed)
