"""Facts -> OpenFisca-France variables: months covered, unknown months, entities, inputs."""

import json
from datetime import date

import numpy as np
import pytest

from parvis.rights import openfisca_bridge
from parvis.rights.mapping import HISTORY, STABLE_AFTER, STABLE_BEFORE, map_situation, missing_data
from parvis.rights.national import national_rows
from parvis.rights.situations import month_index, situation_from_rows

P = date(2025, 6, 1)
COLLECTED = date(2025, 5, 10)


def fact(key, value, collected=COLLECTED, **extra):
    return {"key": key, "value": value, "collected": collected, "source": "DGFiP", **extra}


def tenant(rent=500):
    return [fact("housing_status", "tenant"), fact("monthly_rent", rent)]


def single(facts, birth=date(1980, 1, 1), citycode="54084", hid=1):
    return {
        "id": hid,
        "citycode": citycode,
        "members": [{"id": hid * 10, "role": "reference", "birth_date": birth, "facts": facts}],
    }


def months_of(mapped, values):
    return dict(zip((int(m) for m in mapped.months), values, strict=True))


def test_a_monthly_amount_covers_its_span_and_a_newer_fact_replaces_it():
    situation = situation_from_rows(
        [
            single(
                [
                    fact("employment_status", "employed"),
                    fact("monthly_net_salary", 1000, collected=date(2024, 3, 15)),
                    fact("monthly_net_salary", 1200, collected=date(2025, 2, 15)),
                ]
            )
        ]
    )
    mapped = map_situation(situation, P)
    salary = months_of(mapped, mapped.incomes["salary"][0])
    unknown = months_of(mapped, mapped.income_unknown["salary"][0])
    march_2024 = month_index(date(2024, 3, 1))
    assert salary[march_2024] == 1000
    assert salary[month_index(date(2025, 1, 1))] == 1000  # until the newer fact
    assert salary[month_index(date(2025, 2, 1))] == 1200
    assert salary[month_index(P)] == 1200
    # Before the first fact: assumed for STABLE_BEFORE months, unknown earlier.
    assert not unknown[march_2024 - STABLE_BEFORE]
    assert unknown[march_2024 - STABLE_BEFORE - 1]


def test_a_stale_or_expired_fact_leaves_the_months_after_it_unknown():
    old = date(2024, 4, 1)
    situation = situation_from_rows(
        [
            single(
                [
                    fact("employment_status", "employed", collected=date(2025, 5, 1)),
                    fact("monthly_net_salary", 900, collected=old),
                ],
                hid=1,
            ),
            single(
                [
                    fact("employment_status", "employed"),
                    fact("monthly_net_salary", 900, until=date(2025, 3, 31)),
                ],
                hid=2,
            ),
        ]
    )
    mapped = map_situation(situation, P)
    stale = months_of(mapped, mapped.income_unknown["salary"][0])
    assert not stale[month_index(old) + STABLE_AFTER]
    assert stale[month_index(old) + STABLE_AFTER + 1]
    expired = months_of(mapped, mapped.income_unknown["salary"][1])
    assert not expired[month_index(date(2025, 3, 1))]
    assert expired[month_index(date(2025, 4, 1))]


def test_unknown_months_give_insufficient_data_never_an_amount():
    # Employed, but the salary is known only from April 2025 on (collected in April with a
    # valid_until in the past would be stale): RSA reads March to June.
    households = [
        single([fact("employment_status", "employed"), *tenant()], hid=1),  # no salary at all
        single([fact("monthly_net_salary", 700), *tenant()], hid=2),  # no employment status
        single(
            [
                fact("employment_status", "employed"),
                fact("monthly_net_salary", 700),
                fact("housing_status", "tenant"),
            ],
            hid=3,
        ),  # tenant, rent unknown
        single([fact("employment_status", "inactive"), *tenant()], citycode="", hid=4),
        single([fact("employment_status", "inactive"), fact("housing_status", "yurt")], hid=5),
        single([fact("employment_status", "inactive"), *tenant()], birth=None, hid=6),
        single([fact("employment_status", "retired"), fact("housing_status", "owner")], hid=7),
    ]
    rows = national_rows(situation_from_rows(households), P, ["rsa", "ppa", "aide_logement"])
    by = {(r.household_id, r.benefit): r for r in rows}
    for hid in range(1, 8):
        for benefit in ("rsa", "ppa", "aide_logement"):
            row = by[(hid, benefit)]
            assert row.status == "insufficient_data", (hid, benefit)
            assert row.amount is None
            assert row.explanation.startswith("Données insuffisantes")
    text = {hid: by[(hid, "rsa")].explanation for hid in range(1, 8)}
    assert "salaire inconnu pour mars à juin 2025 (personne de référence, en emploi)" in text[1]
    assert "situation professionnelle inconnue (personne de référence)" in text[2]
    assert "loyer inconnu" in text[3]
    assert "adresse du logement inconnue" in text[4]
    assert "non reconnu (« yurt »)" in text[5]
    assert "date de naissance inconnue" in text[6]
    assert "pension de retraite inconnue" in text[7]
    assert "mai 2024 à juin 2025" in by[(1, "aide_logement")].explanation  # M-13 .. M


def test_incomes_the_situation_excludes_are_zero_and_the_rest_is_computed():
    households = [
        single(
            [
                fact("employment_status", "employed"),
                fact("monthly_net_salary", 800),
                *tenant(),
                fact("rsa_recipient", True),
            ],
            hid=1,
        ),
        single(
            [
                fact("employment_status", "unemployed"),
                fact("monthly_unemployment_benefit", 0),
                *tenant(450),
            ],
            hid=2,
        ),
    ]
    rows = national_rows(situation_from_rows(households), P, ["rsa", "ppa", "aide_logement"])
    by = {(r.household_id, r.benefit): r for r in rows}
    assert by[(1, "ppa")].status == "eligible" and by[(1, "ppa")].amount > 0
    assert by[(1, "aide_logement")].status == "eligible"
    assert by[(1, "rsa")].receives is True and by[(1, "ppa")].receives is None
    assert by[(2, "rsa")].status == "eligible" and by[(2, "rsa")].amount > 400
    explanation = by[(1, "ppa")].explanation
    assert explanation.startswith("Probablement éligible : Prime d'activité, environ ")
    assert "salaire 800 € par mois (DGFiP, 10/05/2025)" in explanation
    assert "OpenFisca-France 176.1.8" in explanation and "L. 841-1" in explanation
    inputs = json.loads(by[(1, "ppa")].inputs)
    assert inputs["members"][0]["salary"] == 800.0
    assert inputs["months"] == ["2025-02", "2025-06"]
    assert len(inputs["facts"]) == 4  # status, salary, housing status, rent


def test_roles_entities_and_households_are_normalised():
    rows = [
        {
            "id": 1,
            "citycode": "54084",
            "members": [  # married couple, two children, one is 26
                {
                    "id": 1,
                    "role": "reference",
                    "birth_date": date(1970, 1, 1),
                    "facts": [fact("marital_status", "married")],
                },
                {"id": 2, "role": "spouse", "birth_date": date(1972, 1, 1)},
                {"id": 3, "role": "child", "birth_date": date(2012, 1, 1)},
                {"id": 4, "role": "child", "birth_date": date(1999, 1, 1)},
            ],
        },
        {
            "id": 2,
            "citycode": "54084",
            "members": [  # no reference, two "spouses", flatmate
                {"id": 5, "role": "spouse", "birth_date": date(1990, 1, 1)},
                {"id": 6, "role": "spouse", "birth_date": date(1991, 1, 1)},
                {"id": 7, "role": "other", "birth_date": date(1995, 1, 1)},
            ],
        },
    ]
    mapped = map_situation(situation_from_rows(rows), P)
    assert list(mapped.person_role) == [
        "reference",
        "spouse",
        "child",
        "child",
        "reference",
        "spouse",
        "other",
    ]
    # One family for the couple and the young child; the 26-year-old has his own.
    assert mapped.famille_of[0] == mapped.famille_of[1] == mapped.famille_of[2]
    assert mapped.famille_of[3] != mapped.famille_of[0]
    assert list(mapped.famille_role[:4]) == ["demandeur", "conjoint", "enfant", "demandeur"]
    # Married: one tax household; the second couple is not married: two.
    assert mapped.foyer_of[0] == mapped.foyer_of[1] and mapped.foyer_role[1] == "conjoint"
    assert mapped.foyer_of[4] != mapped.foyer_of[5]
    assert list(mapped.coloc) == [False, True]
    assert mapped.statut_marital[1] == "marie"


def test_every_month_read_is_an_input_and_taxable_amounts_follow_the_ratio():
    situation = situation_from_rows(
        [
            single(
                [fact("employment_status", "employed"), fact("monthly_net_salary", 1000), *tenant()]
            )
        ]
    )
    mapped = map_situation(situation, P)
    simulation = openfisca_bridge.build_simulation(mapped)
    simulation.trace = True
    for variable in ("rsa", "ppa", "aide_logement"):
        simulation.calculate(variable, f"{P:%Y-%m}")
    oldest = month_index(P) - HISTORY + 1
    incomes = {
        "salaire_net",
        "salaire_imposable",
        "chomage_net",
        "chomage_imposable",
        "retraite_nette",
        "retraite_imposable",
    }
    read = set()

    def walk(node):
        if node.name in incomes and node.period.unit == "month":
            read.add((node.name, node.period.start.year * 12 + node.period.start.month - 1))
        for child in node.children:
            walk(child)

    for tree in simulation.tracer.trees:
        walk(tree)
    assert read, "the trace recorded no income read"
    too_old = sorted(month for _name, month in read if month < oldest)
    assert too_old == [], "months read that are not inputs (they would silently be zero)"
    ratio = openfisca_bridge.taxable_ratios(2025, 6)["salary"]
    assert 1.02 < ratio < 1.06
    taxable = simulation.calculate("salaire_imposable", "2025-01")[0]
    assert taxable == pytest.approx(1000 * ratio, rel=1e-5)
    assert np.all(simulation.calculate("chomage_net", "2025-01") == 0)


def test_flatshare_housing_aid_is_insufficient_but_rsa_is_computed():
    rows = [
        {
            "id": 1,
            "citycode": "54084",
            "members": [
                {
                    "id": 1,
                    "role": "reference",
                    "birth_date": date(1995, 1, 1),
                    "facts": [fact("employment_status", "inactive"), *tenant(900)],
                },
                {
                    "id": 2,
                    "role": "other",
                    "birth_date": date(1996, 1, 1),
                    "facts": [fact("employment_status", "student")],
                },
            ],
        }
    ]
    situation = situation_from_rows(rows)
    mapped = map_situation(situation, P)
    assert missing_data(situation, mapped, "aide_logement")[0] == [
        "colocation : la part du loyer de chacun n'est pas connue"
    ]
    assert missing_data(situation, mapped, "rsa")[0] == []
