"""The local rule format: validation messages, and evaluation in SQL (three-valued)."""

from datetime import date

import pytest
from django.utils import translation

from parvis.rights import services
from parvis.rights.models import EligibilityResult, LocalRule
from parvis.rights.rules import RuleError, parse_rule

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English, whatever the French catalogue says today."""
    with translation.override("en"):
        yield


PERIOD = date(2025, 6, 1)
SEEN = date(2025, 3, 1)


def errors_of(text: str) -> list[str]:
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    return caught.value.errors


def test_a_valid_rule_is_normalised():
    definition = parse_rule(
        """
label: Tarif social de la cantine
amount: 2.5
conditions:
  - age: ">= 3"
  - family_quotient: "< 700,5"
  - departement: ["54", "57"]
  - any:
      - marital_status: widowed
      - employment_status: [unemployed, inactive]
  - passport_expires_on: "<= +180 days"
  - lives_alone: no
"""
    )
    assert definition["code"] == "tarif-social-de-la-cantine"
    assert definition["amount"] == 2.5
    leaves = definition["conditions"]["all"]
    assert leaves[0] == {"field": "age", "op": ">=", "value": 3.0}
    assert leaves[1] == {"field": "family_quotient", "op": "<", "value": 700.5}
    assert leaves[2] == {"field": "departement", "op": "in", "value": ["54", "57"]}
    assert leaves[3]["any"][1] == {
        "field": "employment_status",
        "op": "in",
        "value": ["unemployed", "inactive"],
    }
    assert leaves[4] == {"field": "passport_expires_on", "op": "<=", "value": {"days": 180}}
    assert leaves[5] == {"field": "lives_alone", "op": "=", "value": False}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("label: x\nconditions: [age: '>= 65'\n", "Invalid YAML, line"),
        ("- just\n- a list\n", "A rule is a set of"),
        ("conditions:\n  - age: '>= 65'\n", "label: a rule needs a label."),
        ("label: X\n", "conditions: a rule needs a list of conditions."),
        ("label: X\nconditions: []\n", "conditions: a rule needs a list of conditions."),
        (
            "label: X\nconditions:\n  - agee: '>= 65'\n",
            "conditions[0].agee: unknown field. Did you mean: age?",
        ),
        (
            "label: X\nconditions:\n  - age: '>= soixante'\n",
            "conditions[0].age: “soixante” is not a number.",
        ),
        (
            "label: X\nconditions:\n  - marital_status: '< widowed'\n",
            "compares numbers or dates, not text",
        ),
        (
            "label: X\nconditions:\n  - lives_alone: maybe\n",
            "conditions[0].lives_alone: expected yes or no.",
        ),
        (
            "label: X\nconditions:\n  - age: '>= 65'\n    lives_alone: yes\n",
            "conditions[0]: a condition is one",
        ),
        ("label: X\nconditions:\n  - any: []\n", "conditions[0].any: expected a non-empty list"),
        ("label: X\nconditions:\n  - departement: ['99']\n", "unknown département “99”"),
        ("label: X\nconditions:\n  - region: ['12']\n", "unknown région code “12”"),
        ("label: X\nconditions:\n  - commune: ['5408']\n", "is not an INSEE town code"),
        ("label: X\nconditions:\n  - passport_expires_on: '< next year'\n", "is not a date"),
        ("label: X\nconditions:\n  - age: '>= 1'\ncolor: red\n", "color: unknown entry"),
        ("label: X\ncode: Mon Aide!\nconditions:\n  - age: '>= 1'\n", "code: use lower-case"),
        ("label: X\ncode: rsa\nconditions:\n  - age: '>= 1'\n", "national benefit"),
        (
            "label: X\nalready_received: age\nconditions:\n  - age: '>= 1'\n",
            "already_received: expected a yes/no fact key.",
        ),
        (
            "label: X\namount: beaucoup\nconditions:\n  - age: '>= 1'\n",
            "amount: expected an amount",
        ),
    ],
)
def test_each_mistake_gets_a_clear_message_with_its_place(text, expected):
    errors = errors_of(text)
    assert any(expected in error for error in errors), errors


def test_every_problem_is_reported_at_once():
    errors = errors_of("conditions:\n  - agee: 1\n  - age: 'x'\n  - lives_alone: 3\n")
    assert len(errors) == 4  # the label, and the three conditions


def test_deep_nesting_is_refused():
    nested = (
        "label: X\nconditions:\n  - any:\n"
        + "".join("  " * (i + 2) + "- any:\n" for i in range(6))
        + "  " * 8
        + "- age: 1\n"
    )
    assert any("nested too deeply" in e for e in errors_of(nested))


def _rule(text: str, code=None) -> LocalRule:
    definition = parse_rule(text)
    return LocalRule.objects.create(
        code=code or definition["code"],
        label=definition["label"],
        source=text,
        definition=definition,
    )


def _results(code: str) -> dict[int, EligibilityResult]:
    return {r.person_id: r for r in EligibilityResult.objects.filter(benefit=code)}


def test_rules_are_evaluated_in_sql_with_three_valued_logic():
    _home, (alone_old,) = factories.household(
        [
            {
                "role": "reference",
                "birth": date(1950, 5, 1),
                "facts": [
                    ("marital_status", "widowed", SEEN, None, "etat-civil"),
                    ("heatwave_register", True, SEEN, None, "ccas"),
                ],
            }
        ]
    )
    _home, (old_couple, old_spouse) = factories.household(
        [
            {
                "role": "reference",
                "birth": date(1945, 1, 1),
                "facts": [("marital_status", "married", SEEN, None, "etat-civil")],
            },
            {"role": "spouse", "birth": date(1946, 1, 1)},
        ]
    )
    _home, (no_birth,) = factories.household([{"role": "reference", "birth": None}])
    _home, (parent, child, baby) = factories.household(
        [
            {
                "role": "reference",
                "birth": date(1985, 1, 1),
                "facts": [
                    ("family_quotient", 540, SEEN),
                    ("family_quotient", 820, date(2025, 9, 1)),
                ],
            },
            {"role": "child", "birth": date(2017, 3, 1)},
            {"role": "child", "birth": date(2024, 1, 1)},
        ]
    )
    _home, (no_qf_parent, no_qf_child) = factories.household(
        [
            {"role": "reference", "birth": date(1985, 1, 1)},
            {"role": "child", "birth": date(2016, 3, 1)},
        ],
        citycode="57463",
        postcode="57000",
    )
    _home, (widow_old,) = factories.household(
        [
            {
                "role": "reference",
                "birth": date(1960, 6, 2),  # 64 on 1 June 2025, 65 on 2 June
                "facts": [("marital_status", "widowed", SEEN, None, "etat-civil")],
            }
        ]
    )
    _home, (dead,) = factories.household(
        [{"role": "reference", "birth": date(1930, 1, 1), "deceased": date(2024, 1, 1)}]
    )
    heatwave = _rule(
        "label: Canicule\nalready_received: heatwave_register\n"
        "conditions:\n  - age: '>= 65'\n  - lives_alone: yes\n"
    )
    survivor = _rule(
        "label: Réversion\nconditions:\n  - age: '>= 55'\n  - marital_status: widowed\n"
    )
    canteen = _rule(
        "label: Cantine\namount: 1.5\nconditions:\n  - age: '>= 3'\n"
        "  - age: '<= 11'\n  - family_quotient: '< 700'\n"
    )
    moselle = _rule(
        "label: Moselle\nconditions:\n  - any:\n      - departement: ['57']\n"
        "      - region: ['84']\n"
    )
    services.compute(PERIOD, [heatwave.code, survivor.code, canteen.code, moselle.code])

    results = _results(heatwave.code)
    assert results[alone_old.pk].status == "eligible"
    assert results[alone_old.pk].receives is True  # already registered (from the facts)
    assert no_birth.pk in results and results[no_birth.pk].status == "insufficient_data"
    assert old_couple.pk not in results and old_spouse.pk not in results  # not alone
    assert widow_old.pk not in results  # 64 on the first day of the month
    assert dead.pk not in results
    assert "âge : 75 ans" in results[alone_old.pk].explanation

    results = _results(survivor.code)
    assert results[alone_old.pk].status == "eligible"
    assert widow_old.pk in results
    # The spouse has no marital status of her own: her household's reference says married.
    assert old_spouse.pk not in results and old_couple.pk not in results
    assert results[no_birth.pk].status == "insufficient_data"
    assert (
        "veuf ou veuve (État civil de la commune, 01/03/2025)" in results[alone_old.pk].explanation
    )

    results = _results(canteen.code)
    # The child reads the household's family quotient, as known in June (540, not 820).
    assert results[child.pk].status == "eligible" and results[child.pk].amount == 1.5
    assert results[child.pk].household_id == _home_of(child)
    assert "Quotient familial CAF : 540 €" in results[child.pk].explanation
    assert baby.pk not in results and parent.pk not in results
    assert results[no_qf_child.pk].status == "insufficient_data"
    assert "Inconnu : Quotient familial CAF : inconnu" in results[no_qf_child.pk].explanation
    assert no_qf_parent.pk not in results

    results = _results(moselle.code)
    assert set(results) == {no_qf_parent.pk, no_qf_child.pk}


def _home_of(person):
    return person.memberships.get().household_id


def test_rules_for_another_territory_are_not_evaluated_at_all():
    factories.household([{"role": "reference", "birth": date(1990, 1, 1)}])
    savoie = _rule("label: Savoie\nconditions:\n  - departement: ['74']\n  - age: '>= 16'\n")
    run = services.compute(PERIOD, [savoie.code])
    assert run.counts == {savoie.code: {}}


def test_eligible_people_is_a_queryset_for_audiences():
    _home, (old,) = factories.household([{"role": "reference", "birth": date(1940, 1, 1)}])
    rule = _rule("label: Aînés\nconditions:\n  - age: '>= 80'\n")
    services.compute(PERIOD, [rule.code])
    assert list(services.eligible_people(rule.code, "2025-06")) == [old]
    assert list(services.eligible_people(rule.code)) == [old]  # latest period
    assert list(services.eligible_people(rule.code, "2025-07")) == []
