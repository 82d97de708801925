import time
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parvis.cases import intake
from parvis.cases import services as cases
from parvis.cases.models import Attachment, Case, Message, Service
from parvis.channels.messages import IncomingMessage
from parvis.portal import identity
from parvis.portal.models import PendingFile, PendingRequest

from .conftest import last_mail_to, link_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name="justificatif.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def case_for(person, subject="Demande d'acte", channel="email"):
    return intake.receive(
        IncomingMessage(channel=channel, subject=subject, body_text="Bonjour", message_id=""),
        person=person,
    ).case


def test_my_requests_lists_only_my_cases(citizen_client, person, other_person):
    mine = case_for(person, "Acte de naissance")
    theirs = case_for(other_person, "Nid-de-poule rue des Lilas")
    page = citizen_client.get(reverse("portal:requests")).content.decode()
    assert mine.reference in page and "Acte de naissance" in page
    assert theirs.reference not in page and "Nid-de-poule" not in page


def test_another_citizens_case_is_a_404(citizen_client, other_person):
    theirs = case_for(other_person)
    message = theirs.messages.get()
    assert citizen_client.get(reverse("portal:request", args=[theirs.reference])).status_code == 404
    reply = citizen_client.post(
        reverse("portal:request", args=[theirs.reference]), {"text": "intrusion"}
    )
    assert reply.status_code == 404
    assert theirs.messages.count() == 1 and message.body_text == "Bonjour"


def test_anonymous_is_redirected_to_login(client, person):
    case = case_for(person)
    for url in (reverse("portal:requests"), reverse("portal:request", args=[case.reference])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("portal:login"))


def test_new_request_with_attachment_creates_a_case_for_me(citizen_client, person, settings):
    service = Service.objects.create(name="État civil", slug="etat-civil")
    response = citizen_client.post(
        reverse("portal:request-new"),
        {
            "subject": "Copie d'acte de naissance",
            "text": "Bonjour, il me faut une copie intégrale.",
            "service": service.pk,
            "attachments": [pdf()],
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:request", args=[case.reference])
    assert (case.person, case.channel, case.service) == (person, "portal", service)
    message = case.messages.get()
    assert message.direction == "in" and "copie intégrale" in message.body_text
    attachment = message.attachments.get()
    assert attachment.status == "accepted" and attachment.content_type == "application/pdf"
    stored = Path(settings.MEDIA_ROOT) / attachment.file.name
    assert stored.read_bytes() == PDF
    page = citizen_client.get(response["Location"]).content.decode()
    assert "justificatif.pdf" in page and "copie intégrale" in page
    download = citizen_client.get(
        reverse("portal:attachment", args=[case.reference, attachment.pk])
    )
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_the_same_form_posted_twice_makes_one_case(citizen_client):
    data = {"subject": "Poubelles", "text": "Pas ramassées.", "submission": "a" * 32}
    citizen_client.post(reverse("portal:request-new"), data)
    citizen_client.post(reverse("portal:request-new"), data)
    assert Case.objects.count() == 1 and Message.objects.count() == 1


def test_a_reference_typed_in_the_subject_does_not_write_into_another_case(
    citizen_client, person, other_person
):
    theirs = case_for(other_person)
    citizen_client.post(
        reverse("portal:request-new"),
        {"subject": f"Suite [#{theirs.reference}]", "text": "Bonjour"},
    )
    assert theirs.messages.count() == 1
    mine = Case.objects.get(person=person)
    assert mine != theirs


def test_a_refused_file_is_shown_with_its_reason(citizen_client):
    program = SimpleUploadedFile("facture.exe", b"MZ\x90\x00" + b"\x00" * 200)
    response = citizen_client.post(
        reverse("portal:request-new"),
        {"subject": "Facture", "text": "Voir pièce jointe", "attachments": [program]},
        follow=True,
    )
    attachment = Attachment.objects.get()
    assert attachment.status == Attachment.Status.REFUSED and attachment.refusal_reason
    assert not attachment.file
    html = response.content.decode()
    assert 'data-status="refused"' in html
    assert attachment.refusal_reason.split(":")[0] in html


def test_a_file_over_the_size_limit_is_refused_by_the_form(citizen_client, settings):
    settings.PARVIS_MAX_ATTACHMENT_BYTES = 1024
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * 2048)
    response = citizen_client.post(
        reverse("portal:request-new"),
        {"subject": "Scan", "text": "Voici", "attachments": [big]},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_attachments-error"' in html and "scan.pdf" in html
    assert not Case.objects.exists()


def test_anonymous_request_waits_for_the_email_link_then_is_sent_once(
    client, person, django_capture_on_commit_callbacks
):
    response = client.post(
        reverse("portal:request-new"),
        {
            "name": "Élodie Le Gall",
            "email": "elodie.legall@example.fr",
            "subject": "Inscription cantine",
            "text": "Bonjour, je voudrais inscrire ma fille.",
            "attachments": [pdf("attestation.pdf")],
        },
    )
    assert response["Location"] == reverse("portal:request-sent")
    assert not Case.objects.exists()
    kept = PendingFile.objects.get()
    assert kept.file.storage.exists(kept.file.name)
    confirmation = last_mail_to("elodie.legall@example.fr")
    assert "Inscription cantine" not in confirmation.body  # no typed text in the mail
    path = link_in(confirmation)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(path)
    assert first.status_code == 200 and first.context["new"]
    case = Case.objects.get()
    # Identified by the email contact point in the intake.
    assert case.person == person and case.channel == "portal"
    assert case.reference in first.content.decode()
    assert case.messages.get().attachments.get().filename == "attestation.pdf"
    assert not kept.file.storage.exists(kept.file.name)
    second = client.get(path)
    assert second.status_code == 200 and not second.context["new"]
    assert Case.objects.count() == 1 and Message.objects.count() == 1


def test_anonymous_request_from_an_unknown_sender_proposes_a_person(client, db):
    client.post(
        reverse("portal:request-new"),
        {"name": "Jeanne Martin", "email": "jeanne@example.org", "subject": "Bruit",
         "text": "Travaux la nuit"},
    )  # fmt: skip
    client.get(link_in(last_mail_to("jeanne@example.org")))
    case = Case.objects.get()
    assert case.person is None
    assert case.proposed_person["email"] == "jeanne@example.org"


def test_anonymous_request_link_tampered_or_expired(client, db):
    client.post(
        reverse("portal:request-new"),
        {"name": "Jeanne Martin", "email": "jeanne@example.org", "subject": "Bruit",
         "text": "Travaux la nuit"},
    )  # fmt: skip
    path = link_in(last_mail_to("jeanne@example.org"))
    tampered = client.get(path.replace("/confirm/", "/confirm/x"))
    assert tampered.status_code == 400 and tampered.context["reason"] == "invalid"
    pending = PendingRequest.objects.get()
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 4 * 86400):
        token = identity.make_link_token("request", str(pending.pk))
    expired = client.get(reverse("portal:request-confirm", args=[token]))
    assert expired.status_code == 400 and expired.context["reason"] == "expired"
    assert 'data-testid="link-error"' in expired.content.decode()
    assert not Case.objects.exists()


def test_replying_reopens_a_waiting_case(citizen_client, person, agent):
    case = case_for(person)
    cases.reply(case, author=agent, body="Pouvez-vous envoyer un justificatif ?", channel="portal")
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING
    response = citizen_client.post(
        reverse("portal:request", args=[case.reference]),
        {"text": "Voici le justificatif.", "attachments": [pdf()]},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    last = case.messages.last()
    assert last.direction == "in" and last.channel == "portal" and last.person == person
    assert last.attachments.get().status == "accepted"


def test_the_conversation_shows_answers_but_never_internal_notes(citizen_client, person, agent):
    case = case_for(person)
    cases.reply(case, author=agent, body="Votre acte est prêt.", channel="portal")
    cases.add_note(case, author=agent, text="NOTE-INTERNE dossier sensible")
    Message.objects.create(
        case=case, direction="note", channel="portal", body_text="NOTE-MARQUEE-VISIBLE",
        visible_to_citizen=True,
    )  # fmt: skip
    page = citizen_client.get(reverse("portal:request", args=[case.reference])).content.decode()
    assert "Votre acte est prêt." in page and "Bonjour" in page
    assert "NOTE-INTERNE" not in page and "NOTE-MARQUEE-VISIBLE" not in page


def test_incoming_html_is_sanitised_for_display(citizen_client, person):
    result = intake.receive(
        IncomingMessage(
            channel="email",
            sender="elodie.legall@example.fr",
            subject="HTML",
            body_text="texte",
            body_html='<p>Bonjour</p><script>alert(1)</script><img src="https://x.test/p.gif">',
            message_id="<html@x>",
        )
    )
    page = citizen_client.get(
        reverse("portal:request", args=[result.case.reference])
    ).content.decode()
    assert "<p>Bonjour</p>" in page
    assert "alert(1)" not in page and "x.test" not in page


def test_attachments_of_another_citizen_cannot_be_downloaded(citizen_client, person, other_person):
    result = intake.receive(
        IncomingMessage(channel="portal", subject="A", body_text="b", message_id="<a@x>"),
        person=other_person,
    )
    from parvis.cases.attachments import store_attachment

    attachment = store_attachment(result.message, "secret.pdf", PDF)
    mine = case_for(person)
    for reference in (mine.reference, result.case.reference):
        url = reverse("portal:attachment", args=[reference, attachment.pk])
        assert citizen_client.get(url).status_code == 404


def test_purge_forgets_expired_pending_requests(client, db):
    from datetime import timedelta

    from django.utils import timezone

    from parvis.portal.services import purge_pending_requests

    client.post(
        reverse("portal:request-new"),
        {"name": "J M", "email": "j@example.org", "subject": "s", "text": "t",
         "attachments": [pdf()]},
    )  # fmt: skip
    kept = PendingFile.objects.get()
    assert purge_pending_requests() == 0
    assert purge_pending_requests(now=timezone.now() + timedelta(days=4)) >= 1
    assert not PendingRequest.objects.exists()
    assert not kept.file.storage.exists(kept.file.name)
    assert len(mail.outbox) == 1
