"""Evaluating a local rule for a period: one SQL query (see rule_sql), then the eligible and
insufficient-data rows with their explanation. "Not eligible" is not stored for local rules:
every person of the base would get a row for every rule."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from parvis.people.models import Fact

from .explain import day_label, euros, month_label, value_label
from .rule_sql import rule_queryset
from .rules import BUILTINS, Field

SYMBOLS = {
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "=": "=",
    "!=": "≠",
    "in": "parmi",
    "not_in": "hors de",
}


@dataclass
class RuleRow:
    benefit: str
    person_id: int
    household_id: int | None
    status: str
    amount: Decimal | None
    receives: bool | None
    inputs: dict
    explanation: str


def _age(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _show(field: Field, value) -> str:
    if value is None:
        return "inconnu"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Decimal | float | int):
        number = float(value)
        if field.unit == "€":
            return euros(number)
        text = f"{number:g}".replace(".", ",")
        return f"{text} {field.unit}".strip()
    if isinstance(value, date):
        return day_label(value)
    return value_label(value)


def _condition_text(node: dict, field: Field) -> str:
    value = node["value"]
    if isinstance(value, list):
        shown = ", ".join(value_label(v) for v in value)
    elif isinstance(value, bool):
        return f"{field.label} : {'oui' if value else 'non'}"
    elif isinstance(value, dict):
        shown = (
            f"dans {value['days']} jours"
            if value["days"] >= 0
            else f"il y a {-value['days']} jours"
        )
    elif isinstance(value, float):
        shown = f"{value:g}".replace(".", ",") + (f" {field.unit}" if field.unit else "")
    else:
        shown = value_label(value)
    return f"{field.label} {SYMBOLS[node['op']]} {shown}"


def _tree_text(tree: dict, fields: dict, top: bool = True) -> str:
    if "field" in tree:
        return _condition_text(tree, fields.get(tree["field"]) or BUILTINS[tree["field"]])
    ((kind, children),) = tree.items()
    parts = [_tree_text(child, fields, top=False) for child in children]
    if kind == "all":
        return " ; ".join(parts) if top else "(" + " et ".join(parts) + ")"
    return "(" + " ou ".join(parts) + ")"


def rule_rows(rule, period: date, fields: dict):
    """Yield lists of RuleRow for the persons eligible or lacking data, in batches."""
    definition = rule.definition
    queryset, compiler = rule_queryset(definition, period, fields)
    reads = dict(compiler.reads)  # field -> annotation
    fact_keys = [f for f in reads if f not in BUILTINS]
    received = definition.get("already_received")
    columns = ["pk", "_hh", "_verdict", *dict.fromkeys(reads.values())]
    columns += [f"_i_{k}" for k in fact_keys]
    if received:
        columns += [f"_f_{received}", f"_i_{received}"]
    columns = list(dict.fromkeys(columns))
    rows = queryset.exclude(_verdict="not_eligible").values_list(*columns)
    amount = Decimal(f"{definition['amount']:.2f}") if definition.get("amount") else None
    batch: list[tuple] = []
    for row in rows.iterator(chunk_size=5000):
        batch.append(row)
        if len(batch) >= 5000:
            yield _build(rule, definition, batch, columns, reads, fields, amount, period)
            batch = []
    if batch:
        yield _build(rule, definition, batch, columns, reads, fields, amount, period)


def _build(rule, definition, batch, columns, reads, fields, amount, period):
    index = {c: i for i, c in enumerate(columns)}
    fact_ids = {
        row[index[c]] for row in batch for c in columns if c.startswith("_i_") and row[index[c]]
    }
    provenance = (
        {
            pk: f"{source}, {day_label(collected.date())}"
            for pk, source, collected in Fact.objects.filter(pk__in=fact_ids).values_list(
                "pk", "source__name", "collected_at"
            )
        }
        if fact_ids
        else {}
    )
    received = definition.get("already_received")
    out = []
    for row in batch:
        values, facts, met, unknown = {}, [], [], []
        for field_name, column in reads.items():
            field = fields.get(field_name) or BUILTINS[field_name]
            value = row[index[column]]
            if field_name == "age":
                value = _age(value, period)
            elif field_name == "lives_alone" and value is not None:
                value = value == 1
            values[field_name] = value
            fact_id = row[index[f"_i_{field_name}"]] if f"_i_{field_name}" in index else None
            shown = _show(field, value)
            if fact_id:
                facts.append(fact_id)
                shown += f" ({provenance.get(fact_id, '')})"
            text = f"{field.label} : {shown}"
            (unknown if value is None else met).append(text)
        status = row[index["_verdict"]]
        conditions = _tree_text(definition["conditions"], fields)
        source = f"{rule.label}"
        if definition.get("institution"):
            source += f" ({definition['institution']})"
        legal = f" Base : {definition['legal_basis']}." if definition.get("legal_basis") else ""
        check = (
            " À vérifier : " + " ; ".join(definition["to_check"]) + "."
            if definition.get("to_check")
            else ""
        )
        if status == "eligible":
            head = f"Probablement éligible : {source}"
            if amount:
                head += f", {euros(float(amount))}"
                if definition.get("periodicity"):
                    head += f" ({definition['periodicity']})"
            text = (
                f"{head}, {month_label(period)}. Règle : {conditions}. "
                f"Éléments retenus : {' ; '.join(met)}.{legal}{check}"
            )
        else:
            text = (
                f"Données insuffisantes pour : {source}, {month_label(period)}. Règle : "
                f"{conditions}. Inconnu : {' ; '.join(unknown)}."
                + (f" Connu : {' ; '.join(met)}." if met else "")
                + legal
            )
        receives = None
        if received:
            flag = row[index[f"_f_{received}"]]
            receives = None if flag is None else bool(flag)
            if row[index[f"_i_{received}"]]:
                facts.append(row[index[f"_i_{received}"]])
        out.append(
            RuleRow(
                benefit=rule.code,
                person_id=row[index["pk"]],
                household_id=row[index["_hh"]],
                status=status,
                amount=amount if status == "eligible" else None,
                receives=receives,
                inputs={
                    "rule": rule.code,
                    "values": {k: _json(v) for k, v in values.items()},
                    "facts": sorted(set(facts)),
                },
                explanation=text,
            )
        )
    return out


def _json(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
