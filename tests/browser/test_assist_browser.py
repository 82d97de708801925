"""An agent opens a triaged case, sees the prediction and why, edits the AI draft and sends
it; the decision is in the transparency log."""

import pytest
from django.urls import reverse

from parvis.assist import kb, setup, versions
from parvis.assist.models import Suggestion
from parvis.cases import intake
from parvis.cases.models import Case, Message
from parvis.channels.messages import IncomingMessage

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _assist_settings(settings, tmp_path_factory):
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "assist-media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PARVIS_ASSIST_ROUTE_THRESHOLD = 0.5
    settings.PARVIS_LLM_URL = ""


def test_agent_edits_and_sends_the_ai_draft(live_server, page, supervisor, person):
    from playwright.sync_api import expect

    setup.ensure_permissions()
    setup.ensure_demo_services()
    versions.ensure_cold_start()
    kb.import_town_articles()
    result = intake.receive(
        IncomingMessage(channel="email", sender="elodie.legall@example.fr", subject="Cantine",
                        body_text="Bonjour, comment inscrire ma fille à la cantine de l'école "
                        "Pasteur ? Elle est allergique aux arachides. Merci, Élodie Le Gall")
    )  # fmt: skip
    # The transaction test commits: the intake's on-commit reaction (the triage) has run.
    case = Case.objects.get(pk=result.case.pk)
    assert Suggestion.objects.filter(case=case, kind="triage").exists()
    page.goto(live_server.url + reverse("console:login"))
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", "pw-test-123")
    page.click("main form button[type=submit]")
    page.wait_for_url(live_server.url + reverse("console:home"))

    case_url = reverse("cases:detail", args=[case.pk])
    page.goto(live_server.url + case_url)
    panel = page.get_by_test_id("assist-panel")
    expect(panel.get_by_test_id("assist-service")).to_have_text("Écoles et périscolaire")
    expect(panel.get_by_test_id("assist-routed")).to_be_visible()
    expect(panel.get_by_test_id("assist-explanation")).to_contain_text("cantine")
    expect(panel.get_by_test_id("assist-neighbours")).to_be_visible()

    draft = panel.get_by_test_id("assist-draft")
    expect(draft).to_contain_text("Bonjour Élodie Le Gall")
    text = draft.input_value().replace(
        "Nous restons à votre disposition",
        "Le menu sans arachides sera prévu. Nous restons à votre disposition",
    )
    draft.fill(text)
    panel.get_by_test_id("assist-draft-send").click()
    page.wait_for_url(f"**{case_url}")

    sent = Message.objects.filter(case=case, direction=Message.Direction.OUT).latest("id")
    assert "Le menu sans arachides sera prévu." in sent.body_text
    assert "intelligence artificielle" in sent.body_text  # the citizen is told
    decided = Suggestion.objects.get(case=case, kind="draft", decision="edited")
    assert decided.decided_by == supervisor and 0 < decided.edit_distance < 0.2

    page.goto(live_server.url + reverse("assist:log") + f"?case={case.reference}")
    expect(
        page.locator("[data-testid=assist-log-row][data-kind=draft][data-decision=edited]")
    ).to_be_visible()
    expect(page.locator("[data-testid=assist-log-row][data-kind=triage]")).to_contain_text(
        "Écoles et périscolaire"
    )
