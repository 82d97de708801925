"""Explanations a citizen can read, in French, whatever language the agent's console uses:
they are stored with the result and may be sent to the citizen."""

from datetime import date

import numpy as np

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def month_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def month_span(first: date, last: date) -> str:
    if first == last:
        return month_label(first)
    if first.year == last.year:
        return f"{MONTHS[first.month - 1]} à {month_label(last)}"
    return f"{month_label(first)} à {month_label(last)}"


def euros(amount: float) -> str:
    """1234.5 -> "1 234,50 €" (French typography, narrow no-break space)."""
    text = f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")
    if text.endswith(",00"):
        text = text[:-3]
    return f"{text} €"


def day_label(value) -> str:
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[D]").item()
    return value.strftime("%d/%m/%Y")


def plural(count: int, singular: str, plural_form: str) -> str:
    return f"{count} {singular if count == 1 else plural_form}"


# French labels of the coded values of the catalogue's text facts.
VALUE_LABELS = {
    "married": "marié(e)",
    "pacs": "pacsé(e)",
    "cohabiting": "en concubinage",
    "single": "célibataire",
    "divorced": "divorcé(e)",
    "separated": "séparé(e)",
    "widowed": "veuf ou veuve",
    "owner": "propriétaire",
    "tenant": "locataire",
    "social_housing": "locataire HLM",
    "hosted": "hébergé(e)",
    "employed": "en emploi",
    "unemployed": "demandeur d'emploi",
    "retired": "retraité(e)",
    "student": "étudiant(e)",
    "inactive": "sans activité",
    "pupil": "élève (moins de 16 ans)",
}


def value_label(value) -> str:
    return VALUE_LABELS.get(str(value), str(value))
