"""The demo's town hall: passport and identity card motives, opening hours, the demo agents'
availability and a few appointments today and in the coming days, so that an agent sees an
agenda. Idempotent (`make demo` calls it each time)."""

import random
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parvis.cases.models import Service
from parvis.people.models import Person

from . import services
from .models import Appointment, Availability, Motive, OpeningHours, Place

PLACE_SLUG = "mairie"
MOTIVES = [
    # code, name, minutes, documents, fact
    (
        "passport",
        "Passeport",
        20,
        "Ancien passeport\nPhoto d'identité de moins de 6 mois\nJustificatif de domicile de moins "
        "d'un an\nTimbre fiscal (86 €)\nNuméro de pré-demande ANTS",
        "passport_appointment_on",
    ),
    (
        "id-card",
        "Carte nationale d'identité",
        15,
        "Ancienne carte d'identité\nPhoto d'identité de moins de 6 mois\nJustificatif de "
        "domicile de moins d'un an\nNuméro de pré-demande ANTS",
        "",
    ),
]
# Monday to Friday 8:30-12:00 and 13:30-17:00, Saturday morning.
HOURS = [(d, time(8, 30), time(12, 0)) for d in range(5)]
HOURS += [(d, time(13, 30), time(17, 0)) for d in range(5)]
HOURS += [(5, time(9, 0), time(12, 0))]


@transaction.atomic
def install_demo(agents=("agent", "superviseur"), seed: int = 1) -> Place:
    service = Service.objects.filter(slug="etat-civil").first()
    place, _created = Place.objects.get_or_create(
        slug=PLACE_SLUG,
        defaults={
            "name": "Mairie — accueil État civil",
            "address": "Place de la Mairie, 54084 Mont-Bonvillers",
            "service": service,
        },
    )
    for code, name, minutes, documents, fact in MOTIVES:
        Motive.objects.get_or_create(
            place=place,
            code=code,
            defaults={
                "name": name,
                "duration_minutes": minutes,
                "documents": documents,
                "fact_key": fact,
            },
        )
    if not place.opening_hours.exists():
        OpeningHours.objects.bulk_create(
            [OpeningHours(place=place, weekday=d, start=a, end=b) for d, a, b in HOURS]
        )
    if not place.availabilities.exists():
        users = get_user_model().objects.filter(username__in=agents)
        Availability.objects.bulk_create(
            [
                Availability(place=place, agent=user, weekday=d, start=a, end=b)
                for user in users
                for d, a, b in HOURS
            ]
        )
    if not place.appointments.exists():
        _seed_appointments(place, seed)
    return place


def _seed_appointments(place: Place, seed: int) -> int:
    """About a third of the slots of today and the next three days, for random adults."""
    rng = random.Random(seed)
    people = list(
        Person.objects.filter(deceased_on__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    if not people:
        return 0
    start_of_day = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    count = 0
    for motive in place.motives.all():
        for offset in range(4):
            day = timezone.localdate() + timedelta(days=offset)
            rows = []
            for slot in services.slots(motive, day, now=start_of_day):
                if slot.free and rng.random() < 0.3:
                    rows.append(
                        Appointment(
                            place=place,
                            motive=motive,
                            person_id=rng.choice(people),
                            start=slot.start,
                            end=slot.end,
                            source=rng.choice(["portal", "link", "console"]),
                        )
                    )
            # Seeded directly (no mail, no timeline): the demo's past, not citizens' actions.
            Appointment.objects.bulk_create(rows, ignore_conflicts=True)
            count += len(rows)
    return count
