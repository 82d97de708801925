"""Console pages: permissions, the report and its CSV, the rule editor's messages, "make it an
audience", starting a run."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from parvis.audiences.models import Audience
from parvis.audiences.services import members as audience_members
from parvis.rights import services
from parvis.rights.models import EligibilityResult, EligibilityRun, LocalRule, SavedSelection

from . import factories

pytestmark = pytest.mark.django_db
PERIOD = date(2025, 6, 1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def results():
    """RSA results on two streets, written as a run would."""
    EligibilityRun.objects.create(
        period=PERIOD, status="done", benefits=["rsa"], counts={"rsa": {"eligible": 3}}
    )
    out = []
    for street_name, receives in (("Rue A", True), ("Rue A", None), ("Rue B", False)):
        home, (person,) = factories.household(
            [{"role": "reference", "birth": date(1980, 1, 1)}], street_name=street_name
        )
        out.append(
            EligibilityResult.objects.create(
                benefit="rsa",
                period=PERIOD,
                person=person,
                household=home,
                status="eligible",
                amount=Decimal("500.00"),
                receives=receives,
                explanation="…",
                computed_at=timezone.now(),
            )
        )
    home, (person,) = factories.household([{"role": "reference", "birth": None}])
    EligibilityResult.objects.create(
        benefit="rsa",
        period=PERIOD,
        person=person,
        household=home,
        status="insufficient_data",
        explanation="…",
        computed_at=timezone.now(),
    )
    return out


URLS = [
    ("get", "rights:report", {}),
    ("get", "rights:report-csv", {}),
    ("post", "rights:start-run", {}),
    ("get", "rights:rules", {}),
    ("get", "rights:rule-new", {}),
    ("post", "rights:make-selection", {}),
    ("get", "rights:selections", {}),
]


@pytest.mark.parametrize(("method", "name", "kwargs"), URLS)
def test_agents_and_citizens_without_the_right_get_403(client, agent, nobody, method, name, kwargs):
    for user in (agent, nobody):
        client.force_login(user)
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == 403, (user, name)


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("rights:report"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_report_shows_entitled_receiving_and_unclaimed_by_street(client, supervisor, results):
    client.force_login(supervisor)
    response = client.get(reverse("rights:report"), {"period": "2025-06", "area": "street"})
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals == [
        {
            "benefit": "rsa",
            "benefit_label": "Revenu de solidarité active (RSA)",
            "entitled": 3,
            "receiving": 1,
            "unclaimed": 2,
            "unclaimed_amount": Decimal("1000.00"),
            "insufficient": 1,
            "households": 3,
        }
    ]
    rows = {r["area_label"]: r for r in response.context["rows"]}
    assert rows["Rue A"]["unclaimed"] == 1 and rows["Rue B"]["unclaimed"] == 1
    assert b"Make it an audience" in response.content


def test_the_csv_export(client, supervisor, results):
    client.force_login(supervisor)
    response = client.get(reverse("rights:report-csv"), {"period": "2025-06", "area": "postcode"})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Benefit code;Benefit;Month;Area kind;Area;Probably entitled")
    assert "rsa;Revenu de solidarité active (RSA);2025-06;postcode;54150;3;3;1;2;1000,00;1" in lines


def test_make_it_an_audience_saves_the_selection(client, supervisor, results):
    client.force_login(supervisor)
    street_id = results[0].household.address.street_id
    response = client.post(
        reverse("rights:make-selection"),
        {"benefit": "rsa", "period": "2025-06", "area_kind": "street", "area_value": street_id},
    )
    assert response.status_code == 302
    selection = SavedSelection.objects.get()
    assert selection.person_count == 1
    assert list(selection.people()) == [results[1].person]
    assert selection.created_by == supervisor
    page = client.get(reverse("rights:selections"))
    assert selection.name.encode() in page.content
    # The same people as an audience of the audiences app, which journeys target.
    audience = Audience.objects.get()
    assert response.url == reverse("audiences:detail", args=[audience.pk])
    assert audience.name == selection.name and audience.created_by == supervisor
    assert list(audience_members(audience)) == [results[1].person]
    page = client.get(response.url)
    assert page.status_code == 200 and b"TEST" in page.content
    # Without an area: everybody entitled to RSA who does not receive it.
    client.post(reverse("rights:make-selection"), {"benefit": "rsa", "period": "2025-06"})
    whole = Audience.objects.exclude(pk=audience.pk).get()
    assert set(audience_members(whole)) == set(services.unclaimed_people("rsa", "2025-06"))


def test_make_it_an_audience_needs_the_audiences_right(client, supervisor, results):
    from django.contrib.auth.models import Permission

    supervisor.user_permissions.remove(*Permission.objects.filter(codename="add_audience"))
    for group in supervisor.groups.all():
        group.permissions.remove(*Permission.objects.filter(codename="add_audience"))
    client.force_login(supervisor)
    response = client.post(
        reverse("rights:make-selection"), {"benefit": "rsa", "period": "2025-06"}
    )
    assert response.status_code == 403
    assert not Audience.objects.exists() and not SavedSelection.objects.exists()


def test_a_supervisor_starts_a_run_and_sees_its_progress(
    client, supervisor, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr("parvis.rights.tasks.run_eligibility.delay", queued.append)
    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("rights:start-run"), {"period": "2025-06"})
    assert response.status_code == 302
    run = EligibilityRun.objects.get()
    assert queued == [run.pk] and run.period == PERIOD and run.requested_by == supervisor
    status = client.get(reverse("rights:run-status", args=[run.pk]))
    assert b"hx-get" in status.content  # polls while pending
    bad = client.post(reverse("rights:start-run"), {"period": "juin"}, follow=True)
    assert b"is not a month" in bad.content
    assert EligibilityRun.objects.count() == 1


def test_only_administrators_edit_rules(client, supervisor, administrator):
    rule = LocalRule.objects.get(code="registre-canicule")
    client.force_login(supervisor)
    assert client.get(reverse("rights:rules")).status_code == 200
    assert client.get(reverse("rights:rule-edit", args=[rule.pk])).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse("rights:rule-edit", args=[rule.pk])).status_code == 200


def test_the_rule_editor_shows_every_error_and_keeps_the_text(client, administrator):
    client.force_login(administrator)
    source = "label: Aînés\nconditions:\n  - agee: '>= 65'\n  - lives_alone: peut-être\n"
    response = client.post(reverse("rights:rule-new"), {"source": source, "enabled": "on"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The rule was not saved" in content
    assert "conditions[0].agee: unknown field. Did you mean: age?" in content
    assert "conditions[1].lives_alone: expected yes or no." in content
    assert "peut-être" in content  # nothing the agent typed is lost
    assert not LocalRule.objects.filter(label="Aînés").exists()
    duplicate = "code: registre-canicule\nlabel: Copie\nconditions:\n  - age: '>= 65'\n"
    response = client.post(reverse("rights:rule-new"), {"source": duplicate})
    assert "another rule already uses" in response.content.decode()


def test_an_administrator_creates_and_edits_a_rule(client, administrator):
    client.force_login(administrator)
    source = "label: Aînés\ninstitution: CCAS\nconditions:\n  - age: '>= 80'\n"
    response = client.post(reverse("rights:rule-new"), {"source": source, "enabled": "on"})
    assert response.status_code == 302
    rule = LocalRule.objects.get(code="aines")
    assert rule.enabled and rule.updated_by == administrator and rule.origin == "local"
    edited = source.replace(">= 80", ">= 85")
    client.post(reverse("rights:rule-edit", args=[rule.pk]), {"source": edited})
    rule.refresh_from_db()
    assert rule.definition["conditions"]["all"][0]["value"] == 85.0
    assert not rule.enabled


def test_the_audience_condition_checks_its_area(results):
    from parvis.audiences import filters

    node = {"kind": "eligibility", "benefit": "rsa", "period": "2025-06", "unclaimed": True}
    cleaned = filters.validate({**node, "area_kind": "street", "area_value": 12})
    assert cleaned == {**node, "area_kind": "street", "area_value": "12"}
    with pytest.raises(filters.TreeError, match="area_kind"):
        filters.validate({**node, "area_kind": "planet", "area_value": "Mars"})
    # Without "unclaimed" the condition keeps its meaning: everybody probably entitled.
    everybody = filters.people({k: v for k, v in node.items() if k != "unclaimed"})
    assert set(everybody) == set(services.eligible_people("rsa", "2025-06"))
    assert set(filters.people(node)) == set(services.unclaimed_people("rsa", "2025-06"))
    assert set(filters.people(node)) < set(everybody)


def test_the_csv_export_never_writes_a_formula(client, supervisor, results):
    """A street named like a formula (imported data) is exported as text."""
    from parvis.people.models import Street

    Street.objects.filter(name="Rue B").update(name='=HYPERLINK("http://evil.example","x")')
    client.force_login(supervisor)
    response = client.get(reverse("rights:report-csv"), {"period": "2025-06", "area": "street"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert not any(";=" in line or line.startswith("=") for line in lines)
    assert any(";\"'=HYPERLINK(" in line or ";'=HYPERLINK(" in line for line in lines)
