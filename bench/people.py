"""Benchmark of the people domain: seeding, search and the 360° page.

    python bench/people.py --people 20000 --queries 500            # about a minute, SQLite
    python bench/people.py --people 1000000 --queries 2000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_bench

It drops and recreates a dedicated database (its name must contain "bench"), migrates it,
seeds the synthetic town with `seed_town(people, seed=1)` and measures people per second.
Then it times, in the same process and the same run:

* search: `search_people(q)` on a query mix sampled from the seeded data (names with one typo,
  names without accents, upper-case emails, phones in various formats, street addresses),
  against a floor of the minimal raw SQL lookup that returns the same people when the exact
  tokens are already known;
* the 360° page: the full Django view `GET /people/<id>/` through the test client, logged in
  as a supervisor (middleware, session, permissions, access log write, template), against a
  floor of the raw SQL queries that fetch the same data.

Each ratio is p95(Parvis) / p95(floor). The last line of output is one `key=value` line of
headline figures. `--reuse` skips dropping and seeding when the database is already seeded
(migrations still run), to iterate on search or page speed.
"""

import argparse
import math
import os
import platform
import random
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_bench.sqlite3'}"
KINDS = ["name_typo", "name_plain", "email", "phone", "address"]


# --- the database ---------------------------------------------------------------------------


def prepare_database(url: str, reuse: bool) -> bool:
    """Drop and recreate the bench database (unless reusing a seeded one). True if fresh."""
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to drop {name!r}: the bench database name must contain 'bench'")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(name)
        if reuse and path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return True
    import psycopg

    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and exists:
            return False
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + cursor.fetchone()[0].split()[0]
    import sqlite3

    return "SQLite " + sqlite3.sqlite_version


def machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
    except OSError:
        pass
    return f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}"


# --- timing ---------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, in the unit of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class SqlClock:
    """Adds up the time spent inside SQL executions (Django's execute_wrapper)."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1

    def reset(self):
        self.seconds, self.queries = 0.0, 0


@dataclass
class Series:
    parvis: list[float] = field(default_factory=list)  # ms
    floor: list[float] = field(default_factory=list)  # ms
    sql: list[float] = field(default_factory=list)  # ms spent in SQL inside the Parvis call
    queries: list[int] = field(default_factory=list)
    found: int = 0

    def add(self, other: "Series") -> None:
        self.parvis += other.parvis
        self.floor += other.floor
        self.sql += other.sql
        self.queries += other.queries
        self.found += other.found

    @property
    def ratio(self) -> float:
        floor = percentile(self.floor, 95)
        return percentile(self.parvis, 95) / floor if floor else float("nan")


# --- the query mix --------------------------------------------------------------------------


@dataclass
class Query:
    kind: str
    text: str
    person_id: int
    floor_sql: str
    floor_params: list


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def one_typo(word: str, rng: random.Random) -> str:
    """The word with one deletion, insertion, substitution or swap of adjacent letters."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _attempt in range(20):
        i = rng.randrange(len(word))
        operation = rng.choice(["delete", "insert", "substitute", "swap"])
        if operation == "delete":
            typo = word[:i] + word[i + 1 :]
        elif operation == "insert":
            typo = word[:i] + rng.choice(letters) + word[i:]
        elif operation == "substitute":
            typo = word[:i] + rng.choice(letters.replace(word[i], "")) + word[i + 1 :]
        else:
            if i == len(word) - 1 or word[i] == word[i + 1]:
                continue
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if typo != word:
            return typo
    return word[:-1]


NAME_FLOOR = (
    "SELECT a.person_id FROM people_nametoken a JOIN people_nametoken b"
    " ON b.person_id = a.person_id WHERE a.token = %s AND b.token = %s LIMIT 50"
)
CONTACT_FLOOR = "SELECT person_id FROM people_contactpoint WHERE normalized = %s LIMIT 50"
ADDRESS_FLOOR = (
    "SELECT DISTINCT r.person_id FROM people_residence r"
    " JOIN people_address a ON a.id = r.address_id"
    " JOIN people_street s ON s.id = a.street_id"
    ' WHERE s.name_norm = %s AND a.number = %s AND r."end" IS NULL LIMIT 51'
)


def build_queries(count: int, rng: random.Random) -> list[Query]:
    """`count` queries, as many of each kind, about people sampled from the seeded data."""
    from django.db.models import Max, Min, Prefetch

    from parvis.people.models import ContactPoint, Person, Residence
    from parvis.people.normalize import normalize_text

    per_kind = max(1, count // len(KINDS))
    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    wanted = {kind: [] for kind in KINDS}
    while any(len(v) < per_kind for v in wanted.values()):
        ids = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(per_kind * 2)]
        persons = Person.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("contact_points", queryset=ContactPoint.objects.order_by("id")),
            Prefetch(
                "residences",
                queryset=Residence.objects.filter(end__isnull=True).select_related(
                    "address__street"
                ),
            ),
        )
        for person in persons:
            for kind in KINDS:
                if len(wanted[kind]) < per_kind:
                    query = _query_for(kind, person, rng, normalize_text)
                    if query:
                        wanted[kind].append(query)
    queries = [q for kind in KINDS for q in wanted[kind]]
    rng.shuffle(queries)
    return queries


def _query_for(kind: str, person, rng: random.Random, normalize_text) -> Query | None:
    first = normalize_text(person.first_names).replace(" ", "")
    last = normalize_text(person.last_name).replace(" ", "")
    name_params = [first[:60], last[:60]]
    if kind == "name_plain":
        text = strip_accents(f"{person.first_names} {person.last_name}")
        style = rng.random()
        text = (
            text.lower()
            if style < 0.4
            else text.upper()
            if style < 0.6
            else strip_accents(f"{person.last_name.upper()} {person.first_names}")
        )
        return Query(kind, text, person.pk, NAME_FLOOR, name_params)
    if kind == "name_typo":
        words = normalize_text(f"{person.first_names} {person.last_name}").split()
        long_words = [i for i, w in enumerate(words) if len(w) >= 5]
        if not long_words:
            return None
        i = rng.choice(long_words)
        words[i] = one_typo(words[i], rng)
        return Query(kind, " ".join(words), person.pk, NAME_FLOOR, name_params)
    contacts = list(person.contact_points.all())
    if kind == "email":
        emails = [c for c in contacts if c.kind == "email"]
        if not emails:
            return None
        value = emails[0].value
        text = value.upper() if rng.random() < 0.7 else value.title()
        return Query(kind, text, person.pk, CONTACT_FLOOR, [emails[0].normalized])
    if kind == "phone":
        phones = [c for c in contacts if c.kind in ("mobile", "landline")]
        if not phones:
            return None
        e164 = phones[0].normalized
        national = "0" + e164[3:]
        pairs = [national[i : i + 2] for i in range(0, 10, 2)]
        text = rng.choice(
            [
                " ".join(pairs),
                ".".join(pairs),
                "-".join(pairs),
                national,
                e164,
                "+33 " + national[1] + " " + " ".join(pairs[1:]),
                "0033 " + national[1:],
            ]
        )
        return Query(kind, text, person.pk, CONTACT_FLOOR, [e164])
    if kind == "address":
        residences = [r for r in person.residences.all() if r.address.number]
        if not residences:
            return None
        address = residences[0].address
        street = address.street.name
        suffix = f" {address.suffix}" if address.suffix else ""
        text = f"{address.number}{suffix} {street}"
        text = strip_accents(text).lower() if rng.random() < 0.5 else text
        return Query(
            kind, text, person.pk, ADDRESS_FLOOR, [address.street.name_norm, address.number]
        )
    raise ValueError(kind)


# --- the measures ---------------------------------------------------------------------------


def time_floor(sqls: list[tuple[str, list]]) -> float:
    """Milliseconds to run these raw SQL statements and fetch all their rows."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the DB-API cursor under Django's wrapper
        for sql, params in sqls:
            raw.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql, params)
            raw.fetchall()
    return (time.perf_counter() - started) * 1000


def bench_search(queries: list[Query], clock: SqlClock) -> dict[str, Series]:
    from parvis.people.search import search_people

    for query in queries[:20]:  # warm up: imports, phone metadata, caches
        search_people(query.text)
        time_floor([(query.floor_sql, query.floor_params)])
    series = {kind: Series() for kind in KINDS}
    for query in queries:
        s = series[query.kind]
        clock.reset()
        started = time.perf_counter()
        result = search_people(query.text)
        s.parvis.append((time.perf_counter() - started) * 1000)
        s.sql.append(clock.seconds * 1000)
        s.queries.append(clock.queries)
        s.found += any(p.pk == query.person_id for p in result.persons)
        s.floor.append(time_floor([(query.floor_sql, query.floor_params)]))
    return series


PAGE_FLOOR = [
    ("SELECT * FROM people_person WHERE id = %s", 1),
    (
        "SELECT r.*, a.*, s.* FROM people_residence r"
        " JOIN people_address a ON a.id = r.address_id"
        " JOIN people_street s ON s.id = a.street_id"
        ' WHERE r.person_id = %s ORDER BY r."end", r.start DESC',
        1,
    ),
    (
        "SELECT o.*, p.*, a.*, s.* FROM people_householdmember m"
        " JOIN people_household h ON h.id = m.household_id"
        " LEFT JOIN people_address a ON a.id = h.address_id"
        " LEFT JOIN people_street s ON s.id = a.street_id"
        " JOIN people_householdmember o ON o.household_id = m.household_id AND o.until IS NULL"
        " JOIN people_person p ON p.id = o.person_id"
        " WHERE m.person_id = %s AND m.until IS NULL",
        1,
    ),
    ("SELECT * FROM people_contactpoint WHERE person_id = %s ORDER BY kind, id", 1),
    ("SELECT * FROM people_consent WHERE person_id = %s ORDER BY recorded_at, id", 1),
    (
        "SELECT f.*, k.*, s.* FROM people_fact f"
        " JOIN people_factkey k ON k.key = f.key"
        " JOIN people_datasource s ON s.id = f.source_id"
        " WHERE f.person_id = %s ORDER BY s.name, k.label",
        1,
    ),
    (
        "SELECT i.*, u.username, u.first_name, u.last_name FROM people_interaction i"
        " LEFT JOIN auth_user u ON u.id = i.actor_id"
        " WHERE i.person_id = %s ORDER BY i.occurred_at DESC, i.id DESC LIMIT 25",
        1,
    ),
]


def bench_pages(count: int, rng: random.Random, clock: SqlClock) -> Series:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models import Max, Min
    from django.test import Client

    from parvis.console import roles
    from parvis.people.models import Person

    user, _created = get_user_model().objects.get_or_create(username="bench-supervisor")
    user.groups.set([Group.objects.get(name=roles.SUPERVISOR)])
    client = Client()
    client.force_login(user)
    bounds = Person.objects.aggregate(lo=Min("id"), hi=Max("id"))
    ids = [rng.randint(bounds["lo"], bounds["hi"]) for _ in range(count + 5)]
    for person_id in ids[:5]:  # warm up: template loading, translations
        client.get(f"/people/{person_id}/")
    series = Series()
    for person_id in ids[5:]:
        clock.reset()
        started = time.perf_counter()
        response = client.get(f"/people/{person_id}/")
        series.parvis.append((time.perf_counter() - started) * 1000)
        series.sql.append(clock.seconds * 1000)
        series.queries.append(clock.queries)
        if response.status_code != 200:
            sys.exit(f"GET /people/{person_id}/ answered {response.status_code}")
        series.found += 1
        series.floor.append(time_floor([(sql, [person_id] * n) for sql, n in PAGE_FLOOR]))
    return series


# --- the report -----------------------------------------------------------------------------


def row(label: str, s: Series) -> str:
    n = len(s.parvis)
    return (
        f"  {label:<11} {n:>6} {100 * s.found / n if n else 0:>5.0f}%"
        f" {percentile(s.parvis, 50):>8.2f} {percentile(s.parvis, 95):>8.2f}"
        f" {percentile(s.sql, 50):>8.2f} {percentile(s.queries, 50):>5.0f}"
        f" {percentile(s.floor, 50):>8.3f} {percentile(s.floor, 95):>8.3f}"
        f" {s.ratio:>7.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=20000, help="persons to seed (about)")
    parser.add_argument("--queries", type=int, default=500, help="search queries, all kinds")
    parser.add_argument("--pages", type=int, default=None, help="360° pages (default: queries)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
        help="a dedicated database whose name contains 'bench' (default: DATABASE_URL, "
        "else var/parvis_bench.sqlite3)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the query mix")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args(argv)
    pages = args.pages if args.pages is not None else args.queries

    fresh = prepare_database(args.database_url, args.reuse)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from parvis.demo.services import seed_town
    from parvis.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    seed_seconds = seed_report = None
    if fresh or not Person.objects.exists():
        reported = [0]

        def progress(done, total):
            if done - reported[0] >= 100_000 or done >= total:
                reported[0] = done
                sys.stderr.write(f"  seeded {done:,}/{total:,} people\n")

        started = time.perf_counter()
        seed_report = seed_town(args.people, seed=1, progress=progress)
        seed_seconds = time.perf_counter() - started
    vacuum_seconds = None
    if connection.vendor == "postgresql":
        # What autovacuum does on a production server (it is off on some benchmark hosts):
        # statistics and the visibility map, without which index-only scans visit the heap.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        vacuum_seconds = time.perf_counter() - started
    people = Person.objects.count()

    rng = random.Random(args.seed)
    clock = SqlClock()
    queries = build_queries(args.queries, rng)
    with connection.execute_wrapper(clock):
        search = bench_search(queries, clock)
        page = bench_pages(pages, rng, clock)
    total = Series()
    for s in search.values():
        total.add(s)

    print(f"Parvis people benchmark, {date.today().isoformat()}")
    print(f"  machine   {machine()}, Python {platform.python_version()}")
    print(f"  database  {database_version()} ({connection.settings_dict['NAME']})")
    print(f"  people    {people:,}")
    if seed_report:
        print(
            f"  seeding   {seed_report.persons:,} people, {seed_report.households:,} households,"
            f" {seed_report.addresses:,} addresses, {seed_report.streets:,} streets"
            f" in {seed_seconds:.1f} s = {seed_report.persons / seed_seconds:,.0f} people/s"
        )
    else:
        print("  seeding   skipped (--reuse)")
    if vacuum_seconds is not None:
        print(
            f"  vacuum    VACUUM (ANALYZE) after seeding: {vacuum_seconds:.1f} s (not in seeding)"
        )
    header = (
        f"  {'':<11} {'n':>6} {'found':>6} {'p50 ms':>8} {'p95 ms':>8} {'sql p50':>8}"
        f" {'qry':>5} {'floor p50':>8} {'floor p95':>8} {'ratio':>7}"
    )
    print("\nsearch_people(q); floor = the raw indexed lookup with the exact tokens")
    print(header)
    for kind in KINDS:
        print(row(kind, search[kind]))
    print(row("all", total))
    print("\n360° page GET /people/<id>/ (supervisor); floor = its 7 raw SQL reads")
    print(header)
    print(row("page", page))
    print("  (found = expected person in the results; sql = time inside SQL; qry = queries)")

    headline = {
        "people": people,
        "db": connection.vendor,
        "seed_people_per_s": f"{seed_report.persons / seed_seconds:.0f}" if seed_report else "na",
        "search_p50_ms": f"{percentile(total.parvis, 50):.2f}",
        "search_p95_ms": f"{percentile(total.parvis, 95):.2f}",
        "search_ratio": f"{total.ratio:.1f}",
        "page_p50_ms": f"{percentile(page.parvis, 50):.2f}",
        "page_p95_ms": f"{percentile(page.parvis, 95):.2f}",
        "page_ratio": f"{page.ratio:.1f}",
    }
    print(" ".join(f"{k}={v}" for k, v in headline.items()))


if __name__ == "__main__":
    main()
