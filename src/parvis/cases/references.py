"""Case references, e.g. 2026-000123, shown to citizens as [#2026-000123] in subjects."""

import re

from django.db import transaction
from django.utils import timezone

from .models import CaseSequence

REFERENCE_IN_TEXT = re.compile(r"\[#\s*(\d{4}-\d{6})\s*\]")


def next_reference() -> str:
    year = timezone.localdate().year
    with transaction.atomic():
        sequence, _created = CaseSequence.objects.select_for_update().get_or_create(year=year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:06d}"


def reference_in(text: str) -> str | None:
    match = REFERENCE_IN_TEXT.search(text or "")
    return match.group(1) if match else None


def tagged_subject(reference: str, subject: str) -> str:
    if reference_in(subject) == reference:
        return subject
    return f"{subject} [#{reference}]"
