"""Email out and back: an agent's answer leaves through a real SMTP server (aiosmtpd on
loopback) with Message-ID, In-Reply-To and References, from the service address; the
citizen's answer to it, delivered to the IMAP mailbox, threads back into the same case."""

import email
import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail

from parvis.cases import services
from parvis.cases.email_in import poll_mailboxes, receive_email
from parvis.cases.models import Case, Message
from parvis.channels import demo_smtp, imap

from . import mail_samples as samples
from .dovecot_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def smtp_server(settings, tmp_path):
    """The demo's SMTP server on a free loopback port; Django sends through it."""
    port = free_port()
    controller = demo_smtp.start(tmp_path / "mail", "127.0.0.1", port)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield tmp_path / "mail"
    controller.stop()


def test_an_answer_carries_the_threading_headers_and_the_reply_threads_back(
    smtp_server, dovecot, imap_user, person, agent, settings
):
    first = samples.simple()
    dovecot.append(imap_user, first)
    imap.poll(imap.parse_mailbox_url(dovecot.url(imap_user)), lambda r: receive_email(r).outcome)
    case = Case.objects.get()

    answer = services.reply(case, author=agent, body="Bonjour, votre acte est prêt.")
    assert services.deliver(answer.pk) == "sent"

    sent_files = list((smtp_server / "outbox").glob("*.eml"))
    assert len(sent_files) == 1
    sent = email.message_from_bytes(sent_files[0].read_bytes(), policy=policy.default)
    assert sent["From"] == settings.DEFAULT_FROM_EMAIL
    assert sent["To"] == samples.ELODIE
    assert sent["Message-ID"] == answer.message_id
    assert sent["In-Reply-To"] == samples.message_id_of(first)
    assert samples.message_id_of(first) in sent["References"]
    assert f"[#{case.reference}]" in sent["Subject"]
    assert "Auto-Submitted" not in sent  # written by a person
    assert "votre acte est prêt" in sent.get_content()

    # The citizen answers from a mail client that drops the [#reference] from the subject:
    # only the headers lead back to the case.
    reply = EmailMessage()
    reply["From"] = f"Élodie Le Gall <{samples.ELODIE}>"
    reply["To"] = sent["From"]
    reply["Subject"] = "RE: merci"
    reply["Message-ID"] = make_msgid(domain="example.fr")
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = f"{sent['References']} {sent['Message-ID']}"
    reply.set_content("Merci, je passerai le chercher.")
    dovecot.append(imap_user, reply.as_bytes())

    report = imap.poll(
        imap.parse_mailbox_url(dovecot.url(imap_user)), lambda r: receive_email(r).outcome
    )

    assert report.outcomes["threaded"] == 1
    assert Case.objects.count() == 1
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN  # was waiting for the citizen
    assert list(case.messages.values_list("direction", flat=True)) == ["in", "out", "in"]


def test_mail_to_the_demo_mailbox_lands_in_the_maildir_and_becomes_a_case(
    smtp_server, settings, person
):
    settings.PARVIS_MAILDIRS = [str(smtp_server)]
    settings.PARVIS_IMAP_MAILBOXES = []
    raw = samples.simple(subject="Ramassage des encombrants")
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT) as client:
        client.sendmail(samples.ELODIE, [samples.SERVICE_ADDRESS], raw)
    assert len(list((smtp_server / "new").iterdir())) == 1
    assert not (smtp_server / "outbox").exists() or not any((smtp_server / "outbox").iterdir())

    reports = poll_mailboxes()

    assert reports[0].outcomes["created"] == 1
    case = Case.objects.get()
    assert (case.subject, case.person) == ("Ramassage des encombrants", person)
    assert not any((smtp_server / "new").iterdir())
    assert [p.name.endswith(":2,S") for p in (smtp_server / "cur").iterdir()] == [True]
    assert poll_mailboxes()[0].handled == 0


def test_a_bounce_from_the_demo_server_is_ignored(smtp_server, settings):
    settings.PARVIS_MAILDIRS = [str(smtp_server)]
    settings.PARVIS_IMAP_MAILBOXES = []
    raw = samples.simple(subject="Undelivered Mail Returned to Sender", sender="x@example.org")
    with smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT) as client:
        client.sendmail("", [samples.SERVICE_ADDRESS], raw)  # null sender: a bounce

    assert poll_mailboxes()[0].outcomes["ignored"] == 1
    assert not Message.objects.exists() and mail.outbox == []


def test_a_rejected_file_in_the_maildir_is_flagged_not_lost(smtp_server, settings):
    settings.PARVIS_MAILDIRS = [str(smtp_server)]
    settings.PARVIS_IMAP_MAILBOXES = []
    (smtp_server / "new" / "123.garbage").write_bytes(samples.not_an_email())

    assert poll_mailboxes()[0].outcomes["rejected"] == 1
    assert [p.name for p in (smtp_server / "cur").iterdir()] == ["123.garbage:2,FS"]
