"""Benchmark of the inbox: email ingestion from IMAP and from .eml files.

    python bench/inbox.py --emails 500                     # under a minute, SQLite
    python bench/inbox.py --emails 10000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_mailbench

It drops and recreates a dedicated database (its name must contain "bench"), migrates it,
seeds a small synthetic town (so that most senders are known citizens) and generates N
realistic French emails from one seed: requests to the town hall from known and unknown
senders, answers to earlier messages (In-Reply-To), a few attachments, HTML-only mail and
out-of-office replies. Then, in the same run:

* floor: the raw IMAP fetch of the N messages from a private Dovecot on loopback (imaplib,
  UID FETCH BODY.PEEK[] in the poller's batches, no processing);
* IMAP ingestion: `parvis.channels.imap.poll` with the production handler (parse, intake:
  dedup, threading, identification, raw .eml and attachments stored, flags);
* .eml ingestion: `parvis ingest-eml DIR` on the same N emails written as files (with
  other Message-IDs, so that they are not duplicates of the IMAP ones).

Each rate is in messages per second, with its ratio to the raw fetch time of the same
messages. The last line of output is one `key=value` line of headline figures. Needs
dovecot (Debian package dovecot-imapd).
"""

import argparse
import email.utils
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from email import policy
from email.message import EmailMessage
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))  # bench.people, tests.channels.dovecot_server

from bench.people import database_version, machine, prepare_database  # noqa: E402

DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_mailbench.sqlite3'}"
SERVICE_ADDRESS = "mairie@mont-bonvillers.localhost"
BATCH = 100  # the poller's default batch
PARIS = ZoneInfo("Europe/Paris")

TOPICS = [
    ("Demande d'acte de naissance", "je souhaiterais obtenir une copie intégrale de mon acte "
     "de naissance pour constituer un dossier de passeport."),
    ("Inscription à la cantine scolaire", "je voudrais inscrire mon fils à la cantine de "
     "l'école élémentaire à partir de la rentrée de janvier."),
    ("Nid-de-poule dangereux", "un nid-de-poule très profond s'est formé devant chez moi, "
     "plusieurs cyclistes ont déjà failli tomber."),
    ("Ramassage des encombrants", "quand aura lieu le prochain ramassage des encombrants dans "
     "mon quartier ? J'ai un vieux canapé à déposer."),
    ("Permis de construire", "je souhaite déposer une demande de permis de construire pour "
     "une extension de 25 m² ; quelles pièces dois-je fournir ?"),
    ("Éclairage public en panne", "le lampadaire au coin de ma rue ne fonctionne plus depuis "
     "une semaine, c'est inquiétant le soir."),
    ("Demande de rendez-vous CCAS", "je traverse une période difficile et je voudrais "
     "rencontrer une assistante sociale du CCAS."),
    ("Carte d'identité perdue", "j'ai perdu ma carte d'identité, comment prendre rendez-vous "
     "pour la refaire et quels documents apporter ?"),
    ("Bruit de voisinage", "mes voisins font beaucoup de bruit tard le soir depuis plusieurs "
     "semaines, que puis-je faire ?"),
    ("Réservation de la salle des fêtes", "je voudrais réserver la salle des fêtes pour un "
     "anniversaire le samedi 14 ; est-elle disponible ?"),
]  # fmt: skip
REPLIES = [
    "Merci pour votre réponse rapide, je passerai en mairie la semaine prochaine.",
    "Je vous joins le justificatif demandé. Bien cordialement.",
    "Toujours rien depuis mon dernier message, pouvez-vous me dire où en est ma demande ?",
    "C'est parfait, merci beaucoup pour votre aide.",
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- the emails -----------------------------------------------------------------------------


def senders(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(name, address): about 70 % seeded citizens with an email, the rest unknown."""
    from faker import Faker

    from parvis.people.models import ContactPoint

    known = list(
        ContactPoint.objects.filter(kind="email")
        .select_related("person")
        .order_by("id")[: max(count, 1)]
    )
    fake = Faker("fr_FR")
    fake.seed_instance(rng.randint(0, 10**9))
    result = []
    for _ in range(count):
        if known and rng.random() < 0.7:
            contact = rng.choice(known)
            person = contact.person
            result.append((f"{person.first_names.split()[0]} {person.last_name}", contact.value))
        else:
            first, last = fake.first_name(), fake.last_name()
            result.append((f"{first} {last}", fake.email()))
    return result


def generate(count: int, seed: int, tag: str) -> tuple[list[bytes], dict[str, int]]:
    """`count` emails as bytes and how many of each kind. The same seed gives the same
    emails; `tag` only changes the Message-IDs."""
    rng = random.Random(seed)
    people = senders(min(count, 2000), rng)
    start = date.today() - timedelta(days=60)
    emails: list[bytes] = []
    sent: list[tuple[str, str, str, str]] = []  # (message id, name, address, subject)
    kinds = {"request": 0, "answer": 0, "auto_reply": 0, "attachment": 0, "html_only": 0}
    for index in range(count):
        message = EmailMessage()
        message_id = f"<{tag}-{index}-{rng.getrandbits(48):x}@citoyens.example.fr>"
        when = start + timedelta(days=index * 60 // max(count, 1))
        roll = rng.random()
        if sent and roll < 0.15:
            parent_id, name, address, subject = rng.choice(sent)
            message["In-Reply-To"] = parent_id
            message["References"] = parent_id
            subject = f"Re: {subject}"
            body = f"Bonjour,\n\n{rng.choice(REPLIES)}\n\n{name}"
            kinds["answer"] += 1
        elif roll < 0.17:
            name, address = rng.choice(people)
            subject = "Réponse automatique : absent(e) du bureau"
            message["Auto-Submitted"] = "auto-replied"
            body = "Je suis absent(e) jusqu'au 5 du mois prochain et lirai votre message ensuite."
            kinds["auto_reply"] += 1
        else:
            name, address = rng.choice(people)
            subject, text = rng.choice(TOPICS)
            body = (
                f"Madame, Monsieur,\n\n{text[0].upper()}{text[1:]}\n\n"
                f"Je reste joignable au 06 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}.\n\n"
                f"Veuillez agréer mes salutations distinguées,\n{name}"
            )
            kinds["request"] += 1
            sent.append((message_id, name, address, subject))
        message["From"] = email.utils.formataddr((name, address))
        message["To"] = f"Mairie de Mont-Bonvillers <{SERVICE_ADDRESS}>"
        message["Subject"] = subject
        message["Date"] = email.utils.format_datetime(datetime.combine(when, dtime(9), PARIS))
        message["Message-ID"] = message_id
        if roll > 0.98:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n\n"))
            message.set_content(f"<html><body>{paragraphs}</body></html>", subtype="html")
            kinds["html_only"] += 1
        else:
            message.set_content(body)
        if 0.17 <= roll < 0.22:
            message.add_attachment(PDF, maintype="application", subtype="pdf",
                                   filename="justificatif.pdf")  # fmt: skip
            kinds["attachment"] += 1
        emails.append(message.as_bytes(policy=policy.SMTP))
    return emails, kinds


# --- the measures ---------------------------------------------------------------------------


def raw_fetch(server, user: str) -> tuple[float, int]:
    """Seconds to fetch every message of the mailbox, as the poller does, doing nothing
    with them; and how many bytes."""
    from parvis.channels.imap import _fetched, _uid_set

    started = time.perf_counter()
    connection = server.client(user)
    connection.select("INBOX")
    uids = sorted(int(u) for u in connection.uid("SEARCH", None, "ALL")[1][0].split())
    total = 0
    for i in range(0, len(uids), BATCH):
        typ, data = connection.uid("FETCH", _uid_set(uids[i : i + BATCH]), "(UID BODY.PEEK[])")
        total += sum(len(raw) for _uid, raw in _fetched(data))
    connection.logout()
    return time.perf_counter() - started, total


def step(what: str) -> None:
    sys.stderr.write(f"[{time.strftime('%H:%M:%S')}] {what}\n")
    sys.stderr.flush()


def measure_inbox_pages(report: dict) -> None:
    """PLACE FOR THE LEAD: inbox listing and case page p95 (on PostgreSQL with 1,000,000
    cases). Add their figures to `report` (they are printed in the key=value line)."""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=500, help="emails to generate")
    parser.add_argument("--people", type=int, default=2000, help="citizens to seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or DEFAULT_SQLITE,
        help="a dedicated database whose name contains 'bench'",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    prepare_database(args.database_url, reuse=False)
    work = Path(tempfile.mkdtemp(prefix="parvis-inbox-bench-"))
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["PARVIS_VAR_DIR"] = str(work / "var")  # raw .eml and attachments go there
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from tests.channels.dovecot_server import Dovecot, available

    from parvis.cases.email_in import receive_email
    from parvis.cases.models import Case, Message
    from parvis.channels import imap
    from parvis.demo.services import seed_town

    ok, reason = available()
    if not ok:
        sys.exit(reason)
    step("migrating and seeding")
    call_command("migrate", verbosity=0, interactive=False)
    seed_town(args.people, seed=1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

    step("generating the emails")
    started = time.perf_counter()
    imap_emails, kinds = generate(args.emails, args.seed, "imap")
    eml_emails, _kinds = generate(args.emails, args.seed, "eml")
    generate_seconds = time.perf_counter() - started
    megabytes = sum(len(e) for e in imap_emails) / 1024 / 1024

    server = Dovecot().start()
    try:
        user = "mairie"
        step("APPEND to Dovecot")
        started = time.perf_counter()
        client = server.client(user)
        for raw in imap_emails:
            client.append("INBOX", None, None, raw)
        client.logout()
        append_seconds = time.perf_counter() - started

        raw_fetch(server, user)  # warm up: the server's caches and index
        fetch_seconds, fetched_bytes = raw_fetch(server, user)

        mailbox = imap.parse_mailbox_url(server.url(user))
        step("IMAP ingestion")
        started = time.perf_counter()
        report = imap.poll(mailbox, lambda raw: receive_email(raw).outcome)
        imap_seconds = time.perf_counter() - started
        if report.error or report.failed or report.handled != args.emails:
            sys.exit(f"IMAP ingestion incomplete: {report.summary()}")
    finally:
        server.stop()

    folder = work / "eml"
    folder.mkdir()
    for index, raw in enumerate(eml_emails):
        (folder / f"{index:06d}.eml").write_bytes(raw)
    started = time.perf_counter()
    for path in folder.iterdir():
        path.read_bytes()
    read_seconds = time.perf_counter() - started
    out = StringIO()
    step("ingest-eml")
    started = time.perf_counter()
    call_command("ingest-eml", str(folder), stdout=out)
    eml_seconds = time.perf_counter() - started
    eml_line = out.getvalue().strip().splitlines()[-1]

    n = args.emails
    headline = {
        "emails": n,
        "db": connection.vendor,
        "raw_fetch_msgs_per_s": f"{n / fetch_seconds:.0f}",
        "imap_msgs_per_s": f"{n / imap_seconds:.0f}",
        "imap_ratio": f"{imap_seconds / fetch_seconds:.1f}",
        "eml_msgs_per_s": f"{n / eml_seconds:.0f}",
        "eml_ratio": f"{eml_seconds / fetch_seconds:.1f}",
    }
    measure_inbox_pages(headline)

    print(f"Parvis inbox benchmark, {date.today().isoformat()}")
    print(f"  machine   {machine()}")
    print(f"  database  {database_version()} ({connection.settings_dict['NAME']})")
    print(
        f"  emails    {n:,} ({megabytes:.1f} MB): {kinds['request']:,} requests, "
        f"{kinds['answer']:,} answers, {kinds['auto_reply']:,} out-of-office, "
        f"{kinds['attachment']:,} with a PDF, {kinds['html_only']:,} HTML only; "
        f"generated in {generate_seconds:.1f} s, APPENDed in {append_seconds:.1f} s"
    )
    print(
        f"  floor     raw IMAP fetch (UID FETCH BODY.PEEK[], batches of {BATCH}): "
        f"{fetch_seconds:.2f} s = {n / fetch_seconds:,.0f} msg/s "
        f"({fetched_bytes / 1024 / 1024 / fetch_seconds:.0f} MB/s)"
    )
    print(
        f"  IMAP      poll + parse + intake: {imap_seconds:.2f} s = {n / imap_seconds:,.0f} msg/s,"
        f" ratio {imap_seconds / fetch_seconds:.1f} to the raw fetch;"
        f" {dict(report.outcomes)}"
    )
    print(
        f"  .eml      parvis ingest-eml: {eml_seconds:.2f} s = {n / eml_seconds:,.0f} msg/s, "
        f"ratio {eml_seconds / fetch_seconds:.1f} to the raw IMAP fetch "
        f"({eml_seconds / read_seconds:.0f} to reading the files, {read_seconds:.2f} s)"
    )
    print(f"            {eml_line}")
    print(
        f"  result    {Case.objects.count():,} cases, {Message.objects.count():,} messages "
        f"({Message.objects.filter(person__isnull=False).count():,} from identified citizens)"
    )
    shutil.rmtree(work, ignore_errors=True)
    print(" ".join(f"{k}={v}" for k, v in headline.items()))


if __name__ == "__main__":
    main()
