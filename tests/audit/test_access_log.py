"""The access log: append-only down to the database, searchable by the DPO only."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from parvis.audit.models import AccessLog
from parvis.audit.services import log_access, search_access_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_clients(settings):
    """Each test client builds the middleware: WhiteNoise would index every static file."""
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def entry(person, agent):
    return log_access(
        user=agent, person=person, action="console.360", channel="console", reason="Dossier"
    )


# --- append-only ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_accesslog SET username = 'someone-else'",
        "UPDATE audit_accesslog SET at = at",
        "DELETE FROM audit_accesslog",
        "DELETE FROM audit_accesslog WHERE id = {pk}",
    ],
)
def test_the_database_refuses_to_rewrite_history(entry, statement):
    """Not even raw SQL from the application gets past the triggers (SQLite and PostgreSQL)."""
    assert connection.vendor in {"sqlite", "postgresql"}
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement.format(pk=entry.pk))
    kept = AccessLog.objects.get()
    assert (kept.username, kept.reason) == ("agent1", "Dossier")


def test_the_database_triggers_are_installed():
    if connection.vendor == "postgresql":
        sql = (
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_accesslog'::regclass "
            "AND NOT tgisinternal"
        )
    else:
        sql = (
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_accesslog'"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        assert cursor.fetchall()


def test_inserting_stays_possible(entry, person):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accesslog (at, username, person_id, person_label, action, "
            "channel, reason) VALUES (%s, 'job', %s, '', 'import', 'system', '')",
            [timezone.now(), person.pk],
        )
    assert AccessLog.objects.count() == 2


@pytest.mark.parametrize(
    "attempt",
    [
        lambda e: AccessLog.objects.filter(pk=e.pk).update(reason="x"),
        lambda e: AccessLog.objects.all().delete(),
        lambda e: AccessLog.objects.filter(pk=e.pk).delete(),
        lambda e: e.delete(),
        lambda e: (setattr(e, "reason", "x"), e.save()),
        lambda e: AccessLog.objects.bulk_update([e], ["reason"]),
        lambda e: AccessLog.objects.update_or_create(pk=e.pk, defaults={"reason": "x"}),
    ],
    ids=[
        "update",
        "delete-all",
        "delete-filtered",
        "delete-one",
        "save",
        "bulk-update",
        "update-or-create",
    ],  # fmt: skip
)
def test_the_orm_refuses_too(entry, attempt):
    with pytest.raises((PermissionError, DatabaseError)):
        with transaction.atomic():
            attempt(entry)
    assert AccessLog.objects.get().reason == "Dossier"


def test_the_admin_shows_the_log_but_cannot_change_it(client, dpo, administrator, entry):
    dpo.is_staff = True
    dpo.save()
    client.force_login(dpo)
    changelist = reverse("admin:audit_accesslog_changelist")
    assert client.get(changelist).status_code == 200
    change = reverse("admin:audit_accesslog_change", args=[entry.pk])
    assert client.post(change, {"reason": "rewritten"}).status_code == 403
    delete = reverse("admin:audit_accesslog_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert AccessLog.objects.get().reason == "Dossier"
    # The administrator manages agents, not the log of what they read.
    client.force_login(administrator)
    assert client.get(changelist).status_code == 403


# --- search by the DPO ------------------------------------------------------------------------


@pytest.fixture
def history(person, agent, supervisor):
    from parvis.people.services import create_person

    other = create_person(first_names="Karim", last_name="Benali")
    log_access(user=agent, person=person, action="console.360", channel="console")
    log_access(user=supervisor, person=person, action="api.facts", channel="api")
    log_access(user=agent, person=other, action="console.360", channel="console")
    log_access(user=agent, person=person, action="console.timeline", channel="console")
    return person


def test_the_dpo_searches_by_agent_and_person(client, dpo, history, person):
    client.force_login(dpo)
    url = reverse("audit:access-log")
    page = client.get(url, {"username": "AGENT1"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3
    page = client.get(url, {"username": "agent1", "person_id": person.pk})
    assert page.context["page"].paginator.count == 2
    assert "LE GALL" in page.content.decode()
    page = client.get(url, {"username": "super1"})
    assert [e.action for e in page.context["page"]] == ["api.facts"]


def test_the_dpo_searches_by_period(client, dpo, history):
    client.force_login(dpo)
    today = timezone.localdate()
    url = reverse("audit:access-log")
    assert client.get(url, {"since": today}).context["page"].paginator.count == 4
    yesterday = today - timedelta(days=1)
    assert client.get(url, {"until": yesterday}).context["page"].paginator.count == 0


@pytest.mark.parametrize(
    "params",
    [
        {"person_id": "abc"},
        {"person_id": "-3"},
        {"since": "31/02/2024"},
        {"until": "demain"},
        {"username": "x" * 500},
        {"username": "' OR 1=1 --"},
        {"page": "999999"},
        {"page": "abc"},
    ],
)
def test_bad_search_input_shows_the_form_without_error(client, dpo, history, params):
    client.force_login(dpo)
    response = client.get(reverse("audit:access-log"), params)
    assert response.status_code == 200


def test_search_service_filters(history, person):
    assert search_access_log(username=" Agent1 ").count() == 3
    assert search_access_log(person_id=person.pk, action="api.facts").count() == 1
    assert search_access_log(since=timezone.localdate() + timedelta(days=1)).count() == 0


@pytest.mark.parametrize("role", ["agent", "supervisor", "administrator", "nobody"])
def test_only_the_dpo_may_search(client, request, role, history):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("audit:access-log"), {"username": "agent1"})
    assert response.status_code == 403
    assert "agent1" not in response.content.decode()


def test_anonymous_is_sent_to_the_login(client, history):
    response = client.get(reverse("audit:access-log"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("console:login"))
