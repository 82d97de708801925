"""Review decisions, duplicates found in the base, merges with their whole history, undo."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from parvis.audit.models import AccessLog
from parvis.cases.intake import open_case
from parvis.integrations import review
from parvis.integrations.merge import merge_persons, undo_merge
from parvis.integrations.models import MatchCandidate, MergeRecord
from parvis.people import services
from parvis.people.models import Consent, ContactPoint, DataSource, Fact, Interaction, Person

from .conftest import caf_csv, caf_row

pytestmark = pytest.mark.django_db


def _pair():
    keep = services.create_person(
        first_names="Élodie", last_name="Le Gall", birth_date=date(1984, 3, 12)
    )
    drop = services.create_person(
        first_names="Elodie",
        last_name="Le Gal",
        birth_name="Martin",
        birth_date=date(1984, 3, 12),
        nir="2 84 03 54 084 123 73",
    )
    services.add_contact_point(drop, "email", "elodie@example.fr")
    services.record_consent(drop, purpose="alerts", channel="sms", granted=True, method="portal")
    services.add_fact(
        drop,
        key="family_quotient",
        value="500",
        source=DataSource.objects.get(code="caf"),
        legal_basis="CSS",
    )
    case = open_case(subject="Acte de naissance", channel="email", person=drop)
    return keep, drop, case


def test_merge_moves_the_whole_history_and_undo_puts_it_back(administrator):
    keep, drop, case = _pair()
    drop_id = drop.pk
    moved_facts = set(Fact.objects.filter(person=drop).values_list("pk", flat=True))
    record = merge_persons(keep, drop, user=administrator)
    assert not Person.objects.filter(pk=drop_id).exists()
    keep.refresh_from_db()
    assert keep.nir == "284035408412373" and keep.birth_name == "Martin"  # filled, not replaced
    assert set(Fact.objects.filter(person=keep).values_list("pk", flat=True)) == moved_facts
    assert ContactPoint.objects.filter(person=keep, normalized="elodie@example.fr").exists()
    assert Consent.objects.filter(person=keep).count() == 1
    case.refresh_from_db()
    assert case.person_id == keep.pk
    assert "cases.case.person" in record.moved and "people.fact.person" in record.moved
    assert set(
        AccessLog.objects.filter(action="integrations.merge").values_list("person_id", flat=True)
    ) == {keep.pk, drop_id}
    assert services.person_tokens(keep) <= set(
        keep.__class__.objects.get(pk=keep.pk) and services.person_tokens(keep)
    )
    # Something new reaches the kept file after the merge: it stays there after the undo.
    later = services.add_fact(
        keep,
        key="student",
        value="oui",
        source=DataSource.objects.get(code="agent"),
        legal_basis="x",
    )
    restored = undo_merge(record, user=administrator)
    assert restored.pk == drop_id and restored.nir == "284035408412373"
    keep.refresh_from_db()
    assert keep.nir == "" and keep.birth_name == ""
    assert set(Fact.objects.filter(person=restored).values_list("pk", flat=True)) == moved_facts
    assert Fact.objects.get(pk=later.pk).person_id == keep.pk
    case.refresh_from_db()
    assert case.person_id == drop_id
    record.refresh_from_db()
    assert record.undone_at is not None
    with pytest.raises(ValidationError):
        undo_merge(record, user=administrator)
    assert Interaction.objects.filter(person=keep, kind="note").count() == 2


def test_different_nirs_are_never_merged(administrator):
    keep, drop, _case = _pair()
    keep.nir = "184035408412392"
    keep.save()
    with pytest.raises(ValidationError):
        merge_persons(keep, drop, user=administrator)


def test_duplicates_in_the_base_are_found_and_queued_once(administrator):
    keep, drop, _case = _pair()
    for i in range(5):
        services.create_person(
            first_names=f"Paul{i}", last_name="Durand", birth_date=date(1960 + i, 1, 1)
        )
    first = review.find_duplicates()
    assert first["queued"] >= 1
    candidate = MatchCandidate.objects.get(kind="duplicate")
    assert {candidate.person_id, candidate.other_person_id} == {keep.pk, drop.pk}
    assert review.find_duplicates()["queued"] == 0  # never proposed twice
    review.decide(candidate, review.SAME, user=administrator)
    assert Person.objects.filter(pk__in=[keep.pk, drop.pk]).count() == 1
    assert MergeRecord.objects.get().candidate == candidate


def test_review_decisions_apply_the_pending_record(import_bytes, administrator):
    twins = [
        services.create_person(first_names="Lucas", last_name="Moreau", birth_date=date(1990, 1, 2))
        for _ in range(2)
    ]
    import_bytes(caf_csv([caf_row("9", "MOREAU", "Lucas", "02/01/1990", address="")]))
    candidate = MatchCandidate.objects.get()
    with pytest.raises(ValidationError):
        review.decide(candidate, review.SAME, user=administrator, person_id=999999)
    person = review.decide(candidate, review.SAME, user=administrator, person_id=twins[1].pk)
    assert person == twins[1]
    assert Fact.objects.filter(person=twins[1], key="family_quotient").exists()
    assert not Fact.objects.filter(person=twins[0]).exists()
    with pytest.raises(ValidationError, match="already|déjà"):
        review.decide(candidate, review.DIFFERENT, user=administrator)


def test_review_different_creates_a_new_person(import_bytes, administrator):
    for _ in range(2):
        services.create_person(first_names="Lucas", last_name="Moreau", birth_date=date(1990, 1, 2))
    import_bytes(caf_csv([caf_row("9", "MOREAU", "Lucas", "02/01/1990", address="")]))
    person = review.decide(MatchCandidate.objects.get(), review.DIFFERENT, user=administrator)
    assert Person.objects.count() == 3 and person.facts.count() == 4
