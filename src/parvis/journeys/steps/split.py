"""Decision split on data: the first branch whose audience filter matches the person wins
(one query per branch for the whole batch), else the `else` step (or the next one)."""

import json

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from parvis.audiences import filters

from . import Batch, Field, Outcome, StepError, StepKind, register


@register
class SplitStep(StepKind):
    kind = "split"
    label = _lazy("Decision split")
    fields = [
        Field("condition", _lazy("If the person matches (filters, JSON)"), "json"),
        Field("goto", _lazy("then go to step")),
        Field("else", _lazy("else go to step (empty: next)")),
    ]

    def validate(self, step, path):
        branches = step.get("branches")
        if branches is None and step.get("condition"):  # the editor's single-branch form
            branches = [{"if": step["condition"], "goto": step.get("goto")}]
        if not isinstance(branches, list) or not branches:
            raise StepError(f"{path}.condition", _("A split needs at least one condition."))
        cleaned = []
        for i, branch in enumerate(branches):
            where = f"{path}.branches[{i}]"
            tree = branch.get("if") if isinstance(branch, dict) else None
            if isinstance(tree, str):
                try:
                    tree = json.loads(tree)
                except ValueError as exc:
                    message = _("Not valid JSON: %(e)s") % {"e": exc}
                    raise StepError(f"{path}.condition", message) from None
            try:
                tree = filters.validate(tree)
            except filters.TreeError as exc:
                raise StepError(f"{path}.condition", str(exc)) from None
            goto = str(branch.get("goto") or "").strip().lower()
            if not goto:
                raise StepError(f"{where}.goto", _("This field is required."))
            cleaned.append({"if": tree, "goto": goto})
        out = {"branches": cleaned}
        if step.get("else"):
            out["else"] = str(step["else"]).strip().lower()
        return out

    def targets(self, step):
        out = [(_("if %(n)s") % {"n": i + 1}, b["goto"]) for i, b in enumerate(step["branches"])]
        if step.get("else"):
            out.append((_("else"), step["else"]))
        return out

    def summary(self, step):
        return _("Split (%(n)s condition(s))") % {"n": len(step["branches"])}

    def run(self, batch: Batch):
        remaining = {e.person_id: e for e in batch.enrolments}
        for index, branch in enumerate(batch.step["branches"]):
            if not remaining:
                break
            matched = (
                filters.people(branch["if"], today=batch.now.date())
                .filter(pk__in=list(remaining))
                .values_list("pk", flat=True)
            )
            for person_id in list(matched):
                batch.set(remaining.pop(person_id), Outcome(branch["goto"], f"branch_{index + 1}"))
        otherwise = batch.step.get("else") or batch.default_next()
        for enrolment in remaining.values():
            batch.set(enrolment, Outcome(otherwise, "else"))
