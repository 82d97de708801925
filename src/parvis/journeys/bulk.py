"""A lean INSERT for the scheduler's hot path: `bulk_create` compiles every row through the
ORM (about half a millisecond per `Dispatch` row); these rows are plain values already, so
one `executemany` of a prepared statement does (psycopg pipelines it on PostgreSQL)."""

from django.db import connection, models
from django.utils import timezone


def _converter(field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField | models.DecimalField | models.UUIDField):
        return lambda value, f=field: f.get_db_prep_save(value, connection)
    return None


def insert(model, objs, *, ignore_conflicts: bool = False) -> None:
    """INSERT `objs` (unsaved instances, defaults applied) without reading ids back;
    `ignore_conflicts` skips rows hitting a unique constraint (ON CONFLICT DO NOTHING)."""
    if not objs:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for obj in objs:
        for field in fields:
            if getattr(field, "auto_now", False) or (
                getattr(field, "auto_now_add", False) and getattr(obj, field.attname) is None
            ):
                setattr(obj, field.attname, now)
    plan = [(field.attname, _converter(field)) for field in fields]
    rows = [
        tuple(
            convert(getattr(obj, name)) if convert else getattr(obj, name) for name, convert in plan
        )
        for obj in objs
    ]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
        + (" ON CONFLICT DO NOTHING" if ignore_conflicts else "")
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
