"""The "engagement" audience condition (opened, clicked, replied… a journey's messages),
registered into the audiences' filter kinds from here so that audiences never import
journeys (dependencies point one way)."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.audiences.filters import ConditionKind, TreeError, as_choice, as_int, condition, require

from .models import EngagementEvent, Journey


@condition("engagement")
class EngagementCondition(ConditionKind):
    """{"kind": "engagement", "event": "clicked", "within_days": 90, "journey": 3}"""

    label = "Engagement (messages des parcours)"

    def validate(self, node, path, ctx):
        event = as_choice(
            require(node, "event", path), EngagementEvent.Kind.values, f"{path}.event"
        )
        days = as_int(
            require(node, "within_days", path), f"{path}.within_days", minimum=1, maximum=3650
        )
        journey = node.get("journey")
        if journey not in (None, ""):
            journey = as_int(journey, f"{path}.journey", minimum=1)
            if not Journey.objects.filter(pk=journey).exists():
                raise TreeError(f"{path}.journey", _("Unknown journey."))
        else:
            journey = None
        return {"event": event, "within_days": days, "journey": journey}

    def compile(self, node, ctx):
        rows = EngagementEvent.objects.filter(
            person=OuterRef("pk"),
            kind=node["event"],
            at__gte=timezone.now() - timedelta(days=node["within_days"]),
        )
        if node.get("journey"):
            rows = rows.filter(journey_id=node["journey"])
        return Q(Exists(rows))
