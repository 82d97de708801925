"""The demo's sample extract: a CAF file about part of the town's population, as a real one
looks — Windows-1252, semicolons, dates in three formats, French decimals, typos, swapped
names, married instead of birth names, moved addresses, missing emails, a few strangers,
a duplicate line and two bad lines — and the mapping profile that reads it.

The extract is drawn from the persons in the base with a fixed seed, so the same town
gives the same file; `parvis integrations-sample` writes it and installs the profile."""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from parvis.people.models import DataSource, Fact, Person

from .mapping import validate_columns
from .models import MappingProfile
from .synthetic import typo

SAMPLES_DIR = Path(__file__).parent / "samples"
CAF_FILE = "caf_extract.csv"
CAF_ENCODING = "cp1252"
# The mapping profile, as an administrator would write it (also importable by hand).
CAF_PROFILE = json.loads((SAMPLES_DIR / "caf_profile.json").read_text(encoding="utf-8"))
HEADER = [c["column"] for c in CAF_PROFILE["columns"]]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def install_profile(profile: dict | None = None) -> MappingProfile:
    spec = dict(profile or CAF_PROFILE)
    source = DataSource.objects.get(code=spec.pop("source"))
    spec["columns"] = validate_columns(spec["columns"], spec.get("legal_basis", ""))
    obj, _created = MappingProfile.objects.update_or_create(
        slug=spec.pop("slug"), defaults={**spec, "source": source}
    )
    return obj


def _french_date(d: date, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.75:
        return d.strftime("%d/%m/%Y")
    if style < 0.9:
        return d.isoformat()
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _decimal(value: int, rng: random.Random) -> str:
    cents = rng.choice([0, 0, 25, 50, 75])
    whole = f"{value:,}".replace(",", " ")
    return f"{whole},{cents:02d}"


def build_rows(rows: int = 400, seed: int = 7) -> list[list[str]]:
    """The extract's lines, from the base's adults, with the CAF's view of them."""
    rng = random.Random(seed)
    today = date.today()
    adults = list(
        Person.objects.filter(birth_date__lte=date(today.year - 18, today.month, 1))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not adults:
        raise ValueError("the base has no adults: seed a town first (parvis seed)")
    picked = sorted(rng.sample(adults, min(len(adults), int(rows * 0.9))))
    persons = {p.pk: p for p in Person.objects.filter(pk__in=picked)}
    contacts: dict[int, dict] = {}
    from parvis.people.models import ContactPoint, Residence

    for pid, kind, value in ContactPoint.objects.filter(person_id__in=picked).values_list(
        "person_id", "kind", "value"
    ):
        contacts.setdefault(pid, {}).setdefault(kind, value)
    addresses = {
        r.person_id: r.address
        for r in Residence.objects.filter(person_id__in=picked, end__isnull=True).select_related(
            "address__street"
        )
    }
    facts: dict[int, dict] = {}
    for pid, key, number, flag in Fact.objects.filter(
        Q(person_id__in=picked),
        key_id__in=["family_quotient", "dependent_children", "rsa_recipient"],
    ).values_list("person_id", "key_id", "value_number", "value_bool"):
        facts.setdefault(pid, {})[key] = number if number is not None else flag
    lines: list[list[str]] = []
    number = 1_200_000
    for pid in picked:
        p = persons[pid]
        number += rng.randint(1, 40)
        first, last, birth_name = p.first_names, p.last_name, p.birth_name
        roll = rng.random()
        if roll < 0.06:
            first = typo(rng, first)
        elif roll < 0.1:
            last = typo(rng, last)
        elif roll < 0.12 and birth_name:
            last, birth_name = birth_name, ""  # the CAF knows her by her birth name
        elif roll < 0.14:
            first, last = last, first  # swapped by the sender
        birth = p.birth_date
        if rng.random() < 0.03:
            birth = date(birth.year, birth.day, birth.month) if birth.day <= 12 else birth
        address = addresses.get(pid)
        line, postcode, city = "", "", ""
        if address is not None:
            line, postcode, city = address.first_line, address.street.postcode, address.street.city
        if rng.random() < 0.1:
            line = f"{rng.randint(1, 60)} rue de la Gare"  # moved since
        mine = facts.get(pid, {})
        qf = mine.get("family_quotient")
        qf_value = int(qf) if qf is not None else rng.randint(300, 2200)
        email = contacts.get(pid, {}).get("email", "") if rng.random() < 0.6 else ""
        phone = contacts.get(pid, {}).get("mobile", "") if rng.random() < 0.7 else ""
        lines.append(
            [
                str(number),
                last.upper(),
                birth_name.upper(),
                first,
                _french_date(birth, rng),
                p.sex or "",
                line,
                postcode,
                city,
                email,
                phone,
                _decimal(qf_value, rng),
                str(int(mine.get("dependent_children") or 0)),
                "oui" if mine.get("rsa_recipient") else "non",
                rng.choice(["oui", "non", "non"]),
                today.strftime("%d/%m/%Y"),
            ]
        )
    # A few uncertain ones, for the review queue: a second given name the town never
    # recorded, the birth date left empty by the sender, no address and no contact — is it
    # the same person? (With a birth date even a little wrong, the model's answer depends on
    # the size of the town: measured on 2,000 and 20,000 people, a missing one lands in the
    # review band in both.)
    others = [pid for pid in adults if pid not in persons]
    for pid in rng.sample(others, min(len(others), 5)):
        p = Person.objects.get(pk=pid)
        given = p.first_names.split()[:1] + ["Marie" if p.sex == "F" else "Jean"]
        number += rng.randint(1, 40)
        lines.append(
            [str(number), p.last_name.upper(), "", " ".join(given), "", p.sex or "", "", "",
             "", "", "", _decimal(rng.randint(300, 900), rng), "0", "non", "non",
             today.strftime("%d/%m/%Y")]
        )  # fmt: skip
    from parvis.demo.names import first_name_for, surnames

    names = surnames()
    others = [pid for pid in adults if pid not in persons]
    for pid in rng.sample(others, min(len(others), 5)):
        p = Person.objects.get(pk=pid)
        number += rng.randint(1, 40)
        lines.append(
            [
                str(number),
                names.pick(rng).upper(),
                "",
                p.first_names,
                _french_date(p.birth_date, rng),
                p.sex or "",
                f"{rng.randint(1, 60)} rue de la Gare",
                "54111",
                "Mont-Bonvillers",
                "",
                "",
                _decimal(rng.randint(300, 900), rng),
                "0",
                "non",
                "non",
                today.strftime("%d/%m/%Y"),
            ]
        )
    while len(lines) < rows - 3:  # strangers: CAF beneficiaries the town does not know
        sex = rng.choice("FM")
        birth = date(rng.randint(1950, 2004), rng.randint(1, 12), rng.randint(1, 28))
        number += rng.randint(1, 40)
        lines.append(
            [
                str(number),
                names.pick(rng).upper(),
                "",
                first_name_for(rng, sex, birth.year),
                _french_date(birth, rng),
                sex,
                f"{rng.randint(1, 90)} avenue de Lorraine",
                "54111",
                "Mont-Bonvillers",
                "",
                "",
                _decimal(rng.randint(200, 1800), rng),
                str(rng.choice([0, 1, 2, 3])),
                rng.choice(["oui", "non", "non", "non"]),
                rng.choice(["oui", "non"]),
                today.strftime("%d/%m/%Y"),
            ]
        )
    rng.shuffle(lines)
    lines.append(list(lines[0]))  # the sender's export repeated a line
    bad_date = list(lines[1])
    bad_date[0], bad_date[4] = str(number + 7), "31/02/1970"
    lines.append(bad_date)
    shifted = list(lines[2])
    shifted[0] = str(number + 9)
    lines.append(shifted[:6] + ["Bâtiment B"] + shifted[6:])  # a shifted column
    return lines


def write_caf_extract(path: Path | None = None, rows: int = 400, seed: int = 7) -> Path:
    path = Path(path or settings.VAR_DIR / "samples" / CAF_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=CAF_ENCODING, errors="replace") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(build_rows(rows, seed))
    return path
