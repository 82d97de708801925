"""The persons already in the base, copied into DuckDB in the linkage engine's columns.

Three plain queries (persons, current addresses, contact points) streamed in batches, joined
in DuckDB: a million persons never become a million ORM objects."""

from __future__ import annotations

import pyarrow as pa
from django.db import connection

BATCH = 50000

_PERSONS = (
    "SELECT id, first_names, last_name, birth_name, birth_date, birth_place, nir FROM people_person"
)
_ADDRESSES = (
    "SELECT r.person_id, a.number, a.suffix, s.name, s.postcode, s.city "
    "FROM people_residence r JOIN people_address a ON a.id = r.address_id "
    'JOIN people_street s ON s.id = a.street_id WHERE r."end" IS NULL'
)
_CONTACTS = (
    "SELECT person_id, kind, normalized, value FROM people_contactpoint "
    "WHERE status = 'ok' AND kind IN ('email', 'mobile', 'landline', 'postal')"
)


def _text(value):
    return None if value is None else str(value)


def _copy(con, sql: str, table: str, names: list[str], params=None) -> None:
    schema = pa.schema([(n, pa.string()) for n in names])
    con.execute(
        f"CREATE OR REPLACE TABLE {table} ({', '.join(n + ' VARCHAR' for n in names)})"
    ).fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        while rows := cursor.fetchmany(BATCH):
            batch = pa.table(
                [pa.array([_text(r[i]) for r in rows], pa.string()) for i in range(len(names))],
                schema=schema,
            )
            con.register("_batch", batch)
            con.execute(f"INSERT INTO {table} SELECT * FROM _batch").fetchall()
            con.unregister("_batch")


def export_persons(con, table: str = "base_raw", person_ids: list[int] | None = None) -> int:
    """Write the base's persons into DuckDB `table` with the linkage input columns."""
    where, params = "", None
    if person_ids is not None:
        where = f" WHERE id IN ({', '.join(['%s'] * len(person_ids))})"
        params = person_ids
    _copy(
        con,
        _PERSONS + where,
        "_persons",
        ["id", "first_names", "last_name", "birth_name", "birth_date", "birth_place", "nir"],
        params,
    )
    _copy(con, _ADDRESSES, "_addresses", ["person_id", "number", "suffix", "street", "pc", "city"])
    _copy(con, _CONTACTS, "_contacts", ["person_id", "kind", "normalized", "value"])
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {table} AS
        WITH addr AS (
            SELECT person_id, min(concat_ws(' ', number, suffix, street)) AS address,
                   min(pc) AS postcode, min(city) AS city
            FROM _addresses GROUP BY person_id
        ),
        contacts AS (
            SELECT person_id,
                min(normalized) FILTER (WHERE kind = 'email') AS email,
                min(normalized) FILTER (WHERE kind = 'mobile') AS mobile,
                min(normalized) FILTER (WHERE kind = 'landline') AS landline,
                min(value) FILTER (WHERE kind = 'postal') AS postal
            FROM _contacts GROUP BY person_id
        )
        SELECT p.id, p.first_names AS first_name, p.last_name, p.birth_name,
            try_cast(p.birth_date AS DATE) AS birth_date, p.birth_place,
            coalesce(a.address, split_part(c.postal, ',', 1)) AS address,
            coalesce(a.postcode, regexp_extract(c.postal, '(\\d{{5}})')) AS postcode,
            a.city, c.email, coalesce(c.mobile, c.landline) AS phone, p.nir
        FROM _persons p
        LEFT JOIN addr a ON a.person_id = CAST(p.id AS VARCHAR)
        LEFT JOIN contacts c ON c.person_id = CAST(p.id AS VARCHAR)
        """
    ).fetchall()
    for temp in ("_persons", "_addresses", "_contacts"):
        con.execute(f"DROP TABLE {temp}").fetchall()
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
