"""Turning OpenFisca-France YAML test cases into equivalent Parvis households (facts)."""

import ast
import operator
import re
from datetime import date
from pathlib import Path

import yaml

CASES = Path(__file__).parent / "data" / "openfisca_france_rsa_cases.yaml"
# A rent for cases that give the housing aid as an input: Parvis computes housing aid from the
# rent, and RSA only needs to know that some is received (the flat housing deduction).
RENT_WHEN_AID_GIVEN = 400
_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
}


def evaluate(expression) -> float:
    """OpenFisca's YAML allows arithmetic in expected values ("550.93 * 1.5 - 167")."""
    if isinstance(expression, int | float):
        return float(expression)

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.operand))
        raise ValueError(f"unsupported expression {expression!r}")

    return walk(ast.parse(str(expression), mode="eval"))


def load_cases() -> list[dict]:
    return yaml.safe_load(CASES.read_text())


def _month(key) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", str(key))
    return (int(match[1]), int(match[2])) if match else None


def case_period(case) -> date:
    output = case["output"]["rsa"]
    if isinstance(output, dict):
        year, month = _month(next(iter(output)))
        return date(year, month, 1)
    year, month = _month(case["period"])
    return date(year, month, 1)


def expected_rsa(case) -> float:
    output = case["output"]["rsa"]
    return evaluate(next(iter(output.values())) if isinstance(output, dict) else output)


def margin(case, expected: float) -> float:
    if "relative_error_margin" in case:
        return abs(expected) * case["relative_error_margin"]
    return case.get("absolute_error_margin", 0.005)


def _one_value(value):
    return next(iter(value.values())) if isinstance(value, dict) else value


def _salary_facts(salary: dict) -> list[dict]:
    """One monthly fact per month the case sets (yearly amounts as twelfths, from January);
    months the case leaves unset between two set ones are zero for OpenFisca, so Parvis gets
    an explicit zero for them."""
    months: dict[tuple[int, int], float] = {}
    for key, value in salary.items():
        if _month(key):
            months[_month(key)] = float(value)
        else:
            for m in range(1, 13):
                months[(int(key), m)] = float(value) / 12
    index = sorted(y * 12 + m - 1 for y, m in months)
    facts = []
    for i in range(index[0], index[-1] + 1):
        year, month = divmod(i, 12)
        amount = months.get((year, month + 1), 0.0)
        facts.append(
            {
                "key": "monthly_net_salary",
                "value": round(amount, 2),
                "collected": date(year, month + 1, 15),
                "source": "DGFiP",
            }
        )
    return facts


def parvis_household(case, citycode="54084") -> tuple[dict, date]:
    """The Parvis household (for `situation_from_rows`) equivalent to an OpenFisca case."""
    period = case_period(case)
    data = case["input"]
    if "individus" in data:
        persons = data["individus"]
        famille = data.get("famille") or next(iter(data.get("familles", {}).values()))
        foyers = data.get("foyers_fiscaux") or {"f": data.get("foyer_fiscal", {})}
        menage = data.get("menage") or {}
    else:  # single-person shortcut
        persons = {"1": {k: v for k, v in data.items()}}
        famille, foyers, menage = {"parents": ["1"]}, {"f": {"declarants": ["1"]}}, data
    parents = [str(p) for p in famille.get("parents", [])]
    children = [str(p) for p in famille.get("enfants", [])]
    one_foyer = any(len(f.get("declarants", [])) == 2 for f in foyers.values())
    # Situation facts known shortly before the period.
    collected = date.fromordinal(period.toordinal() - 20)
    household_facts = [
        {
            "key": "housing_status",
            "value": _one_value(menage["statut_occupation_logement"]),
            "collected": collected,
        }
    ]
    if "loyer" in menage:
        household_facts.append(
            {
                "key": "monthly_rent",
                "value": float(_one_value(menage["loyer"])),
                "collected": collected,
            }
        )
    elif "aide_logement" in famille:
        household_facts.append(
            {"key": "monthly_rent", "value": RENT_WHEN_AID_GIVEN, "collected": collected}
        )
    if len(parents) == 2:
        household_facts.append(
            {
                "key": "marital_status",
                "value": "married" if one_foyer else "cohabiting",
                "collected": collected,
            }
        )
    members = []
    for pid, person in persons.items():
        pid = str(pid)
        if "date_naissance" in person:
            birth = date.fromisoformat(str(person["date_naissance"]))
        else:
            birth = date(period.year - int(_one_value(person["age"])) - 1, 7, 1)
        role = (
            "reference"
            if pid == parents[0]
            else "spouse"
            if pid in parents
            else "child"
            if pid in children
            else "other"
        )
        facts = []
        adult = (period - birth).days >= 18 * 365.25
        if "salaire_net" in person:
            facts += [{"key": "employment_status", "value": "employed", "collected": collected}]
            facts += _salary_facts(person["salaire_net"])
        elif adult:
            facts.append({"key": "employment_status", "value": "inactive", "collected": collected})
        if role == "reference":
            facts += household_facts
        members.append({"id": len(members) + 1, "role": role, "birth_date": birth, "facts": facts})
    members.sort(key=lambda m: ["reference", "spouse", "child", "other"].index(m["role"]))
    return {"id": 1, "citycode": citycode, "members": members}, period
