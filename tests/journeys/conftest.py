from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from parvis.audiences.services import save_audience
from parvis.journeys import services
from parvis.journeys.models import MessageTemplate
from parvis.people import services as people
from parvis.people.models import Address, DataSource, Residence, Street

# A Tuesday morning: no quiet hours, no holiday.
NOW = timezone.make_aware(datetime(2025, 6, 10, 10, 0))


def make_person(
    first,
    *,
    email=None,
    mobile=None,
    preferred="",
    language="fr",
    consents=("email", "sms"),
    address=False,
    passport_in=150,
):
    person = people.create_person(
        first_names=first,
        last_name="Test",
        birth_date=date(1980, 1, 1),
        preferred_channel=preferred,
    )
    if language != "fr":
        person.language = language
        person.save()
    if email:
        people.add_contact_point(person, "email", email)
    if mobile:
        people.add_contact_point(person, "mobile", mobile)
    for channel in consents:
        people.record_consent(
            person,
            purpose="document_reminders",
            channel=channel,
            granted=True,
            method="portal",
            at=NOW - timedelta(days=100),
        )
    if address:
        street, _ = Street.objects.get_or_create(
            citycode="54084",
            name="Rue de la Gare",
            defaults={"name_norm": "rue de la gare", "postcode": "54084", "city": "Mont-B"},
        )
        Residence.objects.create(
            person=person,
            address=Address.objects.create(street=street, number=7, latitude=49.0, longitude=6.0),
        )
    if passport_in is not None:
        people.add_fact(
            person,
            key="passport_expires_on",
            value=NOW.date() + timedelta(days=passport_in),
            source=DataSource.objects.get(code="ants"),
            legal_basis="test",
            collected_at=NOW - timedelta(days=10),
        )
    return person


@pytest.fixture(autouse=True)
def delivery_journal(settings, tmp_path, monkeypatch):
    """Each test its own delivery journal directory (worker subprocesses get it by env)."""
    path = tmp_path / "delivery"
    settings.PARVIS_DELIVERY_JOURNAL_DIR = str(path)
    monkeypatch.setenv("PARVIS_DELIVERY_JOURNAL_DIR", str(path))
    return path


@pytest.fixture
def templates(db):
    def make(code, channel, subject, text, html="", language="fr"):
        return MessageTemplate.objects.create(
            code=code,
            channel=channel,
            language=language,
            subject=subject,
            body_text=text,
            body_html=html,
        )

    make(
        "m6",
        "email",
        "Votre passeport expire le {{ facts.passport_expires_on }}",
        "Bonjour {{ person.first_names }},\n\nVotre passeport expire le "
        "{{ facts.passport_expires_on }}.",
        '<p>Bonjour {{ person.first_names }}, <a href="https://rdv.example.fr/">prendre '
        "rendez-vous</a></p>",
    )
    make("m6", "email", "Your passport expires", "Hello {{ person.first_names }}", language="en")
    make("m6", "sms", "", "Bonjour {{ person.first_names }}, votre passeport expire bientôt.")
    make(
        "m6",
        "postal",
        "Renouvellement de votre passeport",
        "Madame, Monsieur,\n\nVotre passeport expire le {{ facts.passport_expires_on }}.",
    )
    make("m6b", "email", "[B] Passeport", "Variante B pour {{ person.first_names }}")
    make("m6b", "sms", "", "Variante B")
    make("reminder", "email", "Rappel", "Rappel pour {{ person.first_names }}")
    make("reminder", "sms", "", "Rappel")


@pytest.fixture
def audience(db):
    return save_audience(
        name="Passeports M-6",
        definition={
            "kind": "fact",
            "key": "passport_expires_on",
            "op": "between",
            "from": {"days": 120},
            "to": {"days": 180},
        },
    )


@pytest.fixture
def journey(templates, audience):
    j = services.save_journey(
        {
            "name": "Passeport",
            "purpose": "document_reminders",
            "trigger": "schedule",
            "audience": audience,
            "reentry": "never",
        }
    )
    services.new_version(
        j,
        [
            {
                "id": "m6",
                "kind": "send",
                "template": "m6",
                "channels": ["preferred", "email", "sms", "postal"],
            },
            {"id": "wait", "kind": "wait", "mode": "duration", "days": 30},
            {
                "id": "clicked",
                "kind": "engagement",
                "event": "clicked",
                "of_step": "m6",
                "yes": "done",
                "no": "reminder",
            },
            {
                "id": "reminder",
                "kind": "send",
                "template": "reminder",
                "channels": ["email", "sms"],
            },
            {"id": "done", "kind": "exit"},
        ],
    )
    services.set_status(j, "active")
    return j


@pytest.fixture(autouse=True)
def _messages_in_english():
    """Tests read error messages in English (the French catalogue changes with the UI)."""
    from django.utils import translation

    with translation.override("en"):
        yield
