"""The citizen and the agent, each in their own real browser context (separate cookies):
a request with a document goes from the portal to the console inbox and the answer comes
back to "my requests"; and a live chat goes back and forth between portal and console."""

import pytest
from django.urls import reverse

from parvis.cases.models import Case, Message
from tests.conftest import new_page
from tests.portal.conftest import PASSWORD, make_citizen

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

AGENT_PASSWORD = "pw-test-123"  # tests/conftest.py make_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def citizen_signs_in(browser, live_server):
    page = new_page(browser)
    page.goto(live_server.url + reverse("portal:login"))
    page.fill("#id_email", "elodie.legall@example.fr")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{reverse('portal:requests')}")
    return page


def agent_signs_in(browser, live_server, next_url: str):
    page = new_page(browser)
    page.goto(live_server.url + reverse("console:login") + f"?next={next_url}")
    page.fill("#id_username", "agent1")
    page.fill("#id_password", AGENT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{next_url}")
    return page


def test_a_portal_request_is_answered_from_the_console(live_server, browser, person, agent):
    from playwright.sync_api import expect

    make_citizen(person, "elodie.legall@example.fr")

    # The citizen sends a request with a document.
    citizen = citizen_signs_in(browser, live_server)
    citizen.click(f"a[href='{reverse('portal:request-new')}'] >> nth=0")
    citizen.fill("#id_subject", "Copie d'acte de mariage")
    citizen.fill("#id_text", "Bonjour, je voudrais une copie de mon acte de mariage.")
    citizen.set_input_files(
        "#id_attachments",
        files=[{"name": "livret.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-1.4\n%%EOF\n"}],
    )  # fmt: skip
    citizen.click("[data-testid=request-form] button[type=submit]")
    expect(citizen.get_by_test_id("case-subject")).to_have_text("Copie d'acte de mariage")
    case = Case.objects.get()

    # The agent finds it in the inbox, opens it, sees the document, answers.
    desk = agent_signs_in(browser, live_server, reverse("cases:inbox"))
    row = desk.locator(f"[data-testid=inbox] tr[data-reference='{case.reference}']")
    expect(row).to_contain_text("Copie d'acte de mariage")
    expect(row).to_contain_text("LE GALL")
    row.get_by_test_id("case-link").click()
    expect(desk.get_by_test_id("case-subject")).to_have_text("Copie d'acte de mariage")
    expect(desk.get_by_test_id("person-name")).to_contain_text("Élodie Marie")
    document = desk.locator("[data-attachment='livret.pdf'][data-status=accepted]")
    expect(document).to_be_visible()
    with desk.expect_download() as download:
        document.locator("a").click()
    assert download.value.suggested_filename == "livret.pdf"
    desk.get_by_test_id("reply-body").fill(
        "Bonjour Madame Le Gall, la copie part aujourd'hui par courrier."
    )
    desk.locator("#id_channel").select_option("portal")
    desk.get_by_test_id("reply-form").locator("button[type=submit]").click()
    expect(desk.locator("[data-testid=message][data-direction=out]")).to_contain_text(
        "la copie part aujourd'hui"
    )
    expect(desk.get_by_test_id("case-status")).to_have_attribute("data-status", "waiting")

    # The citizen sees the answer in "my requests".
    citizen.goto(live_server.url + reverse("portal:requests"))
    citizen.locator(f"tr[data-reference='{case.reference}'] a").first.click()
    expect(citizen.locator("[data-direction=out]")).to_contain_text("la copie part aujourd'hui")
    answer = case.messages.get(direction=Message.Direction.OUT)
    assert answer.delivery == Message.Delivery.SENT and answer.channel == "portal"


def test_live_chat_between_portal_and_console(live_server, browser, person, agent):
    from playwright.sync_api import expect

    make_citizen(person, "elodie.legall@example.fr")

    citizen = citizen_signs_in(browser, live_server)
    citizen.get_by_test_id("chat-open").click()
    panel = citizen.get_by_test_id("chat-panel")
    panel.locator("textarea[name=text]").fill("Bonjour, la mairie est-elle ouverte samedi ?")
    panel.locator("button[type=submit]").click()
    citizen_log = citizen.get_by_test_id("chat-log")
    expect(citizen_log).to_contain_text("ouverte samedi")

    # The agent sees the conversation waiting for an answer in the live list.
    desk = agent_signs_in(browser, live_server, reverse("cases:chats"))
    waiting = desk.locator("[data-testid=chat-list] tr[data-awaiting='1']")
    expect(waiting).to_contain_text("ouverte samedi")
    waiting.get_by_test_id("chat-link").click()
    desk_chat = desk.get_by_test_id("desk-chat")
    expect(desk_chat.get_by_test_id("desk-chat-log")).to_contain_text("ouverte samedi")
    desk_chat.locator("textarea[name=text]").fill("Oui, de 9 h à 12 h.")
    desk_chat.locator("button[type=submit]").click()
    expect(desk.get_by_test_id("desk-chat-log").locator("[data-direction=out]")).to_contain_text(
        "de 9 h à 12 h"
    )

    # Both panels poll every 2 s: each side sees the other's line without reloading.
    expect(citizen_log.locator("[data-direction=out]")).to_contain_text(
        "de 9 h à 12 h", timeout=15000
    )
    panel.locator("textarea[name=text]").fill("Merci, à samedi !")
    panel.locator("button[type=submit]").click()
    expect(
        desk.get_by_test_id("desk-chat-log").locator("[data-direction=in]").last
    ).to_contain_text("à samedi", timeout=15000)
    case = Case.objects.get(channel="chat")
    assert list(case.messages.values_list("direction", flat=True)) == ["in", "out", "in"]
