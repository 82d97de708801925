"""What worker processes run. Nothing Django-related is imported at module level: a spawned
process unpickles references to these functions before Django is set up."""

from datetime import date


def init_worker(database: dict) -> None:
    """Set Django up in a fresh (spawned) process, on the parent's database."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    from django.conf import settings

    settings.DATABASES["default"].update(
        {k: database[k] for k in ("NAME", "HOST", "PORT", "USER", "PASSWORD") if k in database}
    )
    import django

    django.setup()


def national_chunk(
    run_id: int, first_id: int, last_id: int, period: date, codes: list[str]
) -> list[tuple]:
    """Compute one chunk of households: the rows ready for `results.write_results`."""
    from django.utils import timezone

    from .national import national_rows
    from .results import result_tuple
    from .situations import load_situation

    situation = load_situation(first_id, last_id)
    now = timezone.now()
    rows = national_rows(situation, period, codes)
    return [result_tuple(run_id, period, now, r) for r in rows]
