"""OpenFisca-France, vectorised: one simulation for a whole chunk of households.

The entities are declared with `SimulationBuilder` (persons, then `famille`, `foyer_fiscal`
and `menage` joined with their role keys), every input is set as an array for every month
it is read (`mapping.HISTORY`), and each benefit is computed once for all families."""

import functools
import gc
import time
from datetime import date
from importlib.metadata import version

import numpy as np

from .mapping import INCOME_KINDS, Mapped
from .situations import month_start

BENEFIT_VARIABLES = ("rsa", "ppa", "aide_logement")


@functools.cache
def tax_benefit_system():
    """Loading the legislation takes seconds: once per process."""
    from openfisca_france import CountryTaxBenefitSystem

    return CountryTaxBenefitSystem()


@functools.cache
def openfisca_version() -> str:
    return version("openfisca-france")


def _period(day: date):
    from openfisca_core import periods

    return periods.period(f"{day:%Y-%m}")


@functools.cache
def taxable_ratios(year: int, month: int) -> dict[str, float]:
    """Taxable / net for each income kind at the full contribution rates of that month,
    computed by OpenFisca-France itself (CSG non deductible and CRDS are taxable)."""
    from openfisca_core.simulation_builder import SimulationBuilder

    period = f"{year:04d}-{month:02d}"
    rich = {str(y): 100_000 for y in range(year - 3, year + 1)}
    situation = {
        "individus": {
            "salarie": {"salaire_de_base": {period: 2_000}},
            "chomeur": {"chomage_brut": {period: 1_200}},
            "retraite": {"retraite_brute": {period: 1_500}},
        },
        "familles": {f: {"parents": [f]} for f in ("salarie", "chomeur", "retraite")},
        "foyers_fiscaux": {
            f: {"declarants": [f], "rfr": rich} for f in ("salarie", "chomeur", "retraite")
        },
        "menages": {f: {"personne_de_reference": [f]} for f in ("salarie", "chomeur", "retraite")},
    }
    simulation = SimulationBuilder().build_from_entities(tax_benefit_system(), situation)
    ratios = {}
    for row, kind in enumerate(INCOME_KINDS):
        net = simulation.calculate(kind.net_variable, period)[row]
        taxable = simulation.calculate(kind.taxable_variable, period)[row]
        ratios[kind.code] = float(taxable / net) if net > 0 else 1.0
    return ratios


def build_simulation(mapped: Mapped):
    from openfisca_core.simulation_builder import SimulationBuilder

    tbs = tax_benefit_system()
    n = len(mapped.age)
    builder = SimulationBuilder()
    builder.create_entities(tbs)
    builder.declare_person_entity("individu", np.arange(n))
    famille = builder.declare_entity("famille", np.arange(len(mapped.famille_household)))
    builder.join_with_persons(famille, mapped.famille_of, mapped.famille_role)
    foyer = builder.declare_entity("foyer_fiscal", np.arange(mapped.foyer_count))
    builder.join_with_persons(foyer, mapped.foyer_of, mapped.foyer_role)
    households = len(mapped.statut_logement)
    menage = builder.declare_entity("menage", np.arange(households))
    builder.join_with_persons(menage, _menage_of(mapped), mapped.menage_role)
    simulation = builder.build(tbs)
    set_inputs(simulation, mapped)
    return simulation


def _menage_of(mapped: Mapped) -> np.ndarray:
    # Persons of a family all live in its household: the family's household, per person.
    return mapped.famille_household[mapped.famille_of]


def _enum(variable: str, keys: np.ndarray):
    return (
        tax_benefit_system().variables[variable].possible_values.encode(np.asarray(keys, dtype=str))
    )


def set_inputs(simulation, mapped: Mapped) -> None:
    period = _period(mapped.period)
    births = mapped.birth_dates
    simulation.set_input(
        "date_naissance",
        period,
        np.where(np.isnat(births), np.datetime64("1970-01-01"), births),
    )
    ratios = taxable_ratios(mapped.period.year, mapped.period.month)
    activite = _enum("activite", mapped.activite)
    marital = _enum("statut_marital", mapped.statut_marital)
    statut = _enum(
        "statut_occupation_logement",
        np.where(mapped.statut_logement == "", "non_renseigne", mapped.statut_logement),
    )
    rent = np.nan_to_num(mapped.rent, nan=0.0).astype(np.float32)
    depcom = np.asarray(mapped.citycode, dtype="S5")
    for j, month in enumerate(mapped.months):
        m = _period(month_start(int(month)))
        for kind in INCOME_KINDS:
            net = mapped.incomes[kind.code][:, j]
            simulation.set_input(kind.net_variable, m, net)
            simulation.set_input(kind.taxable_variable, m, net * np.float32(ratios[kind.code]))
        simulation.set_input("activite", m, activite)
        simulation.set_input("statut_marital", m, marital)
        simulation.set_input("statut_occupation_logement", m, statut)
        simulation.set_input("loyer", m, rent)
        simulation.set_input("depcom", m, depcom)
        simulation.set_input("coloc", m, mapped.coloc)


# Seconds spent inside OpenFisca (building simulations and calculating) in this process: the
# benchmark compares it with the whole run.
seconds_in_openfisca = 0.0


def compute(mapped: Mapped, variables=BENEFIT_VARIABLES) -> dict[str, np.ndarray]:
    """The monthly amount of each benefit for every family of the chunk."""
    global seconds_in_openfisca
    started = time.perf_counter()
    simulation = build_simulation(mapped)
    period = _period(mapped.period)
    result = {v: np.asarray(simulation.calculate(v, period), dtype=np.float64) for v in variables}
    # A simulation is a web of reference cycles (populations <-> simulation): collect it now,
    # or the next chunk's simulation is built while this one still holds its memory.
    del simulation
    gc.collect()
    seconds_in_openfisca += time.perf_counter() - started
    return result
