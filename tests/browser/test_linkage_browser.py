"""An agent reviews an uncertain match in a real chromium: two files match the incoming CAF
record equally, the agent compares them side by side and picks one."""

import importlib
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.urls import reverse

from parvis.integrations import samples
from parvis.integrations.imports import run_import
from parvis.integrations.models import ImportJob, MatchCandidate
from parvis.people import services
from parvis.people.models import Fact

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "pw-test-123"  # the one `make_user` of tests/conftest.py gives


@pytest.fixture
def _access_log_flushable():
    """The review page writes to the append-only access log: on SQLite, Django's flush
    between transactional tests needs its triggers lifted (as tests/browser does)."""
    yield
    if connection.vendor != "sqlite":
        return
    append_only = importlib.import_module("parvis.audit.migrations.0002_append_only")
    with connection.cursor() as cursor:
        for statement in append_only.SQLITE_REVERSE:
            cursor.execute(statement)
        cursor.execute("DELETE FROM audit_accesslog")
        for statement in append_only.SQLITE:
            cursor.execute(statement)


@pytest.fixture
def browser(chromium_path, settings, _access_log_flushable):
    from playwright.sync_api import sync_playwright

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=ARGS
        )
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def uncertain(settings, tmp_path):
    """Two Lucas Moreau born the same day; the CAF sends one record about "Lucas Moreau"."""
    settings.MEDIA_ROOT = tmp_path
    profile = samples.install_profile()
    first = services.create_person(
        first_names="Lucas", last_name="Moreau", birth_date=date(1990, 1, 2)
    )
    services.add_contact_point(first, "mobile", "06 11 22 33 44")
    second = services.create_person(
        first_names="Lucas Henri", last_name="Moreau", birth_date=date(1990, 1, 2)
    )
    row = [
        "777",
        "MOREAU",
        "",
        "Lucas",
        "02/01/1990",
        "M",
        "",
        "54111",
        "Mont-Bonvillers",
        "",
        "",
        "845,00",
        "2",
        "non",
        "oui",
        "15/01/2025",
    ]
    content = (";".join(samples.HEADER) + "\r\n" + ";".join(row) + "\r\n").encode()
    job = ImportJob.objects.create(
        profile=profile,
        file=ContentFile(content, name="caf.csv"),
        original_name="caf.csv",
        size=len(content),
    )
    job = run_import(job.pk)
    assert job.review == 1 and job.linked == 0, job.message
    return MatchCandidate.objects.get(), first, second


def test_agent_reviews_an_uncertain_match_side_by_side(
    live_server, browser, administrator, uncertain
):
    from playwright.sync_api import expect

    candidate, first, second = uncertain
    page = browser.new_context(locale="fr-FR").new_page()
    page.set_default_timeout(15000)
    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", administrator.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + reverse("console:home"))

    page.goto(live_server.url + reverse("integrations:review"))
    page.locator(f"[data-candidate='{candidate.pk}'] a").click()
    page.wait_for_url(f"**{reverse('integrations:review-detail', args=[candidate.pk])}")
    table = page.get_by_test_id("side-by-side")
    expect(table.locator(f"th[data-person='{first.pk}']")).to_be_visible()
    expect(table.locator(f"th[data-person='{second.pk}']")).to_be_visible()
    expect(table).to_contain_text("Lucas Henri")
    expect(table).to_contain_text("06 11 22 33 44")
    # The agent knows the second Lucas is the one the CAF pays: picks him.
    page.locator(f"input[name=person_id][value='{second.pk}']").check()
    page.get_by_test_id("decide-same").click()
    page.wait_for_url(f"**{reverse('integrations:review')}")
    expect(page.get_by_test_id("review-queue").locator("[data-candidate]")).to_have_count(0)

    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.LINKED
    assert candidate.result_person_id == second.pk and candidate.decided_by == administrator
    assert Fact.objects.get(person=second, key="family_quotient").value_number == 845
    assert not Fact.objects.filter(person=first).exists()
