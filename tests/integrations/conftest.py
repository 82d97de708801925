from datetime import date

import pytest
from django.core.files.base import ContentFile

from parvis.integrations import samples
from parvis.integrations.imports import run_import
from parvis.integrations.models import ImportJob

TODAY = date(2025, 1, 15)


@pytest.fixture
def caf_profile(db):
    return samples.install_profile()


@pytest.fixture
def town(db):
    from parvis.demo.services import seed_town

    return seed_town(500, seed=3, today=TODAY)


@pytest.fixture
def import_bytes(caf_profile, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    def run(content: bytes, name: str = "extract.csv", profile=None, dry_run=False, user=None):
        job = ImportJob.objects.create(
            profile=profile or caf_profile,
            file=ContentFile(content, name=name),
            original_name=name,
            size=len(content),
            dry_run=dry_run,
            created_by=user,
        )
        return run_import(job.pk)

    return run


def caf_csv(rows: list[list[str]], encoding="utf-8", delimiter=";") -> bytes:
    header = delimiter.join(samples.HEADER)
    lines = [header] + [delimiter.join(r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def caf_row(
    number="100",
    last="MARTIN",
    first="Élodie",
    birth="12/03/1984",
    qf="612,50",
    email="",
    phone="",
    birth_name="",
    rsa="non",
    address="3 rue Pasteur",
):
    return [
        number,
        last,
        birth_name,
        first,
        birth,
        "F",
        address,
        "54111",
        "Mont-Bonvillers",
        email,
        phone,
        qf,
        "1",
        rsa,
        "non",
        "15/01/2025",
    ]
