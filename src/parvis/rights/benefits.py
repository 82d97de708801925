"""The national benefits Parvis computes with OpenFisca-France, and the facts telling that a
household already receives them (for the non-take-up report)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class NationalBenefit:
    code: str
    label: str  # French: shown to agents and written in explanations
    variable: str  # the OpenFisca-France variable (monthly, per famille)
    legislation: str  # French, after "selon"
    recipient_fact: str
    # Months before the period whose income must be known (0 = the period itself). RSA and
    # the activity bonus average the three previous months and look at the current one
    # (incomes interrupted in the month are neutralised); the activity bonus may read one
    # month further back (revenues of M-2 to M-4 in the départements testing prefilling);
    # housing aid reads the twelve months M-13 to M-2.
    income_months: range


NATIONAL_BENEFITS = {
    b.code: b
    for b in [
        NationalBenefit(
            "rsa",
            "Revenu de solidarité active (RSA)",
            "rsa",
            "le Code de l'action sociale et des familles, art. L. 262-1 et suivants",
            "rsa_recipient",
            range(0, 4),
        ),
        NationalBenefit(
            "ppa",
            "Prime d'activité",
            "ppa",
            "le Code de la sécurité sociale, art. L. 841-1 et suivants",
            "activity_bonus_recipient",
            range(0, 5),
        ),
        NationalBenefit(
            "aide_logement",
            "Aide personnalisée au logement (APL, ALF, ALS)",
            "aide_logement",
            "le Code de la construction et de l'habitation, art. L. 821-1 et suivants",
            "housing_aid_recipient",
            range(0, 14),
        ),
    ]
}

# Months of income history written into the simulation (P-24 .. P): every month the three
# benefits read on their secondary paths (neutralisations, the activity bonus's look-back).
HISTORY_MONTHS = 25
