"""Exit: the journey ends here (as completed, or as its goal reached)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import Batch, Field, Outcome, StepKind, register


@register
class ExitStep(StepKind):
    kind = "exit"
    label = _lazy("Exit")
    fields = [
        Field(
            "as_goal",
            _lazy("Counts as goal reached"),
            "select",
            [("", _lazy("no")), ("yes", _lazy("yes"))],
        )
    ]

    def validate(self, step, path):
        return {"as_goal": step.get("as_goal") in (True, "yes", "true", "1")}

    def summary(self, step):
        return _("Exit (goal reached)") if step["as_goal"] else _("Exit")

    def run(self, batch: Batch):
        status = "goal" if batch.step["as_goal"] else "completed"
        for enrolment in batch.enrolments:
            batch.set(enrolment, Outcome(None, "exit", status=status))
