"""Create an agent task ("call this person"), shown on the journey's dashboard."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import Batch, Field, Outcome, StepKind, register, require


@register
class TaskStep(StepKind):
    kind = "task"
    label = _lazy("Agent task")
    fields = [Field("title", _lazy("Task for an agent"))]

    def validate(self, step, path):
        return {"title": str(require(step, "title", path)).strip()[:300]}

    def summary(self, step):
        return _("Task: %(t)s") % {"t": step["title"]}

    def run(self, batch: Batch):
        from ..models import AgentTask

        AgentTask.objects.bulk_create(
            [
                AgentTask(
                    journey_id=batch.version.journey_id,
                    enrolment=e,
                    person_id=e.person_id,
                    title=batch.step["title"],
                )
                for e in batch.enrolments
            ],
            ignore_conflicts=True,
        )
        for enrolment in batch.enrolments:
            batch.set(enrolment, Outcome(batch.default_next(), "task_created"))
