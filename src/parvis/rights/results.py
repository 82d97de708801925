"""Writing eligibility results in bulk: COPY on PostgreSQL, executemany on SQLite."""

import json
from datetime import date, datetime

from django.db import connection

from .models import EligibilityResult

COLUMNS = [
    "run_id",
    "benefit",
    "period",
    "person_id",
    "household_id",
    "status",
    "amount",
    "receives",
    "inputs",
    "explanation",
    "computed_at",
]


def result_tuple(run_id, period: date, computed_at: datetime, row) -> tuple:
    """One row for `write_results` from a national or local-rule row object."""
    return (
        run_id,
        row.benefit,
        period,
        row.person_id,
        row.household_id,
        row.status,
        row.amount,
        row.receives,
        row.inputs
        if isinstance(row.inputs, str)
        else json.dumps(row.inputs, ensure_ascii=False, default=str),
        row.explanation,
        computed_at,
    )


def write_results(rows: list[tuple]) -> int:
    if not rows:
        return 0
    table = EligibilityResult._meta.db_table
    column_list = ", ".join(f'"{c}"' for c in COLUMNS)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 under Django's wrapper
            with raw.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return len(rows)
    ops = connection.ops
    rows = [
        (
            *row[:2],
            ops.adapt_datefield_value(row[2]),
            *row[3:6],
            ops.adapt_decimalfield_value(row[6], 10, 2) if row[6] is not None else None,
            *row[7:10],
            ops.adapt_datetimefield_value(row[10]),
        )
        for row in rows
    ]
    placeholders = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])
    return len(rows)
