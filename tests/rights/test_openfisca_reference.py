"""Parvis's RSA, computed from facts equivalent to OpenFisca-France's own YAML test cases
(copied with attribution in data/openfisca_france_rsa_cases.yaml), matches their values."""

from collections import defaultdict
from datetime import date

import pytest

from parvis.rights import services
from parvis.rights.models import EligibilityResult
from parvis.rights.national import national_rows
from parvis.rights.situations import situation_from_rows

from . import factories
from .openfisca_cases import expected_rsa, load_cases, margin, parvis_household

CASES = load_cases()


def test_the_reference_cases_are_copied_from_openfisca_france():
    assert len(CASES) == 10
    assert all("rsa" in case["output"] for case in CASES)


def test_rsa_matches_openfisca_france_reference_cases():
    # Cases of the same month are computed together, in one vectorised simulation.
    by_period = defaultdict(list)
    for number, case in enumerate(CASES):
        household, period = parvis_household(case)
        household["id"] = number + 1
        for member in household["members"]:
            member["id"] += 100 * (number + 1)
        by_period[period].append((case, household))
    checked = 0
    for period, items in by_period.items():
        situation = situation_from_rows([household for _case, household in items])
        rows = {r.household_id: r for r in national_rows(situation, period, ["rsa"])}
        for case, household in items:
            row = rows[household["id"]]
            expected = expected_rsa(case)
            assert row.status != "insufficient_data", (case["name"], row.explanation)
            got = float(row.amount)
            assert got == pytest.approx(expected, abs=margin(case, expected) + 0.005), case["name"]
            assert row.status == ("eligible" if expected > 0 else "not_eligible")
            checked += 1
    assert checked == len(CASES)


@pytest.mark.django_db
def test_rsa_from_facts_in_the_database_matches_the_reference():
    """The same through the database: facts stored, eligibility run, results written."""
    wanted = {"RSA Cas N°1", "RSA Cas N°6", "RSA Cas Non Passant N°1"}
    cases = [c for c in CASES if c["name"] in wanted]
    homes = {}
    for case in cases:
        household, period = parvis_household(case)
        members = []
        for member in household["members"]:
            facts = [(f["key"], f["value"], f["collected"]) for f in member["facts"]]
            members.append({"role": member["role"], "birth": member["birth_date"], "facts": facts})
        home, _persons = factories.household(members)
        homes[home.pk] = case
    run = services.compute("2018-05", ["rsa"])
    assert run.status == "done" and run.households_total == len(cases)
    for household_id, case in homes.items():
        result = EligibilityResult.objects.get(household_id=household_id, benefit="rsa")
        assert result.period == date(2018, 5, 1)
        expected = expected_rsa(case)
        assert float(result.amount) == pytest.approx(expected, abs=margin(case, expected) + 0.005)
        assert result.inputs["engine"] == "OpenFisca-France 176.1.8"
