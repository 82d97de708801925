"""Benchmark of the agent's desk: the inbox listing and the case page on a big base.

    python bench/inbox_pages.py --cases 20000 --queries 200            # about a minute, SQLite
    python bench/inbox_pages.py --cases 1000000 --queries 1000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_deskbench

`measure_pages(cases, queries)` works in an already migrated database (bench/inbox.py calls
it after its ingestion run): it adds `cases` cases in bulk (COPY on PostgreSQL) spread over
four years, as a town hall's history looks: most cases closed, about 3 % open (the recent
ones and a backlog of forgotten ones, overdue), each with its messages (a request, most
with an answer), some tags, some assigned to the measuring agent. Then it times, through
Django's test client logged in as an agent (middleware, session, permissions, template):

* the inbox `GET /cases/?…` over a mix of views: the default (open cases by deadline),
  per service, mine, unassigned, overdue, by channel, by tag, closed cases, pages 2-5,
  text search (a subject word, a rare word, a citizen's name, a reference start);
* the case page `GET /cases/<id>/` (conversation, person panel, forms, access-log write).

The floor of each is the raw SQL that fetches the same rows (the page of cases with its
service, agent and citizen, the queue counts and the page's tags; for a case: the case,
its messages, attachments, events, tags, the citizen's contacts and other cases, and the
access-log insert), timed in the same run. Ratios are p95(page) / p95(floor). The last line
is one `key=value` line of headline figures.
"""

import argparse
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.people import (  # noqa: E402
    Series,
    SqlClock,
    database_version,
    machine,
    percentile,
    prepare_database,
)

DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_deskbench.sqlite3'}"
CHUNK = 20000
YEARS = 4
OPEN = ("new", "open", "waiting")
SUBJECTS = [
    "Demande de copie intégrale d'acte de naissance",
    "Rendez-vous pour une carte d'identité",
    "Passeport : dossier incomplet",
    "Inscription sur les listes électorales",
    "Demande d'aide pour la facture d'énergie",
    "Portage de repas à domicile",
    "Dossier de logement social",
    "Nid de poule dangereux",
    "Éclairage public en panne",
    "Dépôt sauvage de déchets",
    "Inscription scolaire pour la rentrée",
    "Facture de cantine erronée",
    "Déclaration préalable pour une clôture",
    "Permis de construire : délai d'instruction",
    "Location de la salle des fêtes",
    "Objet trouvé",
]
PLACES = [
    "rue de la Gare", "allée des Charmes", "chemin des Vignes", "avenue de Lorraine",
    "place de l'Église", "rue Pasteur", "rue des Tilleuls", "impasse du Moulin",
]  # fmt: skip
BODY = (
    "Bonjour,\n\nJe me permets de vous écrire au sujet de ma demande ({subject}, {place}). "
    "Pouvez-vous me dire où en est le dossier ?\n\nCordialement,"
)
ANSWER = "Bonjour,\n\nVotre demande est en cours de traitement ; nous revenons vers vous."
CHANNELS = ["email"] * 4 + ["portal"] * 3 + ["sms", "phone", "counter", "chat"]
CASE_COLUMNS = [
    "id", "reference", "subject", "service_id", "assignee_id", "person_id", "channel",
    "status", "priority", "created_at", "updated_at", "due_at", "first_response_at",
    "closed_at", "merged_into_id", "candidate_ids", "proposed_person",
]  # fmt: skip
MESSAGE_COLUMNS = [
    "id", "case_id", "direction", "channel", "person_id", "author_id", "sender",
    "sender_name", "recipient", "subject", "body_text", "body_html", "message_id",
    "in_reply_to", "references", "raw", "delivery", "delivery_error", "created_at",
    "visible_to_citizen",
]  # fmt: skip


# --- seeding ------------------------------------------------------------------------------------


def seed_cases(count: int, rng: random.Random, agent_id: int) -> dict:
    """Add `count` cases and their messages in bulk; returns what was written."""
    from django.db import transaction
    from django.utils import timezone

    from parvis.cases.models import CaseSequence, Service, Tag
    from parvis.cases.sla import add_business_days
    from parvis.demo.cases import ensure_catalogue
    from parvis.demo.writer import next_ids, reset_sequences, write_rows
    from parvis.people.models import Person

    ensure_catalogue()
    service_ids = list(Service.objects.values_list("pk", flat=True))
    tag_ids = list(Tag.objects.values_list("pk", flat=True))
    person_ids = list(Person.objects.values_list("pk", flat=True)[:200000])
    if not person_ids:
        sys.exit("seed a town first (no person)")
    names = dict(Person.objects.filter(pk__in=person_ids[:5000]).values_list("pk", "last_name"))
    now = timezone.now()
    sequences = {s.year: s.last for s in CaseSequence.objects.all()}
    due_cache: dict[tuple[date, int], datetime] = {}
    ids = next_ids(["cases_case", "cases_message"])
    case_id, message_id = ids["cases_case"], ids["cases_message"]
    stats = {"cases": 0, "messages": 0, "open": 0, "mine": 0, "tags": 0}
    span = YEARS * 365 * 24 * 3600
    while stats["cases"] < count:
        size = min(CHUNK, count - stats["cases"])
        cases, messages, tags = [], [], []
        for _ in range(size):
            recent = rng.random() < 0.015
            age = rng.uniform(0, 20 * 86400) if recent else rng.uniform(0, span)
            created = now - timedelta(seconds=age)
            year = timezone.localtime(created).year
            sequences[year] = sequences.get(year, 0) + 1
            if recent:
                status = rng.choice(OPEN * 3 + ("resolved",))
            else:
                status = "open" if rng.random() < 0.015 else rng.choice(("resolved", "closed"))
            service_id = rng.choice(service_ids) if rng.random() < 0.92 else None
            days = 5 if service_id is None else 5 + service_id % 3 * 5
            key = (timezone.localtime(created).date(), days)
            if key not in due_cache:
                due_cache[key] = add_business_days(created, days)
            person_id = rng.choice(person_ids) if rng.random() < 0.93 else None
            channel = rng.choice(CHANNELS)
            subject = rng.choice(SUBJECTS)
            place = rng.choice(PLACES)
            is_open = status in OPEN
            assignee = agent_id if is_open and rng.random() < 0.1 else None
            answered = status != "new" and rng.random() < 0.9
            answer_at = created + timedelta(hours=rng.randint(1, 72)) if answered else None
            closed_at = (answer_at or created) + timedelta(hours=2) if not is_open else None
            updated = closed_at or answer_at or created
            cases.append(
                (case_id, f"{year}-{sequences[year]:06d}", f"{subject} — {place}", service_id,
                 assignee, person_id, channel, status, rng.choice((2, 2, 2, 1, 3, 4)),
                 created, updated, due_cache[key], answer_at, closed_at, None, "[]", "{}")
            )  # fmt: skip
            sender = f"{names.get(person_id, 'x').lower()}{person_id}@example.fr"
            messages.append(
                (message_id, case_id, "in", channel, person_id, None,
                 sender if channel == "email" else "", "", "", subject,
                 BODY.format(subject=subject.lower(), place=place), "",
                 f"<bench-{case_id}@example.fr>" if channel == "email" else "",
                 "", "", "", "received", "", created, True)
            )  # fmt: skip
            message_id += 1
            if answered:
                messages.append(
                    (message_id, case_id, "out", channel if channel != "phone" else "portal",
                     person_id, agent_id, "", "", sender if channel == "email" else "",
                     f"Re: {subject}", ANSWER, "", "", "", "", "", "sent", "", answer_at, True)
                )  # fmt: skip
                message_id += 1
            if rng.random() < 0.2:
                tags.append((case_id, rng.choice(tag_ids)))
            stats["open"] += is_open
            stats["mine"] += assignee is not None
            case_id += 1
        with transaction.atomic():
            write_rows("cases_case", CASE_COLUMNS, cases)
            write_rows("cases_message", MESSAGE_COLUMNS, messages)
            write_rows("cases_case_tags", ["case_id", "tag_id"], tags)
        stats["cases"] += size
        stats["messages"] += len(messages)
        stats["tags"] += len(tags)
        if count >= 200000:
            sys.stderr.write(f"  seeded {stats['cases']:,}/{count:,} cases\n")
    for year, last in sequences.items():
        CaseSequence.objects.update_or_create(year=year, defaults={"last": last})
    reset_sequences(["cases_case", "cases_message", "cases_case_tags"])
    return stats


# --- the query mix ------------------------------------------------------------------------------

LIST_SELECT = (
    "SELECT c.id, c.reference, c.subject, c.channel, c.status, c.priority, c.created_at,"
    " c.updated_at, c.due_at, s.name, u.username, u.first_name, u.last_name,"
    " p.first_names, p.last_name FROM cases_case c"
    " LEFT JOIN cases_service s ON s.id = c.service_id"
    " LEFT JOIN auth_user u ON u.id = c.assignee_id"
    " LEFT JOIN people_person p ON p.id = c.person_id"
)
OPEN_SQL = "c.status IN ('new', 'open', 'waiting')"
BY_DUE = " ORDER BY c.due_at, c.id"
BY_UPDATE = " ORDER BY c.updated_at DESC, c.id DESC"
COUNTS_SQL = (
    "SELECT service_id, COUNT(id), COUNT(id) FILTER (WHERE assignee_id = %s),"
    " COUNT(id) FILTER (WHERE assignee_id IS NULL), COUNT(id) FILTER (WHERE due_at < %s)"
    " FROM cases_case WHERE status IN ('new', 'open', 'waiting') GROUP BY service_id"
)
TAGS_SQL = (
    "SELECT ct.case_id, t.id, t.name FROM cases_case_tags ct"
    " JOIN cases_tag t ON t.id = ct.tag_id WHERE ct.case_id IN ({ids})"
)


def listing_mix(count: int, rng: random.Random, agent_id: int) -> list[tuple[str, str, list]]:
    """(query string, floor WHERE + ORDER + LIMIT, params) for `count` inbox views."""
    from parvis.cases.models import Case, Service, Tag
    from parvis.people.models import NameToken

    services = list(Service.objects.values_list("pk", flat=True))
    tags = list(Tag.objects.values_list("pk", flat=True))
    sample_persons = list(
        Case.objects.filter(status__in=OPEN, person__isnull=False).values_list(
            "person_id", flat=True
        )[:500]
    )
    tokens = {}
    for person_id, token in NameToken.objects.filter(person_id__in=sample_persons).values_list(
        "person_id", "token"
    ):
        if len(token) >= 5:
            tokens.setdefault(person_id, token)
    names = list(tokens.values()) or ["martin"]
    year = date.today().year
    kinds = []
    for _ in range(count):
        kind = rng.choice(
            ["default", "service", "mine", "unassigned", "overdue", "channel", "tag",
             "closed", "page", "q_subject", "q_rare", "q_name", "q_reference"]
        )  # fmt: skip
        limit = " LIMIT 26"
        if kind == "default":
            kinds.append((kind, "", f"WHERE {OPEN_SQL}{BY_DUE}{limit}", []))
        elif kind == "service":
            s = rng.choice(services)
            kinds.append(
                (
                    kind,
                    f"service={s}",
                    f"WHERE {OPEN_SQL} AND c.service_id = %s{BY_DUE}{limit}",
                    [s],
                )
            )
        elif kind == "mine":
            kinds.append(
                (kind, "assigned=me",
                 f"WHERE {OPEN_SQL} AND c.assignee_id = %s{BY_DUE}{limit}", [agent_id])
            )  # fmt: skip
        elif kind == "unassigned":
            kinds.append(
                (kind, "assigned=unassigned",
                 f"WHERE {OPEN_SQL} AND c.assignee_id IS NULL{BY_DUE}{limit}", [])
            )  # fmt: skip
        elif kind == "overdue":
            kinds.append(
                (kind, "overdue=on", f"WHERE {OPEN_SQL} AND c.due_at < %s{BY_DUE}{limit}",
                 ["NOW"])
            )  # fmt: skip
        elif kind == "channel":
            ch = rng.choice(["sms", "counter", "chat", "email"])
            kinds.append(
                (kind, f"channel={ch}", f"WHERE {OPEN_SQL} AND c.channel = %s{BY_DUE}{limit}", [ch])
            )
        elif kind == "tag":
            t = rng.choice(tags)
            kinds.append(
                (kind, f"tag={t}",
                 f"WHERE {OPEN_SQL} AND EXISTS (SELECT 1 FROM cases_case_tags ct WHERE"
                 f" ct.case_id = c.id AND ct.tag_id = %s){BY_DUE}{limit}", [t])
            )  # fmt: skip
        elif kind == "closed":
            kinds.append(
                (kind, "status=closed", f"WHERE c.status = 'closed'{BY_UPDATE}{limit}", [])
            )
        elif kind == "page":
            n = rng.randint(2, 5)
            kinds.append(
                (kind, f"page={n}", f"WHERE {OPEN_SQL}{BY_DUE}{limit} OFFSET {(n - 1) * 25}", [])
            )
        elif kind == "q_subject":
            word = rng.choice(["passeport", "cantine", "salle des fêtes", "clôture"])
            kinds.append(
                (kind, f"q={word}",
                 f"WHERE {OPEN_SQL} AND UPPER(c.subject) LIKE UPPER(%s){BY_DUE}{limit}",
                 [f"%{word}%"])
            )  # fmt: skip
        elif kind == "q_rare":
            word = rng.choice(["Moulin", "Tilleuls", "Charmes"])
            kinds.append(
                (kind, f"q={word}&status=all",
                 f"WHERE c.merged_into_id IS NULL AND UPPER(c.subject) LIKE UPPER(%s)"
                 f"{BY_UPDATE}{limit}", [f"%{word}%"])
            )  # fmt: skip
        elif kind == "q_name":
            name = rng.choice(names)
            # The floor knows the persons already (one indexed token lookup, not timed).
            ids = list(
                NameToken.objects.filter(token=name).values_list("person_id", flat=True)[:50]
            ) or [0]
            kinds.append(
                (kind, f"q={name}",
                 f"WHERE {OPEN_SQL} AND (UPPER(c.subject) LIKE UPPER(%s) OR c.person_id IN"
                 f" ({','.join(str(i) for i in ids)})){BY_DUE}{limit}",
                 [f"%{name}%"])
            )  # fmt: skip
        else:
            prefix = f"{year}-00"
            kinds.append(
                (kind, f"q={prefix}",
                 f"WHERE {OPEN_SQL} AND (UPPER(c.subject) LIKE UPPER(%s) OR c.reference"
                 f" LIKE %s){BY_DUE}{limit}", [f"%{prefix}%", f"{prefix}%"])
            )  # fmt: skip
    return kinds


def _listing_floor(where: str, params: list, agent_id: int) -> float:
    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    params = [now if p == "NOW" else p for p in params]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        sql = f"{LIST_SELECT} {where}"
        counts = COUNTS_SQL
        if connection.vendor == "sqlite":
            sql, counts = sql.replace("%s", "?"), counts.replace("%s", "?")
        raw.execute(sql, params)
        ids = [row[0] for row in raw.fetchall()]
        raw.execute(counts, [agent_id, now])
        raw.fetchall()
        if ids:
            raw.execute(TAGS_SQL.format(ids=",".join(str(i) for i in ids)))
            raw.fetchall()
    return (time.perf_counter() - started) * 1000


CASE_FLOOR = [
    (
        "SELECT c.*, s.*, u.*, p.* FROM cases_case c LEFT JOIN cases_service s"
        " ON s.id = c.service_id LEFT JOIN auth_user u ON u.id = c.assignee_id"
        " LEFT JOIN people_person p ON p.id = c.person_id WHERE c.id = %s",
        1,
    ),
    (
        "SELECT m.*, u.username, u.first_name, u.last_name FROM cases_message m"
        " LEFT JOIN auth_user u ON u.id = m.author_id WHERE m.case_id = %s"
        " ORDER BY m.created_at, m.id",
        1,
    ),
    (
        "SELECT a.* FROM cases_attachment a JOIN cases_message m ON m.id = a.message_id"
        " WHERE m.case_id = %s ORDER BY a.id",
        1,
    ),
    ("SELECT * FROM cases_caseevent WHERE case_id = %s ORDER BY at, id", 1),
    (
        "SELECT t.* FROM cases_tag t JOIN cases_case_tags ct ON ct.tag_id = t.id"
        " WHERE ct.case_id = %s",
        1,
    ),
    (
        "SELECT * FROM people_contactpoint WHERE person_id ="
        " (SELECT person_id FROM cases_case WHERE id = %s) ORDER BY kind, id",
        1,
    ),
    (
        "SELECT id, reference, subject, status, updated_at FROM cases_case WHERE person_id ="
        " (SELECT person_id FROM cases_case WHERE id = %s) AND merged_into_id IS NULL"
        " AND id <> %s ORDER BY updated_at DESC, id DESC LIMIT 5",
        2,
    ),
]
ACCESS_LOG_INSERT = (
    "INSERT INTO audit_accesslog (at, user_id, username, person_id, person_label, action,"
    " channel, reason, ip_address) VALUES (%s, %s, 'bench', %s, 'x', 'bench.floor',"
    " 'console', '', NULL)"
)


def _case_floor(case_id: int, person_id: int | None, agent_id: int) -> float:
    from django.db import connection
    from django.utils import timezone

    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for sql, n in CASE_FLOOR:
            raw.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql,
                        [case_id] * n)  # fmt: skip
            raw.fetchall()
        if person_id:  # an INSERT returns no row to fetch
            sql = ACCESS_LOG_INSERT
            raw.execute(sql.replace("%s", "?") if connection.vendor == "sqlite" else sql,
                        [timezone.now(), agent_id, person_id])  # fmt: skip
    return (time.perf_counter() - started) * 1000


# --- the measure --------------------------------------------------------------------------------


def measure_pages(cases: int, queries: int, seed: int = 1) -> dict:
    """Seed `cases` cases, then time the inbox and the case page `queries` times each.
    Django must be set up on a migrated database with people in it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client

    from parvis.cases.models import Case
    from parvis.console import roles

    rng = random.Random(seed)
    agent, _created = get_user_model().objects.get_or_create(
        username="bench-agent", defaults={"first_name": "Banc"}
    )
    agent.groups.set([Group.objects.get(name=roles.AGENT)])
    started = time.perf_counter()
    stats = seed_cases(cases, rng, agent.pk)
    seed_seconds = time.perf_counter() - started
    vacuum_seconds = 0.0
    if connection.vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) cases_case")
            cursor.execute("VACUUM (ANALYZE) cases_message")
            cursor.execute("VACUUM (ANALYZE) cases_case_tags")
        vacuum_seconds = time.perf_counter() - started
    total_cases = Case.objects.count()

    client = Client()
    client.force_login(agent)
    clock = SqlClock()
    mix = listing_mix(queries, rng, agent.pk)
    open_ids = list(
        Case.objects.filter(status__in=OPEN).values_list("pk", "person_id")[: queries * 4]
    )
    lo, hi = Case.objects.order_by("pk").first().pk, Case.objects.order_by("pk").last().pk
    picks = []
    for i in range(queries):
        if i % 2 and open_ids:
            picks.append(rng.choice(open_ids))
        else:
            picks.append((rng.randint(lo, hi), None))
    persons = dict(Case.objects.filter(pk__in=[p for p, _ in picks]).values_list("pk", "person_id"))
    picks = [(pk, persons[pk]) for pk, _ in picks if pk in persons]

    for _kind, query, where, params in mix[:5]:  # warm up: templates, translations, caches
        client.get(f"/cases/?{query}")
        _listing_floor(where, params, agent.pk)
    for case_id, person_id in picks[:3]:
        client.get(f"/cases/{case_id}/")
        _case_floor(case_id, person_id, agent.pk)

    listing, per_kind = Series(), {}
    page = Series()
    with connection.execute_wrapper(clock):
        for kind, query, where, params in mix:
            clock.reset()
            started = time.perf_counter()
            response = client.get(f"/cases/?{query}")
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"GET /cases/?{query} answered {response.status_code}")
            floor = _listing_floor(where, params, agent.pk)
            for series in (listing, per_kind.setdefault(kind, Series())):
                series.parvis.append(elapsed)
                series.sql.append(clock.seconds * 1000)
                series.queries.append(clock.queries)
                series.floor.append(floor)
                series.found += 1
        for case_id, person_id in picks:
            clock.reset()
            started = time.perf_counter()
            response = client.get(f"/cases/{case_id}/")
            page.parvis.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                sys.exit(f"GET /cases/{case_id}/ answered {response.status_code}")
            page.sql.append(clock.seconds * 1000)
            page.queries.append(clock.queries)
            page.found += 1
            page.floor.append(_case_floor(case_id, person_id, agent.pk))

    return {
        "cases": total_cases,
        "seeded": stats,
        "seed_seconds": seed_seconds,
        "vacuum_seconds": vacuum_seconds,
        "listing": listing,
        "per_kind": per_kind,
        "page": page,
        "headline": {
            "cases": total_cases,
            "open_cases": Case.objects.filter(status__in=OPEN).count(),
            "seed_cases_per_s": f"{stats['cases'] / seed_seconds:.0f}" if stats["cases"] else "na",
            "inbox_p50_ms": f"{percentile(listing.parvis, 50):.2f}",
            "inbox_p95_ms": f"{percentile(listing.parvis, 95):.2f}",
            "inbox_ratio": f"{listing.ratio:.1f}",
            "case_page_p50_ms": f"{percentile(page.parvis, 50):.2f}",
            "case_page_p95_ms": f"{percentile(page.parvis, 95):.2f}",
            "case_page_ratio": f"{page.ratio:.1f}",
        },
    }


def print_report(result: dict) -> None:
    def row(label: str, s: Series) -> str:
        return (
            f"  {label:<12} {len(s.parvis):>5} {percentile(s.parvis, 50):>8.2f}"
            f" {percentile(s.parvis, 95):>8.2f} {percentile(s.sql, 50):>8.2f}"
            f" {percentile(s.queries, 50):>5.0f} {percentile(s.floor, 50):>9.3f}"
            f" {percentile(s.floor, 95):>9.3f} {s.ratio:>7.1f}"
        )

    header = (
        f"  {'':<12} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'sql p50':>8} {'qry':>5}"
        f" {'floor p50':>9} {'floor p95':>9} {'ratio':>7}"
    )
    seeded = result["seeded"]
    if not seeded["cases"]:
        print("  seeding   skipped (--reuse)")
    else:
        print(
            f"  seeding   {seeded['cases']:,} cases, {seeded['messages']:,} messages,"
            f" {seeded['tags']:,} tags in {result['seed_seconds']:.1f} s"
            f" = {seeded['cases'] / max(result['seed_seconds'], 1e-9):,.0f} cases/s"
            f" ({seeded['open']:,} open, {seeded['mine']:,} assigned to the agent)"
        )
    if result["vacuum_seconds"]:
        print(f"  vacuum    VACUUM (ANALYZE) of the case tables: {result['vacuum_seconds']:.1f} s")
    print(f"  cases     {result['cases']:,} in the base")
    print("\ninbox GET /cases/?… (agent); floor = page of cases + queue counts + tags, raw SQL")
    print(header)
    for kind, series in sorted(result["per_kind"].items()):
        print(row(kind, series))
    print(row("all", result["listing"]))
    print("\ncase page GET /cases/<id>/ (agent); floor = its 7 raw SQL reads + access-log insert")
    print(header)
    print(row("page", result["page"]))
    print("  (sql = time inside SQL in the page; qry = queries per page)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=20000, help="cases to seed")
    parser.add_argument("--queries", type=int, default=200, help="inbox views and case pages")
    parser.add_argument("--people", type=int, default=5000, help="citizens to seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
        help="a dedicated database whose name contains 'bench'",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="measure an already seeded database, add nothing"
    )
    args = parser.parse_args(argv)

    fresh = prepare_database(args.database_url, reuse=args.reuse)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from parvis.demo.services import seed_town

    call_command("migrate", verbosity=0, interactive=False)
    if fresh:
        seed_town(args.people, seed=args.seed)
    result = measure_pages(args.cases if fresh else 0, args.queries, seed=args.seed)

    print(f"Parvis desk benchmark, {date.today().isoformat()}")
    print(f"  machine   {machine()}")
    print(f"  database  {database_version()} ({connection.settings_dict['NAME']})")
    print_report(result)
    headline = {"db": connection.vendor, **result["headline"]}
    print(" ".join(f"{k}={v}" for k, v in headline.items()))


if __name__ == "__main__":
    main()
