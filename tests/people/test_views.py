"""The people pages of the console: search (full page and HTMX), the 360° page, its timeline."""

import pytest
from django.urls import reverse

from parvis.audit.models import AccessLog
from parvis.people import services
from parvis.people.models import Address, Household, HouseholdMember, Residence, Street

pytestmark = pytest.mark.django_db

SENSITIVE_LABEL = "Quotient familial CAF"  # the `person` fixture's social fact
SENSITIVE_VALUE = "612"


@pytest.fixture(autouse=True)
def _fast_clients(settings):
    """Each test client builds the middleware: WhiteNoise would index every static file."""
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def family(person):
    """Élodie at home with her son, at 12 rue de la République."""
    street = Street.objects.create(
        name="Rue de la République",
        name_norm="rue de la republique",
        postcode="54111",
        citycode="54084",
        city="Mont-Bonvillers",
    )
    address = Address.objects.create(street=street, number=12)
    son = services.create_person(first_names="Noé", last_name="Le Gall")
    household = Household.objects.create(address=address)
    for member, role in ((person, "reference"), (son, "child")):
        HouseholdMember.objects.create(household=household, person=member, role=role)
        Residence.objects.create(person=member, address=address)
    return person, son


def detail(client, person, **params):
    return client.get(reverse("people:detail", args=[person.pk]), params)


def test_the_360_page_shows_the_whole_file(client, supervisor, family):
    person, son = family
    client.force_login(supervisor)
    response = detail(client, person)
    assert response.status_code == 200
    body = response.content.decode()
    assert "LE GALL" in body and "MARTIN" in body  # name and birth name
    assert person.nir not in body and person.masked_nir in body  # NIR never in full
    assert "12 Rue de la République" in body or "12 rue de la République" in body
    assert "Noé LE GALL" in body and reverse("people:detail", args=[son.pk]) in body
    assert "06 12 34 56 78" in body or "+33 6 12 34 56 78" in body
    assert "elodie.legall@example.fr" in body.lower()
    assert 'data-testid="consents"' in body
    facts = response.context["facts_by_source"]
    assert {source.code for source in facts} == {"ants", "caf"}  # grouped by their source
    assert "CSS art. L. 114-12-1" in body  # with their legal basis
    assert [e.kind for e in response.context["events"]]  # the timeline


def test_the_360_page_is_logged_with_its_reason(client, agent, person):
    client.force_login(agent)
    detail(client, person, reason="Rendez-vous CCAS")
    entry = AccessLog.objects.get()
    assert (entry.person_id, entry.username, entry.channel, entry.action, entry.reason) == (
        person.pk,
        "agent1",
        "console",
        "console.360",
        "Rendez-vous CCAS",
    )
    assert entry.ip_address == "127.0.0.1"


def test_an_agent_sees_no_sensitive_fact(client, agent, person):
    client.force_login(agent)
    response = detail(client, person)
    body = response.content.decode()
    assert SENSITIVE_LABEL not in body and SENSITIVE_VALUE not in body
    assert 'data-sensitive="1"' not in body
    assert 'data-testid="hidden-facts"' in body  # told that something is hidden, not what
    assert "Expiration du passeport" in body  # what the agent may see is there
    assert response.context["hidden_facts"] == 1


@pytest.mark.parametrize("role", ["supervisor", "administrator", "dpo"])
def test_who_has_the_right_sees_sensitive_facts(client, request, person, role):
    client.force_login(request.getfixturevalue(role))
    body = detail(client, person).content.decode()
    assert SENSITIVE_LABEL in body and "612,50" in body
    assert 'data-sensitive="1"' in body
    assert 'data-testid="hidden-facts"' not in body


def test_an_unknown_person_is_404_and_not_logged(client, agent, person):
    client.force_login(agent)
    response = client.get(reverse("people:detail", args=[person.pk + 1000]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_older_timeline_entries_load_and_are_logged(client, agent, person):
    for i in range(30):
        services.record_interaction(person, kind="note", summary=f"Appel n°{i}")
    client.force_login(agent)
    first = detail(client, person)
    assert first.context["events"].has_next()
    response = client.get(
        reverse("people:timeline", args=[person.pk]), {"page": 2}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # a fragment for HTMX
    assert response.content.decode().count('data-testid="timeline-item"') >= 1
    assert SENSITIVE_LABEL not in response.content.decode()
    assert list(AccessLog.objects.values_list("action", flat=True).order_by("id")) == [
        "console.360",
        "console.timeline",
    ]


def test_the_timeline_tells_the_supervisor_what_it_hides_from_the_agent(
    client, agent, supervisor, person
):
    url = reverse("people:timeline", args=[person.pk])
    client.force_login(agent)
    assert SENSITIVE_LABEL not in client.get(url).content.decode()
    client.force_login(supervisor)
    assert SENSITIVE_LABEL in client.get(url).content.decode()


def test_the_timeline_needs_the_right_to_see_the_person_too(client, make_user, dpo, person):
    """Seeing interactions without `people.view_person` is not enough to read a file's
    timeline; the DPO, who has both, still reads it (and the read is logged)."""
    from django.contrib.auth.models import Permission

    url = reverse("people:timeline", args=[person.pk])
    only_interactions = make_user("interactions-only")
    only_interactions.user_permissions.add(
        Permission.objects.get(content_type__app_label="people", codename="view_interaction")
    )
    client.force_login(only_interactions)
    assert client.get(url).status_code == 403
    assert not AccessLog.objects.exists()
    client.force_login(dpo)
    assert client.get(url).status_code == 200
    assert AccessLog.objects.get().username == dpo.username


def test_unknown_timeline_is_404(client, agent, person):
    client.force_login(agent)
    assert client.get(reverse("people:timeline", args=[person.pk + 1000])).status_code == 404


# --- search -----------------------------------------------------------------------------------


def test_search_with_a_typo_finds_the_person(client, agent, person):
    client.force_login(agent)
    response = client.get(reverse("people:search"), {"q": "Elodei Le Gal"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert reverse("people:detail", args=[person.pk]) in response.content.decode()


def test_htmx_search_answers_a_fragment(client, agent, person):
    client.force_login(agent)
    response = client.get(reverse("people:search"), {"q": "legall"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body and 'data-testid="result-count"' in body
    assert reverse("people:detail", args=[person.pk]) in body


HOSTILE = [
    '"',
    "'",
    '"; DROP TABLE people_person; --',
    "' OR 1=1 --",
    "%",
    "_",
    "%_%",
    "😀🙈",
    "a" * 10_000,
    "\x00",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("query", HOSTILE, ids=lambda q: repr(q[:20]))
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "page"])
def test_a_hostile_search_answers_nobody_found(client, agent, person, query, htmx):
    client.force_login(agent)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(reverse("people:search"), {"q": query}, headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("people:detail", args=[person.pk]) not in body
    assert 'data-testid="no-result"' in body or response.context["result"].kind == "empty"
    assert "<script>alert" not in body  # echoed back escaped, if at all
    assert services.Person.objects.count() == 1


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_shows_the_form_only(client, agent, query):
    client.force_login(agent)
    response = client.get(reverse("people:search"), {"q": query})
    assert response.status_code == 200
    assert response.context["result"] is None


def test_the_search_view_is_not_logged_but_the_360_page_is(client, agent, person):
    """A list of names is not a read of a file: the access log stays readable for the DPO."""
    client.force_login(agent)
    client.get(reverse("people:search"), {"q": "le gall"})
    assert AccessLog.objects.count() == 0
