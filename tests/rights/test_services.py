"""Eligibility runs end to end on the synthetic town: results in bulk, idempotent, with the
non-take-up report, saved selections and the Celery task."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation

from parvis.demo.services import seed_town
from parvis.people.models import Household
from parvis.rights import services
from parvis.rights.models import EligibilityResult, EligibilityRun, SavedSelection
from parvis.rights.tasks import run_eligibility

from . import factories

pytestmark = pytest.mark.django_db
PERIOD = date(2025, 6, 1)


def test_a_run_on_the_synthetic_town_gives_every_family_a_result_and_is_idempotent():
    seed_town(160, seed=3, today=date(2025, 6, 10))
    households = Household.objects.count()
    run = services.start_run("2025-06")
    run_eligibility.delay(run.pk)  # eager in tests, as a worker would run it
    run.refresh_from_db()
    assert run.status == EligibilityRun.Status.DONE
    assert run.households_total == run.households_done == households
    national = EligibilityResult.objects.filter(benefit__in=["rsa", "ppa", "aide_logement"])
    per_benefit = national.filter(benefit="rsa").count()
    assert per_benefit >= households  # one per family (flatmates have their own)
    assert national.count() == 3 * per_benefit
    statuses = set(national.values_list("status", flat=True))
    assert statuses == {"eligible", "not_eligible", "insufficient_data"}
    assert not national.filter(status="insufficient_data", amount__isnull=False).exists()
    assert not national.filter(status="eligible", amount__lte=0).exists()
    assert (
        run.counts["rsa"]["eligible"] == national.filter(benefit="rsa", status="eligible").count()
    )
    assert "registre-canicule" in run.counts  # the example local rules ran too
    # Running again replaces, never duplicates.
    before = EligibilityResult.objects.count()
    again = services.compute("2025-06")
    assert EligibilityResult.objects.count() == before
    assert again.counts == run.counts
    # What audiences use: the claimants found eligible.
    people = services.eligible_people("rsa", "2025-06")
    assert people.count() == run.counts["rsa"]["eligible"]

    rows = services.non_take_up("2025-06", "street")
    rsa = [r for r in rows if r["benefit"] == "rsa"]
    assert sum(r["entitled"] for r in rsa) == run.counts["rsa"]["eligible"]
    for row in rsa:
        assert row["receiving"] + row["unclaimed"] == row["entitled"]
    unclaimed = sum(r["unclaimed_amount"] for r in rsa)
    expected = sum(
        EligibilityResult.objects.filter(benefit="rsa", status="eligible")
        .exclude(receives=True)
        .values_list("amount", flat=True),
        Decimal(0),
    )
    assert unclaimed == expected
    street = next(r for r in rsa if r["unclaimed"])
    selection = services.save_selection(
        benefit="rsa", period="2025-06", area_kind="street", area_value=street["area"]
    )
    assert selection.person_count == street["unclaimed"]
    assert set(selection.people()) <= set(people)
    assert SavedSelection.objects.count() == 1


def test_a_chunk_replaces_only_its_own_results():
    home, _people = factories.household(
        [{"role": "reference", "birth": date(1980, 1, 1), "facts": []}]
    )
    other, _people = factories.household(
        [{"role": "reference", "birth": date(1980, 1, 1), "facts": []}]
    )
    services.compute(PERIOD, ["rsa"], chunk_size=1)
    assert EligibilityResult.objects.filter(benefit="rsa").count() == 2
    assert set(EligibilityResult.objects.values_list("status", flat=True)) == {"insufficient_data"}
    services.compute(PERIOD, ["rsa"], chunk_size=1)
    assert EligibilityResult.objects.filter(benefit="rsa").count() == 2


def test_a_failing_run_is_marked_failed_with_its_error(monkeypatch):
    factories.household([{"role": "reference", "birth": date(1980, 1, 1)}])

    def boom(*args, **kwargs):
        raise RuntimeError("OpenFisca exploded")

    monkeypatch.setattr(services, "national_chunk", boom)
    run = services.start_run(PERIOD, ["rsa"])
    with pytest.raises(RuntimeError):
        services.execute_run(run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "OpenFisca exploded" in run.error


def test_bad_periods_and_benefits_are_refused():
    with translation.override("en"):
        with pytest.raises(ValueError, match="not a month"):
            services.parse_period("juin")
        with pytest.raises(ValueError, match="Unknown benefit"):
            services.start_run(PERIOD, ["nope"])


@pytest.mark.django_db(transaction=True)
def test_two_worker_processes_give_the_same_results():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes need a database they can reach (PostgreSQL)")
    seed_town(120, seed=5, today=date(2025, 6, 10))
    services.compute("2025-06", ["rsa", "aide_logement"], chunk_size=20, processes=1)
    single = sorted(
        EligibilityResult.objects.values_list("household_id", "benefit", "status", "amount")
    )
    run = services.compute("2025-06", ["rsa", "aide_logement"], chunk_size=20, processes=2)
    assert run.households_done == run.households_total
    double = sorted(
        EligibilityResult.objects.values_list("household_id", "benefit", "status", "amount")
    )
    assert double == single
