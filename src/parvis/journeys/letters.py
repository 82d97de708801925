"""Postal letters: each message for the postal channel joins its day's batch; the batch is
rendered (WeasyPrint) into one printable PDF per day, rebuilt whole each time so that it
always holds every letter of the day once."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone

from parvis.channels.templates_render import Letter as LetterDoc
from parvis.channels.templates_render import letters_pdf

from .models import Letter, LetterBatch


def queue_letter(dispatch, now) -> str:
    letter, _created = Letter.objects.get_or_create(
        dispatch=dispatch, defaults={"day": timezone.localdate(now)}
    )
    return f"letter:{letter.pk}"


def sender_block() -> str:
    from django.conf import settings

    return getattr(
        settings,
        "PARVIS_LETTER_SENDER",
        "Mairie de Mont-Bonvillers — 1 place de la Mairie, 54084 Mont-Bonvillers",
    )


def build_batch(day) -> LetterBatch | None:
    letters = list(Letter.objects.filter(day=day).select_related("dispatch__person").order_by("id"))
    if not letters:
        return None
    documents = [
        LetterDoc(
            recipient_name=str(letter.dispatch.person),
            recipient_address=letter.dispatch.address,
            date_label=formats.date_format(day, "j F Y"),
            subject=letter.dispatch.subject,
            text=letter.dispatch.body_text,
            sender=sender_block(),
        )
        for letter in letters
    ]
    pdf = letters_pdf(documents)
    with transaction.atomic():
        batch, _created = LetterBatch.objects.select_for_update().get_or_create(day=day)
        if batch.file:
            batch.file.delete(save=False)
        batch.file.save(f"letters-{day.isoformat()}.pdf", ContentFile(pdf), save=False)
        batch.letters = len(letters)
        batch.built_at = timezone.now()
        batch.save()
        Letter.objects.filter(pk__in=[letter.pk for letter in letters]).update(batch=batch)
    return batch
