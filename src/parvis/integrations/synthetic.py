"""Synthetic pairs of extracts with known truth, for the linkage benchmark and tests.

The left file lists people as one administration knows them; the right file lists some of
the same people as another administration knows them — with the corruption real extracts
have: typos in names, first and last name swapped, married name instead of birth name,
second given name dropped or moved, a moved address, a missing email or phone, a birth date
with a typo or day and month swapped — plus people the left file does not know.
Everything comes from one seed."""

from __future__ import annotations

import csv
import random
import string
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from parvis.demo.names import first_name_for, surnames

STREETS = [
    "rue Victor Hugo",
    "rue Jean Jaurès",
    "avenue de la Gare",
    "rue Pasteur",
    "allée des Tilleuls",
    "impasse du Moulin",
    "place de la Mairie",
    "chemin des Vignes",
    "rue des Écoles",
    "boulevard Gambetta",
    "rue de Metz",
    "rue Émile Zola",
    "route de Longwy",
    "rue du Château",
    "rue des Lilas",
    "square Colette",
]
TOWNS = [
    ("54000", "Nancy"),
    ("57000", "Metz"),
    ("54400", "Longwy"),
    ("54150", "Briey"),
    ("55100", "Verdun"),
    ("88000", "Épinal"),
    ("54111", "Mont-Bonvillers"),
    ("57100", "Thionville"),
]
BIRTH_PLACES = ["Nancy", "Metz", "Paris", "Lyon", "Verdun", "Épinal", "Thionville", "Reims"]
DOMAINS = ["orange.fr", "gmail.com", "free.fr", "laposte.net", "sfr.fr", "hotmail.fr"]
COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "birth_name",
    "birth_date",
    "birth_place",
    "address",
    "postcode",
    "city",
    "email",
    "phone",
]


@dataclass
class Corruption:
    typo_first: float = 0.08
    typo_last: float = 0.08
    swapped: float = 0.02
    married: float = 0.05
    given_names: float = 0.05
    moved: float = 0.15
    missing_email: float = 0.3
    missing_phone: float = 0.2
    birth_date: float = 0.03
    missing_birth_place: float = 0.5
    # Values that changed between the two administrations: without them a model would learn
    # that a different email, phone or birth place rules a match out.
    other_email: float = 0.05
    other_phone: float = 0.05
    other_birth_place: float = 0.02


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isalnum() and not unicodedata.combining(c)).lower()


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.3:  # deletion
        return word[:i] + word[i + 1 :]
    if kind < 0.55:  # transposition
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.8:  # substitution
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
    return word[:i] + rng.choice(string.ascii_lowercase) + word[i:]  # insertion


class People:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.surnames = surnames()
        self.today = date(2025, 1, 1)

    def person(self, pid: int) -> dict:
        rng = self.rng
        sex = rng.choice("FM")
        birth = self.today - timedelta(days=rng.randint(18 * 365, 95 * 365))
        first = first_name_for(rng, sex, birth.year)
        last = self.surnames.pick(rng)
        birth_name = ""
        if sex == "F" and rng.random() < 0.35:
            birth_name, last = last, self.surnames.pick(rng)  # married, birth name known
        postcode, city = rng.choice(TOWNS)
        email = ""
        if rng.random() < 0.75:
            local = f"{_ascii(first.split()[0])}.{_ascii(last)}{rng.randrange(100)}"
            email = f"{local}@{rng.choice(DOMAINS)}"
        phone = ""
        if rng.random() < 0.8:
            phone = "06" + f"{rng.randrange(10**8):08d}"
        return {
            "id": pid,
            "first_name": first,
            "last_name": last,
            "birth_name": birth_name,
            "birth_date": birth,
            "birth_place": rng.choice(BIRTH_PLACES) if rng.random() < 0.7 else "",
            "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
            "postcode": postcode,
            "city": city,
            "email": email,
            "phone": phone,
        }

    def corrupt(self, record: dict, new_id, c: Corruption) -> dict:
        rng = self.rng
        r = dict(record, id=new_id)
        if rng.random() < c.given_names and " " in r["first_name"]:
            words = r["first_name"].split()
            r["first_name"] = words[0] if rng.random() < 0.5 else " ".join(reversed(words))
        elif rng.random() < c.given_names:
            r["first_name"] = r["first_name"].replace(" ", "-")
        if rng.random() < c.typo_first:
            r["first_name"] = typo(rng, r["first_name"])
        if r["birth_name"] and rng.random() < c.married:
            r["last_name"], r["birth_name"] = r["birth_name"], ""  # known by birth name only
        if rng.random() < c.typo_last:
            r["last_name"] = typo(rng, r["last_name"])
        if rng.random() < c.swapped:
            r["first_name"], r["last_name"] = r["last_name"], r["first_name"]
        if rng.random() < c.moved:
            r["address"] = f"{rng.randint(1, 180)} {rng.choice(STREETS)}"
            r["postcode"], r["city"] = rng.choice(TOWNS)
        if rng.random() < c.missing_email:
            r["email"] = ""
        elif r["email"] and rng.random() < c.other_email:
            r["email"] = f"{_ascii(r['first_name'])[:8]}{rng.randrange(1000)}@{rng.choice(DOMAINS)}"
        if rng.random() < c.missing_phone:
            r["phone"] = ""
        elif r["phone"] and rng.random() < c.other_phone:
            r["phone"] = "07" + f"{rng.randrange(10**8):08d}"
        if r["birth_place"] and rng.random() < c.other_birth_place:
            r["birth_place"] = rng.choice(BIRTH_PLACES)
        if rng.random() < c.birth_date:
            d = r["birth_date"]
            if d.day <= 12 and d.day != d.month and rng.random() < 0.5:
                r["birth_date"] = date(d.year, d.day, d.month)
            else:
                r["birth_date"] = d + timedelta(days=rng.choice([-1, 1, 10, -10]))
        if rng.random() < c.missing_birth_place:
            r["birth_place"] = ""
        return r


def generate(
    n_left: int, n_right: int, seed: int = 1, overlap: float = 0.8, corruption=None
) -> tuple[list[dict], list[dict], set[tuple[str, str]]]:
    """Two lists of records and the set of true (left_id, right_id) pairs."""
    corruption = corruption or Corruption()
    people = People(seed)
    left = [people.person(f"L{i}") for i in range(n_left)]
    shared = min(n_left, int(n_right * overlap))
    picks = people.rng.sample(range(n_left), shared)
    right, truth = [], set()
    for j, i in enumerate(picks):
        rid = f"R{j}"
        right.append(people.corrupt(left[i], rid, corruption))
        truth.add((left[i]["id"], rid))
    for j in range(shared, n_right):
        right.append(people.person(f"R{j}"))
    people.rng.shuffle(right)
    return left, right, truth


def write_csv(records: list[dict], path: Path, date_style: str = "iso") -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for r in records:
            d = r["birth_date"]
            shown = d.isoformat() if date_style == "iso" else d.strftime("%d/%m/%Y")
            writer.writerow([shown if c == "birth_date" else r[c] for c in COLUMNS])
