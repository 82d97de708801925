"""Console pages: permissions, upload, progress polling, review side by side, merges."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parvis.audit.models import AccessLog
from parvis.integrations.models import ImportJob, MatchCandidate, MergeRecord
from parvis.people import services
from parvis.people.models import Person

from .conftest import caf_csv, caf_row

pytestmark = pytest.mark.django_db

PAGES = [
    ("integrations:imports", {}),
    ("integrations:import-new", {}),
    ("integrations:profiles", {}),
    ("integrations:profile-edit", {"profile_id": 0}),
    ("integrations:review", {}),
    ("integrations:merges", {}),
]


@pytest.mark.parametrize("name, kwargs", PAGES)
def test_pages_need_the_permission(client, agent, supervisor, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302  # to the login page
    for user in (agent, supervisor):
        client.force_login(user)
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("name, kwargs", PAGES)
def test_administrator_sees_the_pages(client, administrator, caf_profile, name, kwargs):
    client.force_login(administrator)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


def test_upload_dry_run_then_real_import(client, administrator, caf_profile, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(administrator)
    upload = SimpleUploadedFile("caf.csv", caf_csv([caf_row(), caf_row("2", "DURAND", "Paul")]))
    response = client.post(
        reverse("integrations:import-new"),
        {"profile": caf_profile.pk, "file": upload, "dry_run": "on"},
    )
    dry = ImportJob.objects.get()
    assert response.url == reverse("integrations:import-detail", args=[dry.pk])
    assert dry.dry_run and dry.status == "done" and not Person.objects.exists()
    progress = client.get(
        reverse("integrations:import-progress", args=[dry.pk]), HTTP_HX_REQUEST="true"
    )
    assert b'data-status="done"' in progress.content and b"hx-trigger" not in progress.content
    client.post(reverse("integrations:import-run", args=[dry.pk]))
    real = ImportJob.objects.exclude(pk=dry.pk).get()
    assert not real.dry_run and real.created == 2 and Person.objects.count() == 2
    page = client.get(reverse("integrations:import-detail", args=[real.pk]))
    assert b"100" in page.content


def test_running_job_is_polled(client, administrator, caf_profile):
    job = ImportJob.objects.create(
        profile=caf_profile, file="x.csv", original_name="x.csv", status="running", progress=42
    )
    client.force_login(administrator)
    page = client.get(reverse("integrations:import-progress", args=[job.pk]))
    assert b'hx-trigger="every 1s"' in page.content and b'value="42"' in page.content


def test_profile_form_refuses_a_fact_without_legal_basis(client, administrator, caf_profile):
    client.force_login(administrator)
    data = {
        "name": "X",
        "slug": "x",
        "source": caf_profile.source_id,
        "file_format": "auto",
        "encoding": "auto",
        "auto_link_threshold": 0.95,
        "review_threshold": 0.5,
        "columns_json": '[{"column": "N", "target": "last_name"}, {"column": "P", '
        '"target": "first_names"}, {"column": "QF", "target": "fact:family_quotient"}]',
    }
    response = client.post(reverse("integrations:profile-edit", args=[0]), data)
    assert response.status_code == 200 and b"QF" in response.content
    data["legal_basis"] = "CSS, art. L. 114-12-1"
    response = client.post(reverse("integrations:profile-edit", args=[0]), data)
    assert response.status_code == 302


def test_review_side_by_side_and_decide(client, administrator, import_bytes):
    twins = [
        services.create_person(first_names="Lucas", last_name="Moreau", birth_date=date(1990, 1, 2))
        for _ in range(2)
    ]
    import_bytes(caf_csv([caf_row("9", "MOREAU", "Lucas", "02/01/1990", address="")]))
    candidate = MatchCandidate.objects.get()
    client.force_login(administrator)
    page = client.get(reverse("integrations:review-detail", args=[candidate.pk]))
    assert page.status_code == 200
    assert f'data-person="{twins[0].pk}"'.encode() in page.content
    assert f'data-person="{twins[1].pk}"'.encode() in page.content
    assert AccessLog.objects.filter(action="integrations.review").count() == 2
    response = client.post(
        reverse("integrations:review-detail", args=[candidate.pk]),
        {"decision": "same", "person_id": twins[0].pk},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == "linked" and candidate.result_person == twins[0]


def test_merge_and_undo_from_the_console(client, administrator):
    a = services.create_person(first_names="Anne", last_name="Petit", birth_date=date(1970, 1, 1))
    b = services.create_person(first_names="Anne", last_name="Petit", birth_date=date(1970, 1, 1))
    candidate = MatchCandidate.objects.create(
        kind="duplicate", person=a, other_person=b, probability=0.97
    )
    client.force_login(administrator)
    client.post(reverse("integrations:review-detail", args=[candidate.pk]), {"decision": "same"})
    record = MergeRecord.objects.get()
    assert not Person.objects.filter(pk=b.pk).exists()
    assert client.get(reverse("integrations:merges")).status_code == 200
    client.post(reverse("integrations:merge-undo", args=[record.pk]))
    assert Person.objects.filter(pk=b.pk).exists()


def test_post_actions_need_the_permission(client, agent, caf_profile):
    a = services.create_person(first_names="Anne", last_name="Petit")
    candidate = MatchCandidate.objects.create(
        kind="duplicate", person=a, other_person=a, probability=1
    )
    client.force_login(agent)
    assert (
        client.post(
            reverse("integrations:review-detail", args=[candidate.pk]), {"decision": "same"}
        ).status_code
        == 403
    )
    assert client.post(reverse("integrations:find-duplicates")).status_code == 403
    assert client.post(reverse("integrations:merge-undo", args=[1])).status_code == 403
    assert client.post(reverse("integrations:import-run", args=[1])).status_code == 403
