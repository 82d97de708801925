"""The demo requests seeded with the synthetic town."""

from datetime import date

import pytest

from parvis.cases.models import Case, Message, ReplyTemplate
from parvis.demo.cases import assign_demo_cases, seed_cases
from parvis.demo.services import create_demo_accounts, seed_town

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 24)


@pytest.fixture
def town():
    return seed_town(400, seed=5, today=TODAY)


def shape(cases):
    return [
        (c.channel, c.status, c.subject, c.person_id, c.service_id, c.priority, c.due_at)
        for c in cases
    ]


def test_seeded_cases_cover_every_channel_and_status_in_bulk(town, django_assert_max_num_queries):
    before = Case.objects.count()
    assert before == 20  # seed_town adds a few for a small town
    with django_assert_max_num_queries(60):
        assert seed_cases(300, seed=9, today=TODAY) == 300
    cases = Case.objects.all()
    assert {c.channel for c in cases} >= {"email", "portal", "chat", "sms", "phone", "counter"}
    assert {c.status for c in cases} == set(Case.Status.values)
    assert cases.filter(person__isnull=True).exclude(proposed_person={}).exists()
    assert cases.filter(person__isnull=False).count() > 250
    assert Message.objects.filter(direction="out").count() > 100
    assert Message.objects.filter(direction="note").exists()
    assert Message.objects.filter(attachments__status="refused").exists()
    assert ReplyTemplate.objects.count() >= 4
    email = cases.filter(channel="email", status="resolved", person__isnull=False).first()
    thread = list(email.messages.order_by("created_at"))
    assert thread[0].direction == "in" and "out" in {m.direction for m in thread}
    assert email.person.interactions.filter(kind="message_in").exists()
    # References follow the year's sequence: a case opened afterwards does not collide.
    from parvis.cases.references import next_reference

    assert not Case.objects.filter(reference=next_reference()).exists()


def test_seeded_cases_are_deterministic(town):
    seed_cases(50, seed=3, today=TODAY)
    first = shape(Case.objects.order_by("pk")[20:])
    Case.objects.filter(pk__in=[c.pk for c in Case.objects.order_by("pk")[20:]]).delete()
    seed_cases(50, seed=3, today=TODAY)
    assert shape(Case.objects.order_by("pk")[20:]) == first


def test_demo_agent_gets_some_open_cases(town):
    create_demo_accounts()
    from django.contrib.auth import get_user_model

    agent = get_user_model().objects.get(username="agent")
    mine = Case.objects.filter(assignee=agent, status__in=Case.OPEN_STATUSES).count()
    assert mine > 0
    assign_demo_cases()  # again: only the ones left unassigned can move
    assert Case.objects.filter(assignee=agent).count() >= mine
