"""National benefits for a chunk of households: facts -> OpenFisca-France -> result rows with
their inputs and explanation.

The texts are built once per fact, per person and per family (not per benefit): on a chunk
of 20,000 households this part costs about as little as reading the facts."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np

from . import openfisca_bridge
from .benefits import NATIONAL_BENEFITS
from .explain import euros, month_label, month_span, plural
from .mapping import (
    HOUSING_LABELS,
    INCOME_KINDS,
    ROLE_LABELS,
    STATUS_LABELS,
    TENANT,
    Mapped,
    map_situation,
    missing_data,
)
from .situations import Situation, month_start

ELIGIBLE, NOT_ELIGIBLE, INSUFFICIENT = "eligible", "not_eligible", "insufficient_data"
UNKNOWN_RESOURCES = (
    "Patrimoine, revenus du capital, pensions alimentaires et revenus d'indépendant ne sont "
    "pas connus de Parvis : comptés nuls."
)


@dataclass
class Row:
    benefit: str
    person_id: int
    household_id: int
    status: str
    amount: Decimal | None
    receives: bool | None
    inputs: str  # JSON, already encoded
    explanation: str


class ChunkTexts:
    """Every string the explanations of a chunk are made of, computed once."""

    def __init__(self, situation: Situation, mapped: Mapped):
        self.situation, self.mapped = situation, mapped
        days = np.datetime_as_string(situation.fact_day, unit="D")
        self.fact_ref = [
            f"{source}, {d[8:10]}/{d[5:7]}/{d[:4]}"
            for source, d in zip(situation.fact_source, days, strict=True)
        ]
        self.fact_id = situation.fact_id.tolist()
        n = len(mapped.age)
        widest = (
            len(mapped.months) - 1 - max(max(b.income_months) for b in NATIONAL_BENEFITS.values())
        )
        ages = mapped.age.tolist()
        self.person_text: list[str] = []
        self.person_inputs: list[dict] = []
        self.person_facts: list[list[int]] = []
        current = {k.code: mapped.income_facts[k.code][:, -1].tolist() for k in INCOME_KINDS}
        oldest = {k.code: mapped.income_facts[k.code][:, widest].tolist() for k in INCOME_KINDS}
        amounts = {k.code: mapped.incomes[k.code][:, -1].tolist() for k in INCOME_KINDS}
        status_fact = mapped.status_fact.tolist()
        person_id = situation.person_id.tolist()
        for p in range(n):
            role, age, status = mapped.person_role[p], ages[p], mapped.status[p]
            who = ROLE_LABELS.get(role, "membre") + (f", {age} ans" if age >= 0 else "")
            facts = []
            entry = {
                "person": person_id[p],
                "role": role,
                "age": age if age >= 0 else None,
                "status": status or None,
            }
            if 0 <= age < 18:
                self.person_text.append(who)
            else:
                if status:
                    who += ", " + STATUS_LABELS.get(status, status)
                    facts.append(status_fact[p])
                incomes = []
                for kind in INCOME_KINDS:
                    fact = current[kind.code][p]
                    if fact >= 0:
                        facts.append(fact)
                        entry[kind.code] = round(amounts[kind.code][p], 2)
                        incomes.append(
                            f"{kind.label} {euros(amounts[kind.code][p])} par mois "
                            f"({self.fact_ref[fact]})"
                        )
                    if oldest[kind.code][p] >= 0 and oldest[kind.code][p] != fact:
                        facts.append(oldest[kind.code][p])
                self.person_text.append(who + (" : " + ", ".join(incomes) if incomes else ""))
            self.person_inputs.append(entry)
            self.person_facts.append(facts)

    def family(self, members: list[int], household: int) -> tuple[str, str]:
        """The description of a family ("Éléments retenus…") and its inputs as JSON (without
        the months, which depend on the benefit)."""
        m = self.mapped
        adults = sum(1 for p in members if m.age[p] >= 18)
        children = len(members) - adults
        parts = [f"famille de {plural(adults, 'adulte', 'adultes')}"]
        if children:
            parts[0] += f" et {plural(children, 'enfant', 'enfants')}"
        facts = [f for p in members for f in self.person_facts[p]]
        statut = m.statut_logement[household]
        rent = m.rent[household]
        if statut:
            housing = HOUSING_LABELS[statut]
            facts.append(int(m.housing_fact[household]))
            if statut in TENANT and np.isfinite(rent):
                rent_fact = int(m.rent_fact[household])
                facts.append(rent_fact)
                housing += f", loyer {euros(rent)} ({self.fact_ref[rent_fact]})"
            parts.append(f"logement : {housing}")
        if m.citycode[household]:
            parts.append(f"commune INSEE {m.citycode[household]}")
        parts += [self.person_text[p] for p in members]
        inputs = {
            "engine": f"OpenFisca-France {openfisca_bridge.openfisca_version()}",
            "household": {
                "citycode": m.citycode[household] or None,
                "housing_status": statut or None,
                "rent": None if np.isnan(rent) else round(float(rent), 2),
                "flatshare": bool(m.coloc[household]),
            },
            "members": [self.person_inputs[p] for p in members],
            "facts": sorted({self.fact_id[f] for f in facts if f >= 0}),
        }
        return " ; ".join(parts) + ".", json.dumps(inputs, ensure_ascii=False)


def _texts_per_benefit(mapped: Mapped, benefit_code: str) -> tuple[str, str, str]:
    benefit = NATIONAL_BENEFITS[benefit_code]
    first = month_start(int(mapped.months[-1 - max(benefit.income_months)]))
    period = month_start(int(mapped.months[-1]))
    source = (
        f"Calcul OpenFisca-France {openfisca_bridge.openfisca_version()} selon "
        f"{benefit.legislation}."
    )
    incomes = (
        f"Revenus des mois lus ({month_span(first, period)}) pris au dernier montant connu "
        f"pour chacun. {UNKNOWN_RESOURCES}"
    )
    months = json.dumps([f"{first:%Y-%m}", f"{period:%Y-%m}"])
    return source, incomes, months


def explanation(
    benefit_code: str,
    status: str,
    amount: float,
    period: date,
    described: str,
    reasons: list[str],
    texts: tuple[str, str, str],
) -> str:
    benefit = NATIONAL_BENEFITS[benefit_code]
    source, incomes, _months = texts
    facts = f"Éléments retenus : {described}"
    if status == INSUFFICIENT:
        return (
            f"Données insuffisantes pour estimer : {benefit.label}, {month_label(period)}. "
            f"Il manque : {' ; '.join(reasons)}. {facts}"
        )
    if status == ELIGIBLE:
        head = (
            f"Probablement éligible : {benefit.label}, environ {euros(amount)} par mois "
            f"pour {month_label(period)}."
        )
    else:
        head = (
            f"Non éligible d'après les données connues : {benefit.label}, montant calculé nul "
            f"pour {month_label(period)}."
        )
    return f"{head} {source} {facts} {incomes}"


def national_rows(situation: Situation, period: date, benefits: list[str]) -> list[Row]:
    """The result rows of every family of the chunk for these national benefits."""
    if not len(situation.person_id):
        return []
    mapped = map_situation(situation, period)
    variables = [NATIONAL_BENEFITS[code].variable for code in benefits]
    amounts = openfisca_bridge.compute(mapped, variables)
    families = len(mapped.famille_household)
    order = np.argsort(mapped.famille_of, kind="stable")
    bounds = np.searchsorted(mapped.famille_of[order], np.arange(families + 1)).tolist()
    order = order.tolist()
    h = len(mapped.statut_logement)
    texts = ChunkTexts(situation, mapped)
    per_benefit = {code: _texts_per_benefit(mapped, code) for code in benefits}
    reasons_by_benefit = {code: missing_data(situation, mapped, code) for code in benefits}
    values = {code: amounts[NATIONAL_BENEFITS[code].variable].tolist() for code in benefits}
    receives = {code: mapped.receives[code].tolist() for code in benefits}
    heads = situation.person_id[mapped.famille_head].tolist()
    households = situation.household_id[mapped.famille_household].tolist()
    family_household = mapped.famille_household.tolist()
    rows: list[Row] = []
    for f in range(families):
        members = order[bounds[f] : bounds[f + 1]]
        if not members:
            continue
        household = family_household[f]
        described, inputs = texts.family(members, household)
        for code in benefits:
            reasons = reasons_by_benefit[code][f]
            value = values[code][f]
            if reasons:
                status, amount = INSUFFICIENT, None
            elif value > 0.005:
                status, amount = ELIGIBLE, Decimal(f"{value:.2f}")
            else:
                status, amount = NOT_ELIGIBLE, Decimal("0.00")
            # What the household receives is known for its main family only.
            flag = receives[code][household] if f < h else -1
            rows.append(
                Row(
                    benefit=code,
                    person_id=heads[f],
                    household_id=households[f],
                    status=status,
                    amount=amount,
                    receives=None if flag < 0 else bool(flag),
                    explanation=explanation(
                        code, status, value, period, described, reasons, per_benefit[code]
                    ),
                    inputs='{"months": ' + per_benefit[code][2] + ", " + inputs[1:],
                )
            )
    return rows
