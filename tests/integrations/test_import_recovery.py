"""A worker that dies in the middle of an import: the job stops beating, another worker takes
it over, and the end result is the one a clean import gives (nothing lost, nothing twice)."""

import os
import signal
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from parvis.integrations import imports
from parvis.integrations.models import ImportedRecord, ImportJob, MatchCandidate
from parvis.people import services
from parvis.people.models import Fact, Person

from .conftest import caf_csv, caf_row

FIRSTS = ["Paul", "Julie", "Marc", "Sophie", "Luc", "Anne", "Hugo", "Emma", "Louis", "Chloé"]
LASTS = ["DURAND", "PETIT", "LEROY", "ROUX", "FOURNIER", "GIRARD", "BONNET", "DUPONT",
         "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT"]  # fmt: skip


class WorkerDied(BaseException):
    """Escapes run_import's `except Exception` as a killed process would."""


def extract(n: int) -> bytes:
    # The first record matches two people equally: a review candidate in the first batch.
    rows = [caf_row("9", "MOREAU", "Lucas", "02/01/1990", address="")]
    for i in range(n - 1):
        born = date(1950 + i % 50, i % 12 + 1, i % 28 + 1)
        rows.append(
            caf_row(
                str(1000 + i),
                LASTS[i % len(LASTS)],
                FIRSTS[i // len(LASTS) % len(FIRSTS)],
                born.strftime("%d/%m/%Y"),
                address=f"{i % 40 + 1} rue Pasteur",
            )
        )
    return caf_csv(rows)


def twins():
    for _ in range(2):
        services.create_person(first_names="Lucas", last_name="Moreau", birth_date=date(1990, 1, 2))


def new_job(profile, content: bytes) -> ImportJob:
    return ImportJob.objects.create(
        profile=profile,
        file=ContentFile(content, name="extract.csv"),
        original_name="extract.csv",
        size=len(content),
    )


def outcome():
    return (
        Person.objects.count(),
        Fact.objects.count(),
        ImportedRecord.objects.count(),
        MatchCandidate.objects.count(),
    )


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_taken_over_and_ends_as_a_clean_import(
    caf_profile, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(imports, "WRITE_BATCH", 40)
    twins()
    content = extract(120)

    real_update = imports.Progress.update

    def dies_after_the_first_batch(self, phase, percent, force=False):
        real_update(self, phase, percent, force)
        if self.job.facts_written and phase == imports._("Writing facts"):
            raise WorkerDied

    monkeypatch.setattr(imports.Progress, "update", dies_after_the_first_batch)
    job = new_job(caf_profile, content)
    with pytest.raises(WorkerDied):
        imports.run_import(job.pk)
    monkeypatch.setattr(imports.Progress, "update", real_update)

    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    partial = ImportedRecord.objects.count()
    assert 0 < partial < 120

    # A task redelivered while the job still beats repeats nothing.
    assert imports.run_import(job.pk).status == ImportJob.Status.RUNNING
    assert ImportedRecord.objects.count() == partial

    # Silent for longer than allowed: beat queues it again and a worker takes it over.
    later = timezone.now() + imports.stale_after() + timedelta(minutes=1)
    queued = []
    monkeypatch.setattr(
        "parvis.integrations.tasks.run_import_job.delay", lambda pk: queued.append(pk)
    )
    assert imports.recover_stale_jobs(now=later) == [job.pk] and queued == [job.pk]
    job = imports.run_import(job.pk, now=later)
    assert job.status == ImportJob.Status.DONE, job.message
    assert "Restarted" in job.message or "Relancé" in job.message
    assert job.unchanged == partial  # the batches written before are recognised
    taken_over = outcome()

    # The same extract imported cleanly in a fresh base gives the same end state.
    Person.objects.all().delete()
    ImportedRecord.objects.all().delete()
    ImportJob.objects.all().delete()
    twins()
    clean = imports.run_import(new_job(caf_profile, content).pk)
    assert clean.status == ImportJob.Status.DONE, clean.message
    assert outcome() == taken_over
    assert MatchCandidate.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_process_killed_mid_import_loses_nothing(caf_profile, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker subprocess shares the test database only on PostgreSQL")
    settings.MEDIA_ROOT = tmp_path / "media"
    twins()
    job = new_job(caf_profile, extract(120))
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "parvis.settings",
    }
    # The worker kills itself with SIGKILL right after its first batch is committed.
    code = f"""
import os, signal, django
django.setup()
from django.conf import settings
settings.MEDIA_ROOT = {str(settings.MEDIA_ROOT)!r}
from parvis.integrations import imports
imports.WRITE_BATCH = 40
update = imports.Progress.update
def killed(self, phase, percent, force=False):
    update(self, phase, percent, force)
    if self.job.facts_written:
        os.kill(os.getpid(), signal.SIGKILL)
imports.Progress.update = killed
imports.run_import({job.pk})
"""
    worker = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=300)
    assert worker.returncode == -signal.SIGKILL, worker.stderr.decode()[-2000:]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING
    partial = ImportedRecord.objects.count()
    assert 0 < partial < 120

    later = timezone.now() + imports.stale_after() + timedelta(minutes=1)
    job = imports.run_import(job.pk, now=later)
    assert job.status == ImportJob.Status.DONE, job.message
    assert ImportedRecord.objects.count() == 120 - 1  # the review record is not imported yet
    assert Person.objects.count() == 2 + 119
    assert MatchCandidate.objects.filter(job=job).count() == 1
