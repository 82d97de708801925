"""Importing an extract: read it as a stream, map each row, link each record to a person,
write facts with their provenance — or, in a dry run, only report what would happen.

The pipeline, for a file of any size with bounded memory:

1. `scan`: hash (a file already imported is recognised and changes nothing) and encoding;
2. stage: each valid row goes into a DuckDB table on disk, 10,000 rows at a time; each bad
   row is reported with its line, column and reason;
3. duplicates in the file, and records already imported unchanged, are set aside;
4. linkage (splink) of the remaining records with the base: link / review / new;
5. writing, in bulk batches: facts (a value identical to the current one is not written
   again), contact points, new persons, review candidates, one timeline line per person.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.people import services as people
from parvis.people.models import ContactPoint, Fact, FactKey, Interaction, Person
from parvis.people.normalize import phone_kind

from . import linkage, readers
from .base import export_persons
from .mapping import CompiledProfile
from .models import ImportedRecord, ImportJob, LinkageModel, MappingProfile, MatchCandidate

logger = logging.getLogger(__name__)

STAGE_BATCH = 10000
WRITE_BATCH = 2000
MAX_ERRORS = 1000
STAGE_COLUMNS = [
    "line",
    "record_key",
    "row_hash",
    "first_name",
    "last_name",
    "birth_name",
    "birth_date",
    "birth_place",
    "sex",
    "nir",
    "email",
    "phone",
    "address",
    "postcode",
    "city",
    "facts",
]
DEFAULT_MODEL = "default"


class Progress:
    """Writes the job's counters at most every half second: the console polls them."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.last = 0.0

    def error(self, line: int, column: str, message: str) -> None:
        if len(self.job.errors) < MAX_ERRORS:
            self.job.errors.append({"line": line, "column": column, "message": str(message)})

    def update(self, phase: str, percent: float, force: bool = False) -> None:
        self.job.phase = phase
        self.job.progress = max(0, min(100, int(percent)))
        now = time.monotonic()
        if force or now - self.last > 0.5:
            self.last = now
            self.job.heartbeat_at = timezone.now()
            self.job.save()


def start_import(
    profile: MappingProfile, upload, user=None, dry_run: bool = False, name: str = ""
) -> ImportJob:
    """Store the file and queue its import (or dry run) for the worker."""
    from .tasks import run_import_job

    job = ImportJob.objects.create(
        profile=profile,
        file=upload,
        original_name=(name or getattr(upload, "name", "") or "extract")[:300],
        size=getattr(upload, "size", 0) or 0,
        dry_run=dry_run,
        created_by=user if getattr(user, "pk", None) else None,
    )
    run_import_job.delay(job.pk)
    return job


COUNTERS = [
    "rows",
    "valid_rows",
    "error_count",
    "duplicate_rows",
    "unchanged",
    "linked",
    "created",
    "review",
    "facts_written",
]


def stale_after() -> timedelta:
    """How long a running job may stay silent before its worker is held for dead. Generous:
    linkage training on a big extract reports no progress for minutes."""
    return timedelta(minutes=getattr(settings, "PARVIS_IMPORT_STALE_MINUTES", 30))


def _claimable(now) -> Q:
    silent = now - stale_after()
    return Q(status=ImportJob.Status.PENDING) | Q(
        Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True, started_at__lt=silent),
        status=ImportJob.Status.RUNNING,
    )


def run_import(job_id: int, now=None) -> ImportJob:
    """Run a waiting job; or take over a running one whose worker died (it stopped beating).
    A redelivered task while the first worker is alive repeats nothing. Taking over is safe:
    batches already written are recognised as unchanged records, and no review candidate is
    created twice."""
    now = now or timezone.now()
    job = ImportJob.objects.select_related("profile__source").get(pk=job_id)
    taken_over = job.status == ImportJob.Status.RUNNING
    claimed = ImportJob.objects.filter(_claimable(now), pk=job_id).update(
        status=ImportJob.Status.RUNNING, heartbeat_at=now
    )
    if not claimed:
        return job
    job.refresh_from_db()
    job.status = ImportJob.Status.RUNNING
    job.started_at = timezone.now()
    job.errors = []
    if taken_over:
        logger.warning("import %s: its worker stopped, taking it over", job.pk)
        for counter in COUNTERS:
            setattr(job, counter, 0)
    progress = Progress(job)
    progress.update(_("Reading the file"), 0, force=True)
    try:
        with job.file.open("rb") as handle, tempfile.TemporaryDirectory() as tmp:
            _run(job, handle, progress, tmp)
    except readers.ExtractError as exc:
        job.status, job.message = ImportJob.Status.FAILED, str(exc)
    except ValidationError as exc:
        job.status = ImportJob.Status.FAILED
        job.message = _("The mapping profile is not valid: %(errors)s") % {
            "errors": " ".join(exc.messages)
        }
    except Exception as exc:  # the job must end visibly whatever happened
        logger.exception("import %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.message = _("Internal error: %(error)s") % {"error": str(exc)[:500]}
    if taken_over:
        job.message = " ".join(
            [_("Restarted after the worker that ran it stopped."), job.message]
        ).strip()
    job.finished_at = timezone.now()
    if job.status == ImportJob.Status.DONE:
        progress.update(_("Finished"), 100, force=True)
    else:
        job.save()
    return job


def recover_stale_jobs(now=None) -> list[int]:
    """Queue again the jobs whose worker died (running, silent) and those whose task was lost
    (waiting for longer than a job may stay silent). Called by beat."""
    from .tasks import run_import_job

    now = now or timezone.now()
    stale = list(
        ImportJob.objects.filter(
            _claimable(now) & ~Q(status=ImportJob.Status.PENDING)
            | Q(status=ImportJob.Status.PENDING, created_at__lt=now - stale_after())
        ).values_list("pk", flat=True)
    )
    for job_id in stale:
        run_import_job.delay(job_id)
    return stale


def _run(job: ImportJob, handle, progress: Progress, tmp: str) -> None:
    profile = job.profile
    scanned = readers.scan(handle, job.original_name, profile.file_format, profile.encoding)
    job.sha256, job.size, job.encoding = scanned.sha256, scanned.size, scanned.encoding
    if not job.dry_run:
        previous = (
            ImportJob.objects.filter(
                profile=profile, sha256=scanned.sha256, status=ImportJob.Status.DONE, dry_run=False
            )
            .exclude(pk=job.pk)
            .first()
        )
        if previous:
            job.status = ImportJob.Status.DUPLICATE
            job.progress = 100
            job.message = _(
                "This file was already imported on %(date)s (import no. %(id)s): nothing changed."
            ) % {
                "date": timezone.localtime(previous.created_at).strftime("%d/%m/%Y %H:%M"),
                "id": previous.pk,
            }
            return
    compiled = CompiledProfile(profile)
    con = linkage.connect(os.path.join(tmp, "stage.duckdb"))
    try:
        _stage(job, handle, scanned, compiled, con, progress)
        _set_aside(job, con, progress)
        _link(job, con, progress)
        if not job.dry_run:
            _write(job, con, progress)
    finally:
        con.close()
    job.status = ImportJob.Status.DONE
    verb = _("would be") if job.dry_run else _("were")
    job.message = _(
        "%(rows)s rows read, %(errors)s with errors, %(dups)s duplicates, %(same)s unchanged; "
        "%(linked)s %(verb)s linked, %(review)s sent to review, %(created)s new persons."
    ) % {
        "rows": job.rows,
        "errors": job.error_count,
        "dups": job.duplicate_rows,
        "same": job.unchanged,
        "linked": job.linked,
        "verb": verb,
        "review": job.review,
        "created": job.created,
    }


# --- 1. staging ------------------------------------------------------------------------------


def _stage(job, handle, scanned, compiled: CompiledProfile, con, progress: Progress) -> None:
    columns = ", ".join(
        f"{c} {'BIGINT' if c == 'line' else 'DATE' if c == 'birth_date' else 'VARCHAR'}"
        for c in STAGE_COLUMNS
    )
    con.execute(f"CREATE TABLE stage ({columns})").fetchall()
    batch: dict[str, list] = {c: [] for c in STAGE_COLUMNS}
    size = max(scanned.size, 1)

    def flush():
        if not batch["line"]:
            return
        table = pa.table(batch)
        con.register("_rows", table)
        con.execute(f"INSERT INTO stage SELECT {', '.join(STAGE_COLUMNS)} FROM _rows").fetchall()
        con.unregister("_rows")
        for values in batch.values():
            values.clear()

    for row in readers.read_rows(handle, scanned, job.profile.delimiter):
        job.rows += 1
        if row.error:
            job.error_count += 1
            progress.error(row.line, "", row.error)
            continue
        record, errors = compiled.map(row.line, row.values)
        if errors:
            job.error_count += 1
            for column, message in errors:
                progress.error(row.line, column, message)
            continue
        identity = record.identity
        values = {
            "line": record.line,
            "record_key": record.record_key,
            "row_hash": record.row_hash,
            "first_name": identity["first_names"],
            "last_name": identity["last_name"],
            "birth_name": identity["birth_name"] or None,
            "birth_date": identity["birth_date"],
            "birth_place": identity["birth_place"] or None,
            "sex": identity["sex"] or None,
            "nir": identity["nir"] or None,
            "email": record.email or None,
            "phone": record.phone or None,
            "address": record.address or None,
            "postcode": record.postcode or None,
            "city": record.city or None,
            "facts": json.dumps(record.facts, ensure_ascii=False),
        }
        for column in STAGE_COLUMNS:
            batch[column].append(values[column])
        if len(batch["line"]) >= STAGE_BATCH:
            flush()
            position = handle.tell() if not handle.closed else size
            progress.update(_("Reading the file"), 40 * position / size)
    flush()
    job.valid_rows = con.execute("SELECT count(*) FROM stage").fetchall()[0][0]
    progress.update(_("Reading the file"), 40, force=True)


# --- 2. duplicates and records already imported --------------------------------------------


def _set_aside(job, con, progress: Progress) -> None:
    duplicates = con.execute(
        """
        SELECT line, first_line FROM (
            SELECT line, min(line) OVER (PARTITION BY record_key) AS first_line FROM stage
        ) WHERE line <> first_line ORDER BY line
        """
    ).fetchall()
    job.duplicate_rows = len(duplicates)
    for line, first in duplicates[:MAX_ERRORS]:
        progress.error(line, "", _("same record as line %(first)s: ignored") % {"first": first})
    if duplicates:
        con.execute(
            "DELETE FROM stage WHERE line IN (SELECT line FROM (SELECT line, min(line) OVER "
            "(PARTITION BY record_key) AS first_line FROM stage) WHERE line <> first_line)"
        ).fetchall()
    con.execute(
        "CREATE TABLE known (record_key VARCHAR, row_hash VARCHAR, person_id BIGINT)"
    ).fetchall()
    rows = ImportedRecord.objects.filter(profile=job.profile).values_list(
        "record_key", "row_hash", "person_id"
    )
    chunk: list[tuple] = []
    for item in rows.iterator(chunk_size=20000):
        chunk.append(item)
        if len(chunk) >= 20000:
            _insert_known(con, chunk)
            chunk = []
    _insert_known(con, chunk)
    job.unchanged = con.execute(
        "SELECT count(*) FROM stage s JOIN known k USING (record_key) "
        "WHERE k.row_hash = s.row_hash AND k.person_id IS NOT NULL"
    ).fetchall()[0][0]
    con.execute(
        "DELETE FROM stage WHERE (record_key, row_hash) IN (SELECT (record_key, row_hash) "
        "FROM known WHERE person_id IS NOT NULL)"
    ).fetchall()
    progress.update(_("Comparing with earlier imports"), 45, force=True)


def _insert_known(con, rows: list[tuple]) -> None:
    if not rows:
        return
    table = pa.table(
        {
            "record_key": [r[0] for r in rows],
            "row_hash": [r[1] for r in rows],
            "person_id": pa.array([r[2] for r in rows], pa.int64()),
        }
    )
    con.register("_known", table)
    con.execute("INSERT INTO known SELECT * FROM _known").fetchall()
    con.unregister("_known")


# --- 3. linkage ------------------------------------------------------------------------------


SHIPPED_MODEL = Path(__file__).parent / "samples" / "linkage_model.json"


def load_model() -> dict | None:
    """The model trained on this base if any, else the one shipped with Parvis (trained on
    synthetic French records by bench/linkage.py): small extracts are too small to train on."""
    row = LinkageModel.objects.filter(name=DEFAULT_MODEL).first()
    if row:
        return row.model
    if SHIPPED_MODEL.exists():
        return json.loads(SHIPPED_MODEL.read_text(encoding="utf-8"))
    return None


def save_model(model: dict, trained_on: str) -> None:
    LinkageModel.objects.update_or_create(
        name=DEFAULT_MODEL, defaults={"model": model, "trained_on": trained_on[:200]}
    )


def _link(job, con, progress: Progress) -> None:
    """Fill table `plan(line, outcome, person_id, probability, alternatives)`."""
    profile = job.profile
    con.execute(
        """
        CREATE TABLE plan AS
        SELECT s.line, CASE WHEN k.person_id IS NOT NULL THEN 'known' END AS outcome,
               k.person_id, CAST(NULL AS DOUBLE) AS probability,
               CAST(NULL AS VARCHAR) AS alternatives
        FROM stage s LEFT JOIN known k USING (record_key)
        """
    ).fetchall()
    todo = con.execute("SELECT count(*) FROM plan WHERE outcome IS NULL").fetchall()[0][0]
    if todo:
        progress.update(_("Linking records to persons"), 50, force=True)
        con.execute(
            "CREATE TABLE incoming AS SELECT CAST(s.line AS VARCHAR) AS id, s.first_name, "
            "s.last_name, s.birth_name, s.birth_date, s.birth_place, s.address, s.postcode, "
            "s.city, s.email, s.phone, s.nir FROM stage s JOIN plan p USING (line) "
            "WHERE p.outcome IS NULL"
        ).fetchall()
        base_count = export_persons(con, "base_raw")
        thresholds = linkage.Thresholds(
            auto=profile.auto_link_threshold, review=profile.review_threshold
        )
        if base_count:
            linkage.prepare(con, "incoming", "in_records")
            linkage.prepare(con, "base_raw", "base_records")
            model = load_model()
            run = linkage.score(con, "in_records", "base_records", model, review=thresholds.review)
            if run.trained:
                save_model(run.model, f"{job.original_name} × base")
            linkage.decide(con, "pairs", thresholds, "decided")
        else:
            con.execute(
                "CREATE TABLE decided (left_id VARCHAR, right_id VARCHAR, probability DOUBLE, "
                "weight DOUBLE, outcome VARCHAR)"
            ).fetchall()
        con.execute(
            """
            CREATE TABLE outcomes AS
            WITH links AS (
                SELECT CAST(left_id AS BIGINT) AS line, CAST(right_id AS BIGINT) AS person_id,
                       probability
                FROM decided WHERE outcome = 'link'
            ),
            reviews AS (
                SELECT CAST(left_id AS BIGINT) AS line,
                       arg_max(CAST(right_id AS BIGINT), weight) AS person_id,
                       max(probability) AS probability,
                       to_json(list({'person_id': CAST(right_id AS BIGINT),
                                     'probability': round(probability, 4)}
                                    ORDER BY weight DESC)) AS alternatives
                FROM decided
                WHERE CAST(left_id AS BIGINT) NOT IN (SELECT line FROM links)
                GROUP BY left_id
            )
            SELECT line, 'link' AS outcome, person_id, probability, NULL AS alternatives
            FROM links
            UNION ALL
            SELECT line, 'review', person_id, probability, CAST(alternatives AS VARCHAR)
            FROM reviews
            """
        ).fetchall()
        new_outcome = "new" if profile.create_unmatched else "unmatched"
        con.execute(
            f"""
            UPDATE plan SET outcome = coalesce(o.outcome, '{new_outcome}'),
                person_id = o.person_id, probability = o.probability,
                alternatives = o.alternatives
            FROM (SELECT p.line, o.outcome, o.person_id, o.probability, o.alternatives
                  FROM plan p LEFT JOIN outcomes o USING (line) WHERE p.outcome IS NULL) o
            WHERE plan.line = o.line
            """
        ).fetchall()
    counts = dict(con.execute("SELECT outcome, count(*) FROM plan GROUP BY 1").fetchall())
    job.linked = counts.get("link", 0) + counts.get("known", 0)
    job.review = counts.get("review", 0)
    job.created = counts.get("new", 0)
    progress.update(_("Linking records to persons"), 60, force=True)


# --- 4. writing ------------------------------------------------------------------------------


def _payload(row: dict) -> dict:
    birth = row["birth_date"]
    return {
        "line": row["line"],
        "record_key": row["record_key"],
        "row_hash": row["row_hash"],
        "identity": {
            "first_names": row["first_name"],
            "last_name": row["last_name"],
            "birth_name": row["birth_name"] or "",
            "birth_date": birth.isoformat() if isinstance(birth, date) else birth,
            "birth_place": row["birth_place"] or "",
            "sex": row["sex"] or "",
            "nir": row["nir"] or "",
        },
        "email": row["email"] or "",
        "phone": row["phone"] or "",
        "address": row["address"] or "",
        "postcode": row["postcode"] or "",
        "city": row["city"] or "",
        "facts": json.loads(row["facts"] or "[]"),
    }


def _write(job, con, progress: Progress) -> None:
    total = con.execute("SELECT count(*) FROM plan").fetchall()[0][0]
    columns = [*STAGE_COLUMNS, "outcome", "person_id", "probability", "alternatives"]
    select = ", ".join(f"s.{c}" for c in STAGE_COLUMNS)
    done = 0
    last_line = -1
    while True:
        rows = con.execute(
            f"SELECT {select}, p.outcome, p.person_id, p.probability, p.alternatives "
            "FROM stage s JOIN plan p USING (line) WHERE s.line > ? ORDER BY s.line LIMIT ?",
            [last_line, WRITE_BATCH],
        ).fetchall()
        if not rows:
            break
        last_line = rows[-1][0]
        items = [dict(zip(columns, r, strict=True)) for r in rows]
        # A job taken over after its worker died may have written this batch's candidates.
        already = set(
            job.candidates.filter(
                record_key__in=[i["record_key"] for i in items if i["outcome"] == "review"]
            ).values_list("record_key", flat=True)
        )
        with transaction.atomic():
            to_write = [
                (_payload(i), i["person_id"]) for i in items if i["outcome"] in ("link", "known")
            ]
            to_write += [(_payload(i), None) for i in items if i["outcome"] == "new"]
            written = write_records(job.profile, to_write, job=job, actor=job.created_by)
            job.facts_written += written
            MatchCandidate.objects.bulk_create(
                [
                    MatchCandidate(
                        kind=MatchCandidate.Kind.IMPORT,
                        job=job,
                        record_key=i["record_key"],
                        record=_payload(i)["identity"]
                        | {
                            k: i[k] or "" for k in ("email", "phone", "address", "postcode", "city")
                        },
                        payload=_payload(i),
                        person_id=i["person_id"],
                        alternatives=json.loads(i["alternatives"] or "[]"),
                        probability=i["probability"] or 0.0,
                    )
                    for i in items
                    if i["outcome"] == "review" and i["record_key"] not in already
                ]
            )
        done += len(items)
        progress.update(_("Writing facts"), 60 + 40 * done / max(total, 1))


def _same_fact(existing: dict | None, columns: dict, legal_basis: str, valid_until) -> bool:
    if existing is None:
        return False
    for column, value in columns.items():
        current = existing[column]
        if isinstance(value, Decimal) and current is not None:
            if Decimal(current) != value:
                return False
        elif current != value:
            return False
    return existing["legal_basis"] == legal_basis and existing["valid_until"] == valid_until


def write_records(profile, items: list[tuple[dict, int | None]], *, job=None, actor=None) -> int:
    """Write a batch of mapped records: create the persons of those without one, then their
    facts, contact points, import bookkeeping and one timeline line each. Returns the number
    of facts written (a value equal to the current one from the same source is skipped)."""
    if not items:
        return 0
    source = profile.source
    now = timezone.now()
    new_items = [payload for payload, pid in items if pid is None]
    created = _create_persons(new_items)
    resolved: list[tuple[dict, int]] = [(p, pid) for p, pid in items if pid is not None]
    resolved += [(p, person.pk) for p, person in zip(new_items, created, strict=True)]
    person_ids = {pid for _payload, pid in resolved}
    # Facts: compare with the current value from the same source before writing.
    keys = {fact[0] for payload, _pid in resolved for fact in payload["facts"]}
    types = dict(FactKey.objects.filter(key__in=keys).values_list("key", "value_type"))
    current: dict[tuple[int, str], dict] = {}
    if keys:
        for fact in (
            Fact.objects.filter(person_id__in=person_ids, key_id__in=keys, source=source)
            .order_by("person_id", "key_id", "-collected_at", "-id")
            .values(
                "person_id",
                "key_id",
                "value_text",
                "value_number",
                "value_date",
                "value_bool",
                "legal_basis",
                "valid_until",
            )
        ):
            current.setdefault((fact["person_id"], fact["key_id"]), fact)
    facts: list[Fact] = []
    per_person: dict[int, int] = defaultdict(int)
    for payload, pid in resolved:
        for key, shown, basis, until in payload["facts"]:
            if not (basis or "").strip():
                raise ValidationError({"legal_basis": _("A fact needs its legal basis.")})
            value_type = types[key]
            typed = _typed(value_type, shown)
            columns = Fact.value_columns(value_type, typed)
            valid_until = date.fromisoformat(until) if until else None
            if _same_fact(current.get((pid, key)), columns, basis, valid_until):
                continue
            facts.append(
                Fact(
                    person_id=pid,
                    key_id=key,
                    source=source,
                    legal_basis=basis,
                    collected_at=now,
                    valid_until=valid_until,
                    **columns,
                )
            )
            current[(pid, key)] = {**columns, "legal_basis": basis, "valid_until": valid_until}
            per_person[pid] += 1
    Fact.objects.bulk_create(facts, batch_size=5000)
    _add_contacts(resolved)
    ImportedRecord.objects.bulk_create(
        [
            ImportedRecord(
                profile=profile,
                record_key=payload["record_key"],
                row_hash=payload["row_hash"],
                person_id=pid,
                job=job,
            )
            for payload, pid in resolved
        ],
        update_conflicts=True,
        unique_fields=["profile", "record_key"],
        update_fields=["row_hash", "person", "job", "updated_at"],
        batch_size=5000,
    )
    Interaction.objects.bulk_create(
        [
            Interaction(
                person_id=pid,
                occurred_at=now,
                kind=Interaction.Kind.FACT,
                summary=(
                    _("%(count)s value(s) received from %(source)s")
                    % {"count": count, "source": source.name}
                )[:300],
                actor=actor if getattr(actor, "pk", None) else None,
                ref_type="integrations.importjob" if job else "",
                ref_id=str(job.pk) if job else "",
            )
            for pid, count in per_person.items()
        ],
        batch_size=5000,
    )
    return len(facts)


def _typed(value_type: str, shown: str):
    if value_type == FactKey.ValueType.DATE:
        return date.fromisoformat(shown)
    if value_type == FactKey.ValueType.NUMBER:
        return Decimal(shown)
    if value_type == FactKey.ValueType.BOOLEAN:
        return shown in ("True", "true", "1")
    return shown


def _create_persons(payloads: list[dict]) -> list[Person]:
    if not payloads:
        return []
    nirs = {p["identity"]["nir"] for p in payloads if p["identity"]["nir"]}
    taken = set(Person.objects.filter(nir__in=nirs).values_list("nir", flat=True))
    persons = []
    seen: set[str] = set()
    for payload in payloads:
        identity = dict(payload["identity"])
        identity["birth_date"] = (
            date.fromisoformat(identity["birth_date"]) if identity["birth_date"] else None
        )
        if identity["nir"] in taken or identity["nir"] in seen:
            identity["nir"] = ""  # kept out rather than breaking uniqueness; linked later
        seen.add(identity["nir"])
        persons.append(Person(**identity))
    try:
        persons = Person.objects.bulk_create(persons, batch_size=2000)
    except IntegrityError:
        raise ValidationError(_("Two new persons would share a NIR.")) from None
    people.index_person_names(persons)
    postal = [
        ContactPoint(
            person=person,
            kind=ContactPoint.Kind.POSTAL,
            value=f"{payload['address']}, {payload['postcode']} {payload['city']}".strip(", "),
            normalized=" ".join(
                f"{payload['address']}, {payload['postcode']} {payload['city']}".split()
            ).lower(),
        )
        for payload, person in zip(payloads, persons, strict=True)
        if payload["address"]
    ]
    ContactPoint.objects.bulk_create(postal, batch_size=2000)
    return persons


def _add_contacts(resolved: list[tuple[dict, int]]) -> None:
    wanted: dict[tuple[int, str], str] = {}
    for payload, pid in resolved:
        if payload["email"]:
            wanted[(pid, payload["email"])] = ContactPoint.Kind.EMAIL
        if payload["phone"]:
            wanted[(pid, payload["phone"])] = phone_kind(payload["phone"])
    if not wanted:
        return
    existing = set(
        ContactPoint.objects.filter(
            person_id__in={pid for pid, _v in wanted}, normalized__in={v for _pid, v in wanted}
        ).values_list("person_id", "normalized")
    )
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(person_id=pid, kind=kind, value=value, normalized=value)
            for (pid, value), kind in wanted.items()
            if (pid, value) not in existing
        ],
        batch_size=2000,
    )
