"""Email in from a real IMAP server (a private Dovecot on loopback): every bad input of
issue 3 goes through APPEND, then `poll` as in production, then the intake."""

import socket
import threading

import pytest
from django.core import mail
from django.utils import timezone

from parvis.cases import attachments, services
from parvis.cases.email_in import poll_mailboxes, receive_email
from parvis.cases.models import Attachment, Case, Message
from parvis.channels import imap

from . import mail_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def handler(raw: bytes) -> str:
    return receive_email(raw).outcome


def poll(server, user, **kwargs) -> imap.PollReport:
    return imap.poll(imap.parse_mailbox_url(server.url(user)), handler, **kwargs)


def processed(flags: set[str]) -> bool:
    return {"\\Seen", imap.PROCESSED} <= flags


# --- the ordinary case ------------------------------------------------------------------------


def test_an_email_opens_a_case_keeps_the_raw_source_and_is_flagged(dovecot, imap_user, person):
    raw = samples.simple(
        attachments=[("justificatif.pdf", b"%PDF-1.4\n% facture\n", "application", "pdf")]
    )
    dovecot.append(imap_user, raw)

    report = poll(dovecot, imap_user)

    assert (report.outcomes["created"], report.error, report.failed) == (1, "", 0)
    message = Message.objects.get()
    assert message.case.person == person
    assert message.subject == "Demande d'acte de naissance"
    assert "acte de naissance pour mon fils" in message.body_text
    assert message.message_id == samples.message_id_of(raw)
    with message.raw.open("rb") as stored:
        assert stored.read() == raw  # the .eml exactly as the server gave it
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.status) == ("justificatif.pdf", "accepted")
    assert attachment.content_type == "application/pdf"
    assert all(processed(f) for f in dovecot.flags(imap_user).values())
    # Nothing new: the next poll fetches nothing.
    assert poll(dovecot, imap_user).handled == 0


def test_a_polled_message_is_dated_when_it_arrives_not_by_its_date_header(dovecot, imap_user):
    dovecot.append(imap_user, samples.simple(headers={"Date": "Fri, 1 Jan 1999 10:00:00 +0100"}))
    before = timezone.now()

    poll(dovecot, imap_user)

    case = Case.objects.get()  # a wrong or forged clock does not bury it in the inbox
    assert case.created_at >= before and case.messages.get().created_at >= before


def test_a_wrong_password_is_reported_not_raised(dovecot, imap_user):
    mailbox = imap.parse_mailbox_url(dovecot.url(imap_user).replace(":secret-imap@", ":bad@"))
    report = imap.poll(mailbox, handler)
    assert report.error and report.handled == 0


# --- bad input --------------------------------------------------------------------------------


def test_malformed_mime_is_taken_best_effort(dovecot, imap_user):
    dovecot.append(imap_user, samples.malformed_mime(), samples.broken_parts())

    report = poll(dovecot, imap_user)

    assert report.outcomes["created"] == 2 and not report.error
    no_boundary = Message.objects.get(message_id="<malformed-mime@example.fr>")
    assert "inscrire mon fils a la cantine" in no_boundary.body_text
    assert "\x00" not in no_boundary.body_text
    broken = Message.objects.get(message_id="<broken-parts@example.fr>")
    assert "Voici le justificatif." in broken.body_text
    assert broken.attachments.filter(filename="justificatif.pdf").exists()
    assert all(processed(f) for f in dovecot.flags(imap_user).values())


def test_what_is_not_an_email_is_rejected_flagged_and_left_in_the_mailbox(dovecot, imap_user):
    dovecot.append(imap_user, samples.not_an_email(), samples.simple())

    report = poll(dovecot, imap_user)

    assert (report.outcomes["rejected"], report.outcomes["created"]) == (1, 1)
    flags = dovecot.flags(imap_user)
    assert len(flags) == 2  # nothing deleted
    assert flags[1] >= {"\\Flagged", imap.REJECTED, imap.PROCESSED}
    assert imap.REJECTED not in flags[2]
    assert poll(dovecot, imap_user).handled == 0  # not tried again every minute


def test_a_message_above_the_size_limit_is_not_fetched_and_is_flagged(dovecot, imap_user):
    dovecot.append(imap_user, samples.simple(body="x" * 5000), samples.simple(body="court"))

    report = poll(dovecot, imap_user, max_message_bytes=4000)

    assert (report.outcomes["rejected"], report.outcomes["created"]) == (1, 1)
    assert Message.objects.get().body_text == "court"
    flags = dovecot.flags(imap_user)
    assert imap.REJECTED in flags[1] and imap.REJECTED not in flags[2]


def test_unknown_charsets_are_decoded_without_crashing(dovecot, imap_user):
    dovecot.append(imap_user, samples.unknown_charsets())

    poll(dovecot, imap_user)

    message = Message.objects.get()
    assert message.subject == "Problème de voirie rue des Épinettes"
    assert message.sender_name == "François Bérard"
    assert "nid-de-poule très profond devant le n° 12" in message.body_text
    assert message.case.proposed_person["last_name"] == "Bérard"


def test_latin1_headers_are_read(dovecot, imap_user, person):
    dovecot.append(imap_user, samples.latin1_headers())

    poll(dovecot, imap_user)

    message = Message.objects.get()
    assert message.subject == "Demande d'état civil pour ma fille Hélène"
    assert message.sender_name == "Élodie Le Gall"
    assert "Hélène est née à Mont-Bonvillers le 3 août" in message.body_text
    assert message.case.person == person


def test_a_50_mb_attachment_is_refused_with_its_reason_and_the_message_kept(
    dovecot, imap_user, person, settings
):
    raw = samples.with_big_attachment(50)
    dovecot.append(imap_user, raw)

    report = poll(dovecot, imap_user)

    assert report.outcomes["created"] == 1 and not report.error
    message = Message.objects.get()
    assert message.body_text.startswith("Voici les photos")
    refused = message.attachments.get(filename="photos.tar")
    assert refused.status == Attachment.Status.REFUSED
    # The attachment policy's own reason (in the site's language), shown to the sender.
    too_big = attachments.check("photos.tar", b"0" * (settings.PARVIS_MAX_ATTACHMENT_BYTES + 1))
    assert refused.refusal_reason == too_big and "20" in too_big
    assert not refused.file
    assert message.attachments.get(filename="attestation.pdf").status == "accepted"
    assert all(processed(f) for f in dovecot.flags(imap_user).values())


def test_a_zip_bomb_is_refused_with_its_reason(dovecot, imap_user, person):
    raw = samples.simple(
        subject="Mes factures",
        attachments=[("factures.zip", samples.zip_bomb(), "application", "zip")],
    )
    dovecot.append(imap_user, raw)

    poll(dovecot, imap_user)

    attachment = Attachment.objects.get()
    assert attachment.status == Attachment.Status.REFUSED
    assert attachment.refusal_reason == attachments.check("factures.zip", samples.zip_bomb())
    assert "100" in attachment.refusal_reason  # compressed more than 100 to 1
    assert Message.objects.get().case.person == person


def test_html_with_scripts_and_remote_images_is_sanitised(dovecot, imap_user):
    dovecot.append(imap_user, samples.hostile_html())

    poll(dovecot, imap_user)

    message = Message.objects.get()
    html = message.body_html
    for bad in ("<script", "document.cookie", "onload", "onclick", "javascript:", "<iframe"):
        assert bad not in html
    assert "tracker.example" not in html  # remote image: dropped (it would track the agent)
    assert 'src="cid:logo@example.fr"' in html  # inline image: kept
    assert "Merci d'avance." in html
    # The text fallback, from the HTML, without the script.
    assert message.body_text.startswith("Bonjour, voici mon dossier.")
    assert "evil" not in message.body_text


@pytest.mark.parametrize("kind", ["auto-submitted", "x-autoreply", "subject-only"])
def test_an_auto_reply_opens_no_case_and_is_not_answered(dovecot, imap_user, person, kind):
    dovecot.append(imap_user, samples.out_of_office(kind))

    report = poll(dovecot, imap_user)

    assert report.outcomes["ignored"] == 1
    assert not Case.objects.exists() and not Message.objects.exists()
    assert mail.outbox == []
    assert all(processed(f) for f in dovecot.flags(imap_user).values())


def test_an_auto_reply_to_our_answer_does_not_reopen_the_case(dovecot, imap_user, person, agent):
    dovecot.append(imap_user, samples.simple())
    poll(dovecot, imap_user)
    case = Case.objects.get()
    answer = services.reply(case, author=agent, body="Votre acte est prêt.")
    services.deliver(answer.pk)
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING

    dovecot.append(imap_user, samples.out_of_office("auto-submitted", answer.message_id))
    report = poll(dovecot, imap_user)

    assert report.outcomes["ignored"] == 1
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING
    assert case.messages.count() == 2
    assert len(mail.outbox) == 1  # our answer, and no answer to the out-of-office


def test_the_same_email_fetched_twice_is_stored_once(dovecot, imap_user, person):
    raw = samples.simple()
    dovecot.append(imap_user, raw, raw)  # delivered twice (two UIDs, same Message-ID)
    first = poll(dovecot, imap_user)
    # Someone clears the flags: everything is fetched again.
    connection = dovecot.client(imap_user)
    connection.select("INBOX")
    connection.uid("STORE", "1:*", "-FLAGS.SILENT", f"(\\Seen {imap.PROCESSED})")
    connection.logout()
    second = poll(dovecot, imap_user)

    assert (first.outcomes["created"], first.outcomes["duplicate"]) == (1, 1)
    assert second.outcomes["duplicate"] == 2
    assert Message.objects.count() == 1 and Case.objects.count() == 1
    assert all(processed(f) for f in dovecot.flags(imap_user).values())


# --- the server drops the connection ----------------------------------------------------------


class CuttingProxy:
    """A TCP relay to the IMAP server that drops both sides once it has relayed `limit`
    bytes from the server: the connection dies in the middle of a FETCH answer."""

    def __init__(self, port: int, limit: int):
        self.target = port
        self.limit = limit
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        client, _address = self.listener.accept()
        server = socket.create_connection(("127.0.0.1", self.target))
        threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
        self._pipe(server, client, self.limit)

    def _pipe(self, source, target, limit):
        sent = 0
        try:
            while chunk := source.recv(4096):
                if limit is not None and sent + len(chunk) > limit:
                    target.sendall(chunk[: limit - sent])
                    break
                target.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        if limit is not None:
            self.cut.set()
            for s in (source, target):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


def padded(index: int) -> bytes:
    # ~100 kB each, so that where the cut falls does not depend on the protocol's chatter.
    return samples.simple(
        subject=f"Demande {index}",
        message_id=f"<drop-{index}@example.fr>",
        body=f"Demande numéro {index}.\n" + ("Lorem ipsum dolor sit amet. " * 3600),
    )


@pytest.mark.django_db(transaction=True)
def test_connection_cut_in_the_middle_of_a_fetch_loses_and_doubles_nothing(dovecot, imap_user):
    dovecot.append(imap_user, *[padded(i) for i in range(1, 7)])
    size = len(padded(1))
    # The first batch (2 messages) gets through; the cut falls inside the second FETCH.
    proxy = CuttingProxy(dovecot.port, limit=int(2.5 * size))
    mailbox = imap.parse_mailbox_url(
        dovecot.url(imap_user).replace(str(dovecot.port), str(proxy.port))
    )

    report = imap.poll(mailbox, handler, batch_count=2)

    assert proxy.cut.is_set() and report.error
    assert report.outcomes["created"] == 2
    assert Message.objects.count() == 2
    flags = dovecot.flags(imap_user)
    assert [uid for uid, f in sorted(flags.items()) if processed(f)] == [1, 2]
    assert not any("\\Seen" in f for uid, f in flags.items() if uid > 2)  # BODY.PEEK[]

    again = poll(dovecot, imap_user, batch_count=2)

    assert (again.outcomes["created"], again.outcomes["duplicate"], again.error) == (4, 0, "")
    assert sorted(Message.objects.values_list("subject", flat=True)) == [
        f"Demande {i}" for i in range(1, 7)
    ]
    assert all(processed(f) for f in dovecot.flags(imap_user).values())


@pytest.mark.django_db(transaction=True)
def test_server_killed_after_commit_before_flagging_loses_and_doubles_nothing(
    private_dovecot, imap_user
):
    server = private_dovecot
    server.append(imap_user, *[padded(i) for i in range(1, 7)])
    handled = []

    def handler_that_kills_the_server(raw):
        outcome = handler(raw)
        handled.append(outcome)
        if len(handled) == 3:  # first message of the second batch committed
            server.kill()
        return outcome

    report = imap.poll(
        imap.parse_mailbox_url(server.url(imap_user)),
        handler_that_kills_the_server,
        batch_count=2,
        timeout=10,
    )

    assert report.error
    # The whole second batch was already fetched: both committed, neither flagged.
    assert handled == ["created"] * 4 and Message.objects.count() == 4

    server.start()
    flags = server.flags(imap_user)
    assert [uid for uid, f in sorted(flags.items()) if processed(f)] == [1, 2]
    again = poll(server, imap_user, batch_count=2)

    assert (again.outcomes["duplicate"], again.outcomes["created"]) == (2, 2)
    assert Message.objects.count() == 6 and Case.objects.count() == 6
    assert all(processed(f) for f in server.flags(imap_user).values())


# --- configuration and the periodic task ------------------------------------------------------


def test_mailbox_urls():
    box = imap.parse_mailbox_url("imaps://etat.civil%40mairie.fr:p%40ss%2Cw@imap.mairie.fr/INBOX")
    assert (box.host, box.port, box.user, box.password, box.security) == (
        "imap.mairie.fr", 993, "etat.civil@mairie.fr", "p@ss,w", "tls",
    )  # fmt: skip
    box = imap.parse_mailbox_url("imap+starttls://u:p@h/Demandes%20citoyens?service=voirie")
    assert (box.port, box.security, box.folder, box.service) == (
        143, "starttls", "Demandes citoyens", "voirie",
    )  # fmt: skip
    assert "secret" not in repr(imap.parse_mailbox_url("imap://u:secret@h/INBOX"))
    for bad in ("pop3://u:p@h/", "imaps://h/INBOX", "imaps://u:p@h:99999/"):
        with pytest.raises(ValueError):
            imap.parse_mailbox_url(bad)


def test_the_periodic_task_polls_every_configured_mailbox(dovecot, settings):
    from parvis.cases.models import Service
    from parvis.cases.tasks import poll_mailboxes as task

    voirie = Service.objects.create(name="Voirie", slug="voirie")
    users = ["mairie-task-a", "mairie-task-b"]
    dovecot.append(users[0], samples.simple(subject="Lampadaire"))
    dovecot.append(users[1], samples.simple(subject="Nid-de-poule"))
    settings.PARVIS_IMAP_MAILBOXES = [
        dovecot.url(users[0]),
        dovecot.url(users[1]) + "?service=voirie",
        "pop3://not-a-mailbox",  # logged, and does not stop the others
    ]
    settings.PARVIS_MAILDIRS = []

    result = task.delay().get()

    assert sum(r["created"] for r in result.values()) == 2
    assert Case.objects.get(subject="Nid-de-poule").service == voirie
    assert Case.objects.get(subject="Lampadaire").service is None
    assert [r.handled for r in poll_mailboxes()] == [0, 0]


def test_fetch_answers_are_read_whatever_the_order_of_their_items():
    # Dovecot sends UID first; other servers send it after the message.
    data = [
        (b"1 (UID 7 BODY[] {5}", b"hello"),
        b")",
        (b"2 (BODY[] {5}", b"world"),
        b" UID 9)",
        b"3 (FLAGS (\\Seen))",  # an unsolicited update in the middle
    ]
    assert imap._fetched(data) == [(7, b"hello"), (9, b"world")]
    assert imap._uid_set([5, 1, 2, 3, 9, 10, 12]) == "1:3,5,9:10,12"
