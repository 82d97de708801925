"""The citizen's self-service assistant on the portal."""

import pytest
from django.core import mail
from django.urls import reverse

from parvis.assist import kb
from parvis.assist.models import Suggestion
from parvis.cases.models import Case
from tests.portal.conftest import make_citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def articles(town_services):
    kb.import_town_articles()


def ask(client, question):
    response = client.post(reverse("assistant:home"), {"question": question})
    assert response.status_code == 302
    return client.get(reverse("assistant:home")).content.decode()


def test_answers_from_the_knowledge_base_with_links(client):
    html = ask(client, "Comment inscrire mon enfant à la cantine ?")
    assert 'data-testid="assistant-answer"' in html
    assert "Inscrire son enfant à la cantine scolaire" in html
    assert 'data-testid="assistant-human"' in html  # a person, at every turn
    suggestion = Suggestion.objects.get(input_ref="portal:assistant")
    assert suggestion.case is None and suggestion.output["articles"]
    article_id = suggestion.output["articles"][0]["id"]
    page = client.get(reverse("assistant:article", args=[article_id]))
    assert page.status_code == 200 and b"Mairie de Mont-Bonvillers" in page.content


def test_says_when_unsure_and_offers_a_request(client):
    html = ask(client, "xylophone quantique zebre")
    assert 'data-testid="assistant-unsure"' in html
    assert 'data-testid="assistant-open-request"' in html


def test_anonymous_visitor_sends_the_conversation_after_email_check(client):
    ask(client, "xylophone quantique zebre")
    ask(client, "Où déposer un vieux frigo ?")
    page = client.get(reverse("assistant:request"))
    assert "xylophone" in page.content.decode()
    response = client.post(
        reverse("assistant:request"),
        {"name": "Léa Petit", "email": "lea.petit@example.org", "details": "Merci"},
    )
    assert response.status_code == 302
    assert mail.outbox and "lea.petit@example.org" in mail.outbox[-1].to
    from parvis.portal.models import PendingRequest

    pending = PendingRequest.objects.get()
    assert "xylophone" in pending.body and "frigo" in pending.body


def test_signed_in_citizen_gets_a_case_with_the_conversation(client, person):
    user = make_citizen(person, "elodie.legall@example.fr")
    client.force_login(user)
    html = ask(client, "Mon voisin fait du bruit toutes les nuits")
    assert reverse("portal:chat") in html  # talk to a person = the chat, when signed in
    response = client.post(reverse("assistant:request"), {"details": "C'est insupportable."})
    case = Case.objects.get(person=person)
    assert response.status_code == 302 and case.reference in response["Location"]
    body = case.messages.get().body_text
    assert "C'est insupportable." in body and "bruit" in body


def test_bad_input(client):
    assert client.post(reverse("assistant:home"), {"question": ""}).status_code == 200
    long = client.post(reverse("assistant:home"), {"question": "cantine " * 5000})
    assert long.status_code == 200  # refused by the form (too long), nothing crashes
    assert client.get(reverse("assistant:article", args=[999999])).status_code == 404
