"""The people API, role by role and route by route.

The routes are read from the API itself: a route added without its line in EXPECTED fails
`test_every_route_has_its_expectations` until someone says who may call it."""

import json
import re

import pytest
from django.test import Client

from parvis.api.models import ApiToken
from parvis.api.router import api
from parvis.audit.models import AccessLog
from parvis.console import roles
from parvis.people.models import ContactPoint, Fact, Person

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "agent", "supervisor", "administrator", "dpo", "token"]
AGENTS = {"agent", "supervisor", "administrator", "token"}  # the token acts for an agent
READERS = AGENTS | {"dpo"}

PEOPLE = "/api/people"
PERSON = "/api/people/{person_id}"
# (method, path) → (roles allowed, status on success, JSON body for writes)
EXPECTED = {
    ("GET", PEOPLE): (READERS, 200, None),
    ("POST", PEOPLE): (AGENTS, 201, {"first_names": "Jean", "last_name": "Dupont"}),
    ("GET", PERSON): (READERS, 200, None),
    ("POST", PERSON + "/contact-points"): (
        AGENTS,
        201,
        {"kind": "email", "value": "autre@example.org"},
    ),
    ("GET", PERSON + "/facts"): (READERS, 200, None),
    ("POST", PERSON + "/facts"): (
        {"supervisor", "administrator"},
        201,
        {"key": "monthly_rent", "value": "450,00", "source": "caf", "legal_basis": "CCH"},
    ),
    ("GET", PERSON + "/consents"): (READERS, 200, None),
    ("POST", PERSON + "/consents"): (
        AGENTS,
        201,
        {"purpose": "town_news", "channel": "email", "granted": True, "method": "counter"},
    ),
    ("GET", PERSON + "/timeline"): (READERS, 200, None),
}
PERSON_ROUTES = [route for route in EXPECTED if "{person_id}" in route[1]]
READS = [route for route in PERSON_ROUTES if route[0] == "GET"]
SENSITIVE_KEY = "family_quotient"  # the `person` fixture's CAF fact, category "social"


def served_routes() -> set[tuple[str, str]]:
    """Every (method, path) the API answers, from its OpenAPI description, checked against
    its URLconf so that a route left out of the description is not forgotten either."""
    schema_paths = api.get_openapi_schema()["paths"]
    patterns, _app, _namespace = api.urls
    served = {
        "/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern))
        for p in patterns
        if p.name not in {"openapi-json", "openapi-view", "api-root"}
    }
    assert served == set(schema_paths), "a route is missing from the OpenAPI description"
    return {
        (method.upper(), path) for path, operations in schema_paths.items() for method in operations
    }


@pytest.fixture
def api_client(request, make_user):
    """A client acting as `role`: a session for people, a bearer token for the machine."""

    def for_role(role: str) -> Client:
        if role == "anonymous":
            return Client()
        if role == "token":
            robot = make_user("robot", roles.AGENT)
            _token, key = ApiToken.issue(robot, "import job")
            return Client(headers={"Authorization": f"Bearer {key}"})
        client = Client()
        client.force_login(request.getfixturevalue(role))
        return client

    return for_role


def call(client: Client, method: str, path: str, person_id: int, body=None):
    url = path.format(person_id=person_id)
    if method == "GET":
        return client.get(url)
    return client.post(url, json.dumps(body), content_type="application/json")


def test_every_route_has_its_expectations():
    assert served_routes() == set(EXPECTED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", list(EXPECTED), ids=lambda r: f"{r[0]} {r[1]}")
def test_each_role_against_each_route(api_client, person, role, route):
    allowed, success, body = EXPECTED[route]
    response = call(api_client(role), *route, person.pk, body)
    if role == "anonymous":
        assert response.status_code == 401, response.content
        assert response.json() == {"detail": "Authentication required."}
        assert response["WWW-Authenticate"].startswith("Bearer")
    elif role in allowed:
        assert response.status_code == success, response.content
    else:
        assert response.status_code == 403, response.content
        assert "permission" in response.json()["detail"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", PERSON_ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_unknown_person_is_404_only_for_who_may_know(api_client, person, role, route):
    """Without the right, a missing person is 403 like an existing one: no probing of ids."""
    allowed, _success, body = EXPECTED[route]
    response = call(api_client(role), *route, person.pk + 1000, body)
    expected = 401 if role == "anonymous" else 404 if role in allowed else 403
    assert response.status_code == expected, response.content
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "token", "dpo"])
@pytest.mark.parametrize("route", READS, ids=lambda r: f"{r[0]} {r[1]}")
def test_every_read_of_a_person_is_logged(api_client, person, role, route):
    client = api_client(role)
    response = client.get(
        route[1].format(person_id=person.pk), headers={"X-Parvis-Reason": "Demande CAF 42"}
    )
    assert response.status_code == 200
    entry = AccessLog.objects.get()
    assert entry.person_id == person.pk
    assert entry.channel == AccessLog.Channel.API
    assert entry.username == ("robot" if role == "token" else f"{role}1")
    assert entry.reason == "Demande CAF 42"
    assert entry.action.startswith("api.")


@pytest.mark.parametrize("route", [r for r in PERSON_ROUTES if r[0] == "POST"])
def test_writes_to_a_person_are_logged_too(api_client, person, route):
    """A write answers with the person's data: it is a read as well."""
    _allowed, success, body = EXPECTED[route]
    assert call(api_client("administrator"), *route, person.pk, body).status_code == success
    assert AccessLog.objects.filter(person_id=person.pk, channel="api").count() == 1


def test_a_refused_read_leaves_no_log_and_no_data(api_client, person):
    response = api_client("nobody").get(f"/api/people/{person.pk}")
    assert response.status_code == 403
    assert "Le Gall" not in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_a_list_logs_each_person_it_shows(api_client, person):
    other = Person.objects.create(first_names="Karim", last_name="Benali")
    response = api_client("agent").get("/api/people")
    assert {p["id"] for p in response.json()["results"]} == {person.pk, other.pk}
    logged = AccessLog.objects.filter(action="api.list").values_list("person_id", flat=True)
    assert sorted(logged) == sorted([person.pk, other.pk])


# --- sensitive facts -------------------------------------------------------------------------


def test_an_agent_gets_no_sensitive_fact(api_client, person):
    client = api_client("agent")
    facts = client.get(f"/api/people/{person.pk}/facts").json()
    assert [f["key"] for f in facts] == ["passport_expires_on"]
    assert not any(f["sensitive"] for f in facts)
    # Nor does the timeline tell what was received about them.
    timeline = client.get(f"/api/people/{person.pk}/timeline").content.decode()
    assert "Quotient familial" not in timeline and "612" not in timeline
    assert "Expiration du passeport" in timeline
    assert SENSITIVE_KEY not in client.get(f"/api/people/{person.pk}").content.decode()


@pytest.mark.parametrize("role", ["supervisor", "administrator", "dpo"])
def test_who_has_the_right_gets_sensitive_facts_with_their_source(api_client, person, role):
    facts = {f["key"]: f for f in api_client(role).get(f"/api/people/{person.pk}/facts").json()}
    assert set(facts) == {"passport_expires_on", SENSITIVE_KEY}
    sensitive = facts[SENSITIVE_KEY]
    assert sensitive["sensitive"] is True and sensitive["category"] == "social"
    assert sensitive["source"] == "caf" and sensitive["legal_basis"] == "CSS art. L. 114-12-1"
    assert float(sensitive["value"]) == 612.5
    timeline = api_client(role).get(f"/api/people/{person.pk}/timeline").content.decode()
    assert "Quotient familial" in timeline


# --- tokens and sessions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Bearer pv_not-a-real-key", "Bearer ", "Basic YWdlbnQ6cHc=", "pv_naked-key"]
)
def test_a_bad_token_is_401(person, header):
    response = Client(headers={"Authorization": header}).get(f"/api/people/{person.pk}")
    assert response.status_code == 401
    assert AccessLog.objects.count() == 0


def test_a_revoked_token_or_a_deactivated_user_is_401(person, agent):
    token, key = ApiToken.issue(agent, "job")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get(f"/api/people/{person.pk}").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    agent.is_active = False
    agent.save()
    assert client.get(f"/api/people/{person.pk}").status_code == 401
    agent.is_active = True
    agent.save()
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get(f"/api/people/{person.pk}").status_code == 401


def test_a_token_has_the_rights_of_its_user_and_no_more(person, nobody):
    _token, key = ApiToken.issue(nobody, "job")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get(f"/api/people/{person.pk}").status_code == 403


def test_a_session_write_needs_the_csrf_token_a_bearer_write_does_not(person, agent):
    """A browser session is open to cross-site forgery; a bearer token is not."""
    session = Client(enforce_csrf_checks=True)
    session.force_login(agent)
    body = json.dumps({"first_names": "Jean", "last_name": "Dupont"})
    refused = session.post("/api/people", body, content_type="application/json")
    assert refused.status_code == 403
    assert not Person.objects.filter(last_name="Dupont").exists()

    session.get("/people/")  # any console page: its logout form sets the CSRF cookie
    csrf = session.cookies["csrftoken"].value
    accepted = session.post(
        "/api/people", body, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201

    _token, key = ApiToken.issue(agent, "job")
    machine = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {key}"})
    assert machine.post("/api/people", body, content_type="application/json").status_code == 201


# --- pagination ------------------------------------------------------------------------------


@pytest.fixture
def crowd(db):
    from parvis.people import services

    Person.objects.bulk_create(
        [Person(first_names=f"Prénom{i:03}", last_name="Foule") for i in range(130)]
    )
    services.index_person_names(Person.objects.filter(last_name="Foule"))


def test_the_page_size_is_capped(api_client, crowd, settings):
    client = api_client("agent")
    body = client.get("/api/people?page_size=1000").json()
    assert body["page_size"] == settings.PARVIS_API_MAX_PAGE_SIZE == 100
    assert len(body["results"]) == 100 and body["count"] == 130 and body["has_next"]
    second = client.get("/api/people?page_size=1000&page=2").json()
    assert len(second["results"]) == 30 and not second["has_next"]
    assert not {p["id"] for p in body["results"]} & {p["id"] for p in second["results"]}
    assert client.get("/api/people?page=50").json()["results"] == []
    assert AccessLog.objects.count() == 130  # each person shown once, on one page


def test_the_timeline_page_size_is_capped(api_client, person):
    from parvis.people import services

    for i in range(105):
        services.record_interaction(person, kind="note", summary=f"Note {i}")
    client = api_client("agent")
    body = client.get(f"/api/people/{person.pk}/timeline?page_size=500").json()
    assert body["page_size"] == 100 and len(body["results"]) == 100 and body["has_next"]
    rest = client.get(f"/api/people/{person.pk}/timeline?page_size=500&page=2").json()
    assert len(rest["results"]) == body["count"] - 100 and not rest["has_next"]


def test_a_search_pages_through_its_matches(api_client, crowd):
    client = api_client("agent")
    first = client.get("/api/people?q=foule&page_size=50").json()
    assert len(first["results"]) == 50 and first["has_next"]
    last = client.get("/api/people?q=foule&page_size=50&page=3").json()
    assert len(last["results"]) == 30 and not last["has_next"]
    ids = {p["id"] for p in first["results"]} | {p["id"] for p in last["results"]}
    assert len(ids) == 80


def test_a_search_stops_at_ten_pages_of_the_largest_size(api_client, crowd, settings):
    settings.PARVIS_API_MAX_PAGE_SIZE = 5  # so that 130 people are more than the cap of 50
    client = api_client("agent")
    assert client.get("/api/people?q=foule&page_size=5&page=9").json()["has_next"]
    tenth = client.get("/api/people?q=foule&page_size=5&page=10").json()
    assert len(tenth["results"]) == 5 and not tenth["has_next"]
    assert client.get("/api/people?q=foule&page_size=5&page=11").json()["results"] == []


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=abc", "page"),
        ("page=100000000000000000000", "page"),
        ("page=100001", "page"),
        ("page_size=0", "page_size"),
        ("page_size=1.5", "page_size"),
    ],
)
def test_bad_paging_is_400_naming_the_parameter(api_client, person, query, field):
    for path in ("/api/people", f"/api/people/{person.pk}/timeline"):
        response = api_client("agent").get(f"{path}?{query}")
        assert response.status_code == 400, response.content
        assert field in {e["field"] for e in response.json()["errors"]}


# --- malformed payloads ----------------------------------------------------------------------

IDENTITY = {"first_names": "Jean", "last_name": "Dupont"}


@pytest.mark.parametrize(
    "route, body, field",
    [
        (PEOPLE, {**IDENTITY, "birth_date": "31/02/1980"}, "birth_date"),
        (PEOPLE, {**IDENTITY, "birth_date": "1980-02-31"}, "birth_date"),
        (PEOPLE, {**IDENTITY, "birth_date": "2999-01-01"}, "birth_date"),
        (PEOPLE, {**IDENTITY, "birth_date": "1850-01-01"}, "birth_date"),
        (PEOPLE, {**IDENTITY, "nir": "1 23 45"}, "nir"),
        (PEOPLE, {**IDENTITY, "nir": "2 84 03 54 084 123 74"}, "nir"),  # bad key
        (PEOPLE, {**IDENTITY, "sex": "Q"}, "sex"),
        (PEOPLE, {**IDENTITY, "preferred_channel": "pigeon"}, "preferred_channel"),
        (PEOPLE, {**IDENTITY, "first_names": "  "}, "first_names"),
        (PEOPLE, {**IDENTITY, "last_name": "x" * 151}, "last_name"),
        (PEOPLE, {"last_name": "Dupont"}, "first_names"),
        (PEOPLE, {**IDENTITY, "first_names": ["Jean"]}, "first_names"),
        (PERSON + "/contact-points", {"kind": "email", "value": "pas-un-email"}, "value"),
        (PERSON + "/contact-points", {"kind": "email", "value": "a@b"}, "value"),
        (PERSON + "/contact-points", {"kind": "mobile", "value": "06 12"}, "value"),
        (PERSON + "/contact-points", {"kind": "mobile", "value": "😀"}, "value"),
        (PERSON + "/contact-points", {"kind": "fax", "value": "0612345678"}, "kind"),
        (PERSON + "/contact-points", {"kind": "postal", "value": "   "}, "value"),
        (
            PERSON + "/facts",
            {"key": "monthly_rent", "value": "beaucoup", "source": "caf", "legal_basis": "CCH"},
            "value",
        ),  # fmt: skip
        (
            PERSON + "/facts",
            {
                "key": "passport_expires_on",
                "value": "2030-02-31",
                "source": "ants",
                "legal_basis": "CSI",
            },
            "value",
        ),  # fmt: skip
        (
            PERSON + "/facts",
            {"key": "no_such_key", "value": "1", "source": "caf", "legal_basis": "CCH"},
            "key",
        ),  # fmt: skip
        (
            PERSON + "/facts",
            {"key": "monthly_rent", "value": "1", "source": "nsa", "legal_basis": "CCH"},
            "source",
        ),  # fmt: skip
        (
            PERSON + "/facts",
            {"key": "monthly_rent", "value": "1", "source": "caf", "legal_basis": " "},
            "legal_basis",
        ),  # fmt: skip
        (
            PERSON + "/facts",
            {
                "key": "monthly_rent",
                "value": "1",
                "source": "caf",
                "legal_basis": "CCH",
                "valid_until": "bientôt",
            },
            "valid_until",
        ),  # fmt: skip
        (PERSON + "/consents", {"purpose": "spam", "channel": "sms", "granted": True}, "purpose"),
        (
            PERSON + "/consents",
            {"purpose": "alerts", "channel": "fax", "granted": True},
            "channel",
        ),  # fmt: skip
        (
            PERSON + "/consents",
            {"purpose": "alerts", "channel": "sms", "granted": "peut-être"},
            "granted",
        ),  # fmt: skip
        (
            PERSON + "/consents",
            {"purpose": "alerts", "channel": "sms", "granted": True, "method": "telepathy"},
            "method",
        ),  # fmt: skip
    ],
)
def test_a_malformed_payload_is_400_naming_the_field(api_client, person, route, body, field):
    before = _data_counts()
    response = call(api_client("administrator"), "POST", route, person.pk, body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in {e["field"] for e in errors}, errors
    assert all(e["message"] for e in errors)
    assert _data_counts() == before  # nothing half-written


@pytest.mark.parametrize(
    "raw",
    ["{bad json", "", "null", "[1, 2]", '"Jean Dupont"', "[" * 100_000, "\x00\xff", "{" * 5000],
    ids=lambda raw: repr(raw[:12]),
)
def test_unreadable_json_is_400(api_client, raw):
    before = _data_counts()
    response = api_client("agent").post("/api/people", raw, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert _data_counts() == before


def _data_counts():
    return (Person.objects.count(), ContactPoint.objects.count(), Fact.objects.count())


# --- search with bad input -------------------------------------------------------------------

HOSTILE = [
    '"',
    "'",
    '"; DROP TABLE people_person; --',
    "' OR 1=1 --",
    "Robert'); DELETE FROM people_nametoken;--",
    "%",
    "_",
    "%_%",
    "😀🙈",
    "a" * 10_000,
    "é" * 5_000,
    "\x00",
    "",
    "   ",
]


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:20]))
def test_a_hostile_search_answers_an_empty_page(api_client, person, query):
    response = api_client("agent").get("/api/people", {"q": query} if query else {})
    assert response.status_code == 200
    body = response.json()
    if query.strip():
        assert body["results"] == [] and body["count"] == 0
    else:  # no search at all: the plain listing
        assert [p["id"] for p in body["results"]] == [person.pk]
    assert Person.objects.count() == 1
