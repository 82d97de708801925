"""`parvis ingest-eml DIR`: a folder of .eml files through the same path as IMAP, and the
parser's behaviour on its own."""

import email
import io
from datetime import datetime
from email import policy

import pytest
from django.core.management import CommandError, call_command

from parvis.cases.models import Case, Message
from parvis.channels.email_parse import MalformedEmail, html_to_text, parse_email

from . import mail_samples as samples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def run(*args) -> list[str]:
    out = io.StringIO()
    call_command("ingest-eml", *args, stdout=out)
    return out.getvalue().splitlines()


def key_values(line: str) -> dict[str, int]:
    return {k: int(v) for k, v in (item.split("=") for item in line.split())}


def test_a_folder_is_counted_by_outcome(tmp_path, person):
    folder = tmp_path / "export"
    (folder / "2025").mkdir(parents=True)
    first = samples.simple(
        message_id="<first@example.fr>", headers={"Date": "Mon, 1 Dec 2025 09:00:00 +0100"}
    )
    answer = samples.simple(
        subject="Re: Demande d'acte de naissance",
        message_id="<second@example.fr>",
        headers={"In-Reply-To": "<first@example.fr>", "Date": "Tue, 2 Dec 2025 09:00:00 +0100"},
    )
    # The answer sorts first by name: files are taken by date, so it still threads.
    (folder / "a-answer.eml").write_bytes(answer)
    (folder / "2025" / "b-first.eml").write_bytes(first)
    (folder / "c-copy.EML").write_bytes(first)
    (folder / "d-absence.eml").write_bytes(samples.out_of_office("auto-submitted"))
    (folder / "e-latin1.eml").write_bytes(samples.latin1_headers())
    (folder / "f-broken.eml").write_bytes(samples.not_an_email())
    (folder / "g-empty.eml").write_bytes(b"")
    (folder / "notes.txt").write_text("not an email, and not a .eml: not read")

    lines = run(str(folder))

    assert key_values(lines[-1]) == {
        "files": 7, "ingested": 3, "new_cases": 2, "threaded": 1, "ignored": 2,
        "auto_replies": 1, "duplicates": 1, "rejected": 2,
    }  # fmt: skip
    assert any("f-broken.eml: not an email message" in line for line in lines)
    assert any("g-empty.eml: the file is empty" in line for line in lines)
    assert Case.objects.count() == 2
    first_case = Message.objects.get(message_id="<first@example.fr>").case
    assert first_case.messages.count() == 2
    assert first_case.created_at == datetime.fromisoformat("2025-12-01T09:00:00+01:00")

    again = key_values(run(str(folder))[-1])
    assert (again["ingested"], again["duplicates"], again["auto_replies"]) == (0, 4, 1)
    assert Message.objects.count() == 3


def test_a_missing_folder_or_service_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("ingest-eml", str(tmp_path / "nope"))
    with pytest.raises(CommandError, match="no service"):
        call_command("ingest-eml", str(tmp_path), "--service", "nope")


def test_cases_go_to_the_service_asked(tmp_path):
    from parvis.cases.models import Service

    service = Service.objects.create(name="État civil", slug="etat-civil")
    (tmp_path / "one.eml").write_bytes(samples.simple())
    run(str(tmp_path), "--service", "etat-civil")
    assert Case.objects.get().service == service


# --- the parser on its own --------------------------------------------------------------------


def test_parser_rejects_only_what_cannot_be_an_email():
    for raw, reason in [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"just some text\r\nover two lines\r\n", "not an email message"),
        (samples.not_an_email(), "not an email message"),
    ]:
        with pytest.raises(MalformedEmail, match=reason):
            parse_email(raw)
    assert parse_email(b"Subject: only a subject\r\n\r\n").subject == "only a subject"


def test_parser_refuses_a_message_beyond_the_size_limit(settings):
    settings.PARVIS_EMAIL_MAX_BYTES = 1000
    with pytest.raises(MalformedEmail, match="larger than"):
        parse_email(samples.simple(body="x" * 2000))


def test_parser_keeps_an_attached_email_whole_and_names_unnamed_parts():
    from email.message import EmailMessage

    outer = EmailMessage()
    outer["From"] = samples.ELODIE
    outer["Subject"] = "TR: transfert"
    outer.set_content("Je vous transfère ce message.")
    inner = email.message_from_bytes(
        samples.simple(subject="Message transféré", body="Le texte transféré."),
        policy=policy.default,
    )
    outer.add_attachment(inner)
    outer.add_attachment(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, maintype="image", subtype="png")
    parsed = parse_email(outer.as_bytes())
    # The attached email is one attachment; its text is not taken for the message's.
    assert parsed.body_text == "Je vous transfère ce message."
    names = [a.filename for a in parsed.attachments]
    assert names == ["piece-jointe-2.eml", "piece-jointe-3.png"]
    assert b"Le texte transf" in parsed.attachments[0].content


def test_html_to_text_keeps_paragraphs_and_drops_scripts():
    text = html_to_text(
        "<p>Bonjour&nbsp;madame,</p><script>x()</script><ul><li>un</li><li>deux</li></ul>"
        "<style>p{}</style><p>Cordialement</p>"
    )
    assert text == "Bonjour madame,\n\n- un\n- deux\n\nCordialement"


def test_a_message_from_our_own_address_is_automatic(settings):
    raw = samples.simple(sender=settings.DEFAULT_FROM_EMAIL)
    assert parse_email(raw).auto_submitted
    assert not parse_email(samples.simple()).auto_submitted
