"""The citizen in a real browser: sign in, send a request with a document, find it in
"my requests"; and the chat widget receiving an agent's answer by polling."""

import pytest
from django.urls import reverse

from parvis.cases import services as cases
from parvis.cases.models import Case

from .conftest import PASSWORD, make_citizen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, live_server):
    page.goto(live_server.url + reverse("portal:login"))
    page.fill("#id_email", "elodie.legall@example.fr")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('portal:requests')}")


def test_citizen_signs_in_sends_a_request_with_a_document_and_finds_it(live_server, page, person):
    from playwright.sync_api import expect

    make_citizen(person, "elodie.legall@example.fr")
    sign_in(page, live_server)
    expect(page.get_by_test_id("no-requests")).to_be_visible()

    page.click(f"a[href='{reverse('portal:request-new')}'] >> nth=0")
    page.fill("#id_subject", "Copie d'acte de mariage")
    page.fill("#id_text", "Bonjour, je voudrais une copie de mon acte de mariage.")
    page.set_input_files(
        "#id_attachments",
        files=[{"name": "livret.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )  # fmt: skip
    page.click("[data-testid=request-form] button[type=submit]")

    expect(page.get_by_test_id("case-subject")).to_have_text("Copie d'acte de mariage")
    expect(page.locator("[data-attachment='livret.pdf'][data-status=accepted]")).to_be_visible()
    case = Case.objects.get()
    assert case.person == person and case.messages.get().attachments.get().size == 15

    page.goto(live_server.url + reverse("portal:requests"))
    row = page.locator(f"[data-testid=my-requests] tr[data-reference='{case.reference}']")
    expect(row).to_contain_text("Copie d'acte de mariage")
    expect(row.get_by_test_id("case-status")).to_be_visible()


def test_chat_widget_shows_the_agents_answer_without_reloading(live_server, page, person, agent):
    from playwright.sync_api import expect

    make_citizen(person, "elodie.legall@example.fr")
    sign_in(page, live_server)
    page.get_by_test_id("chat-open").click()
    panel = page.get_by_test_id("chat-panel")
    expect(panel).to_be_visible()
    panel.locator("textarea[name=text]").fill("Bonjour, la mairie est-elle ouverte samedi ?")
    panel.locator("button[type=submit]").click()
    log = page.get_by_test_id("chat-log")
    expect(log).to_contain_text("ouverte samedi")
    assert page.url.endswith(reverse("portal:requests"))  # still on the same page

    case = Case.objects.get(channel="chat")
    cases.reply(case, author=agent, body="Oui, de 9 h à 12 h.", channel="chat")
    # The panel polls every 2 s: the answer appears by itself.
    expect(log.locator("[data-direction=out]")).to_contain_text("de 9 h à 12 h", timeout=15000)
