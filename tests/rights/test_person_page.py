"""The "Droits probables" section of the person's 360° page: the latest result per benefit,
for supervisors and administrators only, in one query, the page read still logged."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from parvis.audit.models import AccessLog
from parvis.people.services import visible_facts
from parvis.rights import services
from parvis.rights.models import EligibilityResult, LocalRule
from parvis.rights.rules import parse_rule

from . import factories

pytestmark = pytest.mark.django_db

JUNE, MAY = date(2025, 6, 1), date(2025, 5, 1)
RSA_EXPLANATION = "Probablement éligible au RSA selon le Code de l'action sociale"
HEATWAVE_RULE = """\
label: Invitation canicule de test
conditions:
  - age: ">= 65"
already_received: heatwave_register
"""


@pytest.fixture(autouse=True)
def _french(settings):
    settings.LANGUAGE_CODE = "fr"
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with translation.override("fr"):
        yield


def _result(person, benefit, period, status, amount=None, *, computed=None, **extra):
    return EligibilityResult.objects.create(
        benefit=benefit,
        period=period,
        person=person,
        status=status,
        amount=amount,
        explanation=extra.pop("explanation", f"{benefit} {period:%m/%Y} {status}"),
        computed_at=computed or timezone.now(),
        **extra,
    )


@pytest.fixture
def rights(person):
    """Élodie's results: RSA for May and June (June computed twice), the activity bonus, a
    local rule, housing aid lacking data; and a stranger's RSA that must never show."""
    definition = parse_rule(HEATWAVE_RULE)
    LocalRule.objects.create(
        code="canicule-test-360",
        label=definition["label"],
        source=HEATWAVE_RULE,
        definition=definition,
    )
    early = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)
    late = datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    _result(person, "rsa", MAY, "eligible", Decimal("99.00"), computed=early)
    _result(person, "rsa", JUNE, "eligible", Decimal("88.00"), computed=early)
    _result(
        person,
        "rsa",
        JUNE,
        "eligible",
        Decimal("1234.56"),
        computed=late,
        explanation=RSA_EXPLANATION,
    )
    _result(person, "ppa", JUNE, "not_eligible", Decimal("0.00"), receives=False)
    _result(person, "aide_logement", JUNE, "insufficient_data")
    _result(person, "canicule-test-360", JUNE, "eligible")
    _home, (stranger,) = factories.household([{"role": "reference", "birth": date(1970, 1, 1)}])
    _result(stranger, "rsa", JUNE, "eligible", Decimal("777.77"))
    return person


def test_french_euros():
    assert services.french_euros(Decimal("1234.56")) == "1\u202f234,56\u00a0€"
    assert services.french_euros(Decimal("0")) == "0,00\u00a0€"
    assert services.french_euros(Decimal("1234567.8")) == "1\u202f234\u202f567,80\u00a0€"


def test_the_latest_result_per_benefit_in_one_query(supervisor, rights, django_assert_num_queries):
    supervisor.has_perm("rights.view_eligibilityresult")  # the permission cache, filled once
    with django_assert_num_queries(1):
        found = services.person_rights(rights, supervisor)
    assert [r.result.benefit for r in found] == ["rsa", "ppa", "aide_logement", "canicule-test-360"]
    rsa, ppa, housing, heatwave = found
    assert (rsa.result.period, rsa.result.amount) == (JUNE, Decimal("1234.56"))  # latest run
    assert rsa.amount_display == "1\u202f234,56\u00a0€"
    assert rsa.national and rsa.label == "Revenu de solidarité active (RSA)"
    assert (ppa.receives, housing.amount_display) == (False, "")
    assert housing.result.status == "insufficient_data"
    assert not heatwave.national and heatwave.label == "Invitation canicule de test"
    assert all(r.result.person_id == rights.pk for r in found)


def test_already_received_from_the_facts_the_viewer_may_see(supervisor, agent, rights):
    today = timezone.localdate()
    factories.add_fact(rights, "rsa_recipient", True, today)
    factories.add_fact(rights, "heatwave_register", False, today)
    shown = list(visible_facts(rights, supervisor))
    by_benefit = {r.result.benefit: r for r in services.person_rights(rights, supervisor, shown)}
    assert by_benefit["rsa"].receives is True
    assert by_benefit["canicule-test-360"].receives is False
    assert by_benefit["aide_logement"].receives is None
    # Facts the viewer may not see say nothing (and the agent gets no result at all).
    assert services.person_rights(rights, agent, visible_facts(rights, agent)) is None
    hidden = {r.result.benefit: r for r in services.person_rights(rights, supervisor, [])}
    assert hidden["rsa"].receives is None


def _page(client, user, person):
    client.force_login(user)
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.parametrize("role", ["supervisor", "administrator"])
def test_supervisors_see_the_probable_rights(client, request, rights, role):
    user = request.getfixturevalue(role)
    response, body = _page(client, user, rights)
    assert 'data-testid="rights"' in body and "Droits probables" in body
    assert "1\u202f234,56\u00a0€" in body and "Revenu de solidarité active (RSA)" in body
    assert "juin 2025" in body and "Données insuffisantes" in body
    assert "<details" in body and RSA_EXPLANATION.replace("'", "&#x27;") in body
    assert "Invitation canicule de test" in body
    assert "777,77" not in body and "88,00" not in body  # a stranger's, an older run's
    assert AccessLog.objects.filter(user=user, person_id=rights.pk, action="console.360").exists()


@pytest.mark.parametrize("role", ["agent", "dpo"])
def test_without_the_right_no_section_and_no_amount(client, request, rights, role):
    user = request.getfixturevalue(role)
    response, body = _page(client, user, rights)
    assert response.context["rights"] is None
    assert 'data-testid="rights"' not in body and "Droits probables" not in body
    assert "1\u202f234,56" not in body and "1234,56" not in body and "1234.56" not in body
    assert "Code de l&#x27;action sociale" not in body and "Invitation canicule" not in body
    # The read is still in the access log.
    assert (
        AccessLog.objects.filter(user=user, person_id=rights.pk, action="console.360").count() == 1
    )


def test_a_person_never_computed(client, supervisor, person):
    _response, body = _page(client, supervisor, person)
    assert "Droits probables" in body
    assert "n’a pas encore été calculée" in body
