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


def insert_columns(
    model, columns: dict, *, constants: dict | None = None, returning: tuple = ()
) -> list[tuple]:
    """INSERT one row per position of the equal-length value lists in `columns` ({attname:
    [values]}); `constants` ({attname: value}) are the same for every row, and every other
    column takes its field default (`auto_now(_add)` ones: now). Nothing goes through model
    instances. On PostgreSQL it is ONE statement per call whatever the number of rows,
    `INSERT … SELECT … FROM unnest(%s::type[], …)` (arrays as parameters: no COPY, no
    per-row round trip); elsewhere one `executemany`. Returns the `returning` columns of the
    inserted rows (`RETURNING`, in no guaranteed order)."""
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError("the column lists differ in length")
    count = lengths.pop() if lengths else 0
    if not count:
        return []
    now = timezone.now()
    constants = dict(constants or {})
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    for field in by_name.values():
        if field.primary_key or field.attname in columns or field.attname in constants:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            constants[field.attname] = now
        elif field.has_default() and callable(field.default):
            # e.g. a fresh token per row: the caller must give them
            raise ValueError(f"{field.attname}: a per-row default, give its values")
        else:
            constants[field.attname] = field.get_default()

    def prep(field, value):
        convert = _converter(field)
        return convert(value) if convert and value is not None else value

    def prep_all(field, values):
        convert = _converter(field)
        if convert is None:
            return values if isinstance(values, list) else list(values)
        return [None if v is None else convert(v) for v in values]

    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    varying = list(columns)
    fixed = list(constants)
    names = ", ".join(quote(by_name[n].column) for n in [*varying, *fixed])
    back = f" RETURNING {', '.join(quote(by_name[n].column) for n in returning)}"
    fixed_values = [prep(by_name[n], constants[n]) for n in fixed]
    lists = [prep_all(by_name[n], columns[n]) for n in varying]
    if connection.vendor == "postgresql":

        def cast(name):
            return by_name[name].db_type(connection)

        aliases = [f"c{i}" for i in range(len(varying))]
        select = ", ".join([*aliases, *(f"%s::{cast(n)}" for n in fixed)])
        arrays = ", ".join(f"%s::{cast(n)}[]" for n in varying)
        sql = (
            f"INSERT INTO {table} ({names}) "  # noqa: S608 - names from the model
            f"SELECT {select} FROM unnest({arrays}) AS t({', '.join(aliases)})"
            + (back if returning else "")
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*fixed_values, *lists])  # the order of the placeholders
            return cursor.fetchall() if returning else []
    rows = [(*values, *fixed_values) for values in zip(*lists, strict=True)]
    sql = (
        f"INSERT INTO {table} ({names}) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * (len(varying) + len(fixed)))})"
    )
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(sql, rows)
            return []
        out = []
        for row in rows:  # SQLite: in-process, a statement per row is cheap
            cursor.execute(sql + back, row)
            out.extend(cursor.fetchall())
        return out
