"""From a journey's booking link to the agent's agenda, in a real chromium: the citizen
opens the signed link (no sign-in), picks the motive and a slot, books; an agent signed in
to the console sees the appointment in the place's agenda of that day."""

import pytest
from django.urls import reverse

from parvis.appointments import links
from parvis.appointments.models import Appointment
from tests.appointments.conftest import (  # noqa: F401  (fixtures)
    anne,
    at,
    counter_agent,
    open_day,
    passport,
    place,
)
from tests.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-test-123"  # the one `make_user` of tests/conftest.py gives


def test_book_from_a_journey_link_and_see_it_in_the_agenda(
    live_server,
    browser,
    settings,
    anne,  # noqa: F811
    passport,  # noqa: F811
    counter_agent,  # noqa: F811
):
    from playwright.sync_api import expect

    settings.PARVIS_PUBLIC_URL = live_server.url
    url = links.booking_url(anne.pk)  # what {{ booking_url }} gives in a journey message
    day = open_day()
    start = at(day, 9, 40)

    citizen = new_page(browser)
    citizen.goto(url)
    expect(citizen.get_by_test_id("link-person")).to_contain_text("Anne")
    citizen.get_by_test_id("motive").select_option(str(passport.pk))  # the form follows
    citizen.wait_for_url("**motive=*")
    citizen.click(f"label[for=slot-{int(start.timestamp())}]")
    citizen.get_by_test_id("book-submit").click()
    expect(citizen.get_by_test_id("appointment")).to_contain_text("Passeport")
    appointment = Appointment.objects.get(person=anne)
    assert appointment.start == start and appointment.source == "link"

    agent = new_page(browser)
    agent.goto(live_server.url + reverse("console:login"))
    agent.fill("#id_username", counter_agent.username)
    agent.fill("#id_password", PASSWORD)
    agent.click("main form button[type=submit]")
    agent.wait_for_url(f"**{reverse('console:home')}")
    agent.goto(
        live_server.url
        + reverse("appointments:agenda", args=[passport.place.slug])
        + f"?day={day.isoformat()}"
    )
    row = agent.locator(f"[data-appointment='{appointment.pk}']")
    expect(row).to_contain_text("Anne")
    expect(row).to_contain_text("09:40")
    expect(row).to_contain_text("Passeport")
