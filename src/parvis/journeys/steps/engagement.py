"""Engagement split: did the person open, click, reply, book, reach the goal — for one send
step of this run, or for any message of the journey since they entered?"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import Batch, Field, Outcome, StepError, StepKind, register, require

EVENTS = ["opened", "clicked", "replied", "booked", "goal"]


@register
class EngagementStep(StepKind):
    kind = "engagement"
    label = _lazy("Engagement split")
    fields = [
        Field(
            "event",
            _lazy("If the person"),
            "select",
            [
                ("opened", _lazy("opened")),
                ("clicked", _lazy("clicked")),
                ("replied", _lazy("replied")),
                ("booked", _lazy("booked")),
                ("goal", _lazy("reached the goal")),
            ],
        ),
        Field("of_step", _lazy("the message of step (empty: any)")),
        Field("yes", _lazy("then go to step")),
        Field("no", _lazy("else go to step (empty: next)")),
    ]

    def validate(self, step, path):
        event = require(step, "event", path)
        if event not in EVENTS:
            raise StepError(f"{path}.event", _("Unknown event."))
        out = {"event": event, "yes": str(require(step, "yes", path)).strip().lower()}
        if step.get("of_step"):
            out["of_step"] = str(step["of_step"]).strip().lower()
        if step.get("no"):
            out["no"] = str(step["no"]).strip().lower()
        return out

    def targets(self, step):
        out = [(_("yes"), step["yes"])]
        if step.get("no"):
            out.append((_("no"), step["no"]))
        return out

    def summary(self, step):
        return _("Engagement: %(e)s?") % {"e": step["event"]}

    def run(self, batch: Batch):
        from ..models import EngagementEvent

        step = batch.step
        ids = [e.pk for e in batch.enrolments]
        events = EngagementEvent.objects.filter(kind=step["event"])
        if step["event"] in ("booked", "goal"):
            # Reported by other domains against the person (an appointment, a fact).
            people = {e.person_id: e for e in batch.enrolments}
            rows = (
                events.filter(person_id__in=list(people))
                .filter(Q(journey_id=batch.version.journey_id) | Q(journey__isnull=True))
                .values_list("person_id", "at")
            )
            hit = {people[p].pk for p, at in rows if at >= people[p].entered_at}
        else:
            rows = events.filter(dispatch__enrolment_id__in=ids)
            if step.get("of_step"):
                rows = rows.filter(dispatch__step_id=step["of_step"])
            hit = set(rows.values_list("dispatch__enrolment_id", flat=True))
        otherwise = step.get("no") or batch.default_next()
        for enrolment in batch.enrolments:
            if enrolment.pk in hit:
                batch.set(enrolment, Outcome(step["yes"], "yes"))
            else:
                batch.set(enrolment, Outcome(otherwise, "no"))
