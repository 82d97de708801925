"""Writing many rows fast: COPY on PostgreSQL, executemany in big transactions on SQLite.

Rows carry their own primary keys, chosen by the generator, so that a chunk of households,
persons and facts is written without a round trip to learn ids."""

from datetime import date, datetime

from django.db import connection, transaction


def next_ids(tables: list[str]) -> dict[str, int]:
    ids = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            ids[table] = cursor.fetchone()[0]
    return ids


def _copy_value(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def write_rows(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            column_list = ", ".join(f'"{c}"' for c in columns)  # "end" is reserved
            with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(columns))
    column_list = ", ".join(f'"{c}"' for c in columns)
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def reset_sequences(tables: list[str]) -> None:
    """After COPY with explicit ids, move PostgreSQL's sequences past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def atomic():
    return transaction.atomic()
