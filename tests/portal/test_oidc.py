import json
import os
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from parvis.people.models import Person
from parvis.portal import identity
from parvis.portal.models import PortalAccount

from .fake_oidc import FakeOpenIDProvider

pytestmark = pytest.mark.django_db

PROBE = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "enabled": settings.PARVIS_OIDC_ENABLED,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "authorize": getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", None),
    "jwks": getattr(settings, "OIDC_OP_JWKS_ENDPOINT", None),
    "acr": getattr(settings, "OIDC_AUTH_REQUEST_EXTRA_PARAMS", {}).get("acr_values"),
}))
"""


def probe_settings(tmp_path, **env) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARVIS_OIDC")}
    clean.update(DJANGO_SETTINGS_MODULE="parvis.settings", PARVIS_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_franceconnect_switches_on_with_the_environment(tmp_path):
    off = probe_settings(tmp_path)
    assert off["enabled"] is False and off["authorize"] is None
    assert off["backends"] == ["django.contrib.auth.backends.ModelBackend"]
    on = probe_settings(
        tmp_path, PARVIS_OIDC_RP_CLIENT_ID="abc", PARVIS_OIDC_RP_CLIENT_SECRET="secret"
    )
    assert on["enabled"] is True
    assert "parvis.portal.oidc.FranceConnectBackend" in on["backends"]
    assert on["authorize"] == "https://fcp-low.integ01.dev-franceconnect.fr/api/v2/authorize"
    assert on["jwks"] == "https://fcp-low.integ01.dev-franceconnect.fr/api/v2/jwks"
    assert on["acr"] == "eidas1"


def configure(settings, op: FakeOpenIDProvider):
    settings.PARVIS_OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "parvis.portal.oidc.FranceConnectBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = op.client_id
    settings.OIDC_RP_CLIENT_SECRET = op.client_secret
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{op.base}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{op.base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{op.base}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{op.base}/jwks"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{op.base}/session/end"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.OIDC_RP_SCOPES = "openid given_name family_name birthdate email"
    settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "eidas1"}
    settings.OIDC_AUTHENTICATION_CALLBACK_URL = "portal:oidc-callback"
    settings.OIDC_STORE_ID_TOKEN = True
    settings.OIDC_TIMEOUT = 10


def test_the_button_shows_only_when_configured(client, settings, db):
    settings.PARVIS_OIDC_ENABLED = False
    page = client.get(reverse("portal:login")).content.decode()
    assert "fr-connect" not in page
    assert client.get(reverse("portal:oidc-authenticate")).status_code == 404
    with FakeOpenIDProvider("client-1", "secret-1") as op:
        configure(settings, op)
        for name in ("portal:login", "portal:signup"):
            html = client.get(reverse(name)).content.decode()
            assert 'class="fr-connect"' in html and "FranceConnect" in html
            assert reverse("portal:oidc-authenticate") in html


def sign_in_with_franceconnect(client, op, claims, next_url="/portal/my-data/"):
    start = client.get(reverse("portal:oidc-authenticate") + f"?next={next_url}")
    assert start.status_code == 302
    url = urlparse(start["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert start["Location"].startswith(f"{op.base}/authorize?")
    assert query["acr_values"] == "eidas1" and query["client_id"] == op.client_id
    assert len(query["state"]) >= 22 and len(query["nonce"]) >= 22
    op.codes["code-1"] = {
        "nonce": query["nonce"], "claims": claims, "redirect_uri": query["redirect_uri"]
    }  # fmt: skip
    return client.get(reverse("portal:oidc-callback") + f"?code=code-1&state={query['state']}")


def test_franceconnect_identity_is_linked_to_the_existing_person(client, settings, person):
    with FakeOpenIDProvider("client-1", "secret-1") as op:
        configure(settings, op)
        claims = {"sub": "fc-sub-123", "given_name": "Élodie Marie", "family_name": "MARTIN",
                  "preferred_username": "LE GALL", "birthdate": "1984-03-12",
                  "email": "elodie.legall@example.fr"}  # fmt: skip
        response = sign_in_with_franceconnect(client, op, claims)
        assert response.status_code == 302 and response["Location"] == "/portal/my-data/"
        assert ("GET", "/api/v2/jwks") in op.requests  # the signatures were checked
        account = PortalAccount.objects.get(oidc_sub="fc-sub-123")
        assert account.person == person and account.email_verified_at
        assert client.get(reverse("portal:my-data")).status_code == 200

        logout = client.post(reverse("portal:logout"))
        assert logout["Location"].startswith(f"{op.base}/session/end?id_token_hint=")
        assert "_auth_user_id" not in client.session


def test_franceconnect_unknown_identity_creates_a_person(client, settings, db):
    with FakeOpenIDProvider("client-1", "secret-1") as op:
        configure(settings, op)
        claims = {"sub": "fc-new", "given_name": "Angela Claire Louise", "family_name": "DUBOIS",
                  "birthdate": "1962-08-24", "email": "wossewodda-3728@yopmail.com"}  # fmt: skip
        sign_in_with_franceconnect(client, op, claims)
        person = PortalAccount.objects.get(oidc_sub="fc-new").person
        assert (person.first_names, person.last_name) == ("Angela Claire Louise", "DUBOIS")
        assert person.contact_points.get().verified
        # Second sign-in: same account, no new person.
        sign_in_with_franceconnect(client, op, claims)
        assert Person.objects.count() == 1 and PortalAccount.objects.count() == 1


def test_a_bad_state_signs_nobody_in(client, settings, person):
    with FakeOpenIDProvider("client-1", "secret-1") as op:
        configure(settings, op)
        client.get(reverse("portal:oidc-authenticate"))
        response = client.get(reverse("portal:oidc-callback") + "?code=x&state=forged")
        assert response.status_code in (400, 302)
        assert "_auth_user_id" not in client.session
        assert not PortalAccount.objects.exists()


def test_franceconnect_takes_over_an_unconfirmed_signup_and_kills_its_password(db, client):
    client.post(
        reverse("portal:signup"),
        {"first_names": "Jean", "last_name": "Dupont", "birth_date": "1970-01-01",
         "email": "jean@example.org", "password1": "Mot-de-passe-pirate-99",
         "password2": "Mot-de-passe-pirate-99"},
    )  # fmt: skip
    user = identity.link_oidc_identity(
        {"sub": "s-1", "email": "jean@example.org", "given_name": "Jean",
         "family_name": "DUPONT", "birthdate": "1970-01-01"}
    )  # fmt: skip
    assert user.is_active and not user.has_usable_password()
    assert PortalAccount.objects.get().person is not None
