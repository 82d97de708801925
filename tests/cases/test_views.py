"""The agent's desk through Django's test client: inbox, case page, actions, chat, calls,
and who may do what."""

from datetime import timedelta
from html import unescape

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from parvis.audit.models import AccessLog
from parvis.cases import intake
from parvis.cases import services as cases
from parvis.cases.models import Attachment, Case, CaseEvent, Message, ReplyTemplate, Service
from parvis.channels.messages import IncomingAttachment, IncomingMessage
from parvis.people import services as people
from parvis.people.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def civil(agent):
    service = Service.objects.create(name="État civil", slug="etat-civil", sla_business_days=5)
    service.members.add(agent)
    return service


@pytest.fixture
def roads(agent):
    service = Service.objects.create(name="Voirie", slug="voirie", sla_business_days=10)
    service.members.add(agent)
    return service


def receive(n=1, **kw) -> Case:
    defaults = dict(
        channel="email",
        sender="elodie.legall@example.fr",
        sender_name="Élodie Le Gall",
        subject="Demande d'acte de naissance",
        body_text="Bonjour, je voudrais un acte de naissance.",
        message_id=f"<m{n}@example.fr>",
    )
    service = kw.pop("service", None)
    return intake.receive(IncomingMessage(**{**defaults, **kw}), service=service).case


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


# --- permissions -----------------------------------------------------------------------------


def all_urls(case, attachment_id=1, person_id=1):
    gets = [
        reverse("cases:inbox"),
        reverse("cases:chats"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:template", args=[case.pk]),
        reverse("cases:chat-messages", args=[case.pk]),
        reverse("cases:person-search", args=[case.pk]) + "?q=le gall",
        reverse("cases:attachment", args=[attachment_id]),
        reverse("cases:log-contact", args=[person_id, "call"]),
    ]
    posts = [
        reverse(f"cases:{name}", args=[case.pk])
        for name in (
            "reply",
            "status",
            "assign",
            "take",
            "priority",
            "tags",
            "note",
            "merge",
            "identify",
            "create-person",
            "chat-send",
        )
    ] + [reverse("cases:log-contact", args=[person_id, "visit"])]
    return gets, posts


def test_anonymous_is_sent_to_the_login_page(client, person):
    case = receive()
    gets, posts = all_urls(case, person_id=person.pk)
    for url in gets + posts:
        response = client.post(url) if url in posts else client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("console:login")), url


@pytest.mark.parametrize("who", ["nobody", "dpo", "citizen"])
def test_users_without_rights_get_403_everywhere(client, person, who, nobody, dpo):
    from tests.portal.conftest import make_citizen

    user = {"nobody": nobody, "dpo": dpo}.get(who) or make_citizen(person, "e@example.fr")
    case = receive()
    message = case.messages.get()
    attachment = Attachment.objects.create(message=message, filename="a.pdf", size=1)
    client.force_login(user)
    gets, posts = all_urls(case, attachment.pk, person.pk)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        assert client.post(url, {"text": "x", "body": "x", "status": "closed"}).status_code == (
            403
        ), url
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.messages.count() == 1
    assert not AccessLog.objects.filter(action__startswith="console.case").exists()


def test_an_agent_sees_only_the_cases_of_their_services(client, agent, supervisor, civil, person):
    social = Service.objects.create(name="Action sociale", slug="action-sociale")
    case = receive(subject="Aide sociale confidentielle", service=social)
    message = case.messages.get()
    attachment = Attachment.objects.create(message=message, filename="a.pdf", size=1)
    mine = receive(2, subject="Acte de naissance", service=civil)
    client.force_login(agent)

    gets, posts = all_urls(case, attachment.pk, person.pk)
    for url in gets[2:7]:  # the case's own pages and the attachment
        assert client.get(url).status_code == 404, url
    for url in posts[:-1]:
        assert client.post(url, {"text": "x", "body": "x", "status": "closed"}).status_code == (
            404
        ), url
    html = client.get(reverse("cases:inbox")).content.decode()
    assert "Acte de naissance" in html and "Aide sociale confidentielle" not in html
    assert client.get(reverse("cases:detail", args=[mine.pk])).status_code == 200
    case.refresh_from_db()
    assert case.status == Case.Status.NEW and case.messages.count() == 1

    # Assigned to them, they see it; a supervisor sees every service's cases.
    Case.objects.filter(pk=case.pk).update(assignee=agent)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    Case.objects.filter(pk=case.pk).update(assignee=None)
    client.force_login(supervisor)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert "Aide sociale confidentielle" in client.get(reverse("cases:inbox")).content.decode()


def test_an_agent_may_not_use_get_for_an_action(agent_client):
    case = receive()
    assert agent_client.get(reverse("cases:status", args=[case.pk])).status_code == 405


def test_unknown_case_is_404(agent_client):
    assert agent_client.get(reverse("cases:detail", args=[999999])).status_code == 404


# --- the inbox -------------------------------------------------------------------------------


def test_inbox_lists_open_cases_by_deadline_and_highlights_the_overdue(
    agent_client, person, civil, roads
):
    late = receive(1, subject="En retard", service=civil)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=2))
    soon = receive(2, subject="Bientôt", service=roads)
    Case.objects.filter(pk=soon.pk).update(due_at=timezone.now() + timedelta(days=1))
    later = receive(3, subject="Plus tard", service=roads)
    Case.objects.filter(pk=later.pk).update(due_at=timezone.now() + timedelta(days=9))
    done = receive(4, subject="Terminé")
    cases.set_status(done, Case.Status.CLOSED, notify=False)

    html = agent_client.get(reverse("cases:inbox")).content.decode()
    assert html.index("En retard") < html.index("Bientôt") < html.index("Plus tard")
    assert "Terminé" not in html
    assert f'data-reference="{late.reference}" class="pv-overdue"' in html
    assert f'data-reference="{soon.reference}" class' not in html
    # Queue counts in the side menu.
    assert 'data-testid="count-total">3<' in html and 'data-testid="count-overdue">1<' in html


def test_inbox_filters(agent_client, agent, person, civil, roads):
    a = receive(1, subject="Acte de mariage", service=civil)
    b = receive(2, subject="Nid de poule rue des Lilas", service=roads, channel="sms", sender="")
    c = receive(3, subject="Passeport", service=civil)
    cases.assign(a, agent=agent, actor=agent)
    cases.set_tags(c, ["urgent"])
    cases.set_status(c, Case.Status.WAITING, notify=False)
    cases.set_status(b, Case.Status.CLOSED, notify=False)

    def refs(**params):
        html = agent_client.get(reverse("cases:inbox"), params).content.decode()
        return {x.reference for x in (a, b, c) if f'data-reference="{x.reference}"' in html}

    assert refs() == {a.reference, c.reference}
    assert refs(service=civil.pk) == {a.reference, c.reference}
    assert refs(service=roads.pk) == set()
    assert refs(service=roads.pk, status="all") == {b.reference}
    assert refs(status="closed") == {b.reference}
    assert refs(status="waiting") == {c.reference}
    assert refs(assigned="me") == {a.reference}
    assert refs(assigned="unassigned") == {c.reference}
    assert refs(channel="sms", status="all") == {b.reference}
    assert refs(tag=c.tags.get().pk) == {c.reference}
    assert refs(overdue="on") == set()
    assert refs(q="mariage") == {a.reference}
    assert refs(q="le gall") == {a.reference, c.reference}  # the citizen's name
    assert refs(q="elodie.legall@example.fr") == {a.reference, c.reference}
    assert refs(q=a.reference[:7]) == {a.reference, c.reference}  # a reference's start
    # Bad values are ignored rather than failing.
    assert refs(service="abc", status="nonsense", tag="x", page="-3") == {
        a.reference,
        c.reference,
    }
    # A full reference opens the case.
    response = agent_client.get(reverse("cases:inbox"), {"q": c.reference})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[c.pk])


def test_inbox_pages_without_counting(agent_client, person, settings):
    from parvis.cases import inbox

    for n in range(inbox.PAGE_SIZE + 3):
        receive(n, subject=f"Demande numéro {n}")
    first = agent_client.get(reverse("cases:inbox")).content.decode()
    assert 'data-testid="next-page"' in first
    second = agent_client.get(reverse("cases:inbox"), {"page": 2}).content.decode()
    assert second.count('data-testid="case-link"') == 3
    assert 'data-testid="next-page"' not in second


def test_inbox_queries_do_not_grow_with_the_page(
    agent_client, person, civil, django_assert_max_num_queries
):
    for n in range(30):
        case = receive(n, service=civil)
        cases.set_tags(case, ["tag-a", f"tag-{n % 3}"])
    with django_assert_max_num_queries(12):
        assert agent_client.get(reverse("cases:inbox")).status_code == 200


# --- the case page ---------------------------------------------------------------------------


def test_case_page_shows_the_conversation_safely_and_logs_the_read(agent_client, agent, person):
    case = intake.receive(
        IncomingMessage(
            channel="email",
            sender="elodie.legall@example.fr",
            subject="Pièces",
            body_text="voir HTML",
            body_html='<p>Bonjour <b>madame</b></p><script>alert("x")</script>'
            '<img src="https://tracker.example/p.gif"><a href="javascript:evil()">clic</a>',
            message_id="<html@x>",
            attachments=[IncomingAttachment("livret.pdf", b"%PDF-1.4\n%%EOF\n")],
            rejected_attachments=[("virus.exe", "Executable files are not accepted.")],
        )
    ).case
    cases.add_note(case, author=agent, text="Vérifier le registre de 1984")
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "<b>madame</b>" in html
    assert "<script>alert" not in html and "tracker.example" not in html
    assert "javascript:evil" not in html
    assert 'data-direction="note"' in html and "Vérifier le registre" in html
    assert 'data-attachment="livret.pdf" data-status="accepted"' in html
    assert 'data-attachment="virus.exe" data-status="refused"' in html
    assert "Executable files are not accepted." in html
    assert 'data-testid="person-360"' in html and reverse("people:detail", args=[person.pk]) in html
    log = AccessLog.objects.get(action="console.case")
    assert (log.person_id, log.user, log.reason) == (person.pk, agent, case.reference)


def test_attachment_download_is_checked_and_logged(agent_client, person):
    case = receive(attachments=[IncomingAttachment("livret.pdf", b"%PDF-1.4\n%%EOF\n")])
    accepted = Attachment.objects.get()
    refused = Attachment.objects.create(
        message=accepted.message, filename="x.exe", status="refused", refusal_reason="no"
    )
    response = agent_client.get(reverse("cases:attachment", args=[accepted.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    assert AccessLog.objects.filter(action="console.case.attachment", person_id=person.pk).exists()
    assert agent_client.get(reverse("cases:attachment", args=[refused.pk])).status_code == 404
    assert case.messages.count() == 1


def test_reply_on_the_channel_of_the_message_with_a_template(
    agent_client, agent, person, civil, django_capture_on_commit_callbacks
):
    from django.core import mail

    case = receive(service=civil)
    template = ReplyTemplate.objects.create(
        name="Acte envoyé",
        body="Bonjour {{ person.first_names }}, votre acte ({{ case.reference }}) est parti. "
        "{{ agent.name }}",
        set_status="resolved",
    )
    preview = agent_client.get(
        reverse("cases:template", args=[case.pk]), {"template": template.pk}
    ).content.decode()
    assert f"Bonjour Élodie Marie, votre acte ({case.reference}) est parti. Anne" in preview

    body = f"Bonjour Élodie Marie, votre acte ({case.reference}) est parti."
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("cases:reply", args=[case.pk]),
            {"body": body, "channel": "email", "template": template.pk},
        )
    assert response.status_code == 302
    out = case.messages.get(direction="out")
    assert (out.channel, out.recipient, out.author) == ("email", "elodie.legall@example.fr", agent)
    assert out.delivery == Message.Delivery.SENT and out.in_reply_to == "<m1@example.fr>"
    sent = mail.outbox[-1]
    assert sent.to == ["elodie.legall@example.fr"] and case.reference in sent.subject
    case.refresh_from_db()
    assert case.status == Case.Status.RESOLVED and case.first_response_at is not None
    assert person.interactions.filter(kind="message_out").exists()


def test_a_broken_template_or_empty_answer_is_refused_with_a_message(agent_client, person):
    case = receive()
    broken = ReplyTemplate.objects.create(name="Cassé", body="{% if %}")
    preview = agent_client.get(
        reverse("cases:template", args=[case.pk]), {"template": broken.pk}
    ).content.decode()
    assert "fr-error-text" in preview
    response = agent_client.post(
        reverse("cases:reply", args=[case.pk]), {"body": "   ", "channel": "email"}, follow=True
    )
    assert response.status_code == 200
    assert not case.messages.filter(direction="out").exists()
    assert "fr-alert--error" in response.content.decode()


def test_status_assign_priority_tags_and_note(agent_client, agent, make_user, person, civil):
    from parvis.console import roles

    colleague = make_user("bob", roles.AGENT, first_name="Bob")
    case = receive()
    post = lambda name, data: agent_client.post(reverse(f"cases:{name}", args=[case.pk]), data)  # noqa: E731
    assert post("status", {"status": "waiting", "notify": "on"}).status_code == 302
    assert post("assign", {"service": civil.pk, "agent": colleague.pk}).status_code == 302
    assert post("priority", {"priority": 4}).status_code == 302
    assert post("tags", {"tags": "urgent, état civil ,"}).status_code == 302
    assert post("note", {"text": "Appeler la mairie de naissance"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "waiting" and case.service == civil and case.assignee == colleague
    assert case.priority == 4 and sorted(t.name for t in case.tags.all()) == [
        "urgent",
        "état civil",
    ]
    note = case.messages.get(direction="note")
    assert not note.visible_to_citizen and note.author == agent
    notification = case.messages.filter(direction="out", author__isnull=True)
    assert notification.exists()  # the citizen was told about the status
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"status", "service", "assign", "priority"} <= kinds
    assert post("take", {}).status_code == 302
    case.refresh_from_db()
    assert case.assignee == agent
    assert post("status", {"status": "nonsense"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "waiting"


def test_merge_into_another_case(agent_client, person):
    first = receive(1, subject="Première demande")
    second = receive(2, subject="Doublon")
    response = agent_client.post(
        reverse("cases:merge", args=[second.pk]), {"reference": first.reference}
    )
    assert response["Location"] == reverse("cases:detail", args=[first.pk])
    second.refresh_from_db()
    assert second.merged_into == first and second.status == "closed"
    assert first.messages.count() == 2
    # Into itself, or an unknown reference: refused, nothing changes.
    for reference in (first.reference, "2099-999999"):
        agent_client.post(reverse("cases:merge", args=[first.pk]), {"reference": reference})
    first.refresh_from_db()
    assert first.merged_into is None and first.status == "new"


def test_unidentified_sender_pick_a_candidate(agent_client, person):
    twin = people.create_person(first_names="Jean", last_name="Le Gall")
    people.add_contact_point(twin, "email", "elodie.legall@example.fr")
    case = receive()
    assert case.person is None and sorted(case.candidate_ids) == sorted([person.pk, twin.pk])
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="candidates"' in html and "Jean" in html
    assert not AccessLog.objects.exists()  # nobody's file was read yet
    agent_client.post(reverse("cases:identify", args=[case.pk]), {"person": person.pk})
    case.refresh_from_db()
    assert case.person == person and case.messages.get().person == person
    assert person.interactions.filter(kind="message_in").exists()


def test_unknown_sender_create_the_proposed_person(client, supervisor, administrator):
    case = receive(sender="inconnu@example.org", sender_name="DURAND Paul")
    assert case.proposed_person == {
        "email": "inconnu@example.org",
        "last_name": "Durand",
        "first_names": "Paul",
    }
    client.force_login(administrator)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="proposed-person"' in html
    client.post(
        reverse("cases:create-person", args=[case.pk]),
        {"first_names": "Paul-Henri", "last_name": "Durand"},
    )
    case.refresh_from_db()
    assert case.person.first_names == "Paul-Henri"
    assert case.person.contact_points.get().normalized == "inconnu@example.org"


def test_person_search_to_identify(agent_client, person):
    case = receive(sender="autre@example.org", sender_name="")
    html = agent_client.get(
        reverse("cases:person-search", args=[case.pk]), {"q": "le gall"}
    ).content.decode()
    assert "LE GALL" in html and f'value="{person.pk}"' in html


# --- chat ------------------------------------------------------------------------------------


def test_agent_chat_panel_polls_and_sends(
    agent_client, agent, person, django_capture_on_commit_callbacks
):
    from parvis.portal.services import send_chat_message

    send_chat_message(person=person, text="Bonjour, la cantine est-elle ouverte ?")
    case = Case.objects.get(channel="chat")
    chats = agent_client.get(reverse("cases:chats")).content.decode()
    assert case.reference in chats and 'data-awaiting="1"' in chats and "cantine" in chats

    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'data-testid="desk-chat"' in html and 'hx-trigger="every 2s"' in html
    last_id = case.messages.last().pk
    poll = reverse("cases:chat-messages", args=[case.pk]) + f"?since={last_id}"
    assert agent_client.get(poll).status_code == 204

    with django_capture_on_commit_callbacks(execute=True):
        sent = agent_client.post(
            reverse("cases:chat-send", args=[case.pk]),
            {"text": "Oui, jusqu'à 13 h."},
            HTTP_HX_REQUEST="true",
        )
    assert sent.status_code == 200 and "13 h" in sent.content.decode()
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN  # a chat line does not "wait for the citizen"
    line = case.messages.get(direction="out")
    assert line.channel == "chat" and line.delivery == Message.Delivery.SENT

    send_chat_message(person=person, text="Merci beaucoup")
    answer = agent_client.get(poll)
    assert answer.status_code == 200 and "Merci beaucoup" in answer.content.decode()
    assert agent_client.get(poll.replace("?since=0", "")).status_code in (200, 204)


def test_chat_send_refuses_empty_lines_and_other_channels(agent_client, person):
    from parvis.portal.services import send_chat_message

    send_chat_message(person=person, text="Allô")
    chat = Case.objects.get(channel="chat")
    response = agent_client.post(
        reverse("cases:chat-send", args=[chat.pk]), {"text": "   "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "fr-error-text" in response.content.decode()
    assert chat.messages.count() == 1
    cases.set_status(chat, Case.Status.CLOSED, notify=False)
    closed = agent_client.post(
        reverse("cases:chat-send", args=[chat.pk]), {"text": "Encore là ?"}, HTTP_HX_REQUEST="true"
    )
    assert 'data-testid="chat-finished"' in closed.content.decode()
    assert chat.messages.count() == 1
    email_case = receive()
    assert (
        agent_client.post(reverse("cases:chat-send", args=[email_case.pk]), {"text": "x"})
    ).status_code == 404


# --- calls and visits ------------------------------------------------------------------------


def test_log_a_call_from_the_360_page(agent_client, agent, person):
    page = agent_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    url = reverse("cases:log-contact", args=[person.pk, "call"])
    assert url in page
    form = agent_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="log-contact-form"' in form and "<html" not in form
    response = agent_client.post(url, {"summary": "Question sur la carte d'identité"})
    assert response["Location"] == reverse("people:detail", args=[person.pk])
    line = person.interactions.get(kind="call")
    assert (line.channel, line.actor) == ("phone", agent)
    assert not Case.objects.exists()
    page = agent_client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Question sur la carte" in page


def test_log_a_visit_that_opens_a_case(agent_client, agent, person, civil):
    url = reverse("cases:log-contact", args=[person.pk, "visit"])
    data = {
        "summary": "Demande de logement social",
        "details": "Famille de 4, loyer trop élevé",
        "open_case": "on",
        "service": civil.pk,
        "submission": "0" * 32,
    }
    agent_client.post(url, data)
    agent_client.post(url, data)  # posted twice: one case
    case = Case.objects.get()
    assert (case.channel, case.person, case.service) == ("counter", person, civil)
    visit = person.interactions.get(kind="visit")
    assert visit.actor == agent and visit.ref_type == "cases.message"
    assert not person.interactions.filter(kind="message_in").exists()


def test_the_log_contact_form_is_a_logged_read(agent_client, agent, person):
    """The form shows the person's name: opening it is written to the access log."""
    url = reverse("cases:log-contact", args=[person.pk, "call"])
    response = agent_client.get(url)
    assert response.status_code == 200 and str(person) in unescape(response.content.decode())
    log = AccessLog.objects.get(person_id=person.pk)
    assert (log.username, log.action, log.channel) == (
        agent.username,
        "console.log-contact",
        "console",
    )
    assert (
        agent_client.get(reverse("cases:log-contact", args=[person.pk, "fax"])).status_code == 404
    )
    assert AccessLog.objects.count() == 1  # nothing logged for a page not shown


def test_log_contact_bad_input(agent_client, person):
    url = reverse("cases:log-contact", args=[person.pk, "call"])
    response = agent_client.post(url, {"summary": "   "})
    assert response.status_code == 200 and "fr-error-text" in response.content.decode()
    assert (
        agent_client.get(reverse("cases:log-contact", args=[person.pk, "fax"])).status_code == 404
    )
    assert agent_client.get(reverse("cases:log-contact", args=[999999, "call"])).status_code == 404
    assert not Interaction.objects.filter(kind="call").exists()


def test_the_nav_shows_requests_to_agents_only(client, agent, dpo):
    client.force_login(agent)
    assert reverse("cases:inbox") in client.get(reverse("console:home")).content.decode()
    client.force_login(dpo)
    assert reverse("cases:inbox") not in client.get(reverse("console:home")).content.decode()


def test_message_with_a_stored_file_in_storage(agent_client, person):
    case = receive()
    message = case.messages.get()
    attachment = Attachment(message=message, filename="scan.png", size=3, content_type="image/png")
    attachment.file.save("scan.png", ContentFile(b"abc"), save=True)
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:attachment", args=[attachment.pk]) in html


# --- another service's cases stay out of reach everywhere ----------------------------------------


def test_a_case_cannot_be_merged_into_another_services_case(agent_client, civil, person):
    social = Service.objects.create(name="Action sociale", slug="action-sociale")
    theirs = receive(1, subject="Aide sociale confidentielle", service=social)
    mine = receive(2, subject="Acte de naissance", service=civil)
    agent_client.post(reverse("cases:merge", args=[mine.pk]), {"reference": theirs.reference})
    mine.refresh_from_db()
    assert mine.merged_into is None and mine.status == "new"
    assert theirs.messages.count() == 1


def test_typing_the_reference_of_an_unreachable_case_does_not_open_it(agent_client, civil):
    social = Service.objects.create(name="Action sociale", slug="action-sociale")
    theirs = receive(1, subject="Aide sociale confidentielle", service=social)
    mine = receive(2, subject="Acte de naissance", service=civil)
    response = agent_client.get(reverse("cases:inbox"), {"q": mine.reference})
    assert response["Location"] == reverse("cases:detail", args=[mine.pk])
    response = agent_client.get(reverse("cases:inbox"), {"q": theirs.reference})
    assert response.status_code == 200  # the inbox's (empty) search, not a redirect


def test_the_360_timeline_hides_the_cases_of_other_services(
    client, agent, supervisor, civil, person
):
    from django.test import Client

    from parvis.api.models import ApiToken

    social = Service.objects.create(name="Action sociale", slug="action-sociale")
    theirs = receive(1, subject="Aide sociale confidentielle", service=social)
    mine = receive(2, subject="Acte de naissance", service=civil)
    cases.set_status(theirs, Case.Status.OPEN, actor=supervisor, notify=False)
    assert theirs.person == person and mine.person == person
    client.force_login(agent)
    for url in (
        reverse("people:detail", args=[person.pk]),
        reverse("people:timeline", args=[person.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Acte de naissance" in html, url
        assert "Aide sociale confidentielle" not in html and theirs.reference not in html, url
    _token, key = ApiToken.issue(agent, "job")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    lines = api.get(f"/api/people/{person.pk}/timeline").json()["results"]
    assert any(mine.reference in line["summary"] for line in lines)
    assert not any(theirs.reference in line["summary"] for line in lines)
    # A supervisor sees every service's cases, so every line.
    client.force_login(supervisor)
    html = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "Aide sociale confidentielle" in html
