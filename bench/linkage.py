"""Record linkage benchmark: Parvis's engine against splink alone, on the same synthetic data.

    .venv/bin/python bench/linkage.py --n 10000            # a minute
    flock /tmp/parvis-bench.lock .venv/bin/python bench/linkage.py --n 100000
    flock /tmp/parvis-bench.lock .venv/bin/python bench/linkage.py --n 1000000 --model M.json

Two files of N people each (80 % shared, with typos, swapped names, married/birth names,
moved addresses, missing emails and phones, wrong birth dates — see
parvis.integrations.synthetic) and the known truth. Each engine runs in its own process (so
that its peak memory is its own):

- parvis: `parvis.integrations.linkage.link_files` — what `parvis link` does: read the
  CSVs, normalise in SQL, train (or reuse `--model`), predict, decide (ambiguity rule);
- splink: the floor — splink 5 alone on the same CSVs, with its library comparisons,
  the same blocking rules, the same training steps, `predict` and
  `cluster_using_single_best_links` at the same threshold.

Precision and recall are measured on the automatic links against the truth.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def score(found: set, truth: set) -> tuple[float, float]:
    tp = len(found & truth)
    return (tp / len(found) if found else 0.0), (tp / len(truth) if truth else 0.0)


def run_parvis(workdir: Path, model: str | None, save_model: str | None) -> dict:
    from parvis.integrations import linkage

    started = time.perf_counter()
    report = linkage.link_files(
        workdir / "left.csv",
        workdir / "right.csv",
        workdir / "parvis_pairs.csv",
        model_path=model,
        save_model=save_model,
    )
    seconds = time.perf_counter() - started
    import csv

    with open(workdir / "parvis_pairs.csv", newline="") as handle:
        found = {(r["left_id"], r["right_id"]) for r in csv.DictReader(handle)}
    return {"seconds": seconds, "found": sorted(found), "timings": report["timings"]}


def run_splink(workdir: Path, model: str | None) -> dict:
    """splink on its own: library comparisons, minimal cleaning (lower case)."""
    import logging

    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator

    from parvis.integrations.linkage import BLOCKING_RULES, DETERMINISTIC_RULES, TRAINING_BLOCKS

    logging.getLogger("splink").setLevel(logging.ERROR)
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{os.environ.get('PARVIS_LINKAGE_MEMORY', '4GB')}'")
    for side in ("left", "right"):
        con.execute(
            f"""CREATE TABLE {side}_in AS SELECT CAST(id AS VARCHAR) AS unique_id,
                lower(split_part(first_name, ' ', 1)) AS first_name,
                lower(replace(last_name, ' ', '')) AS last_name,
                coalesce(try_cast(try_strptime(birth_date, '%d/%m/%Y') AS DATE),
                         try_cast(birth_date AS DATE)) AS birth_date,
                lower(nullif(birth_place, '')) AS birth_place,
                lower(nullif(address, '')) AS address, nullif(postcode, '') AS postcode,
                lower(nullif(email, '')) AS email, nullif(phone, '') AS phone,
                CAST(NULL AS VARCHAR) AS nir
            FROM read_csv(?, all_varchar = true)""",
            [str(workdir / f"{side}.csv")],
        ).fetchall()
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.ForenameSurnameComparison("first_name", "last_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("birth_place"),
            cl.LevenshteinAtThresholds("address", [2]),
            cl.EmailComparison("email"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=BLOCKING_RULES,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI(connection=con)
    tables = [
        db_api.register("left_in", table_name="a_left"),
        db_api.register("right_in", table_name="b_right"),
    ]
    linker = Linker(tables, settings, log_level=None)
    trained = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(DETERMINISTIC_RULES, 0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for block in TRAINING_BLOCKS:
        linker.training.estimate_parameters_using_expectation_maximisation(
            block, estimate_without_term_frequencies=True
        )
    trained = time.perf_counter() - trained
    predictions = linker.inference.predict(threshold_match_probability=0.2, warning_mode="never")
    clusters = linker.clustering.cluster_using_single_best_links(
        predictions, duplicate_free_datasets=["a_left", "b_right"], threshold_match_probability=0.95
    )
    rows = con.execute(
        f"""SELECT min(unique_id) FILTER (WHERE source_dataset = 'a_left'),
                   min(unique_id) FILTER (WHERE source_dataset = 'b_right')
            FROM {clusters.physical_name} GROUP BY cluster_id HAVING count(*) = 2"""
    ).fetchall()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "found": [list(r) for r in rows], "timings": {"train": trained}}


def child(engine: str, workdir: Path, model: str | None, save_model: str | None) -> None:
    result = (
        run_parvis(workdir, model, save_model) if engine == "parvis" else run_splink(workdir, model)
    )
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=5000, help="records on each side")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", help="reuse a trained model (JSON) instead of training")
    parser.add_argument("--save-model", help="write Parvis's trained model there")
    parser.add_argument("--engine", choices=["parvis", "splink"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        child(args.engine, Path(args.workdir), args.model, args.save_model)
        return
    if args.n > 100_000 and not os.environ.get("PARVIS_BENCH_LOCKED"):
        print(
            "sizes above 100,000 share memory with others: run under "
            "`flock /tmp/parvis-bench.lock`",
            file=sys.stderr,
        )

    from parvis.integrations import synthetic

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        started = time.perf_counter()
        left, right, truth = synthetic.generate(args.n, args.n, seed=args.seed)
        synthetic.write_csv(left, workdir / "left.csv")
        synthetic.write_csv(right, workdir / "right.csv", date_style="fr")
        del left, right
        generated = time.perf_counter() - started
        print(
            f"data: {args.n:,} × {args.n:,} records, {len(truth):,} true pairs, "
            f"generated in {generated:.1f} s"
        )
        results = {}
        for engine in ("splink", "parvis"):
            command = [sys.executable, __file__, "--engine", engine, "--workdir", tmp]
            if args.model:
                command += ["--model", args.model]
            if args.save_model and engine == "parvis":
                command += ["--save-model", args.save_model]
            output = subprocess.run(command, capture_output=True, text=True, check=False)
            if output.returncode:
                sys.exit(f"{engine} failed:\n{output.stderr[-3000:]}")
            result = json.loads(output.stdout.strip().splitlines()[-1])
            result["precision"], result["recall"] = score(
                {tuple(p) for p in result["found"]}, truth
            )
            results[engine] = result
    floor, ours = results["splink"], results["parvis"]
    ratio = ours["seconds"] / floor["seconds"]
    for name, r in (("splink alone (floor)", floor), ("parvis link", ours)):
        print(
            f"{name:22} {r['seconds']:8.1f} s  precision {r['precision']:.4f}  "
            f"recall {r['recall']:.4f}  peak {r['peak_mb']:,.0f} MB  "
            f"(×{r['seconds'] / floor['seconds']:.2f} time of the floor)"
        )
    print("parvis phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in ours["timings"].items()))
    print(
        f"n={args.n} parvis_s={ours['seconds']:.1f} splink_s={floor['seconds']:.1f} "
        f"ratio={ratio:.2f} precision={ours['precision']:.4f} recall={ours['recall']:.4f} "
        f"splink_precision={floor['precision']:.4f} splink_recall={floor['recall']:.4f} "
        f"parvis_peak_mb={ours['peak_mb']:.0f} splink_peak_mb={floor['peak_mb']:.0f} "
        f"trained={'no' if args.model else 'yes'}"
    )


if __name__ == "__main__":
    main()
