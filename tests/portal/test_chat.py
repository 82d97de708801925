import pytest
from django.urls import reverse

from parvis.cases import services as cases
from parvis.cases.models import Case

pytestmark = pytest.mark.django_db


def test_start_a_chat_send_and_see_the_agents_answer(citizen_client, person, agent):
    page = citizen_client.get(reverse("portal:requests")).content.decode()
    assert 'data-testid="chat-open"' in page and reverse("portal:chat-panel") in page

    panel = citizen_client.get(reverse("portal:chat-panel"), HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'hx-trigger="every 2s"' in panel.content.decode()

    sent = citizen_client.post(
        reverse("portal:chat-send"), {"text": "Bonjour, une question sur la cantine"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert sent.status_code == 200
    case = Case.objects.get()
    assert (case.channel, case.person) == ("chat", person)
    assert "une question sur la cantine" in sent.content.decode()

    last_id = case.messages.last().pk
    poll = reverse("portal:chat-messages") + f"?since={last_id}"
    assert citizen_client.get(poll).status_code == 204  # nothing new

    cases.reply(case, author=agent, body="Bonjour, je vous écoute.", channel="chat")
    answer = citizen_client.get(poll)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "je vous écoute" in html and "Anne" in html

    # Writing again continues the same case (re-opened from "waiting").
    citizen_client.post(reverse("portal:chat-send"), {"text": "Merci !"}, HTTP_HX_REQUEST="true")
    case.refresh_from_db()
    assert Case.objects.count() == 1 and case.messages.count() == 3
    assert case.status == Case.Status.OPEN


def test_chat_without_javascript_reloads_the_page(citizen_client):
    response = citizen_client.post(reverse("portal:chat-send"), {"text": "Allô ?"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:chat")
    assert "Allô ?" in citizen_client.get(reverse("portal:chat")).content.decode()


def test_a_closed_chat_is_not_continued(citizen_client, person):
    citizen_client.post(reverse("portal:chat-send"), {"text": "Première"})
    first = Case.objects.get()
    cases.set_status(first, Case.Status.CLOSED, notify=False)
    citizen_client.post(reverse("portal:chat-send"), {"text": "Seconde"})
    assert Case.objects.count() == 2


def test_chat_shows_only_my_conversation(citizen_client, other_citizen, client, agent):
    from django.test import Client

    other = Client()
    other.force_login(other_citizen)
    other.post(reverse("portal:chat-send"), {"text": "SECRET-KARIM"})
    html = citizen_client.get(reverse("portal:chat")).content.decode()
    assert "SECRET-KARIM" not in html
    assert citizen_client.get(reverse("portal:chat-messages") + "?since=0").status_code == 204


def test_chat_needs_a_citizen(client, agent):
    assert client.post(reverse("portal:chat-send"), {"text": "x"}).status_code == 302
    client.force_login(agent)
    assert client.post(reverse("portal:chat-send"), {"text": "x"}).status_code == 403
    assert not Case.objects.exists()
