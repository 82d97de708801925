"""An agent reviews an uncertain match in a real chromium: two files match the incoming CAF
record equally, the agent compares them side by side and picks one."""

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from parvis.integrations import samples
from parvis.integrations.imports import run_import
from parvis.integrations.models import ImportJob, MatchCandidate
from parvis.people import services
from parvis.people.models import Fact
from tests.conftest import new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pw-test-123"  # the one `make_user` of tests/conftest.py gives


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
    page = new_page(browser)
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
    # DSFR draws the radio on its label (the input itself is transparent): click as a user does.
    page.locator(f"label[for=p{second.pk}]").click()
    expect(page.locator(f"input[name=person_id][value='{second.pk}']")).to_be_checked()
    page.get_by_test_id("decide-same").click()
    page.wait_for_url(f"**{reverse('integrations:review')}")
    expect(page.get_by_test_id("review-queue").locator("[data-candidate]")).to_have_count(0)

    candidate.refresh_from_db()
    assert candidate.status == MatchCandidate.Status.LINKED
    assert candidate.result_person_id == second.pk and candidate.decided_by == administrator
    assert Fact.objects.get(person=second, key="family_quotient").value_number == 845
    assert not Fact.objects.filter(person=first).exists()
