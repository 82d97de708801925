"""The console's filter builder: one row per condition, each kind with its own inputs,
turned into a filter tree (and back) — nested trees are edited as JSON."""

import json
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from parvis.people.models import Channel, ContactPoint, FactKey, Interaction, Purpose, Sex

from . import filters


@dataclass
class Input:
    name: str
    label: str
    type: str = "text"  # text, number, select, textarea, date
    choices: list | None = None


def fact_choices():
    return [(k.key, k.label) for k in FactKey.objects.order_by("label")]


def audience_choices():
    from .models import Audience

    return [(str(a.pk), a.name) for a in Audience.objects.order_by("name")]


YES_NO = [("true", _("yes")), ("false", _("no"))]
OPS = [
    ("between", _("between")),
    ("before", _("before")),
    ("after", _("after")),
    ("exists", _("is known")),
    ("missing", _("is unknown")),
    ("eq", "="),
    ("ne", "≠"),
    ("lt", "<"),
    ("lte", "≤"),
    ("gt", ">"),
    ("gte", "≥"),
    ("in", _("one of")),
    ("is", _("is")),
]

ROWS = {
    "fact": [
        Input("key", _("Fact"), "select", fact_choices),
        Input("op", _("Test"), "select", OPS),
        Input("from_days", _("From (days from today)"), "number"),
        Input("to_days", _("To (days from today)"), "number"),
        Input("from", _("From (date or number)")),
        Input("to", _("To (date or number)")),
        Input("value", _("Value")),
    ],
    "attribute": [
        Input(
            "field",
            _("Attribute"),
            "select",
            [
                ("age", _("age")),
                ("sex", _("sex")),
                ("language", _("language")),
                ("preferred_channel", _("preferred channel")),
            ],
        ),
        Input(
            "op",
            _("Test"),
            "select",
            [
                ("between", _("between")),
                ("gte", "≥"),
                ("lte", "≤"),
                ("in", _("one of")),
                ("not_in", _("none of")),
            ],
        ),
        Input("from", _("From"), "number"),
        Input("to", _("To"), "number"),
        Input("values", _("Values (comma-separated)")),
    ],
    "consent": [
        Input("purpose", _("Purpose"), "select", Purpose.choices),
        Input("channel", _("Channel"), "select", [("any", _("any")), *Channel.choices]),
        Input("granted", _("Granted"), "select", YES_NO),
    ],
    "contact": [Input("contact_kind", _("Contact"), "select", ContactPoint.Kind.choices)],
    "interaction": [
        Input("interaction_kind", _("Kind"), "select", [("", _("any")), *Interaction.Kind.choices]),
        Input("within_days", _("Within (days)"), "number"),
    ],
    "engagement": [
        Input(
            "event",
            _("Event"),
            "select",
            [
                ("opened", _("opened")),
                ("clicked", _("clicked")),
                ("replied", _("replied")),
                ("booked", _("booked")),
                ("goal", _("goal reached")),
            ],
        ),
        Input("within_days", _("Within (days)"), "number"),
    ],
    "radius": [
        Input("lat", _("Latitude")),
        Input("lon", _("Longitude")),
        Input("metres", _("Radius (metres)"), "number"),
    ],
    "polygon": [Input("geometry", _("Area (GeoJSON polygon)"), "textarea")],
    "street": [Input("streets", _("Streets (one per line)"), "textarea")],
    "audience": [Input("id", _("Audience"), "select", audience_choices)],
    "eligibility": [Input("benefit", _("Benefit")), Input("period", _("Period"))],
}
KIND_LABELS = [
    ("fact", _("Known fact")),
    ("attribute", _("Person")),
    ("consent", _("Consent")),
    ("contact", _("Contact")),
    ("interaction", _("Past exchanges")),
    ("engagement", _("Engagement")),
    ("radius", _("Radius")),
    ("polygon", _("Drawn area")),
    ("street", _("Street")),
    ("audience", _("Other audience")),
    ("eligibility", _("Eligibility")),
]
NUMBER_KEYS = {"within_days", "metres", "id"}


def _row_to_node(kind: str, data: dict) -> dict:
    node = {"kind": kind}
    if kind == "fact":
        node.update(key=data.get("key", ""), op=data.get("op", ""))
        for bound in ("from", "to"):
            days = data.get(f"{bound}_days", "").strip()
            if days:
                node[bound] = {"days": days}
            elif data.get(bound, "").strip():
                node[bound] = data[bound].strip()
        value = data.get("value", "").strip()
        if node["op"] == "is":
            node["value"] = value.lower() in ("true", "oui", "yes", "1")
        elif node["op"] == "in":
            node["values"] = [v.strip() for v in value.split(",") if v.strip()]
        elif value:
            node["value"] = value
        return node
    if kind == "attribute":
        node.update(field=data.get("field", ""), op=data.get("op", ""))
        for bound in ("from", "to"):
            if data.get(bound, "").strip():
                node[bound] = data[bound].strip()
        if data.get("values", "").strip():
            node["values"] = [v.strip() for v in data["values"].split(",") if v.strip()]
        return node
    if kind == "polygon":
        try:
            node["geometry"] = json.loads(data.get("geometry") or "null")
        except ValueError as exc:
            raise filters.TreeError("geometry", _("Not valid JSON: %(e)s") % {"e": exc}) from None
        return node
    if kind == "street":
        node["streets"] = [s.strip() for s in (data.get("streets") or "").splitlines() if s.strip()]
        return node
    for spec in ROWS[kind]:
        value = data.get(spec.name, "")
        if spec.name == "granted":
            node["granted"] = value != "false"
        elif value != "":
            node[spec.name] = value
    return node


def rows_from_post(post) -> list[dict]:
    """The builder's rows as posted: [{"kind": ..., "data": {...}}]."""
    rows = []
    count = min(int(post.get("rows") or 0), filters.MAX_NODES)
    for i in range(count):
        kind = post.get(f"c-{i}-kind")
        if kind not in ROWS:
            continue
        data = {spec.name: post.get(f"c-{i}-{spec.name}", "") for spec in ROWS[kind]}
        rows.append({"kind": kind, "data": data})
    return rows


def tree_from_post(post) -> dict:
    """The tree the builder describes: the JSON box when filled, else the rows."""
    expert = (post.get("expert") or "").strip()
    if expert:
        from .services import parse_definition

        return parse_definition(expert)
    match = "any" if post.get("match") == "any" else "all"
    conditions = []
    for index, row in enumerate(rows_from_post(post)):
        try:
            conditions.append(_row_to_node(row["kind"], row["data"]))
        except filters.TreeError as exc:
            raise filters.TreeError(
                f"filters.conditions[{index}].{exc.path}", exc.message
            ) from None
    return {"kind": match, "conditions": conditions}


def rows_from_tree(tree: dict) -> tuple[str, list[dict], str]:
    """(match, rows, expert JSON) to show a saved tree in the builder."""
    flat = tree.get("kind") in ("all", "any") and all(
        c.get("kind") in ROWS for c in tree.get("conditions", [])
    )
    if not flat:
        return "all", [], json.dumps(tree, ensure_ascii=False, indent=2)
    rows = []
    for node in tree["conditions"]:
        data = {}
        for spec in ROWS[node["kind"]]:
            value = node.get(spec.name, "")
            if isinstance(value, dict) and "days" in value:
                data[f"{spec.name}_days"] = str(value["days"])
                continue
            if isinstance(value, list):
                value = ("\n" if spec.type == "textarea" else ", ").join(map(str, value))
            elif isinstance(value, dict):
                value = json.dumps(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            data.setdefault(spec.name, str(value))
        rows.append({"kind": node["kind"], "data": data})
    return tree["kind"], rows, ""


def render_rows(rows: list[dict]) -> list[dict]:
    """Rows with their inputs resolved (choices evaluated) for the template."""
    out = []
    for index, row in enumerate(rows):
        inputs = []
        for spec in ROWS[row["kind"]]:
            choices = spec.choices() if callable(spec.choices) else spec.choices
            inputs.append(
                {
                    "name": f"c-{index}-{spec.name}",
                    "label": spec.label,
                    "type": spec.type,
                    "choices": choices,
                    "value": row["data"].get(spec.name, ""),
                }
            )
        out.append({"index": index, "kind": row["kind"], "inputs": inputs})
    return out


__all__ = [
    "KIND_LABELS",
    "ROWS",
    "Sex",
    "rows_from_post",
    "rows_from_tree",
    "tree_from_post",
    "render_rows",
    "NUMBER_KEYS",
]
