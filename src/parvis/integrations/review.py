"""The review queue: an agent decides what the engine could not, and the decision is applied.

For an imported record: "same person" writes its facts to the chosen person; "different
person" creates a new file. For a possible duplicate: "same person" merges the two files
(undoably); "different persons" closes the pair so it is not proposed again."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parvis.people.models import Person

from . import linkage
from .base import export_persons
from .imports import load_model, save_model, write_records
from .merge import merge_persons
from .models import MatchCandidate

SAME = "same"
DIFFERENT = "different"


def decide(candidate: MatchCandidate, decision: str, *, user, person_id=None, request=None):
    """Apply an agent's decision; returns the person the record or pair ended up with."""
    if candidate.status != MatchCandidate.Status.PENDING:
        raise ValidationError(_("This match was already decided."))
    if decision not in (SAME, DIFFERENT):
        raise ValidationError(_("Unknown decision."))
    with transaction.atomic():
        candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != MatchCandidate.Status.PENDING:
            raise ValidationError(_("This match was already decided."))
        result = None
        if candidate.kind == MatchCandidate.Kind.IMPORT:
            profile = candidate.job.profile
            if decision == SAME:
                allowed = {candidate.person_id} | {
                    a["person_id"] for a in candidate.alternatives if "person_id" in a
                }
                target = int(person_id or candidate.person_id)
                if target not in allowed:
                    raise ValidationError(_("This person was not among the candidates."))
                result = Person.objects.get(pk=target)
                write_records(
                    profile, [(candidate.payload, result.pk)], job=candidate.job, actor=user
                )
            else:
                write_records(profile, [(candidate.payload, None)], job=candidate.job, actor=user)
                from .models import ImportedRecord

                result = ImportedRecord.objects.get(
                    profile=profile, record_key=candidate.payload["record_key"]
                ).person
        else:
            if decision == SAME:
                merge_persons(
                    candidate.person,
                    candidate.other_person,
                    user=user,
                    candidate=candidate,
                    request=request,
                )
                candidate.refresh_from_db()
                result = candidate.person
        candidate.status = (
            MatchCandidate.Status.LINKED if decision == SAME else MatchCandidate.Status.NEW
        )
        candidate.decided_by = user if getattr(user, "pk", None) else None
        candidate.decided_at = timezone.now()
        candidate.result_person = result
        candidate.save()
    return result


def find_duplicates(thresholds: linkage.Thresholds | None = None, *, user=None) -> dict:
    """Score the base against itself and queue every likely pair not yet decided."""
    thresholds = thresholds or linkage.Thresholds()
    con = linkage.connect()
    try:
        count = export_persons(con, "base_raw")
        if count < 2:
            return {"persons": count, "pairs": 0, "queued": 0}
        linkage.prepare(con, "base_raw", "base_records")
        model = load_model()
        run = linkage.score(con, "base_records", None, model, review=thresholds.review)
        if run.trained:
            save_model(run.model, "base × base")
        linkage.decide(con, "pairs", thresholds, "decided")
        pairs = con.execute(
            "SELECT CAST(left_id AS BIGINT), CAST(right_id AS BIGINT), probability, outcome "
            "FROM decided ORDER BY probability DESC"
        ).fetchall()
    finally:
        con.close()
    seen = {
        (min(a, b), max(a, b))
        for a, b in MatchCandidate.objects.filter(kind=MatchCandidate.Kind.DUPLICATE).values_list(
            "person_id", "other_person_id"
        )
    }
    new = []
    for left, right, probability, _outcome in pairs:
        key = (min(left, right), max(left, right))
        if key in seen:
            continue
        seen.add(key)
        # The older file is kept: it is the one other records already point at.
        new.append(
            MatchCandidate(
                kind=MatchCandidate.Kind.DUPLICATE,
                person_id=key[0],
                other_person_id=key[1],
                probability=probability,
            )
        )
    MatchCandidate.objects.bulk_create(new, batch_size=2000)
    return {"persons": count, "pairs": len(pairs), "queued": len(new)}
