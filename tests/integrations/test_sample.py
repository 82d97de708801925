"""The demo's sample CAF extract against a seeded town: most records link, strangers become
new persons, the bad lines are reported, and review candidates wait for an agent."""

import pytest

from parvis.integrations import samples
from parvis.integrations.models import ImportJob, LinkageModel, MatchCandidate
from parvis.people.models import Person

pytestmark = pytest.mark.django_db


def test_sample_extract_links_most_records(town, import_bytes, tmp_path):
    path = samples.write_caf_extract(tmp_path / "caf.csv", rows=200, seed=7)
    content = path.read_bytes()
    assert content.decode("cp1252")  # Windows-1252 like a real export
    before = Person.objects.count()
    job = import_bytes(content, name="caf.csv")
    assert job.status == ImportJob.Status.DONE, job.message
    assert job.encoding == "cp1252"
    assert job.rows == 200
    assert job.error_count == 2 and job.duplicate_rows == 1
    messages = " ".join(e["message"] for e in job.errors)
    assert "31/02/1970" in messages and "colonne décalée" in messages
    strangers = 200 - 3 - int(200 * 0.9) - 5
    assert job.linked >= 0.9 * int(200 * 0.9)
    assert job.created <= strangers + 5
    assert job.review >= 3  # the five "married name" records are uncertain
    assert job.linked + job.created + job.review == 200 - 3
    assert Person.objects.count() == before + job.created
    assert MatchCandidate.objects.filter(job=job).count() == job.review
    assert not LinkageModel.objects.exists()  # the shipped model was reused, not retrained
