"""Record linkage with splink on DuckDB: which records of two tables are about the same person.

The engine knows nothing of Django: it takes DuckDB tables (or CSV files) with the columns
`id, first_name(s), last_name, birth_name, birth_date, birth_place, address, postcode, city,
email, phone, nir` (any may be empty), normalises them in SQL, trains a splink model (or
reuses one saved as JSON), scores the candidate pairs and sorts them into three outcomes:

- **link**: probability ≥ `auto` and the pair is each side's clear best (every rival above
  `review`, on either side, is at least `margin` of match weight behind) — so a record that
  matches two people equally is never linked automatically;
- **review**: probability ≥ `review` otherwise: an agent decides;
- **new**: no candidate reaches `review`.

NIR equality, when both sides have one, is decisive: the pair is linked whatever else
differs (and two different NIRs weigh strongly against a match).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

INPUT_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "birth_name",
    "birth_date",
    "birth_place",
    "address",
    "postcode",
    "city",
    "email",
    "phone",
]
OPTIONAL_COLUMNS = ["nir"]


@dataclass(frozen=True)
class Thresholds:
    auto: float = 0.95
    review: float = 0.5
    # Minimum match-weight gap (log2 of the Bayes factor) between the best candidate and the
    # next one for an automatic link: 3 means the best is at least 8 times likelier.
    margin: float = 3.0


def _memory_limit() -> str:
    return os.environ.get("PARVIS_LINKAGE_MEMORY", "4GB")


def connect(path: str | None = None, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with bounded memory: beyond the limit DuckDB spills to disk."""
    con = duckdb.connect(path or ":memory:")
    con.execute(f"SET memory_limit = '{_memory_limit()}'")
    con.execute(f"SET threads = {threads or os.cpu_count() or 2}")
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/parvis-duckdb'")
    con.execute("SET preserve_insertion_order = false")
    return con


# --- normalisation, in SQL so that a million rows never pass through Python ---------------

_MACROS = r"""
CREATE OR REPLACE MACRO pv_norm(x) AS nullif(trim(regexp_replace(
    lower(strip_accents(replace(replace(replace(replace(coalesce(x, ''), 'œ', 'oe'), 'Œ', 'oe'),
    'æ', 'ae'), 'Æ', 'ae'))), '[^a-z0-9]+', ' ', 'g')), '');
CREATE OR REPLACE MACRO pv_month(m) AS CASE
    WHEN m IN ('janvier', 'janv', 'jan') THEN 1 WHEN m IN ('fevrier', 'fevr', 'fev') THEN 2
    WHEN m = 'mars' THEN 3 WHEN m IN ('avril', 'avr') THEN 4 WHEN m = 'mai' THEN 5
    WHEN m = 'juin' THEN 6 WHEN m IN ('juillet', 'juil') THEN 7 WHEN m = 'aout' THEN 8
    WHEN m IN ('septembre', 'sept') THEN 9 WHEN m IN ('octobre', 'oct') THEN 10
    WHEN m IN ('novembre', 'nov') THEN 11 WHEN m IN ('decembre', 'dec') THEN 12 END;
CREATE OR REPLACE MACRO pv_date(x) AS coalesce(
    try_cast(try_strptime(trim(x), '%d/%m/%Y') AS DATE),
    try_cast(try_strptime(trim(x), '%Y-%m-%d') AS DATE),
    try_cast(try_strptime(trim(x), '%d-%m-%Y') AS DATE),
    try_cast(try_strptime(trim(x), '%d.%m.%Y') AS DATE),
    try_cast(try_strptime(trim(x), '%Y%m%d') AS DATE),
    try(make_date(
        try_cast(regexp_extract(pv_norm(x), '^(\d{1,2})(?:er)? ([a-z]+) (\d{4})$', 3) AS INTEGER),
        pv_month(regexp_extract(pv_norm(x), '^(\d{1,2})(?:er)? ([a-z]+) (\d{4})$', 2)),
        try_cast(regexp_extract(pv_norm(x), '^(\d{1,2})(?:er)? ([a-z]+) (\d{4})$', 1) AS INTEGER)
    )));
CREATE OR REPLACE MACRO pv_words(x) AS list_filter(string_split(coalesce(pv_norm(x), ''), ' '),
    lambda w: length(w) > 0);
"""

_PREPARE_SQL = """
CREATE OR REPLACE TABLE {out} AS
WITH src AS (
    SELECT
        CAST(id AS VARCHAR) AS unique_id,
        pv_words(first_name) AS given_names,
        pv_norm(last_name) AS last_norm,
        pv_norm(birth_name) AS birth_norm,
        {birth_date} AS birth_date,
        pv_norm(birth_place) AS birth_place,
        pv_norm(address) AS address,
        nullif(regexp_replace(coalesce(CAST(postcode AS VARCHAR), ''), '[^0-9]', '', 'g'), '')
            AS postcode,
        nullif(lower(trim(coalesce(email, ''))), '') AS email,
        nullif(right(regexp_replace(coalesce(CAST(phone AS VARCHAR), ''), '[^0-9]', '', 'g'),
            9), '') AS phone,
        {nir} AS nir
    FROM {src}
)
SELECT
    unique_id,
    given_names[1] AS first_name,
    given_names,
    replace(last_norm, ' ', '') AS last_name,
    list_distinct(list_filter([replace(last_norm, ' ', ''), replace(birth_norm, ' ', '')],
        lambda s: s IS NOT NULL)) AS surnames,
    birth_date,
    birth_place,
    address,
    postcode,
    CASE WHEN email LIKE '%_@_%' THEN email END AS email,
    CASE WHEN length(phone) = 9 THEN phone END AS phone,
    CASE WHEN length(nir) = 15 THEN nir END AS nir
FROM src
"""


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_MACROS)


def prepare(con: duckdb.DuckDBPyConnection, source: str, out: str) -> int:
    """Normalise table `source` (the input columns, as text or typed) into `out`."""
    install_macros(con)
    types = {row[0]: row[1] for row in con.execute(f"DESCRIBE {source}").fetchall()}
    columns = set(types)
    missing = [c for c in INPUT_COLUMNS if c not in columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    birth_date = (
        "birth_date" if types["birth_date"] == "DATE" else "pv_date(CAST(birth_date AS VARCHAR))"
    )
    nir = (
        "nullif(regexp_replace(coalesce(CAST(nir AS VARCHAR), ''), '[^0-9AB]', '', 'g'), '')"
        if "nir" in columns
        else "CAST(NULL AS VARCHAR)"
    )
    con.execute(_PREPARE_SQL.format(out=out, src=source, birth_date=birth_date, nir=nir))
    return con.execute(f"SELECT count(*) FROM {out}").fetchall()[0][0]


def read_csv(con: duckdb.DuckDBPyConnection, path: str | Path, table: str) -> int:
    """Load a CSV of the input columns (delimiter and header sniffed; all text)."""
    con.execute(
        f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM read_csv(?, all_varchar = true, "
        "header = true, sample_size = 20000)",
        [str(path)],
    )
    present = {row[0].lower(): row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}
    for column in INPUT_COLUMNS + OPTIONAL_COLUMNS:
        if column not in present:
            if column == "id":
                raise ValueError(f"{path}: no `id` column")
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR")
        elif present[column] != column:
            con.execute(f'ALTER TABLE {table} RENAME COLUMN "{present[column]}" TO {column}')
    return con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]


# --- the splink model -------------------------------------------------------------------------


def _level(sql: str, label: str, null: bool = False) -> dict:
    level = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def _jw(column: str, threshold: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {threshold}"


def comparisons() -> list[dict]:
    names = {
        "output_column_name": "name",
        "comparison_levels": [
            _level("last_name_l IS NULL OR last_name_r IS NULL", "null", null=True),
            _level("first_name_l = first_name_r AND last_name_l = last_name_r", "exact"),
            _level("first_name_l = last_name_r AND last_name_l = first_name_r", "swapped"),
            # Married and birth names, second or compound given names in another order.
            _level(
                "list_has_any(surnames_l, surnames_r) AND list_has_any(given_names_l, "
                "given_names_r)",
                "same surname and a common given name",
            ),
            _level(f"{_jw('first_name', 0.92)} AND {_jw('last_name', 0.92)}", "close (jw 0.92)"),
            _level(f"{_jw('first_name', 0.85)} AND {_jw('last_name', 0.85)}", "near (jw 0.85)"),
            _level(
                f"list_has_any(surnames_l, surnames_r) OR {_jw('last_name', 0.92)}",
                "surname only",
            ),
            _level("list_has_any(given_names_l, given_names_r)", "given name only"),
            _level("ELSE", "different"),
        ],
    }
    birth_date = {
        "output_column_name": "birth_date",
        "comparison_levels": [
            _level("birth_date_l IS NULL OR birth_date_r IS NULL", "null", null=True),
            _level("birth_date_l = birth_date_r", "exact"),
            # One of day, month, year wrong, or day and month swapped: cheap integer tests
            # (string edit distances cost ten times more over millions of pairs).
            _level(
                "(year(birth_date_l) = year(birth_date_r))::INT + (month(birth_date_l) = "
                "month(birth_date_r))::INT + (day(birth_date_l) = day(birth_date_r))::INT = 2 "
                "OR (day(birth_date_l) = month(birth_date_r) AND month(birth_date_l) = "
                "day(birth_date_r) AND year(birth_date_l) = year(birth_date_r))",
                "one part wrong or day and month swapped",
            ),
            _level("abs(date_diff('day', birth_date_l, birth_date_r)) <= 366", "within a year"),
            _level("ELSE", "different"),
        ],
    }

    def simple(column: str, fuzzy: float | None = None, extra: list | None = None) -> dict:
        levels = [
            _level(f"{column}_l IS NULL OR {column}_r IS NULL", "null", null=True),
            _level(f"{column}_l = {column}_r", "exact"),
        ]
        levels += extra or []
        if fuzzy:
            levels.append(_level(_jw(column, fuzzy), f"jw {fuzzy}"))
        levels.append(_level("ELSE", "different"))
        return {"output_column_name": column, "comparison_levels": levels}

    # Few extracts carry the NIR, so EM could not learn it: its weights are fixed.
    nir = simple("nir")
    nir["comparison_levels"][1].update(
        m_probability=0.999, u_probability=1e-7, fix_m_probability=True, fix_u_probability=True
    )
    nir["comparison_levels"][2].update(
        m_probability=0.001,
        u_probability=0.9999999,
        fix_m_probability=True,
        fix_u_probability=True,
    )
    email_user = _level(
        "split_part(email_l, '@', 1) = split_part(email_r, '@', 1)", "same user, other domain"
    )
    return [
        names,
        birth_date,
        simple("birth_place", 0.9),
        simple(
            "address",
            0.9,
            [
                _level(
                    "postcode_l = postcode_r AND " + _jw("address", 0.7),
                    "same postcode, similar street",
                )
            ],
        ),
        simple("email", 0.9, [email_user]),
        simple("phone"),
        nir,
    ]


BLOCKING_RULES = [
    "l.nir = r.nir",
    "l.birth_date = r.birth_date AND substr(l.last_name, 1, 1) = substr(r.last_name, 1, 1)",
    "l.birth_date = r.birth_date AND substr(l.first_name, 1, 1) = substr(r.first_name, 1, 1)",
    "l.last_name = r.last_name AND l.first_name = r.first_name",
    "l.first_name = r.last_name AND l.last_name = r.first_name",
    "l.email = r.email",
    "l.phone = r.phone",
    "l.address = r.address AND l.first_name = r.first_name",
    "l.last_name = r.last_name AND year(l.birth_date) = year(r.birth_date)",
]
DETERMINISTIC_RULES = [
    "l.nir = r.nir",
    "l.first_name = r.first_name AND l.last_name = r.last_name AND l.birth_date = r.birth_date",
]
TRAINING_BLOCKS = [
    "l.birth_date = r.birth_date",
    "l.last_name = r.last_name AND l.first_name = r.first_name",
]


def settings(link_type: str = "link_only") -> dict:
    return {
        "link_type": link_type,
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": BLOCKING_RULES,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "probability_two_random_records_match": 1e-4,
    }


def _quiet():
    # splink warns about levels absent from a sample (e.g. no NIR at all): not our reader's
    # concern; errors still surface as exceptions.
    logging.getLogger("splink").setLevel(logging.ERROR)


@dataclass
class Run:
    """What one linkage did: its timings (seconds) and the model used."""

    model: dict
    timings: dict[str, float] = field(default_factory=dict)
    trained: bool = False


def make_linker(con, left: str, right: str | None, model: dict | None):
    from splink import DuckDBAPI, Linker

    _quiet()
    db_api = DuckDBAPI(connection=con)
    tables = [db_api.register(left, table_name=f"{left}_in")]
    if right is not None:
        tables.append(db_api.register(right, table_name=f"{right}_in"))
    link_type = "link_only" if right is not None else "dedupe_only"
    if model is None:
        model_settings = settings(link_type)
    else:
        model_settings = dict(model, link_type=link_type)
    return Linker(tables, model_settings, log_level=None)


def train(linker, max_pairs: float = 1e6, seed: int = 1) -> dict:
    """Estimate the model: λ from deterministic rules, u by random sampling, m by EM."""
    linker.training.estimate_probability_two_random_records_match(DETERMINISTIC_RULES, recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for block in TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block, estimate_without_term_frequencies=True
        )
    return linker.misc.save_model_to_json()


def score(
    con: duckdb.DuckDBPyConnection,
    left: str,
    right: str | None,
    model: dict | None = None,
    *,
    review: float = 0.5,
    out: str = "pairs",
) -> Run:
    """Score candidate pairs of `left` × `right` (or `left` with itself when `right` is None)
    into table `out(left_id, right_id, probability, weight)`; train first when no model."""
    run = Run(model=model or {})
    started = time.perf_counter()
    linker = make_linker(con, left, right, model)
    if model is None:
        run.model = train(linker)
        run.trained = True
        run.timings["train"] = time.perf_counter() - started
    else:
        # m and u carry over from one extract to the next; the prior (how many pairs are
        # matches) depends on these two tables' sizes: re-estimated, it costs a join.
        try:
            linker.training.estimate_probability_two_random_records_match(
                DETERMINISTIC_RULES, recall=0.8
            )
        except Exception:  # no deterministic match at all: keep the saved prior
            pass
        # Each record matches at most one on the other side: the prior cannot exceed
        # 1/max(sizes) (a tiny extract would otherwise estimate it at 1).
        sizes = [
            con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in (left, right or left)
        ]
        settings_obj = linker._settings_obj
        prior = settings_obj._probability_two_random_records_match
        # Linking an extract to a base, most records are usually known: the prior is at
        # least half of that (a few rows, or rows none of which match exactly, would
        # otherwise estimate it at zero).
        # For duplicates within one base, about one person in a hundred is the usual order.
        floor = (0.5 if right is not None else 0.01) / max(2, *sizes)
        settings_obj._probability_two_random_records_match = min(
            max(prior, floor), 1 / max(2, *sizes)
        )
        run.timings["prior"] = time.perf_counter() - started
    started = time.perf_counter()
    predictions = linker.inference.predict(
        threshold_match_probability=min(review, 0.2), warning_mode="never"
    )
    if right is None:
        ids = "unique_id_l AS left_id, unique_id_r AS right_id"
    else:
        # splink orders each pair by its dataset names, not by our left and right.
        ids = (
            f"CASE WHEN source_dataset_l = '{left}_in' THEN unique_id_l ELSE unique_id_r END "
            f"AS left_id, CASE WHEN source_dataset_l = '{left}_in' THEN unique_id_r ELSE "
            f"unique_id_l END AS right_id"
        )
    con.execute(
        f"CREATE OR REPLACE TABLE {out} AS SELECT {ids}, match_probability AS probability, "
        f"match_weight AS weight FROM {predictions.physical_name}"
    ).fetchall()
    predictions.drop_table_from_database_and_remove_from_cache()
    _nir_pairs(con, left, right or left, out, self_link=right is None)
    run.timings["predict"] = time.perf_counter() - started
    return run


def _nir_pairs(con, left: str, right: str, out: str, self_link: bool) -> None:
    """Equal NIRs are decisive: such pairs get probability 1 (added if blocking missed them)."""
    extra = "AND l.unique_id < r.unique_id" if self_link else ""
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {out} AS
        WITH nir AS (
            SELECT l.unique_id AS left_id, r.unique_id AS right_id
            FROM {left} l JOIN {right} r ON l.nir = r.nir {extra}
        )
        SELECT coalesce(p.left_id, n.left_id) AS left_id,
               coalesce(p.right_id, n.right_id) AS right_id,
               CASE WHEN n.left_id IS NULL THEN p.probability ELSE 1.0 END AS probability,
               CASE WHEN n.left_id IS NULL THEN p.weight ELSE 60.0 END AS weight
        FROM {out} p FULL OUTER JOIN nir n
          ON p.left_id = n.left_id AND p.right_id = n.right_id
        """
    )


def decide(con: duckdb.DuckDBPyConnection, pairs: str, thresholds: Thresholds, out: str) -> None:
    """Give each pair above the review threshold its outcome, `link` or `review`.

    A pair is linked only if it is the best of both its records, above `auto`, and every
    rival candidate of either record above `review` is at least `margin` weight behind —
    so two people matching one record equally send it to review."""
    t = thresholds
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {out} AS
        WITH p AS (
            SELECT * FROM {pairs} WHERE probability >= {t.review}
        ),
        ranked AS (
            SELECT *,
                row_number() OVER (PARTITION BY left_id ORDER BY weight DESC, right_id)
                    AS rank_l,
                row_number() OVER (PARTITION BY right_id ORDER BY weight DESC, left_id)
                    AS rank_r,
                count(*) OVER (PARTITION BY left_id) AS n_l,
                count(*) OVER (PARTITION BY right_id) AS n_r
            FROM p
        ),
        second AS (
            SELECT *,
                nth_value(weight, 2) OVER (PARTITION BY left_id ORDER BY weight DESC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second_l,
                nth_value(weight, 2) OVER (PARTITION BY right_id ORDER BY weight DESC
                    ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS second_r
            FROM ranked
        )
        SELECT left_id, right_id, probability, weight,
            CASE WHEN probability >= {t.auto} AND rank_l = 1 AND rank_r = 1
                  AND (n_l = 1 OR weight - second_l >= {t.margin})
                  AND (n_r = 1 OR weight - second_r >= {t.margin})
                 THEN 'link' ELSE 'review' END AS outcome,
            rank_l, second_l
        FROM second
        """
    )


def link_files(
    left: str | Path,
    right: str | Path,
    out: str | Path,
    *,
    model_path: str | Path | None = None,
    save_model: str | Path | None = None,
    thresholds: Thresholds | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> dict:
    """`parvis link`: write `left_id,right_id,probability` for every automatic link."""
    thresholds = thresholds or Thresholds()
    con = con or connect()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    read_csv(con, left, "raw_left")
    read_csv(con, right, "raw_right")
    n_left = prepare(con, "raw_left", "left_records")
    n_right = prepare(con, "raw_right", "right_records")
    con.execute("DROP TABLE raw_left")
    con.execute("DROP TABLE raw_right")
    timings["load"] = time.perf_counter() - started
    model = json.loads(Path(model_path).read_text()) if model_path else None
    run = score(con, "left_records", "right_records", model, review=thresholds.review)
    timings.update(run.timings)
    started = time.perf_counter()
    decide(con, "pairs", thresholds, "decided")
    con.execute(
        "COPY (SELECT left_id, right_id, round(probability, 6) AS probability FROM decided "
        "WHERE outcome = 'link' ORDER BY left_id) TO ? (HEADER, DELIMITER ',')",
        [str(out)],
    )
    counts = dict(con.execute("SELECT outcome, count(*) FROM decided GROUP BY 1").fetchall())
    timings["decide"] = time.perf_counter() - started
    if save_model:
        Path(save_model).write_text(json.dumps(run.model, indent=1))
    return {
        "left": n_left,
        "right": n_right,
        "links": counts.get("link", 0),
        "review": con.execute(
            "SELECT count(DISTINCT left_id) FROM decided WHERE left_id NOT IN "
            "(SELECT left_id FROM decided WHERE outcome = 'link')"
        ).fetchall()[0][0],
        "trained": run.trained,
        "timings": timings,
    }
