"""The demo's passport renewal journey: an audience (passport expiring in five to seven
months), its templates (e-mail, SMS, letter; French and English) and the journey itself —
the message at M-6, a reminder a month later with the link to book, and the list of
documents the day before the appointment. Idempotent: `parvis seed` calls it each time."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from parvis.audiences import filters
from parvis.audiences.models import Audience
from parvis.people.models import DataSource, Fact, FactKey

from . import services
from .models import Journey, MessageTemplate

APPOINTMENT_KEY = "passport_appointment_on"
AUDIENCE_NAME = "Passeport expirant dans 5 à 7 mois"
JOURNEY_NAME = "Renouvellement du passeport"

TEMPLATES = [
    # code, channel, language, subject, text, html
    (
        "passport-m6",
        "email",
        "fr",
        "Votre passeport expire le {{ facts.passport_expires_on }}",
        "Bonjour {{ person.first_names }},\n\nVotre passeport expire le "
        "{{ facts.passport_expires_on }}. Les délais de rendez-vous sont longs avant l'été : "
        "pensez à le renouveler dès maintenant.\n\nPrendre rendez-vous : {{ booking_url }}\n\n"
        "La mairie de {{ town }}\n\nNe plus recevoir ces rappels : {{ links.unsubscribe }}",
        "<p>Bonjour {{ person.first_names }},</p><p>Votre passeport expire le "
        "<strong>{{ facts.passport_expires_on }}</strong>. Les délais de rendez-vous sont longs "
        "avant l'été : pensez à le renouveler dès maintenant.</p>"
        '<p><a href="{{ booking_url }}">Prendre rendez-vous en ligne</a></p>'
        "<p>La mairie de {{ town }}</p>",
    ),
    (
        "passport-m6",
        "email",
        "en",
        "Your passport expires on {{ facts.passport_expires_on }}",
        "Hello {{ person.first_names }},\n\nYour passport expires on "
        "{{ facts.passport_expires_on }}. Book an appointment: {{ booking_url }}\n\n"
        "Town hall of {{ town }}",
        "",
    ),
    (
        "passport-m6",
        "sms",
        "fr",
        "",
        "Mairie de {{ town }} : votre passeport expire le {{ facts.passport_expires_on }}. "
        "RDV : {{ booking_url }} STOP au 36111",
        "",
    ),
    (
        "passport-m6",
        "postal",
        "fr",
        "Renouvellement de votre passeport",
        "Madame, Monsieur,\n\nVotre passeport expire le {{ facts.passport_expires_on }}. "
        "Pour le renouveler, prenez rendez-vous à l'accueil de la mairie ou au 03 82 00 00 00.\n\n"
        "Nous vous prions d'agréer nos salutations distinguées.\n\nLe maire",
        "",
    ),
    (
        "passport-reminder",
        "email",
        "fr",
        "Rappel : renouvelez votre passeport",
        "Bonjour {{ person.first_names }},\n\nVotre passeport expire le "
        "{{ facts.passport_expires_on }} et nous n'avons pas encore de rendez-vous pour vous. "
        "Pré-remplissez votre demande et choisissez un créneau : {{ booking_url }}\n\n"
        "La mairie de {{ town }}",
        "",
    ),
    (
        "passport-reminder",
        "sms",
        "fr",
        "",
        "Rappel mairie : passeport expirant le {{ facts.passport_expires_on }}. "
        "Pré-demande et RDV : {{ booking_url }}",
        "",
    ),
    (
        "passport-reminder",
        "postal",
        "fr",
        "Rappel : renouvellement de votre passeport",
        "Madame, Monsieur,\n\nSauf erreur, votre passeport expire le "
        "{{ facts.passport_expires_on }} et vous n'avez pas encore pris rendez-vous.",
        "",
    ),
    (
        "passport-documents",
        "email",
        "fr",
        "Demain : votre rendez-vous passeport",
        "Bonjour {{ person.first_names }},\n\nVotre rendez-vous est demain "
        "({{ facts.passport_appointment_on }}). Apportez : votre ancien passeport, une photo "
        "d'identité de moins de 6 mois, un justificatif de domicile, un timbre fiscal "
        "(86 €) et le numéro de pré-demande.\n\nLa mairie de {{ town }}",
        "",
    ),
    (
        "passport-documents",
        "sms",
        "fr",
        "",
        "RDV passeport demain. Apportez : ancien passeport, photo, justificatif de domicile, "
        "timbre fiscal, n° de pré-demande.",
        "",
    ),
    (
        "passport-ready",
        "sms",
        "fr",
        "",
        "Mairie de {{ town }} : votre passeport est prêt. Venez le retirer à l'accueil.",
        "",
    ),
]

STEPS = [
    {
        "id": "m6",
        "kind": "send",
        "template": "passport-m6",
        "channels": ["preferred", "email", "sms", "postal"],
    },
    {"id": "wait-month", "kind": "wait", "mode": "duration", "days": 30},
    {
        "id": "booked",
        "kind": "split",
        "branches": [
            {"if": {"kind": "fact", "key": APPOINTMENT_KEY, "op": "exists"}, "goto": "until-d1"}
        ],
        "else": "reminder",
    },
    {
        "id": "reminder",
        "kind": "send",
        "template": "passport-reminder",
        "channels": ["preferred", "email", "sms", "postal"],
    },
    {"id": "wait-booking", "kind": "wait", "mode": "duration", "days": 30},
    {
        "id": "booked-2",
        "kind": "split",
        "branches": [
            {"if": {"kind": "fact", "key": APPOINTMENT_KEY, "op": "exists"}, "goto": "until-d1"}
        ],
        "else": "call",
    },
    {
        "id": "call",
        "kind": "task",
        "title": "Appeler pour le renouvellement du passeport",
        "next": "end",
    },
    {
        "id": "until-d1",
        "kind": "wait",
        "mode": "fact",
        "key": APPOINTMENT_KEY,
        "offset_days": -1,
        "at_hour": 10,
    },
    {
        "id": "documents",
        "kind": "send",
        "template": "passport-documents",
        "channels": ["preferred", "email", "sms"],
    },
    {"id": "end", "kind": "exit", "as_goal": True},
]


@transaction.atomic
def install_demo(today=None, seed: int = 1) -> Journey:
    today = today or timezone.localdate()
    FactKey.objects.get_or_create(
        key=APPOINTMENT_KEY,
        defaults={
            "label": "Rendez-vous pour le passeport",
            "value_type": "date",
            "category": "identity",
        },
    )
    for code, channel, language, subject, text, html in TEMPLATES:
        MessageTemplate.objects.update_or_create(
            code=code,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body_text": text, "body_html": html},
        )
    audience, _created = Audience.objects.get_or_create(
        name=AUDIENCE_NAME,
        defaults={
            "description": "Personnes dont le passeport expire dans 150 à 210 jours.",
            "definition": filters.validate(
                {
                    "kind": "all",
                    "conditions": [
                        {
                            "kind": "fact",
                            "key": "passport_expires_on",
                            "op": "between",
                            "from": {"days": 150},
                            "to": {"days": 210},
                        },
                        {"kind": "attribute", "field": "age", "op": "gte", "from": 18},
                    ],
                }
            ),
        },
    )
    journey = Journey.objects.filter(name=JOURNEY_NAME).first()
    if journey is None:
        journey = services.save_journey(
            {
                "name": JOURNEY_NAME,
                "purpose": "document_reminders",
                "audience": audience,
                "trigger": "schedule",
                "schedule_hours": 24,
                "reentry": "after_days",
                "reentry_days": 300,
            }
        )
        services.new_version(journey, STEPS)
        services.set_status(journey, "active")
    _seed_appointments(audience, today, seed)
    return journey


def _seed_appointments(audience, today, seed):
    """A third of the audience already booked (set-based): the split has both branches."""
    from parvis.audiences.services import members

    if Fact.objects.filter(key_id=APPOINTMENT_KEY).exists():
        return
    rng = random.Random(seed)
    source = DataSource.objects.get(code="agent")
    now = timezone.now()
    ids = list(members(audience, today=today).values_list("pk", flat=True)[:50000])
    Fact.objects.bulk_create(
        [
            Fact(
                person_id=pid,
                key_id=APPOINTMENT_KEY,
                source=source,
                legal_basis="Prise de rendez-vous à l'accueil",
                collected_at=now,
                value_date=today + timedelta(days=rng.randint(20, 70)),
            )
            for pid in ids
            if rng.random() < 0.33
        ],
        batch_size=5000,
    )
