"""Audiences: count, list, save, freeze. Every evaluation is one SQL query."""

import json
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import filters
from .models import Audience, AudienceMember


def parse_definition(text: str) -> dict:
    """A tree typed as JSON text (expert mode, API): parsed, or a clear error."""
    if len(text or "") > 200_000:
        raise filters.TreeError("", _("The filters are too long."))
    try:
        return json.loads(text)
    except (TypeError, ValueError) as exc:
        raise filters.TreeError("", _("Not valid JSON: %(error)s") % {"error": exc}) from None


def members(audience: Audience, *, today: date | None = None):
    """The persons of an audience: its snapshot when static (and frozen), else its filters."""
    from parvis.people.models import Person

    if audience.kind == Audience.Kind.STATIC and audience.snapshot_at:
        return Person.objects.filter(
            deceased_on__isnull=True,
            pk__in=AudienceMember.objects.filter(audience=audience).values("person_id"),
        )
    return filters.people(audience.definition, today=today)


def count(tree: dict, *, today: date | None = None) -> int:
    return filters.people(tree, today=today).count()


def save_audience(
    *,
    name: str,
    definition,
    kind: str = "dynamic",
    description: str = "",
    user=None,
    audience: Audience | None = None,
) -> Audience:
    """Create or update an audience; the filters are validated first (nothing is saved when
    they are wrong)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("This field is required.")
    if kind not in Audience.Kind.values:
        errors["kind"] = _("Unknown kind.")
    try:
        cleaned = filters.validate(definition, user=user)
    except filters.TreeError as exc:
        errors["definition"] = str(exc)
    if errors:
        raise ValidationError(errors)
    audience = audience or Audience(created_by=user if getattr(user, "pk", None) else None)
    audience.name = name[:200]
    audience.description = description or ""
    audience.definition = cleaned
    if audience.kind != kind:
        audience.snapshot_at = None
        audience.snapshot_count = 0
    audience.kind = kind
    audience.save()
    return audience


@transaction.atomic
def take_snapshot(audience: Audience, *, today: date | None = None) -> int:
    """Freeze the members of a static audience with one INSERT … SELECT: the persons never
    travel through Python."""
    AudienceMember.objects.filter(audience=audience).delete()
    people = filters.people(audience.definition, today=today).annotate(pid=F("pk")).values("pid")
    sql, params = people.query.sql_with_params()
    table = AudienceMember._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (audience_id, person_id) SELECT %s, sub.pid FROM ({sql}) sub",
            [audience.pk, *params],
        )
        inserted = cursor.rowcount
    audience.snapshot_at = timezone.now()
    audience.snapshot_count = inserted
    audience.save(update_fields=["snapshot_at", "snapshot_count"])
    return inserted
