"""The town's map: an outline, the real streets of Mont-Bonvillers at its heart (Base Adresse
Nationale extract in shared/data) and synthetic streets around them, sized to the population."""

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TOWN_NAME = "Mont-Bonvillers"
TOWN_INSEE = "54084"
TOWN_POSTCODE = "54111"
CENTRE = (49.3265, 5.8350)  # latitude, longitude of the real streets
BAN_FILE = "ban/adresses-54084.csv"

STREET_TYPES = [
    ("Rue", 50),
    ("Avenue", 8),
    ("Allée", 10),
    ("Impasse", 10),
    ("Chemin", 8),
    ("Place", 3),
    ("Boulevard", 3),
    ("Route", 4),
    ("Square", 2),
    ("Sentier", 2),
]
STREET_NAMES = [
    "Victor Hugo",
    "Jean Jaurès",
    "Pasteur",
    "Jules Ferry",
    "Émile Zola",
    "Gambetta",
    "de la Gare",
    "de la Mairie",
    "du Moulin",
    "des Écoles",
    "de la Fontaine",
    "des Lilas",
    "des Tilleuls",
    "des Peupliers",
    "des Chênes",
    "des Roses",
    "des Jardins",
    "du Château",
    "du Général de Gaulle",
    "du Maréchal Foch",
    "Clemenceau",
    "Jean Moulin",
    "Pierre Curie",
    "Marie Curie",
    "Louise Michel",
    "Simone Veil",
    "Albert Camus",
    "Voltaire",
    "Molière",
    "Jean de la Fontaine",
    "Paul Verlaine",
    "Arthur Rimbaud",
    "George Sand",
    "Colette",
    "des Vignes",
    "du Stade",
    "de la Forêt",
    "du Lavoir",
    "de la Croix",
    "du Four",
    "des Prés",
    "des Champs",
    "de la Source",
    "des Cerisiers",
    "des Mirabelliers",
    "de Lorraine",
    "de Metz",
    "de Nancy",
    "de Longwy",
    "de Briey",
    "de Verdun",
    "du 11 Novembre",
    "du 8 Mai 1945",
    "de la Libération",
    "de la Résistance",
    "Gustave Eiffel",
    "Saint-Martin",
    "Saint-Nicolas",
    "Sainte-Barbe",
    "des Mineurs",
    "de la Forge",
    "du Haut-Fourneau",
    "des Sapins",
    "des Bleuets",
    "des Coquelicots",
    "Anatole France",
    "Charles Péguy",
    "Maurice Barrès",
    "Jeanne d'Arc",
    "Lafayette",
    "Robert Schuman",
    "Jean Monnet",
    "de l'Europe",
    "de la Paix",
    "de la Liberté",
    "des Acacias",
    "des Érables",
    "des Hêtres",
    "des Frênes",
    "des Bouleaux",
    "du Verger",
    "Aristide Briand",
    "Edmond Rostand",
    "Hector Berlioz",
    "Claude Debussy",
    "Maurice Ravel",
    "Georges Brassens",
    "Édith Piaf",
    "Antoine de Saint-Exupéry",
    "Jules Verne",
    "Alexandre Dumas",
    "Honoré de Balzac",
    "Gustave Flaubert",
    "Stendhal",
    "Rabelais",
]


@dataclass
class AddressRow:
    street_index: int
    number: int | None
    suffix: str
    latitude: float | None
    longitude: float | None
    ban_id: str


def outline(radius_km: float, rng: random.Random, points: int = 28) -> list[tuple[float, float]]:
    """A closed, star-shaped polygon around the centre: never self-intersecting."""
    lat0, lon0 = CENTRE
    ring = []
    for i in range(points):
        angle = 2 * math.pi * i / points
        r = radius_km * (0.85 + 0.3 * rng.random())
        ring.append(_offset(lat0, lon0, r * math.cos(angle), r * math.sin(angle)))
    ring.append(ring[0])
    return ring


def _offset(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return (
        round(lat + north_km / 111.32, 6),
        round(lon + east_km / (111.32 * math.cos(math.radians(lat))), 6),
    )


def real_addresses() -> tuple[list[str], list[AddressRow]]:
    path = Path(settings.PARVIS_SHARED_DATA) / BAN_FILE
    if not path.exists():
        return [], []
    streets: dict[str, int] = {}
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle, delimiter=";"):
            name = line["voie_nom"].replace("’", "'").strip()
            index = streets.setdefault(name, len(streets))
            rows.append(
                AddressRow(
                    street_index=index,
                    number=int(line["numero"]) if line["numero"].isdigit() else None,
                    suffix=line["suffixe"].strip(),
                    latitude=float(line["lat"]) if line["lat"] else None,
                    longitude=float(line["long"]) if line["long"] else None,
                    ban_id=line["cle_interop"],
                )
            )
    return list(streets), rows


def synthetic_streets(count: int, taken: set[str], rng: random.Random) -> list[str]:
    types = [t for t, _w in STREET_TYPES]
    weights = [w for _t, w in STREET_TYPES]
    names: list[str] = []
    seen = set(taken)
    attempts = 0
    while len(names) < count:
        attempts += 1
        base = rng.choice(STREET_NAMES)
        name = f"{rng.choices(types, weights)[0]} {base}"
        if name in seen:
            # Big towns reuse names across districts, as French cities do ("Rue X prolongée").
            name = f"{name} {_district(attempts)}"
            if name in seen:
                continue
        seen.add(name)
        names.append(name)
    return names


def _district(n: int) -> str:
    return f"({n % 97 + 1}e secteur)"


def place_street(index: int, total: int, radius_km: float, rng: random.Random):
    """A segment for a synthetic street: a start point inside the outline and a direction."""
    # Spread streets over a disc, denser near the centre like a real town.
    r = radius_km * 0.8 * math.sqrt((index + 1) / (total + 1)) * (0.6 + 0.4 * rng.random())
    angle = rng.random() * 2 * math.pi
    heading = rng.random() * 2 * math.pi
    return r * math.cos(angle), r * math.sin(angle), heading


def street_addresses(
    street_index: int, count: int, radius_km: float, total_streets: int, rng: random.Random
) -> list[AddressRow]:
    north, east, heading = place_street(street_index, total_streets, radius_km, rng)
    step = 0.012  # km between two numbers on one side
    rows = []
    for i in range(count):
        number = i + 1
        along = (i // 2) * step
        side = 0.01 if number % 2 else -0.01
        n = north + along * math.cos(heading) + side * math.sin(heading)
        e = east + along * math.sin(heading) - side * math.cos(heading)
        lat, lon = _offset(CENTRE[0], CENTRE[1], n, e)
        rows.append(AddressRow(street_index, number, "", lat, lon, ""))
    return rows
