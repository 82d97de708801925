"""From facts to OpenFisca-France variables: the delicate part of eligibility.

Rules applied (each one is tested in tests/rights/test_mapping.py):

* **Incomes are monthly amounts with a time of validity.** A fact "net salary 1 450 €"
  collected in March says what the person earned then. Parvis takes it as the person's
  amount for the months from `STABLE_BEFORE` months before its collection until
  `STABLE_AFTER` months after it (or its `valid_until`); a newer fact of the same key
  replaces it from its own month on. Outside that span the month is **unknown**.
* **Unknown months never count as zero.** RSA and the activity bonus read the three
  previous months and the current one (the activity bonus one more), housing aid the
  twelve months M-13 to M-2 (`benefits.NationalBenefit.income_months`). When a month the law
  reads is unknown for an income the person's situation implies (a salary for someone
  employed, an unemployment benefit for a jobseeker, a pension for a retiree), the family's
  result is *insufficient data*, not an amount. An income the situation excludes (no
  pension for someone employed) is zero, and the explanation says so.
* Older months, read only on secondary paths (tax reference income of year N-2, yearly
  evaluations), are filled with the nearest known amount: income assumed stable, never zero.
* Facts about the household (housing status, rent, marital status, benefits received) are
  the latest known for any current member, as of the period.
* Net amounts are what the facts hold; taxable amounts (housing aid reads
  `salaire_imposable`, `chomage_imposable`) are derived with the legal contribution rates at
  the full rate (`openfisca_bridge.taxable_ratios`): slightly higher than reality for the
  lowest pensions and allowances, so housing aid is, if anything, underestimated.
* Unknown: capital, property, furnished letting, recent separation (RSA "majoré"), which
  Parvis facts do not describe; they count as none, and the explanation says so.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from .benefits import NATIONAL_BENEFITS
from .explain import month_span
from .situations import Situation, month_index, month_start

STABLE_BEFORE = 13
STABLE_AFTER = 12
# Months of history written into the simulation (P-89 .. P). Every month OpenFisca-France
# reads for the three benefits and their secondary paths is an input, so none is silently
# zero, and the payroll formulas are never run for old months (which makes it 6x faster).
HISTORY = 90
# Months whose income must be known for one of the benefits (the widest window).
REQUIRED = max(max(b.income_months) for b in NATIONAL_BENEFITS.values()) + 1


@dataclass(frozen=True)
class IncomeKind:
    code: str
    fact_key: str
    net_variable: str
    taxable_variable: str
    status: str  # the employment status that implies this income
    label: str  # French
    unknown: str  # French: "salaire inconnu"


INCOME_KINDS = [
    IncomeKind(
        "salary",
        "monthly_net_salary",
        "salaire_net",
        "salaire_imposable",
        "employed",
        "salaire",
        "salaire inconnu",
    ),
    IncomeKind(
        "unemployment",
        "monthly_unemployment_benefit",
        "chomage_net",
        "chomage_imposable",
        "unemployed",
        "allocation chômage",
        "allocation chômage inconnue",
    ),
    IncomeKind(
        "pension",
        "monthly_pension",
        "retraite_nette",
        "retraite_imposable",
        "retired",
        "pension de retraite",
        "pension de retraite inconnue",
    ),
]
ACTIVITE = {
    "employed": "actif",
    "unemployed": "chomeur",
    "retired": "retraite",
    "student": "etudiant",
    "inactive": "inactif",
}
STATUS_LABELS = {
    "employed": "en emploi",
    "unemployed": "demandeur d'emploi",
    "retired": "retraité(e)",
    "student": "étudiant(e)",
    "inactive": "sans activité",
}
# Parvis housing statuses, and OpenFisca's own keys accepted as they are (imports).
HOUSING = {
    "owner": "proprietaire",
    "tenant": "locataire_vide",
    "social_housing": "locataire_hlm",
    "hosted": "loge_gratuitement",
    "proprietaire": "proprietaire",
    "primo_accedant": "primo_accedant",
    "locataire_vide": "locataire_vide",
    "locataire_meuble": "locataire_meuble",
    "locataire_hlm": "locataire_hlm",
    "loge_gratuitement": "loge_gratuitement",
    "locataire_foyer": "locataire_foyer",
    "sans_domicile": "sans_domicile",
}
TENANT = {"locataire_vide", "locataire_meuble", "locataire_hlm", "locataire_foyer"}
HOUSING_LABELS = {
    "proprietaire": "propriétaire",
    "primo_accedant": "accédant à la propriété",
    "locataire_vide": "locataire (logement vide)",
    "locataire_meuble": "locataire (meublé)",
    "locataire_hlm": "locataire HLM",
    "loge_gratuitement": "logé(e) gratuitement",
    "locataire_foyer": "résident(e) en foyer",
    "sans_domicile": "sans domicile",
}
MARITAL = {
    "married": "marie",
    "pacs": "pacse",
    "cohabiting": "celibataire",
    "single": "celibataire",
    # The tax form has one box for "divorcé(e) ou séparé(e)".
    "divorced": "divorce",
    "separated": "divorce",
    "widowed": "veuf",
}
ROLE_LABELS = {
    "reference": "personne de référence",
    "spouse": "conjoint(e)",
    "child": "enfant",
    "other": "autre membre",
}
CHILD_MAX_AGE = 25  # children older than this form their own family (CAF)
DEPENDANT_MAX_AGE = 21  # and older than this their own tax household


@dataclass
class Mapped:
    """The OpenFisca inputs for a chunk, the entities, and what is unknown."""

    period: date
    months: np.ndarray  # month indexes, oldest first; months[-1] is the period
    # persons
    age: np.ndarray  # int, -1 when unknown
    status: np.ndarray  # object: employment status or ""
    activite: np.ndarray  # object
    statut_marital: np.ndarray  # object
    incomes: dict  # kind code -> float32[n, H] net amounts
    income_facts: dict  # kind code -> int64[n, H] fact index used, -1 none
    income_unknown: dict  # kind code -> bool[n, H] (only where the situation implies it)
    # entities
    famille_of: np.ndarray
    famille_role: np.ndarray
    famille_household: np.ndarray
    famille_head: np.ndarray  # person index of the claimant
    foyer_of: np.ndarray
    foyer_role: np.ndarray
    foyer_count: int
    menage_role: np.ndarray
    person_role: np.ndarray  # normalised Parvis role
    # households
    statut_logement: np.ndarray  # object, "" unknown
    housing_text: np.ndarray  # object: the raw fact text (to explain an unknown value)
    housing_fact: np.ndarray  # int64 fact index, -1
    rent: np.ndarray  # float64, NaN unknown
    rent_fact: np.ndarray
    coloc: np.ndarray  # bool
    citycode: np.ndarray  # object: INSEE code of each household's town, "" unknown
    birth_dates: np.ndarray  # datetime64[D] per person, NaT unknown
    status_fact: np.ndarray  # int64 fact index of each person's employment status, -1
    receives: dict = field(default_factory=dict)  # benefit code -> int8[h] 1/0/-1


def _latest(
    situation: Situation,
    key: str,
    groups: np.ndarray,
    count: int,
    month: int,
    fresh: int | None = None,
) -> np.ndarray:
    """Per group (person or household), the index of the latest fact of `key` collected by
    the end of `month` and still valid then; -1 when none."""
    sel = np.flatnonzero(
        (situation.fact_key == key)
        & (situation.fact_month <= month)
        & (situation.fact_until >= month)
    )
    if fresh is not None:
        sel = sel[situation.fact_month[sel] + fresh >= month]
    result = np.full(count, -1, dtype=np.int64)
    if len(sel):
        g = groups[situation.fact_person[sel]]
        order = np.lexsort((situation.fact_id[sel], situation.fact_day[sel], g))
        sel, g = sel[order], g[order]
        last = np.r_[g[1:] != g[:-1], True]  # the last fact of each group
        result[g[last]] = sel[last]
    return result


def _coverage(situation: Situation, key: str, n: int, months: np.ndarray):
    """Per person and month, the amount of the fact in force and its index (NaN/-1 when the
    month is outside every fact's span)."""
    sel = np.flatnonzero(situation.fact_key == key)
    values = np.full((n, len(months)), np.nan, dtype=np.float64)
    used = np.full((n, len(months)), -1, dtype=np.int64)
    if not len(sel):
        return values, used
    p = situation.fact_person[sel]
    order = np.lexsort((situation.fact_id[sel], situation.fact_day[sel], p))
    sel, p = sel[order], p[order]
    c = situation.fact_month[sel]
    u = situation.fact_until[sel]
    v = situation.fact_number[sel]
    people = np.arange(n)
    starts = np.searchsorted(p, people, "left")
    has = np.searchsorted(p, people, "right") > starts
    first = np.where(has, starts, 0)
    for j, m in enumerate(months):
        count = np.bincount(p[c <= m], minlength=n)
        in_force = count > 0
        last = np.where(in_force, starts + count - 1, 0)
        fresh = in_force & (m <= np.minimum(u[last], c[last] + STABLE_AFTER))
        before = has & ~in_force & (c[first] - STABLE_BEFORE <= m) & (m <= u[first])
        values[:, j] = np.where(fresh, v[last], np.where(before, v[first], np.nan))
        used[:, j] = np.where(fresh, sel[last], np.where(before, sel[first], -1))
    values[~np.isfinite(values)] = np.nan
    return values, used


def _ages(birth: np.ndarray, day: date) -> np.ndarray:
    known = ~np.isnat(birth)
    safe = np.where(known, birth, np.datetime64("2000-01-01"))
    years = safe.astype("datetime64[Y]").astype(int) + 1970
    months = safe.astype("datetime64[M]").astype(int) % 12 + 1
    days = (safe - safe.astype("datetime64[M]")).astype(int) + 1
    before_birthday = (months > day.month) | ((months == day.month) & (days > day.day))
    age = day.year - years - before_birthday.astype(int)
    return np.where(known, age, -1)


def _pick(values: np.ndarray, index: np.ndarray, default) -> np.ndarray:
    """values[index] where index >= 0, `default` where it is -1 (also when there are no facts)."""
    if not len(values):
        return np.full(len(index), default, dtype=object if isinstance(default, str) else None)
    picked = values[np.maximum(index, 0)]
    if values.dtype == object:
        picked = picked.astype(object)
    return np.where(index >= 0, picked, default).astype(values.dtype)


def _first_per_group(mask: np.ndarray, groups: np.ndarray, count: int) -> np.ndarray:
    """Index of the first True element of each group (-1 when none); groups are sorted."""
    result = np.full(count, -1, dtype=np.int64)
    idx = np.flatnonzero(mask)
    if len(idx):
        g, first = np.unique(groups[idx], return_index=True)
        result[g] = idx[first]
    return result


def map_situation(situation: Situation, period: date) -> Mapped:
    n = len(situation.person_id)
    h = situation.size
    p_month = month_index(period)
    months = np.arange(p_month - HISTORY + 1, p_month + 1)
    age = _ages(situation.birth_date, period)
    adult = age >= 18
    hh = situation.person_household

    # -- roles: one reference and at most one spouse per household, whatever the data says
    role = situation.role.copy()
    ref = _first_per_group(role == "reference", hh, h)
    missing = ref < 0
    if missing.any():
        fallback = _first_per_group(adult | (age < 0), hh, h)
        fallback = np.where(fallback < 0, _first_per_group(np.ones(n, bool), hh, h), fallback)
        ref = np.where(missing, fallback, ref)
    is_ref = np.zeros(n, bool)
    is_ref[ref[ref >= 0]] = True
    role = np.where(is_ref, "reference", np.where(role == "reference", "other", role))
    spouse = _first_per_group(role == "spouse", hh, h)
    is_spouse = np.zeros(n, bool)
    is_spouse[spouse[spouse >= 0]] = True
    role = np.where((role == "spouse") & ~is_spouse, "other", role)
    role = np.where(np.isin(role, ["reference", "spouse", "child", "other"]), role, "other")

    # -- household facts
    housing_fact = _latest(situation, "housing_status", hh, h, p_month)
    housing_text = _pick(situation.fact_text, housing_fact, "")
    statut_logement = np.array([HOUSING.get(t, "") for t in housing_text], dtype=object)
    rent_fact = _latest(situation, "monthly_rent", hh, h, p_month)
    rent = _pick(situation.fact_number, rent_fact, np.nan).astype(np.float64)
    marital_fact = _latest(situation, "marital_status", hh, h, p_month)
    marital = _pick(situation.fact_text, marital_fact, "")
    receives = {}
    for code, benefit in NATIONAL_BENEFITS.items():
        fact = _latest(situation, benefit.recipient_fact, hh, h, p_month)
        receives[code] = _pick(situation.fact_bool, fact, -1).astype(np.int8)

    # -- entities
    child_in_family = (role == "child") & (age < CHILD_MAX_AGE)
    in_main_family = (role == "reference") | (role == "spouse") | child_in_family
    own = ~in_main_family
    famille_of = np.where(in_main_family, hh, 0)
    famille_of[own] = h + np.arange(own.sum())
    famille_role = np.where(
        role == "reference",
        "demandeur",
        np.where(role == "spouse", "conjoint", np.where(child_in_family, "enfant", "demandeur")),
    )
    famille_household = np.concatenate([np.arange(h), hh[own]])
    famille_head = np.concatenate([ref, np.flatnonzero(own)])
    couple_tax = np.isin(marital, ["married", "pacs"])[hh]
    in_main_foyer = (
        (role == "reference")
        | ((role == "spouse") & couple_tax)
        | ((role == "child") & (age < DEPENDANT_MAX_AGE))
    )
    foyer_of = np.where(in_main_foyer, hh, 0)
    own_foyer = ~in_main_foyer
    foyer_of[own_foyer] = h + np.arange(own_foyer.sum())
    foyer_role = np.where(
        role == "reference",
        "declarant_principal",
        np.where(
            in_main_foyer & (role == "spouse"),
            "conjoint",
            np.where(in_main_foyer & (role == "child"), "personne_a_charge", "declarant_principal"),
        ),
    )
    menage_role = np.select(
        [role == "reference", role == "spouse", role == "child"],
        ["personne_de_reference", "conjoint", "enfant"],
        "autre",
    )
    coloc = np.bincount(hh[role == "other"], minlength=h) > 0
    statut_marital = np.full(n, "celibataire", dtype=object)
    household_statut = np.array([MARITAL.get(m, "celibataire") for m in marital], dtype=object)
    couple_members = (role == "reference") | (role == "spouse")
    statut_marital[couple_members] = household_statut[hh[couple_members]]

    # -- employment and incomes
    person_index = np.arange(n)
    status_fact = _latest(situation, "employment_status", person_index, n, p_month, STABLE_AFTER)
    status = _pick(situation.fact_text, status_fact, "")
    activite = np.array([ACTIVITE.get(s, "inactif") for s in status], dtype=object)
    minor = (age >= 0) & (age < 18)
    incomes, income_facts, income_unknown = {}, {}, {}
    secondary = len(months) - REQUIRED  # months before the widest required window
    for kind in INCOME_KINDS:
        values, used = _coverage(situation, kind.fact_key, n, months)
        unknown = np.isnan(values)
        implied = (status == kind.status) | ((status == "") & ~minor)
        # Secondary months: the nearest known amount (income assumed stable).
        for j in range(secondary - 1, -1, -1):
            values[:, j] = np.where(np.isnan(values[:, j]), values[:, j + 1], values[:, j])
        income_unknown[kind.code] = unknown & implied[:, None]
        incomes[kind.code] = np.nan_to_num(values, nan=0.0).astype(np.float32)
        income_facts[kind.code] = used
    return Mapped(
        period=period,
        months=months,
        age=age,
        status=status,
        activite=activite,
        statut_marital=statut_marital,
        incomes=incomes,
        income_facts=income_facts,
        income_unknown=income_unknown,
        famille_of=famille_of,
        famille_role=famille_role,
        famille_household=famille_household,
        famille_head=famille_head,
        foyer_of=foyer_of,
        foyer_role=foyer_role,
        foyer_count=h + int(own_foyer.sum()),
        menage_role=menage_role,
        person_role=role,
        statut_logement=statut_logement,
        housing_text=housing_text,
        housing_fact=housing_fact,
        rent=rent,
        rent_fact=rent_fact,
        coloc=coloc,
        citycode=situation.citycode,
        birth_dates=situation.birth_date,
        status_fact=status_fact,
        receives=receives,
    )


# --- what is missing ----------------------------------------------------------------------


def _month_span(months: list[int]) -> str:
    return month_span(month_start(min(months)), month_start(max(months)))


def missing_data(situation: Situation, mapped: Mapped, benefit_code: str) -> list[list[str]]:
    """Per family, the reasons (French) why the benefit cannot be estimated; [] when it can."""
    benefit = NATIONAL_BENEFITS[benefit_code]
    families = len(mapped.famille_household)
    window = [len(mapped.months) - 1 - k for k in benefit.income_months]
    adult = mapped.age >= 18
    no_birth = mapped.age < 0
    no_status = adult & (mapped.status == "")
    gaps = {
        kind.code: mapped.income_unknown[kind.code][:, window].any(axis=1) for kind in INCOME_KINDS
    }
    person_bad = no_birth | no_status | np.logical_or.reduce(list(gaps.values()))
    family_bad = np.bincount(mapped.famille_of, weights=person_bad, minlength=families) > 0
    hh = mapped.famille_household
    no_address = (mapped.citycode == "")[hh]
    no_housing = (mapped.statut_logement == "")[hh]
    tenant = np.isin(mapped.statut_logement, list(TENANT))
    no_rent = (tenant & np.isnan(mapped.rent))[hh]
    coloc = mapped.coloc[hh] if benefit_code == "aide_logement" else np.zeros(families, bool)
    bad = family_bad | no_address | no_housing | no_rent | coloc
    reasons: list[list[str]] = [[] for _ in range(families)]
    if not bad.any():
        return reasons
    members_of = {}
    for p in np.flatnonzero(person_bad):
        members_of.setdefault(int(mapped.famille_of[p]), []).append(int(p))
    for f in np.flatnonzero(bad):
        out = reasons[f]
        household = int(hh[f])
        if no_address[f]:
            out.append("adresse du logement inconnue")
        if no_housing[f]:
            text = mapped.housing_text[household]
            out.append(
                f"statut d'occupation du logement non reconnu (« {text} »)"
                if text
                else "statut d'occupation du logement inconnu"
            )
        if no_rent[f]:
            out.append("loyer inconnu (" + HOUSING_LABELS[mapped.statut_logement[household]] + ")")
        if coloc[f]:
            out.append("colocation : la part du loyer de chacun n'est pas connue")
        for p in members_of.get(int(f), []):
            who = ROLE_LABELS.get(mapped.person_role[p], "membre")
            if no_birth[p]:
                out.append(f"date de naissance inconnue ({who})")
                continue
            if no_status[p]:
                out.append(f"situation professionnelle inconnue ({who})")
                continue
            for kind in INCOME_KINDS:
                if gaps[kind.code][p]:
                    unknown_months = [
                        int(mapped.months[j])
                        for j in window
                        if mapped.income_unknown[kind.code][p, j]
                    ]
                    out.append(
                        f"{kind.unknown} pour {_month_span(unknown_months)} "
                        f"({who}, {STATUS_LABELS.get(mapped.status[p], mapped.status[p])})"
                    )
    return reasons
