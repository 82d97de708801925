"""Going first, in a real chromium: build an audience with the filter builder and watch the
live count, start a journey for it, and see the dashboard move after the worker ran."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from parvis.channels import gate
from parvis.journeys import delivery, scheduler
from parvis.journeys.models import Dispatch, MessageTemplate
from parvis.people import services as people
from parvis.people.models import DataSource
from tests.journeys.conftest import make_person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pw-test-123"  # the one `make_user` of tests/conftest.py gives


def test_build_an_audience_start_a_journey_and_see_the_dashboard(
    live_server, page, supervisor, monkeypatch
):
    from playwright.sync_api import expect

    # Whatever the hour the test runs at, the gate's quiet hours must not defer the message.
    monkeypatch.setattr(gate, "quiet_reason", lambda at: "")
    anne = make_person("Anne", email="anne@example.org", consents=("email",), passport_in=None)
    bruno = make_person("Bruno", email="bruno@example.org", consents=("email",), passport_in=None)
    ants = DataSource.objects.get(code="ants")
    for person, days in ((anne, 150), (bruno, 400)):  # relative to the real today
        people.add_fact(
            person,
            key="passport_expires_on",
            source=ants,
            legal_basis="test",
            value=timezone.localdate() + timedelta(days=days),
        )
    MessageTemplate.objects.create(
        code="m6",
        channel="email",
        subject="Votre passeport",
        body_text="Bonjour {{ person.first_names }}",
    )

    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('console:home')}")

    # The filter builder: the count follows the edits.
    page.goto(live_server.url + reverse("audiences:new"))
    expect(page.get_by_test_id("audience-count")).to_have_attribute("data-count", "2")
    page.get_by_test_id("add-condition").click()  # a "known fact" row
    page.select_option("#c-0-key", "passport_expires_on")
    page.select_option("#c-0-op", "between")
    page.fill("#c-0-from_days", "120")
    page.fill("#c-0-to_days", "180")
    page.locator("#c-0-to_days").dispatch_event("change")
    expect(page.get_by_test_id("audience-count")).to_have_attribute("data-count", "1")
    page.fill("#c-0-to_days", "90")  # from > to: the error shows in place
    page.locator("#c-0-to_days").dispatch_event("change")
    expect(page.get_by_test_id("audience-error")).to_be_visible()
    page.fill("#c-0-to_days", "180")
    page.locator("#c-0-to_days").dispatch_event("change")
    expect(page.get_by_test_id("audience-count")).to_have_attribute("data-count", "1")
    page.fill("#id_name", "Passeports à renouveler")
    page.get_by_test_id("save-audience").click()
    expect(page.get_by_test_id("audience-count")).to_have_attribute("data-count", "1")

    # A journey for them: settings, one step, start, enrol.
    page.get_by_test_id("journey-from-audience").click()
    page.fill("#id_name", "Relance passeport")
    page.select_option("#id_purpose", "document_reminders")
    page.get_by_test_id("save-journey").click()
    page.fill("#s-0-template", "m6")
    page.fill("#s-0-channels", "email")
    page.get_by_test_id("save-steps").click()
    expect(page.get_by_test_id("journey-diagram")).to_be_visible()
    page.get_by_test_id("activate-journey").click()
    page.get_by_test_id("enrol-now").click()
    expect(page.get_by_test_id("entered")).to_have_text("1")
    expect(page.get_by_test_id("funnel-s1")).to_have_text("0")

    # The worker runs; the dashboard shows the message sent.
    scheduler.run_due()
    delivery.deliver_due()
    assert Dispatch.objects.get().person == anne
    page.reload()
    expect(page.get_by_test_id("funnel-s1")).to_have_text("1")
    expect(page.get_by_test_id("sent-email")).to_have_text("1")
