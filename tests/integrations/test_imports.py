"""The import pipeline end to end on the embedded database: encodings, dates, decimals, bad
lines, duplicates, idempotent re-import, facts with provenance, linkage outcomes."""

from datetime import date
from decimal import Decimal

import pytest

from parvis.integrations.models import ImportedRecord, ImportJob, MatchCandidate
from parvis.people import services
from parvis.people.models import Fact, Person

from .conftest import caf_csv, caf_row

pytestmark = pytest.mark.django_db


def test_new_people_are_created_with_facts_and_provenance(import_bytes):
    job = import_bytes(caf_csv([caf_row(), caf_row("101", "DURAND", "Paul", "1990-05-02")]))
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.rows, job.created, job.linked, job.error_count) == (2, 2, 0, 0)
    elodie = Person.objects.get(last_name="MARTIN")
    assert elodie.birth_date == date(1984, 3, 12)
    qf = Fact.objects.get(person=elodie, key="family_quotient")
    assert qf.value_number == Decimal("612.50")
    assert qf.source.code == "caf" and "L. 114-12-1" in qf.legal_basis
    assert qf.valid_until is not None
    assert elodie.interactions.filter(kind="fact").count() == 1


def test_reimporting_the_same_file_changes_nothing(import_bytes):
    content = caf_csv([caf_row(), caf_row("101", "DURAND", "Paul", "1990-05-02")])
    import_bytes(content)
    counts = (Person.objects.count(), Fact.objects.count(), ImportedRecord.objects.count())
    again = import_bytes(content)
    assert again.status == ImportJob.Status.DUPLICATE
    assert "déjà été importé" in again.message or "already imported" in again.message
    # The same rows in another file (another hash) are recognised record by record.
    third = import_bytes(content + b"\r\n", name="again.csv")
    assert third.status == ImportJob.Status.DONE and third.unchanged == 2
    assert (Person.objects.count(), Fact.objects.count(), ImportedRecord.objects.count()) == counts


def test_dates_in_three_formats_and_french_decimals(import_bytes):
    rows = [
        caf_row("1", "MARTIN", "Élodie", "12/03/1984", "1 234,56"),
        caf_row("2", "DURAND", "Paul", "1990-05-02", "980"),
        caf_row("3", "PETIT", "Léa", "3 août 1975", "612,5"),
    ]
    job = import_bytes(caf_csv(rows, encoding="cp1252"))
    assert job.status == ImportJob.Status.DONE and job.error_count == 0, job.errors
    assert job.encoding == "cp1252"
    births = dict(Person.objects.values_list("last_name", "birth_date"))
    assert births == {
        "MARTIN": date(1984, 3, 12),
        "DURAND": date(1990, 5, 2),
        "PETIT": date(1975, 8, 3),
    }
    assert Fact.objects.get(person__last_name="MARTIN", key="family_quotient").value_number == (
        Decimal("1234.56")
    )


def test_a_file_in_the_wrong_encoding_fails_clearly_and_writes_nothing(import_bytes, caf_profile):
    caf_profile.encoding = "utf-8"  # the profile says UTF-8, the source sent Windows-1252
    caf_profile.save()
    content = caf_csv([caf_row("1", "DURAND", "Paul"), caf_row("2", "PETIT", "Léa")], "cp1252")
    job = import_bytes(content)
    assert job.status == ImportJob.Status.FAILED
    assert "pas en UTF-8" in job.message and "ligne 3" in job.message, job.message
    assert not Person.objects.exists() and not ImportedRecord.objects.exists()
    # Detection ("auto") reads the same file: nothing was lost, the file can be imported.
    caf_profile.encoding = "auto"
    caf_profile.save()
    again = import_bytes(content, name="again.csv")
    assert again.status == ImportJob.Status.DONE and again.created == 2, again.message
    assert again.encoding == "cp1252"
    assert Person.objects.filter(first_names="Léa").exists()


def test_bad_lines_are_reported_and_the_good_ones_kept(import_bytes):
    shifted = caf_row("3", "PETIT", "Léa")
    shifted.insert(6, "Bâtiment B")
    rows = [
        caf_row("1"),
        caf_row("2", "DURAND", "Paul", "31/02/1990"),
        shifted,
        caf_row("4", "ROUX", "", "01/01/1980"),
        caf_row("5", "BLANC", "Jules", "01/01/1980", "beaucoup"),
        caf_row("1"),  # a duplicate line
    ]
    job = import_bytes(caf_csv(rows))
    assert job.status == ImportJob.Status.DONE
    assert (job.rows, job.error_count, job.duplicate_rows, job.created) == (6, 4, 1, 1)
    by_line = {e["line"]: e for e in job.errors}
    assert "31/02/1990" in by_line[3]["message"] and by_line[3]["column"] == "DATE_NAISSANCE"
    assert "colonne décalée" in by_line[4]["message"]
    assert by_line[5]["column"] == "PRENOMS"
    assert "beaucoup" in by_line[6]["message"] and by_line[6]["column"] == "QUOTIENT_FAMILIAL"
    assert "ligne 2" in by_line[7]["message"] or "line 2" in by_line[7]["message"]


def test_dry_run_writes_nothing(import_bytes):
    job = import_bytes(caf_csv([caf_row(), caf_row("2", "DURAND", "Paul")]), dry_run=True)
    assert job.status == ImportJob.Status.DONE and job.created == 2
    assert not Person.objects.exists() and not ImportedRecord.objects.exists()


def test_a_fact_without_legal_basis_is_refused(import_bytes, caf_profile):
    from django.core.exceptions import ValidationError

    from parvis.integrations.imports import write_records
    from parvis.integrations.mapping import validate_columns

    columns = [
        {"column": "N", "target": "last_name"},
        {"column": "P", "target": "first_names"},
        {"column": "QF", "target": "fact:family_quotient"},
    ]
    with pytest.raises(ValidationError, match="legal basis|base légale"):
        validate_columns(columns, default_legal_basis="")
    # A profile stored without one (bypassing the form) fails the import, writing nothing.
    caf_profile.legal_basis = ""
    caf_profile.columns = [
        {**c, "legal_basis": ""} if c["column"] == "QUOTIENT_FAMILIAL" else c
        for c in caf_profile.columns
    ]
    caf_profile.save()
    job = import_bytes(caf_csv([caf_row()]))
    assert job.status == ImportJob.Status.FAILED and "QUOTIENT_FAMILIAL" in job.message
    assert not Person.objects.exists()
    # And the writer itself refuses a fact that arrives without one.
    person = services.create_person(first_names="Jean", last_name="Roux")
    payload = {
        "record_key": "k",
        "row_hash": "h",
        "email": "",
        "phone": "",
        "facts": [["family_quotient", "500", " ", ""]],
        "identity": {},
    }
    with pytest.raises(ValidationError):
        write_records(caf_profile, [(payload, person.pk)])
    assert not Fact.objects.filter(person=person).exists()


def test_a_record_matching_two_people_equally_goes_to_review(import_bytes):
    twins = [
        services.create_person(first_names="Lucas", last_name="Moreau", birth_date=date(1990, 1, 2))
        for _ in range(2)
    ]
    job = import_bytes(caf_csv([caf_row("9", "MOREAU", "Lucas", "02/01/1990", address="")]))
    assert (job.linked, job.review, job.created) == (0, 1, 0)
    candidate = MatchCandidate.objects.get(job=job)
    assert {a["person_id"] for a in candidate.alternatives} == {p.pk for p in twins}
    assert (
        abs(candidate.alternatives[0]["probability"] - candidate.alternatives[1]["probability"])
        < 1e-6
    )
    assert not Fact.objects.filter(person__in=twins).exists()


def test_existing_person_is_linked_and_updated_values_become_new_facts(import_bytes):
    elodie = services.create_person(
        first_names="Élodie Marie", last_name="Martin", birth_date=date(1984, 3, 12)
    )
    services.add_contact_point(elodie, "email", "elodie.martin@example.fr")
    row = caf_row("1", "MARTN", "Elodie", "12/03/1984", "600", email="elodie.martin@example.fr")
    job = import_bytes(caf_csv([row]))
    assert (job.linked, job.created, job.review) == (1, 0, 0), job.message
    assert Fact.objects.get(person=elodie, key="family_quotient").value_number == 600
    row[11] = "650"
    import_bytes(caf_csv([row]), name="second.csv")
    values = list(
        Fact.objects.filter(person=elodie, key="family_quotient")
        .order_by("id")
        .values_list("value_number", flat=True)
    )
    assert values == [600, 650]  # history kept, the latest value on top
    assert Person.objects.count() == 1


def test_nir_equality_links_whatever_else_differs(import_bytes, caf_profile):
    caf_profile.columns = [*caf_profile.columns, {"column": "NIR", "target": "nir"}]
    caf_profile.save()
    person = services.create_person(
        first_names="Jeanne",
        last_name="Roux",
        birth_date=date(1987, 6, 27),
        nir="2 87 06 08 480 123 06",
    )
    header = ";".join(
        [*__import__("parvis.integrations.samples").integrations.samples.HEADER, "NIR"]
    )
    row = ";".join([*caf_row("1", "DUPONT", "Marie", "01/01/1950"), "287060848012306"])
    job = import_bytes(f"{header}\r\n{row}\r\n".encode())
    assert job.linked == 1, job.message
    assert Fact.objects.filter(person=person).exists()


def test_parquet_and_json_lines_extracts(import_bytes, caf_profile):
    import io
    import json

    import pyarrow as pa
    import pyarrow.parquet as pq

    from parvis.integrations import samples

    values = dict(zip(samples.HEADER, caf_row("1", "MARTIN", "Élodie"), strict=True))
    table = {column: [value] for column, value in values.items()}
    table["DATE_NAISSANCE"] = [date(1984, 3, 12)]  # typed columns, as Parquet has them
    table["QUOTIENT_FAMILIAL"] = [612.5]
    buffer = io.BytesIO()
    pq.write_table(pa.table(table), buffer)
    caf_profile.file_format = "auto"  # the CAF profile says CSV: a Parquet file is refused
    caf_profile.save()
    job = import_bytes(buffer.getvalue(), name="caf.parquet")
    assert job.status == ImportJob.Status.DONE and job.created == 1, job.errors
    line = json.dumps(dict(values, NUM_ALLOCATAIRE="2", NOM="DURAND", PRENOMS="Paul"))
    job = import_bytes((line + "\n{broken\n").encode(), name="caf.jsonl")
    assert (job.created, job.error_count) == (1, 1) and job.errors[0]["line"] == 2
    assert Fact.objects.get(person__last_name="MARTIN", key="family_quotient").value_number == (
        Decimal("612.50")
    )
