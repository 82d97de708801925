"""Journey step kinds, one module each (plug-ins by file): a kind validates its JSON, says
which steps it may lead to (for the diagram), declares its editor fields, and runs a whole
batch of enrolments at once (`run(batch)`), never one person at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.translation import gettext as _

STEP_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_STEPS = 60


class StepError(ValueError):
    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass
class Field:
    """One input of the form-based step editor."""

    name: str
    label: str
    type: str = "text"  # text, number, select, textarea, json
    choices: list | None = None
    help: str = ""


@dataclass
class Outcome:
    next_step: str | None  # None: the journey ends here for this person
    outcome: str
    detail: str = ""
    wait_until: datetime | None = None  # stay on this step until then
    status: str = ""  # "completed", "goal", "exited" to end explicitly


@dataclass
class Batch:
    """Enrolments of one version standing on one step, due now."""

    version: object
    step: dict
    enrolments: list
    now: datetime
    persons: dict = field(default_factory=dict)  # person id -> Person
    outcomes: dict = field(default_factory=dict)  # enrolment id -> Outcome

    def default_next(self) -> str | None:
        return self.version.next_step_id(self.step["id"])

    def set(self, enrolment, outcome: Outcome):
        self.outcomes[enrolment.pk] = outcome


class StepKind:
    kind = ""
    label = ""
    fields: list[Field] = []

    def validate(self, step: dict, path: str) -> dict:  # pragma: no cover
        raise NotImplementedError

    def targets(self, step: dict) -> list[tuple[str, str]]:
        """(label, step id) of the branches other than the default next step."""
        return []

    def summary(self, step: dict) -> str:
        return self.label

    def run(self, batch: Batch) -> None:  # pragma: no cover
        raise NotImplementedError


KINDS: dict[str, StepKind] = {}


def register(cls):
    KINDS[cls.kind] = cls()
    return cls


def validate_steps(steps, goal_validator=None) -> list[dict]:
    """The steps of a version, cleaned; raises StepError naming the faulty step and field."""
    if not isinstance(steps, list) or not steps:
        raise StepError("steps", _("A journey needs at least one step."))
    if len(steps) > MAX_STEPS:
        raise StepError("steps", _("At most %(n)s steps.") % {"n": MAX_STEPS})
    cleaned, ids = [], set()
    for index, step in enumerate(steps):
        path = f"steps[{index}]"
        if not isinstance(step, dict):
            raise StepError(path, _("Expected an object with a kind."))
        step_id = str(step.get("id") or f"s{index + 1}").strip().lower()
        if not STEP_ID.match(step_id):
            raise StepError(f"{path}.id", _("Use letters, digits, - and _ (at most 40)."))
        if step_id in ids:
            raise StepError(f"{path}.id", _("Two steps have the id “%(id)s”.") % {"id": step_id})
        ids.add(step_id)
        kind = step.get("kind")
        if kind not in KINDS:
            raise StepError(f"{path}.kind", _("Unknown step kind “%(k)s”.") % {"k": str(kind)[:30]})
        out = KINDS[kind].validate(step, path)
        out.update({"id": step_id, "kind": kind})
        if step.get("next"):
            out["next"] = str(step["next"]).strip().lower()
        cleaned.append(out)
    for index, step in enumerate(cleaned):
        targets = [t for _label, t in KINDS[step["kind"]].targets(step)]
        if step.get("next"):
            targets.append(step["next"])
        for target in targets:
            if target and target not in ids:
                raise StepError(
                    f"steps[{index}]", _("Goes to an unknown step “%(id)s”.") % {"id": target}
                )
    return cleaned


def require(step: dict, key: str, path: str):
    value = step.get(key)
    if value in (None, "", []):
        raise StepError(f"{path}.{key}", _("This field is required."))
    return value


def as_int(value, path: str, minimum: int = 0, maximum: int = 10**6) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise StepError(path, _("Expected a whole number.")) from None
    if isinstance(value, bool) or not minimum <= number <= maximum:
        raise StepError(
            path, _("Expected a number from %(a)s to %(b)s.") % {"a": minimum, "b": maximum}
        )
    return number


from . import engagement, exit, send, set_fact, split, task, wait  # noqa: E402, F401
