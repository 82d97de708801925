from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone

from parvis.cases import intake, services
from parvis.cases.models import Case, Message
from parvis.cases.sla import add_business_days
from parvis.channels.messages import IncomingMessage

pytestmark = pytest.mark.django_db(transaction=False)


def email(**kw):
    defaults = dict(
        channel="email",
        sender="elodie.legall@example.fr",
        sender_name="Élodie Le Gall",
        subject="Demande d'acte de naissance",
        body_text="Bonjour, je voudrais un acte.",
        message_id="<m1@example.fr>",
    )
    return IncomingMessage(**{**defaults, **kw})


def test_new_email_opens_a_case_for_the_known_sender(person):
    result = intake.receive(email())
    assert result.outcome == "created"
    assert result.case.person == person
    assert result.case.status == Case.Status.NEW
    assert person.interactions.filter(kind="message_in").exists()


def test_same_email_twice_is_a_duplicate(person):
    intake.receive(email())
    again = intake.receive(email())
    assert again.outcome == "duplicate"
    assert Message.objects.count() == 1


def test_reply_threads_by_headers_and_by_reference(person):
    first = intake.receive(email()).case
    by_header = intake.receive(
        email(message_id="<m2@x>", in_reply_to="<m1@example.fr>", subject="Re: acte")
    )
    by_reference = intake.receive(
        email(message_id="<m3@x>", subject=f"Toujours rien [#{first.reference}]")
    )
    assert by_header.outcome == by_reference.outcome == "threaded"
    assert by_header.case == by_reference.case == first


def test_a_message_on_a_closed_case_reopens_it(person):
    case = intake.receive(email()).case
    services.set_status(case, Case.Status.CLOSED, notify=False)
    intake.receive(email(message_id="<m4@x>", in_reply_to="<m1@example.fr>"))
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN


def test_auto_reply_opens_nothing(person):
    result = intake.receive(email(auto_submitted=True))
    assert result.outcome == "ignored"
    assert Case.objects.count() == 0


def test_unknown_sender_gets_a_proposal_not_a_person(db):
    result = intake.receive(email(sender="inconnu@example.org", sender_name="DUPONT Jeanne"))
    case = result.case
    assert case.person is None
    assert case.proposed_person == {
        "email": "inconnu@example.org",
        "last_name": "Dupont",
        "first_names": "Jeanne",
    }
    person = services.create_proposed_person(case)
    case.refresh_from_db()
    assert case.person == person and person.contact_points.get().normalized == "inconnu@example.org"


def test_shared_address_lists_candidates(person):
    from parvis.people.services import add_contact_point, create_person

    other = create_person(first_names="Yann", last_name="Le Gall")
    add_contact_point(other, "email", "elodie.legall@example.fr")
    case = intake.receive(email()).case
    assert case.person is None
    assert sorted(case.candidate_ids) == sorted([person.pk, other.pk])
    services.link_person(case, other)
    assert case.messages.get().person == other


def test_reply_by_email_has_threading_headers(person, agent, django_capture_on_commit_callbacks):
    case = intake.receive(email()).case
    with django_capture_on_commit_callbacks(execute=True):
        message = services.reply(case, author=agent, body="Voici votre acte.")
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.SENT
    sent = mail.outbox[-1]
    assert sent.to == ["elodie.legall@example.fr"]
    assert sent.extra_headers["In-Reply-To"] == "<m1@example.fr>"
    assert case.reference in sent.subject
    case.refresh_from_db()
    assert case.status == Case.Status.WAITING and case.first_response_at


def test_status_change_notifies_on_preferred_channel_with_consent(
    person, agent, django_capture_on_commit_callbacks
):
    from parvis.people.services import record_consent

    person.preferred_channel = "email"
    person.save()
    record_consent(person, purpose="case_updates", channel="email", granted=True, method="portal")
    case = intake.receive(email()).case
    with django_capture_on_commit_callbacks(execute=True):
        services.set_status(case, Case.Status.RESOLVED, actor=agent)
    assert "Résolu" in mail.outbox[-1].body or "Resolved" in mail.outbox[-1].body


def test_sla_skips_weekends_and_french_holidays():
    friday = timezone.make_aware(datetime(2026, 12, 24, 10, 0))  # Christmas Friday
    due = add_business_days(friday, 2)
    assert timezone.localtime(due).date().isoformat() == "2026-12-29"


def test_merge_moves_messages_and_keeps_a_pointer(person):
    a = intake.receive(email()).case
    b = intake.receive(email(message_id="<other@x>", subject="Autre demande")).case
    services.merge(b, a)
    assert a.messages.count() == 2
    later = intake.receive(email(message_id="<m9@x>", subject=f"Re [#{b.reference}]"))
    assert later.case == a
