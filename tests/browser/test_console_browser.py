"""The agent console in a real chromium: log in, find a person despite a typo, read the 360°
page; and the sensitive facts that only some roles see."""

import pytest
from django.urls import reverse

from parvis.audit.models import AccessLog
from parvis.people import services
from parvis.people.models import Address, Household, HouseholdMember, Residence, Street
from tests.conftest import new_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "pw-test-123"  # the one `make_user` of tests/conftest.py gives


def log_in(browser, live_server, username: str):
    page = new_page(browser)
    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + reverse("console:home"))
    return page


@pytest.fixture
def at_home(person):
    """Élodie (tests/conftest.py) at 12 rue de la République with her son Noé."""
    street = Street.objects.create(
        name="Rue de la République",
        name_norm="rue de la republique",
        postcode="54111",
        citycode="54084",
        city="Mont-Bonvillers",
    )
    address = Address.objects.create(street=street, number=12)
    son = services.create_person(first_names="Noé", last_name="Le Gall")
    household = Household.objects.create(address=address)
    for member, role in ((person, "reference"), (son, "child")):
        HouseholdMember.objects.create(household=household, person=member, role=role)
        Residence.objects.create(person=member, address=address)
    services.record_interaction(person, kind="note", summary="Appel au sujet de la cantine")
    return person


def test_an_agent_finds_a_person_despite_a_typo_and_reads_the_360_page(
    live_server, browser, agent, at_home
):
    from playwright.sync_api import expect

    person = at_home
    page = log_in(browser, live_server, "agent1")
    page.goto(live_server.url + reverse("people:search"))
    page.fill("#q", "Elodei Le Gal")  # two typos across two words, one per word
    link = page.locator(f"#results a[href='{reverse('people:detail', args=[person.pk])}']")
    expect(link).to_have_text("Élodie Marie LE GALL")
    link.click()
    page.wait_for_url(f"**{reverse('people:detail', args=[person.pk])}")

    expect(page.get_by_test_id("person-name")).to_have_text("Élodie Marie LE GALL")
    identity = page.get_by_test_id("identity")
    expect(identity).to_contain_text("MARTIN")  # birth name
    expect(identity.get_by_test_id("nir")).to_have_text(person.masked_nir)
    expect(page.get_by_test_id("household")).to_contain_text("Noé LE GALL")
    expect(page.get_by_test_id("addresses")).to_contain_text("12 ")
    expect(page.get_by_test_id("addresses")).to_contain_text("54111 Mont-Bonvillers")
    contacts = page.get_by_test_id("contacts")
    expect(contacts).to_contain_text("Elodie.LeGall@Example.FR")
    expect(contacts).to_contain_text("06 12 34 56 78")
    expect(page.get_by_test_id("consents")).to_contain_text("SMS")
    facts = page.get_by_test_id("facts")
    expect(facts.locator("h3")).to_contain_text(["Agence nationale des titres sécurisés"])
    expect(facts.locator("[data-fact=passport_expires_on]")).to_contain_text(
        "Code de la sécurité intérieure"  # the fact's legal basis, under its source
    )
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Appel au sujet de la cantine")
    expect(timeline).to_contain_text("Expiration du passeport")

    entry = AccessLog.objects.get(person_id=person.pk)
    assert (entry.username, entry.channel, entry.action) == ("agent1", "console", "console.360")


def test_only_a_role_with_the_right_sees_sensitive_facts(
    live_server, browser, agent, supervisor, person
):
    from playwright.sync_api import expect

    url = live_server.url + reverse("people:detail", args=[person.pk])

    page = log_in(browser, live_server, "agent1")
    page.goto(url)
    expect(page.get_by_test_id("hidden-facts")).to_be_visible()
    expect(page.locator("[data-fact=passport_expires_on]")).to_be_visible()
    assert page.locator("[data-sensitive]").count() == 0
    text = page.locator("main").inner_text()
    assert "Quotient familial" not in text and "612" not in text
    page.context.close()

    page = log_in(browser, live_server, "super1")
    page.goto(url)
    expect(page.locator("[data-fact=family_quotient][data-sensitive]")).to_contain_text("612,50")
    expect(page.get_by_test_id("timeline")).to_contain_text("Quotient familial")
    expect(page.get_by_test_id("hidden-facts")).to_have_count(0)


def test_the_probable_rights_and_their_explanation_are_for_supervisors_only(
    live_server, browser, agent, supervisor, person
):
    from datetime import date
    from decimal import Decimal

    from django.utils import timezone
    from playwright.sync_api import expect

    from parvis.rights.models import EligibilityResult

    EligibilityResult.objects.create(
        benefit="rsa",
        period=date(2025, 6, 1),
        person=person,
        status="eligible",
        amount=Decimal("1234.56"),
        explanation="Ressources du foyer d'après la CAF (quotient familial 612,50 €).",
        computed_at=timezone.now(),
    )
    url = live_server.url + reverse("people:detail", args=[person.pk])

    page = log_in(browser, live_server, "agent1")
    page.goto(url)
    expect(page.get_by_test_id("timeline")).to_be_visible()
    expect(page.get_by_test_id("rights")).to_have_count(0)
    assert "234,56" not in page.locator("main").inner_text()
    page.context.close()

    page = log_in(browser, live_server, "super1")
    page.goto(url)
    rights = page.get_by_test_id("rights")
    expect(rights).to_contain_text("234,56")
    explanation = rights.get_by_text("Ressources du foyer d'après la CAF")
    expect(explanation).to_be_hidden()  # folded in its <details>
    rights.locator("details summary").first.click()
    expect(explanation).to_be_visible()
