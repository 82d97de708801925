"""Who may open which page of the agent console, and the Django administration of services,
agents and roles.

The pages are read from the URLconf: a page added later, by any app, is checked for a login
and a role without anyone adding it here; the pages of the foundation are checked role by role.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from parvis.audit.models import AccessLog
from parvis.cases.models import Service
from parvis.console import roles
from parvis.portal.models import PortalAccount

pytestmark = pytest.mark.django_db

# What is not the agent console: the API and admin (tested on their own), the citizen's side,
# operators' webhooks and the links in messages (public by design).
NOT_CONSOLE = ("admin/", "api/", "portal/", "hooks/", "i18n/", "static/", "j/")
PUBLIC = {"console:login", "console:logout"}
FOUNDATION = ("console:", "people:", "audit:")
ROLES = ["nobody", "citizen", "agent", "supervisor", "administrator", "dpo"]
VIEWERS = {"agent", "supervisor", "administrator", "dpo"}
# The console's pages this issue built, and who may open each.
EXPECTED = {
    "console:home": VIEWERS,
    "people:search": VIEWERS,
    "people:detail": VIEWERS,
    "people:timeline": VIEWERS,
    "audit:access-log": {"dpo"},
}


@pytest.fixture(autouse=True)
def _fast_clients(settings):
    """Each test client builds the middleware: WhiteNoise would index every static file."""
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def citizen(person, make_user):
    """A citizen signed in to the portal is a Django user too: not an agent."""
    user = make_user("elodie-portal", email="elodie.legall@example.fr")
    PortalAccount.objects.create(
        user=user, person=person, email=user.email, email_verified_at=timezone.now()
    )
    return user


def console_pages(resolver=None, prefix="", namespace=""):
    """(name, route, converters) of every named page outside the API, portal, admin, hooks."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if route.startswith(NOT_CONSOLE):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from console_pages(entry, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = namespace + entry.name
            if name not in PUBLIC:
                yield name, getattr(entry.pattern, "converters", {})


def url_of(name: str, converters: dict, person) -> str:
    samples = {"int": person.pk, "uuid": "00000000-0000-0000-0000-000000000000"}
    kwargs = {
        key: samples.get(type(conv).__name__.replace("Converter", "").lower(), "x")
        for key, conv in converters.items()
    }
    return reverse(name, kwargs=kwargs)


def get_or_post(client, url):
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


PAGES = sorted(console_pages())


def test_every_page_of_the_foundation_has_its_expectations():
    assert {name for name, _conv in PAGES if name.startswith(FOUNDATION)} == set(EXPECTED)


@pytest.mark.parametrize("name, converters", PAGES, ids=[name for name, _c in PAGES])
def test_every_console_page_wants_a_login_then_a_role(
    client, person, nobody, citizen, name, converters
):
    """Anonymous: to the login form. Signed in without an agent's role: refused (403; a page
    of another app may answer 404 for an object it will not even name)."""
    refused = {403} if name.startswith(FOUNDATION) else {403, 404}
    url = url_of(name, converters, person)
    response = get_or_post(client, url)
    assert response.status_code == 302, f"{name} opens without a login"
    assert response["Location"].startswith(reverse("console:login"))
    for user in (nobody, citizen):
        client.force_login(user)
        status = get_or_post(client, url).status_code
        assert status in refused, f"{name} answers {status} to {user}"
    assert AccessLog.objects.count() == 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(EXPECTED))
def test_each_role_on_each_page(client, request, person, role, name):
    converters = dict(PAGES)[name]
    client.force_login(request.getfixturevalue(role))
    response = client.get(url_of(name, converters, person))
    assert response.status_code == (200 if role in EXPECTED[name] else 403)


def test_home_shows_figures_and_the_files_opened_recently(client, agent, person):
    client.force_login(agent)
    client.get(reverse("people:detail", args=[person.pk]))
    page = client.get(reverse("console:home"))
    assert page.context["stats"]["persons"] == 1
    body = page.content.decode()
    assert "LE GALL" in body and reverse("people:detail", args=[person.pk]) in body


def test_home_without_a_role_shows_no_figure(client, nobody, person):
    client.force_login(nobody)
    response = client.get(reverse("console:home"))
    assert response.status_code == 403
    assert "people in the base" not in response.content.decode()
    assert "personnes" not in response.content.decode()


def test_login_form_then_home(client, agent):
    response = client.post(
        reverse("console:login"), {"username": "agent1", "password": "pw-test-123"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("console:home")


def test_a_wrong_password_is_refused_with_a_message(client, agent):
    response = client.post(reverse("console:login"), {"username": "agent1", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


# --- the Django administration: services, agents, roles -------------------------------------


def test_the_administrator_manages_services(client, administrator, agent):
    client.force_login(administrator)
    assert client.get(reverse("admin:cases_service_changelist")).status_code == 200
    response = client.post(
        reverse("admin:cases_service_add"),
        {
            "name": "État civil",
            "slug": "etat-civil",
            "email": "",
            "sla_business_days": 5,
            "members": [agent.pk],
        },  # fmt: skip
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    service = Service.objects.get(slug="etat-civil")
    assert list(service.members.all()) == [agent]
    change = reverse("admin:cases_service_change", args=[service.pk])
    assert client.get(change).status_code == 200


def test_the_administrator_manages_agents(client, administrator, django_user_model):
    client.force_login(administrator)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "nouvel-agent",
            "password1": "Un-mot-de-passe-42!",
            "password2": "Un-mot-de-passe-42!",
            "usable_password": "true",
        },  # fmt: skip
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    new = django_user_model.objects.get(username="nouvel-agent")
    change = reverse("admin:auth_user_change", args=[new.pk])
    assert client.get(change).status_code == 200


def test_the_administrator_manages_roles(client, administrator, agent):
    client.force_login(administrator)
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    from django.contrib.auth.models import Permission

    view_person = Permission.objects.get(codename="view_person")
    response = client.post(
        reverse("admin:auth_group_add"), {"name": "accueil", "permissions": [view_person.pk]}
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    group = Group.objects.get(name="accueil")
    assert list(group.permissions.all()) == [view_person]
    agent_role = Group.objects.get(name=roles.AGENT)
    assert client.get(reverse("admin:auth_group_change", args=[agent_role.pk])).status_code == 200


def test_the_administrator_cannot_make_a_superuser(client, administrator, agent):
    """Nor grant single permissions: rights come with roles, which are audited as groups."""
    client.force_login(administrator)
    change = reverse("admin:auth_user_change", args=[administrator.pk])
    form = client.get(change).context["adminform"].form
    assert "is_superuser" not in form.fields and "user_permissions" not in form.fields
    assert "groups" in form.fields and "is_active" in form.fields
    client.post(
        change,
        {
            "username": "admin1",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=roles.ADMINISTRATOR).pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },  # fmt: skip
    )
    administrator.refresh_from_db()
    assert not administrator.is_superuser
    # Deactivating an agent who leaves is what managing agents means day to day.
    change = reverse("admin:auth_user_change", args=[agent.pk])
    response = client.post(
        change,
        {
            "username": "agent1",
            "groups": [Group.objects.get(name=roles.AGENT).pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },  # fmt: skip
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    agent.refresh_from_db()
    assert not agent.is_active


@pytest.mark.parametrize("role", ["agent", "supervisor", "dpo", "nobody"])
def test_others_do_not_enter_the_administration(client, request, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("admin:cases_service_changelist"))
    assert response.status_code == 302  # to the admin's login: not staff
    assert "login" in response["Location"]


def test_the_administrator_cannot_reach_the_access_log(client, administrator, agent, dpo):
    """Separation of duties: DPO membership and the access log's permissions are a
    superuser's decision."""
    from django.contrib.auth.models import Permission

    client.force_login(administrator)
    dpo_role = Group.objects.get(name=roles.DPO)
    change = reverse("admin:auth_user_change", args=[agent.pk])
    form = client.get(change).context["adminform"].form
    assert dpo_role not in form.fields["groups"].queryset
    user_form = {
        "username": "agent1",
        "is_active": "on",
        "groups": [Group.objects.get(name=roles.AGENT).pk, dpo_role.pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(change, user_form)
    assert response.status_code == 200 and "groups" in response.context["adminform"].form.errors
    assert not agent.groups.filter(name=roles.DPO).exists()

    # Editing the DPO's account keeps their role, although the form does not show it.
    change = reverse("admin:auth_user_change", args=[dpo.pk])
    response = client.post(change, {**user_form, "username": dpo.username, "groups": []})
    assert response.status_code == 302
    assert dpo.groups.filter(name=roles.DPO).exists()

    # Roles: no permission of the access log can be given, the DPO role is read-only.
    search = Permission.objects.get(content_type__app_label="audit", codename="search_accesslog")
    admin_role = Group.objects.get(name=roles.ADMINISTRATOR)
    response = client.post(
        reverse("admin:auth_group_change", args=[admin_role.pk]),
        {"name": roles.ADMINISTRATOR, "permissions": [search.pk]},
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not admin_role.permissions.filter(pk=search.pk).exists()
    dpo_page = reverse("admin:auth_group_change", args=[dpo_role.pk])
    assert client.get(dpo_page).status_code == 200  # shown, read-only
    assert client.post(dpo_page, {"name": "x", "permissions": []}).status_code == 403
    assert Group.objects.filter(name=roles.DPO).exists()
    assert client.get(reverse("audit:access-log")).status_code == 403
