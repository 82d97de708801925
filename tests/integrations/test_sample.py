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
    assert job.review >= 3  # the five records without a birth date are uncertain
    assert job.linked + job.created + job.review == 200 - 3
    assert Person.objects.count() == before + job.created
    assert MatchCandidate.objects.filter(job=job).count() == job.review
    assert not LinkageModel.objects.exists()  # the shipped model was reused, not retrained


def test_the_demo_walk_through(
    town, administrator, supervisor, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Issue 5's "done when", through the console: import the sample extract, review an
    uncertain match, compute eligibility, open the non-take-up report, make it an audience."""
    from django.urls import reverse

    from parvis.audiences.models import Audience
    from parvis.audiences.services import members
    from parvis.rights.models import EligibilityRun
    from parvis.rights.services import unclaimed_people

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    client.force_login(administrator)
    assert b'name="sample"' in client.get(reverse("integrations:imports")).content
    response = client.post(reverse("integrations:import-new"), {"sample": "caf"})
    job = ImportJob.objects.get()
    assert response.url == reverse("integrations:import-detail", args=[job.pk])
    assert job.status == ImportJob.Status.DONE and job.review >= 3, job.message
    queue = client.get(reverse("integrations:review"))
    candidate = MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING).first()
    assert reverse("integrations:review-detail", args=[candidate.pk]).encode() in queue.content
    person_id = candidate.alternatives[0]["person_id"]
    client.post(
        reverse("integrations:review-detail", args=[candidate.pk]),
        {"decision": "same", "person_id": person_id},
    )
    candidate.refresh_from_db()
    assert candidate.status != MatchCandidate.Status.PENDING and candidate.person_id == person_id

    client.force_login(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rights:start-run"), {"period": "2025-01"})
    run = EligibilityRun.objects.get()
    assert run.status == "done" and run.households_total > 100, run.counts
    report = client.get(reverse("rights:report"), {"period": "2025-01"})
    assert report.status_code == 200
    assert reverse("rights:make-selection").encode() in report.content
    before = set(Audience.objects.values_list("pk", flat=True))  # the demo town has some
    response = client.post(
        reverse("rights:make-selection"), {"benefit": "rsa", "period": "2025-01"}
    )
    audience = Audience.objects.exclude(pk__in=before).get()
    assert response.url == reverse("audiences:detail", args=[audience.pk])
    expected = set(unclaimed_people("rsa", "2025-01"))
    assert expected and set(members(audience)) == expected
