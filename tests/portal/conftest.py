import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from parvis.people import services as people
from parvis.portal.models import PortalAccount

PASSWORD = "Un-mot-de-passe-solide-42"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Attachments go through the real storage, in a folder of this test; passwords are
    hashed with a fast hasher (the real one costs a third of a second per hash)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_citizen(person, email: str, password: str = PASSWORD):
    user = get_user_model().objects.create_user(
        username=f"portal-{person.pk}", email=email, password=password
    )
    PortalAccount.objects.create(
        user=user, person=person, email=email, email_verified_at=timezone.now()
    )
    return user


@pytest.fixture
def citizen(person):
    """Élodie's citizen account (the `person` fixture of tests/conftest.py)."""
    return make_citizen(person, "elodie.legall@example.fr")


@pytest.fixture
def citizen_client(client, citizen):
    client.force_login(citizen)
    return client


@pytest.fixture
def other_person(db):
    other = people.create_person(
        first_names="Karim", last_name="Benali", birth_date=date(1979, 6, 2)
    )
    people.add_contact_point(other, "email", "karim.benali@example.org", verified=True)
    return other


@pytest.fixture
def other_citizen(other_person):
    return make_citizen(other_person, "karim.benali@example.org")


def link_in(message, prefix: str = "/portal/") -> str:
    """The path of the first portal link in an email."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(prefix) + r"\S+)", message.body)
    assert match, message.body
    return match.group(1)


def last_mail_to(address: str):
    found = [m for m in mail.outbox if address in m.to]
    assert found, [m.to for m in mail.outbox]
    return found[-1]
