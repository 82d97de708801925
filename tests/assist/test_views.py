"""Console pages: the case panel's actions, queue, models, log, knowledge base; rights."""

import pytest
from django.urls import reverse

from parvis.assist.models import Article, Suggestion
from parvis.audit.models import AccessLog
from parvis.cases.models import Case, Message
from parvis.channels.messages import IncomingMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(triage_model, person, receive_now, agent):
    result = receive_now(
        IncomingMessage(channel="email", sender="elodie.legall@example.fr", subject="Cantine",
                        body_text="Bonjour, comment inscrire ma fille à la cantine ? Merci")
    )  # fmt: skip
    case = Case.objects.get(pk=result.case.pk)
    if case.service_id:  # routed: the agent works for that service
        case.service.members.add(agent)
    return case


def test_case_page_shows_prediction_explanation_and_draft(client, agent, case):
    client.force_login(agent)
    response = client.get(reverse("assist:case", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="assist-panel"' in html and "Écoles et périscolaire" in html
    assert 'data-testid="assist-word"' in html and 'data-testid="assist-draft"' in html
    assert AccessLog.objects.filter(
        user=agent, person_id=case.person_id, action="assist.case"
    ).exists()


@pytest.mark.parametrize("role", ["nobody", "dpo"])
def test_without_the_right_the_pages_refuse(client, case, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    draft = Suggestion.objects.get(case=case, kind="draft")
    triage = Suggestion.objects.get(case=case, kind="triage")
    for method, url in [
        ("get", reverse("assist:case", args=[case.pk])),
        ("get", reverse("assist:queue")),
        ("post", reverse("assist:draft-send", args=[draft.pk])),
        ("post", reverse("assist:draft-reject", args=[draft.pk])),
        ("post", reverse("assist:draft-new", args=[case.pk])),
        ("post", reverse("assist:triage-decide", args=[triage.pk])),
        ("get", reverse("assist:kb-new")),
    ]:
        assert getattr(client, method)(url).status_code == 403, url
    assert Suggestion.objects.get(pk=draft.pk).decision == "pending"


def test_anonymous_is_sent_to_login(client, case):
    response = client.get(reverse("assist:case", args=[case.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_panel_context_is_empty_without_the_right(case, nobody, agent):
    from parvis.assist.services import case_panel_context

    assert case_panel_context(case, nobody) == {"assist": None}
    assert case_panel_context(case, agent)["assist"]["triage"].kind == "triage"


def test_agent_sends_an_edited_draft(client, agent, case):
    client.force_login(agent)
    draft = Suggestion.objects.get(case=case, kind="draft", decision="pending")
    text = draft.output["text"].replace("Bonjour", "Bonjour et merci")
    response = client.post(reverse("assist:draft-send", args=[draft.pk]), {"text": text})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.decision == "edited" and draft.decided_by == agent
    assert case.messages.filter(direction=Message.Direction.OUT, author=agent).exists()
    # An empty answer is refused and the draft stays.
    services_draft = client.post(reverse("assist:draft-new", args=[case.pk]))
    assert services_draft.status_code == 302
    new = Suggestion.objects.get(case=case, kind="draft", decision="pending")
    client.post(reverse("assist:draft-send", args=[new.pk]), {"text": "   "})
    assert Suggestion.objects.get(pk=new.pk).decision == "pending"


def test_agent_changes_the_routing(client, agent, case, town_services):
    client.force_login(agent)
    triage = Suggestion.objects.get(case=case, kind="triage")
    client.post(
        reverse("assist:triage-decide", args=[triage.pk]),
        {"service": town_services["accueil"].pk},
    )
    triage.refresh_from_db()
    assert triage.decision == "rejected" and triage.decision_note == "Accueil"
    assert Case.objects.get(pk=case.pk).service == town_services["accueil"]


def test_queue_models_and_log(client, agent, supervisor, case, settings):
    client.force_login(agent)
    assert client.get(reverse("assist:queue")).status_code == 200
    models_page = client.get(reverse("assist:models"))
    assert models_page.status_code == 200 and b'data-testid="model-f1"' in models_page.content
    assert client.get(reverse("assist:log")).status_code == 403  # agents do not read the log
    client.force_login(supervisor)
    log = client.get(reverse("assist:log"), {"case": case.reference})
    assert log.status_code == 200 and b'data-kind="triage"' in log.content


def test_knowledge_base_crud_and_search(client, agent, supervisor, administrator, town_services):
    from parvis.assist import kb

    kb.import_town_articles()
    client.force_login(agent)
    hits = client.get(reverse("assist:kb"), {"q": "ecole cantine allergie"})
    assert "cantine" in hits.content.decode()
    assert client.get(reverse("assist:kb-new")).status_code == 403
    client.force_login(supervisor)
    response = client.post(
        reverse("assist:kb-new"),
        {
            "external_id": "mb-piscine-ete", "title": "Piscine d'été : horaires et tarifs",
            "body": "La piscine découverte ouvre en juillet et août, de 10 h à 19 h.",
            "life_moments": ["studying"], "services": [town_services["vie-associative"].pk],
            "source": "Mairie", "published": "on",
        },
    )  # fmt: skip
    assert response.status_code == 302
    article = Article.objects.get(external_id="mb-piscine-ete")
    assert kb.search("horaires piscine découverte été")[0].article == article
    response = client.post(
        reverse("assist:kb-edit", args=[article.pk]),
        {"external_id": "mb-piscine-ete", "title": "Piscine d'été", "body": "Fermée cette année.",
         "source": "Mairie", "published": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert kb.search("piscine fermée")[0].article.body == "Fermée cette année."
    assert client.post(reverse("assist:kb-delete", args=[article.pk])).status_code == 403
    client.force_login(administrator)
    assert client.post(reverse("assist:kb-delete", args=[article.pk])).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()
    assert all(h.article.external_id != "mb-piscine-ete" for h in kb.search("piscine fermée"))


def test_search_ignores_accents_and_expired_articles(town_services):
    from datetime import date

    from parvis.assist import kb

    kb.import_town_articles()
    assert (
        kb.search("ECOLE maternelle inscription")[0].article.external_id
        == "mb-inscription-scolaire"
    )
    assert (
        kb.search("École maternelle inscription")[0].article.external_id
        == "mb-inscription-scolaire"
    )
    Article.objects.filter(external_id="mb-inscription-scolaire").update(
        valid_until=date(2000, 1, 1)
    )
    assert all(h.article.external_id != "mb-inscription-scolaire"
               for h in kb.search("École maternelle inscription"))  # fmt: skip
    assert kb.search("") == [] and kb.search("!!! ??? ...") == []
    assert kb.search("x" * 100_000) == []


def test_an_agent_of_another_service_cannot_act_on_the_suggestions_of_a_case(
    client, case, make_user, town_services
):
    """The suggestion's case is out of reach: 404 on every action, and nothing is sent."""
    from parvis.console import roles

    assert case.service_id  # routed to a service the outsider is not a member of
    outsider = make_user("agent-other", roles.AGENT)
    town_services["voirie"].members.add(outsider)
    client.force_login(outsider)
    draft = Suggestion.objects.get(case=case, kind="draft", decision="pending")
    triage = Suggestion.objects.get(case=case, kind="triage")
    for url, data in [
        (reverse("assist:draft-send", args=[draft.pk]), {"text": "Réponse d'un intrus"}),
        (reverse("assist:draft-reject", args=[draft.pk]), {}),
        (reverse("assist:triage-decide", args=[triage.pk]), {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert Suggestion.objects.get(pk=draft.pk).decision == "pending"
    assert not case.messages.filter(direction=Message.Direction.OUT).exists()


def test_a_suggested_link_never_merges_into_a_case_out_of_reach(
    client, triage_model, person, receive_now, make_user, town_services
):
    from parvis.console import roles

    first = receive_now(
        IncomingMessage(channel="email", sender="elodie.legall@example.fr", subject="Cantine",
                        body_text="Je voudrais inscrire ma fille à la cantine de l'école Pasteur.")
    )  # fmt: skip
    second = receive_now(
        IncomingMessage(channel="email", sender="elodie.legall@example.fr", subject="Inscription",
                        body_text="Bonjour, où en est l'inscription de ma fille à la cantine ?",
                        message_id="<second@example.fr>")
    )  # fmt: skip
    link = Suggestion.objects.get(kind="link_case", case=second.case)
    Case.objects.filter(pk=first.case.pk).update(service=town_services["voirie"])
    Case.objects.filter(pk=second.case.pk).update(service=town_services["accueil"])
    agent = make_user("agent-accueil", roles.AGENT)
    town_services["accueil"].members.add(agent)
    client.force_login(agent)
    response = client.post(
        reverse("assist:link-decide", args=[link.pk]),
        {"decision": "accept", "target": first.case.pk},
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=second.case.pk).merged_into_id is None
    assert Suggestion.objects.get(pk=link.pk).decision == "pending"
