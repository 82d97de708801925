"""The local rule format: a benefit declared as data, in YAML an agent can read and edit.

    code: registre-canicule
    label: Invitation au registre canicule
    institution: CCAS de Mont-Bonvillers
    legal_basis: Code de l'action sociale et des familles, art. L. 121-6-1
    already_received: heatwave_register   # a yes/no fact: "already has it"
    conditions:                            # all must hold
      - age: ">= 65"
      - lives_alone: yes
    # optional: description, link, amount (€), periodicity, to_check (texts to verify)

A condition is `field: test`. The test is a comparison ("< 700", ">= 65", "!= tenant"), a
value (equality), a list (one of), or yes/no. `any:` and `all:` group conditions. Fields are
the built-ins below and every fact key of the catalogue (people.FactKey), typed by it.

`parse_rule` returns the normalised definition or raises `RuleError` listing every problem
with its place ("conditions[2].age: …"), so the console can show them all at once.
"""

import re
from dataclasses import dataclass
from datetime import date

import yaml
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parvis.people.models import FactKey

from .benefits import NATIONAL_BENEFITS
from .geography import DEPARTEMENTS, REGION_DEPARTEMENTS

MAX_CONDITIONS = 50
MAX_DEPTH = 5
OPERATORS = ("<=", ">=", "!=", "<", ">", "=")
TOP_LEVEL = {
    "code", "label", "description", "institution", "legal_basis", "link", "amount",
    "periodicity", "already_received", "to_check", "conditions",
}  # fmt: skip


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # number, boolean, text, date, codes
    label: str  # French, for explanations
    unit: str = ""


# Built-in fields, computed from the person, the household and the address.
BUILTINS = {
    f.name: f
    for f in [
        Field("age", "number", "âge", "ans"),
        Field("sex", "codes", "sexe"),
        Field("lives_alone", "boolean", "vit seul(e)"),
        Field("household_size", "number", "personnes au foyer"),
        Field("children", "number", "enfants au foyer"),
        Field("commune", "codes", "commune (code INSEE)"),
        Field("departement", "codes", "département"),
        Field("region", "codes", "région"),
        Field("postcode", "codes", "code postal"),
    ]
}
VALUE_TYPES = {"number": "number", "boolean": "boolean", "text": "text", "date": "date"}


class RuleError(ValueError):
    """Every problem of a rule, each with its place."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class _Loader(yaml.SafeLoader):
    """YAML 1.1 reads a lone "=" as a special tag: here it is just the text "="."""


_Loader.add_constructor(
    "tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node)
)


def load_yaml(text: str):
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)


def fact_fields() -> dict[str, Field]:
    return {
        key: Field(key, VALUE_TYPES[value_type], label, unit)
        for key, value_type, label, unit in FactKey.objects.values_list(
            "key", "value_type", "label", "unit"
        )
    }


def known_fields() -> dict[str, Field]:
    return {**fact_fields(), **BUILTINS}


class _Validator:
    def __init__(self, fields: dict[str, Field]):
        self.fields = fields
        self.errors: list[str] = []
        self.count = 0

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}" if path else message)

    def tree(self, node, path: str, depth: int):
        if depth > MAX_DEPTH:
            self.error(
                path,
                _("conditions are nested too deeply (at most %(n)s levels).") % {"n": MAX_DEPTH},
            )
            return None
        if not isinstance(node, dict) or len(node) != 1:
            self.error(
                path,
                _(
                    "a condition is one “field: test” line, or “any:”/“all:” with a "
                    "list of conditions."
                ),
            )
            return None
        ((name, test),) = node.items()
        name = str(name)
        if name in ("any", "all"):
            if not isinstance(test, list) or not test:
                self.error(f"{path}.{name}", _("expected a non-empty list of conditions."))
                return None
            children = [self.tree(c, f"{path}.{name}[{i}]", depth + 1) for i, c in enumerate(test)]
            if any(c is None for c in children):
                return None
            return {name: children}
        self.count += 1
        field = self.fields.get(name)
        if field is None:
            close = sorted(f for f in self.fields if f[:3] == name[:3])[:5]
            hint = (
                (" " + _("Did you mean: %(names)s?") % {"names": ", ".join(close)}) if close else ""
            )
            self.error(f"{path}.{name}", _("unknown field.") + hint)
            return None
        return self.leaf(field, test, f"{path}.{name}")

    def leaf(self, field: Field, test, path: str):
        if field.kind == "boolean":
            if not isinstance(test, bool):
                self.error(path, _("expected yes or no."))
                return None
            return {"field": field.name, "op": "=", "value": test}
        if isinstance(test, list):
            if not test:
                self.error(path, _("the list of values is empty."))
                return None
            values = [self.value(field, v, path) for v in test]
            if any(v is None for v in values):
                return None
            return {"field": field.name, "op": "in", "value": values}
        op, raw = "=", test
        if isinstance(test, str):
            match = re.fullmatch(r"\s*(<=|>=|!=|<|>|==|=)?\s*(.*?)\s*", test)
            op, raw = (match[1] or "="), match[2]
            op = "=" if op == "==" else op
        if op in ("<", "<=", ">", ">=") and field.kind in ("text", "codes"):
            self.error(path, _("“%(op)s” compares numbers or dates, not text.") % {"op": op})
            return None
        value = self.value(field, raw, path)
        if value is None:
            return None
        if field.kind == "codes":
            value = [value] if op == "=" else value
            return {
                "field": field.name,
                "op": "in" if op == "=" else "not_in",
                "value": value if isinstance(value, list) else [value],
            }
        return {"field": field.name, "op": op, "value": value}

    def value(self, field: Field, raw, path: str):
        if field.kind == "number":
            try:
                if isinstance(raw, bool):
                    raise ValueError
                return float(str(raw).replace(",", ".").replace(" ", ""))
            except ValueError:
                self.error(path, _("“%(value)s” is not a number.") % {"value": str(raw)[:40]})
                return None
        if field.kind == "date":
            if isinstance(raw, date):
                return raw.isoformat()
            text = str(raw).strip()
            # A date, or days from the start of the period: "+180 days", "-30 days".
            relative = re.fullmatch(r"([+-]\d{1,5})\s*(days?|jours?)", text)
            if relative:
                return {"days": int(relative[1])}
            try:
                return date.fromisoformat(text).isoformat()
            except ValueError:
                self.error(
                    path,
                    _("“%(value)s” is not a date (YYYY-MM-DD or “+180 days”).")
                    % {"value": text[:40]},
                )
                return None
        text = str(raw).strip()
        if not text or len(text) > 300:
            self.error(path, _("expected a value."))
            return None
        if field.name == "departement" and text not in DEPARTEMENTS:
            self.error(path, _("unknown département “%(value)s”.") % {"value": text[:10]})
            return None
        if field.name == "region" and text not in REGION_DEPARTEMENTS:
            self.error(path, _("unknown région code “%(value)s”.") % {"value": text[:10]})
            return None
        if field.name == "commune" and not re.fullmatch(r"\d[\dAB]\d{3}", text):
            self.error(path, _("“%(value)s” is not an INSEE town code.") % {"value": text[:10]})
            return None
        if field.name == "postcode" and not re.fullmatch(r"\d{5}", text):
            self.error(path, _("“%(value)s” is not a postcode.") % {"value": text[:10]})
            return None
        if field.name == "sex" and text not in ("F", "M", "X"):
            self.error(path, _("expected F, M or X."))
            return None
        return text


def parse_rule(text: str, fields: dict[str, Field] | None = None) -> dict:
    """The normalised definition of a rule written in YAML, or RuleError with every problem."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("line %(line)s: ") % {"line": mark.line + 1} if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RuleError(
            [_("Invalid YAML, %(where)s%(problem)s") % {"where": where, "problem": problem}]
        ) from None
    if not isinstance(data, dict):
        raise RuleError([_("A rule is a set of “name: value” lines (code, label, conditions…).")])
    return validate_rule(data, fields)


def validate_rule(data: dict, fields: dict[str, Field] | None = None) -> dict:
    fields = fields if fields is not None else known_fields()
    v = _Validator(fields)
    for key in data:
        if str(key) not in TOP_LEVEL:
            v.error(
                str(key),
                _("unknown entry (expected one of: %(keys)s).")
                % {"keys": ", ".join(sorted(TOP_LEVEL))},
            )
    label = str(data.get("label") or "").strip()
    if not label:
        v.error("label", _("a rule needs a label."))
    code = str(data.get("code") or "").strip() or slugify(label)[:120]
    if (label or data.get("code")) and not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,119}", code):
        v.error("code", _("use lower-case letters, digits, “-” and “_” (at most 120)."))
    if code in NATIONAL_BENEFITS:
        v.error("code", _("“%(code)s” is a national benefit's code.") % {"code": code})
    amount = data.get("amount")
    if amount is not None:
        try:
            amount = float(amount)
            if amount < 0:
                raise ValueError
        except (TypeError, ValueError):
            v.error("amount", _("expected an amount in euros (a positive number)."))
            amount = None
    received = data.get("already_received")
    if received is not None:
        received = str(received)
        field = fields.get(received)
        if field is None or field.kind != "boolean" or received in BUILTINS:
            v.error("already_received", _("expected a yes/no fact key."))
    to_check = data.get("to_check") or []
    if not isinstance(to_check, list) or not all(isinstance(t, str) for t in to_check):
        v.error("to_check", _("expected a list of texts."))
        to_check = []
    conditions = data.get("conditions")
    tree = None
    if not isinstance(conditions, list) or not conditions:
        v.error("conditions", _("a rule needs a list of conditions."))
    else:
        # The root "all" is implicit: its path prefix is dropped from the messages below.
        tree = v.tree({"all": conditions}, "conditions", 0)
        if v.count > MAX_CONDITIONS:
            v.error("conditions", _("at most %(n)s conditions.") % {"n": MAX_CONDITIONS})
    for key in ("description", "institution", "legal_basis", "link", "periodicity"):
        if data.get(key) is not None and not isinstance(data.get(key), str | int | float):
            v.error(key, _("expected a text."))
    if v.errors:
        raise RuleError([e.replace("conditions.all[", "conditions[") for e in v.errors])
    return {
        "code": code,
        "label": label[:300],
        "description": str(data.get("description") or "").strip(),
        "institution": str(data.get("institution") or "").strip()[:300],
        "legal_basis": str(data.get("legal_basis") or "").strip()[:300],
        "link": str(data.get("link") or "").strip()[:500],
        "amount": amount,
        "periodicity": str(data.get("periodicity") or "").strip()[:40],
        "already_received": received,
        "to_check": [t.strip() for t in to_check if t.strip()],
        "conditions": tree,
    }


def dump_rule(data: dict) -> str:
    """YAML for a rule definition (as `parse_rule` reads it), in a stable, readable order."""
    order = [
        "code",
        "label",
        "institution",
        "description",
        "legal_basis",
        "link",
        "amount",
        "periodicity",
        "already_received",
        "to_check",
        "conditions",
    ]
    ordered = {k: data[k] for k in order if data.get(k) not in (None, "", [])}
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=100)
