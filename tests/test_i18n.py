"""The French catalogue is complete and well-formed, and the UI speaks French first.

The catalogue is parsed as it is in the tree (never re-extracted here), so this stays green
between translation passes; `make messages` extracts and compiles.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

SRC = Path(settings.BASE_DIR)
MAIN_PO = SRC / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# makemessages sends the strings of an app that has its own locale/ to that app's catalogue.
CATALOGUES = [MAIN_PO, *sorted(SRC.glob("*/locale/fr/LC_MESSAGES/django.po"))]

# %(name)s and its variants (%(n)d, %(off)+d), a literal %%, {name} and {{ name }}.
PLACEHOLDER = re.compile(
    r"%\([^)]+\)[-+ #0]*\d*(?:\.\d+)?[sdifrx]|%%|\{\{[^}]*\}\}|\{[A-Za-z_][^{}]*\}"
)
NAMED = re.compile(r"%\(([^)]+)\)")


@pytest.fixture(params=CATALOGUES, ids=lambda path: str(path.relative_to(SRC)))
def po_path(request):
    return request.param


@pytest.fixture
def catalogue(po_path):
    return polib.pofile(str(po_path))


def _entries(catalogue):
    return [e for e in catalogue if not e.obsolete]


def _pairs(entry):
    """(source, translation) pairs of an entry: one, or one per plural form."""
    if entry.msgid_plural:
        forms = entry.msgstr_plural
        return [(entry.msgid, forms.get(0, "")), (entry.msgid_plural, forms.get(1, ""))]
    return [(entry.msgid, entry.msgstr)]


def test_main_catalogue_holds_the_ui():
    assert len(_entries(polib.pofile(str(MAIN_PO)))) > 600


def test_catalogue_is_french_with_french_plurals(catalogue):
    assert catalogue.metadata["Language"] == "fr"
    assert catalogue.metadata["Plural-Forms"].replace(" ", "") == "nplurals=2;plural=(n>1);"
    assert not catalogue.metadata_is_fuzzy


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    untranslated = [e.msgid for e in _entries(catalogue) if not e.translated()]
    fuzzy = [e.msgid for e in _entries(catalogue) if "fuzzy" in e.flags]
    empty_plural = [
        e.msgid for e in _entries(catalogue) if e.msgid_plural and not all(e.msgstr_plural.values())
    ]
    assert untranslated == [], f"untranslated (translate them after make messages): {untranslated}"
    assert fuzzy == [], f"fuzzy entries: {fuzzy}"
    assert empty_plural == []


def test_placeholders_match(catalogue):
    wrong = []
    for entry in _entries(catalogue):
        for source, translation in _pairs(entry):
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translation)):
                wrong.append((source, translation))
    assert wrong == []


def test_python_format_entries_format(catalogue):
    """msgstr % values works wherever msgid % values works (a stray % would raise)."""
    for entry in _entries(catalogue):
        if "python-format" not in entry.flags:
            continue
        for source, translation in _pairs(entry):
            values = dict.fromkeys(NAMED.findall(source), 1)
            assert translation % values, source


def test_compiled_catalogue_matches_the_source(po_path, catalogue):
    """The .mo is kept in the tree (a fresh clone shows French without compilemessages)."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path}: run compilemessages"
    compiled = {e.msgid: e for e in polib.mofile(str(mo_path))}
    for entry in _entries(catalogue):
        assert entry.msgid in compiled, f"{entry.msgid!r}: run compilemessages"
        if entry.msgid_plural:
            assert compiled[entry.msgid].msgstr_plural == entry.msgstr_plural, entry.msgid
        else:
            assert compiled[entry.msgid].msgstr == entry.msgstr, entry.msgid


# --- pages: French by default, English through the language switch (set_language) ---------


@pytest.fixture(autouse=True)
def _fast_clients(settings):
    """Each test client builds the middleware: WhiteNoise would index every static file."""
    settings.WHITENOISE_AUTOREFRESH = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _switch(client, language, next_url):
    """Press the header's language button, as a browser would (POST to set_language)."""
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def _check(client, url, french, english):
    html = client.get(url).content.decode()
    assert '<html lang="fr"' in html
    for text in french:
        assert text in html, text
    assert not any(text in html for text in english)
    # The switch offers English, labelled in English.
    assert 'name="language" value="en" lang="en">English</button>' in html

    _switch(client, "en", url)
    html = client.get(url).content.decode()
    assert '<html lang="en"' in html
    for text in english:
        assert text in html, text
    assert not any(text in html for text in french)
    assert 'name="language" value="fr" lang="fr">Français</button>' in html

    _switch(client, "fr", url)
    assert french[0] in client.get(url).content.decode()


@pytest.mark.django_db
def test_console_login_page(client):
    _check(
        client,
        reverse("console:login"),
        french=["Se connecter à la console agent", "Identifiant", "Mot de passe"],
        english=["Log in to the agent console", "Username", "Password"],
    )


@pytest.mark.django_db
def test_console_login_error_in_french(client):
    response = client.post(reverse("console:login"), {"username": "x", "password": "y"})
    html = response.content.decode()
    assert "Votre identifiant et votre mot de passe ne correspondent pas" in html


@pytest.mark.django_db
def test_person_360_page(client, agent, person):
    client.force_login(agent)
    _check(
        client,
        reverse("people:detail", args=[person.pk]),
        french=["Comment joindre cette personne", "Consentements", "Ce que l’administration sait"],
        english=["How to reach this person", "Consents", "What the administration knows"],
    )


@pytest.mark.django_db
def test_portal_home(client):
    _check(
        client,
        reverse("portal:home"),
        french=["Votre espace personnel", "Se connecter", "Envoyer une demande sans compte"],
        english=["Your citizen space", "Sign in", "Send a request without an account"],
    )


@pytest.mark.django_db
def test_model_choices_follow_the_language():
    """Lazy strings outside templates (model choices) follow the active language."""
    from django.utils import translation

    from parvis.cases.models import Case

    with translation.override("fr"):
        assert str(Case.Status.WAITING.label) == "En attente de l’usager"
    with translation.override("en"):
        assert str(Case.Status.WAITING.label) == "Waiting for the citizen"
