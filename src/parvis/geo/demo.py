"""The demo town's map: the real BAN addresses of Mont-Bonvillers and four neighbourhoods.

The neighbourhoods are cut from the bounding box of the BAN file's addresses (no download):
the box, padded by about 50 m, is split at the latitudes and longitude below, which run
between the real streets. `build_areas()` writes the shipped GeoJSON again."""

import csv
import json
import random
from pathlib import Path

from django.conf import settings
from django.db import transaction

AREAS_FILE = Path(__file__).parent / "data" / "mont-bonvillers-quartiers.geojson"
PAD = 0.0005  # degrees, about 55 m north-south and 36 m east-west here
SOUTH_NORTH_CUT = 49.3256  # between Allée des Acacias / Rue de Bonvillers and Rue de l'Église
CENTRE_NORTH_CUT = 49.3290  # between Rue Baron d'Huart and Rue Nationale
VILLAGE_WEST_CUT = 5.8356  # between Rue Jeanne d'Arc and Rue de Bonvillers


def ban_path() -> Path:
    from parvis.demo import geography

    return Path(settings.PARVIS_SHARED_DATA) / geography.BAN_FILE


def build_areas(path: Path | None = None) -> dict:
    points = []
    with (path or ban_path()).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            if row["long"] and row["lat"]:
                points.append((float(row["long"]), float(row["lat"])))
    x0 = round(min(p[0] for p in points) - PAD, 5)
    x1 = round(max(p[0] for p in points) + PAD, 5)
    y0 = round(min(p[1] for p in points) - PAD, 5)
    y1 = round(max(p[1] for p in points) + PAD, 5)

    def box(name, code, a, b, c, d):
        ring = [[a, b], [c, b], [c, d], [a, d], [a, b]]
        return {
            "type": "Feature",
            "properties": {"nom": name, "code": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    return {
        "type": "FeatureCollection",
        "name": "Quartiers de Mont-Bonvillers (démonstration, découpés dans l'emprise BAN)",
        "features": [
            box("Le Bas", "MB-BAS", x0, y0, VILLAGE_WEST_CUT, SOUTH_NORTH_CUT),
            box("Bonvillers Village", "MB-VIL", VILLAGE_WEST_CUT, y0, x1, SOUTH_NORTH_CUT),
            box("Centre", "MB-CEN", x0, SOUTH_NORTH_CUT, x1, CENTRE_NORTH_CUT),
            box("Le Haut", "MB-HAU", x0, CENTRE_NORTH_CUT, x1, y1),
        ],
    }


def write_areas() -> Path:
    AREAS_FILE.parent.mkdir(parents=True, exist_ok=True)
    AREAS_FILE.write_text(
        json.dumps(build_areas(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return AREAS_FILE


def setup(move: int = 0) -> dict:
    """Import the BAN file (fills coordinates, creates the missing addresses), the areas, and
    place households on the real streets when nobody lives there yet (or `move` of them)."""
    from parvis.demo import geography

    from . import areas, ban

    report: dict = {}
    if ban_path().exists():
        result = ban.import_ban(ban_path(), postcode=geography.TOWN_POSTCODE)
        report.update({f"ban_{k}": v for k, v in result.as_dict().items()})
        report["moved_households"] = move_households(move)
    if AREAS_FILE.exists():
        result = areas.import_areas(AREAS_FILE, kind="neighbourhood")
        report["areas"] = len(result.names)
    return report


@transaction.atomic
def move_households(count: int = 0, seed: int = 7) -> int:
    """Move households from synthetic addresses onto BAN addresses nobody lives at. With
    count=0: only when the BAN streets have no resident at all (a town seeded without the
    shared data), as many as there are free BAN addresses."""
    from django.utils import timezone

    from parvis.people.models import Address, Household, HouseholdMember, Residence

    ban_addresses = Address.objects.exclude(ban_id="").filter(latitude__isnull=False)
    free = list(
        ban_addresses.exclude(residences__end__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if count == 0:
        if Residence.objects.filter(address__in=ban_addresses, end__isnull=True).exists():
            return 0
        count = len(free)
    count = min(count, len(free))
    if not count:
        return 0
    households = list(
        Household.objects.filter(address__isnull=False, address__ban_id="")
        .order_by("pk")
        .values_list("pk", flat=True)[: count * 5]
    )
    rng = random.Random(seed)
    rng.shuffle(households)
    today = timezone.localdate()
    moved = 0
    for household_id, address_id in zip(households, free, strict=False):
        members = list(
            HouseholdMember.objects.filter(
                household_id=household_id, until__isnull=True
            ).values_list("person_id", flat=True)
        )
        Residence.objects.filter(person_id__in=members, end__isnull=True).update(end=today)
        Residence.objects.bulk_create(
            [Residence(person_id=p, address_id=address_id, start=today) for p in members]
        )
        Household.objects.filter(pk=household_id).update(address_id=address_id)
        moved += 1
    return moved
