"""Benchmark of eligibility: RSA, activity bonus and housing aid for N households.

    python bench/rights.py --households 1000                      # about a minute, SQLite
    flock /tmp/parvis-bench.lock python bench/rights.py --households 100000 \\
        --database-url postgres://postgres@127.0.0.1:5432/parvis_rights_bench

It drops and recreates a dedicated database (its name must contain "bench"), migrates it and
seeds the synthetic town (about 2.2 people per household). Then, each in a fresh process so
that its peak memory (ru_maxrss) is its own:

* floor: a bare OpenFisca-France vectorised run on the same inputs: for each chunk of
  households, `SimulationBuilder` entities and the input arrays (prepared beforehand, not
  timed), then `calculate` of the three benefits. No database, no explanation, no writing;
* Parvis, one process: `parvis rights compute` for the three benefits: reading facts, mapping
  them, the same OpenFisca computation, explanations, results written in bulk;
* Parvis, --processes worker processes (default 2);
* a local rule (heatwave register: 65+ living alone) against its hand-written SQL.

Each figure is printed with its ratio to the floor; the last line holds the headline
figures as key=value. Above 20,000 households run it under `flock /tmp/parvis-bench.lock`.
"""

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = f"sqlite:///{PROJECT_DIR / 'var' / 'parvis_rights_bench.sqlite3'}"
TODAY = date(2025, 6, 10)
PERIOD = "2025-06"
BENEFITS = ["rsa", "ppa", "aide_logement"]
PEOPLE_PER_HOUSEHOLD = 2.2
RULE = "registre-canicule"


def prepare_database(url: str, reuse: bool) -> bool:
    """Drop and recreate the bench database (unless reusing a seeded one). True if fresh."""
    import dj_database_url

    config = dj_database_url.parse(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"refusing to drop {name!r}: the bench database name must contain 'bench'")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(name)
        if reuse and path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return True
    import psycopg

    params = {k.lower(): config.get(k) or None for k in ("HOST", "PORT", "USER", "PASSWORD")}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if reuse and exists:
            return False
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return True


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parvis.settings")
    import django

    django.setup()


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


# --- phases, each in its own process ---------------------------------------------------------


def phase_floor(chunk: int) -> dict:
    from parvis.rights import openfisca_bridge
    from parvis.rights.benefits import NATIONAL_BENEFITS
    from parvis.rights.mapping import map_situation
    from parvis.rights.services import _chunks, parse_period
    from parvis.rights.situations import household_ids, load_situation

    period = parse_period(PERIOD)
    openfisca_bridge.tax_benefit_system()
    openfisca_bridge.taxable_ratios(period.year, period.month)
    variables = [NATIONAL_BENEFITS[b].variable for b in BENEFITS]
    seconds = households = families = 0
    for first, last, _count in _chunks(household_ids(), chunk):
        mapped = map_situation(load_situation(first, last), period)  # inputs: not timed
        started = time.perf_counter()
        simulation = openfisca_bridge.build_simulation(mapped)
        for variable in variables:
            simulation.calculate(variable, PERIOD)
        del simulation
        gc.collect()  # as Parvis does after each chunk
        seconds += time.perf_counter() - started
        households += len(mapped.statut_logement)
        families += len(mapped.famille_household)
        del mapped
    return {"seconds": seconds, "households": households, "families": families}


def phase_parvis(chunk: int, processes: int) -> dict:
    from parvis.rights import openfisca_bridge, services
    from parvis.rights.models import EligibilityResult

    period = services.parse_period(PERIOD)
    openfisca_bridge.tax_benefit_system()  # loaded once per process in real runs too
    openfisca_bridge.taxable_ratios(period.year, period.month)
    started = time.perf_counter()
    run = services.compute(PERIOD, BENEFITS, chunk_size=chunk, processes=processes)
    seconds = time.perf_counter() - started
    rows = EligibilityResult.objects.filter(period=period, benefit__in=BENEFITS).count()
    return {
        "openfisca_seconds": openfisca_bridge.seconds_in_openfisca,
        "seconds": seconds,
        "households": run.households_total,
        "rows": rows,
        "counts": run.counts,
    }


def phase_rule() -> dict:
    from django.db import connection

    from parvis.rights import services
    from parvis.rights.models import EligibilityResult
    from parvis.rights.rule_sql import years_before

    period = services.parse_period(PERIOD)
    started = time.perf_counter()
    services.compute(PERIOD, [RULE])
    seconds = time.perf_counter() - started
    found = set(
        EligibilityResult.objects.filter(
            benefit=RULE, period=period, status="eligible"
        ).values_list("person_id", flat=True)
    )
    # The floor: the same people with hand-written SQL (no insufficient data, no explanation).
    sql = """
        SELECT p.id FROM people_person p
        JOIN people_householdmember m ON m.person_id = p.id AND m.until IS NULL
        WHERE p.deceased_on IS NULL AND p.birth_date <= %s
          AND (SELECT COUNT(*) FROM people_householdmember o JOIN people_person q
               ON q.id = o.person_id AND q.deceased_on IS NULL
               WHERE o.household_id = m.household_id AND o.until IS NULL) = 1
    """
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, [years_before(period, 65)])
        floor = {row[0] for row in cursor.fetchall()}
    floor_seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "floor_seconds": floor_seconds,
        "eligible": len(found),
        "same_people": found == floor,
    }


def run_phase(args, phase: str, *extra: str, chunk: int | None = None) -> dict:
    sys.stderr.write(f"  running {phase} {' '.join(extra)}…\n")
    command = [
        sys.executable,
        __file__,
        "--phase",
        phase,
        "--database-url",
        args.database_url,
        "--chunk",
        str(chunk or args.chunk),
        *extra,
    ]
    output = subprocess.run(command, capture_output=True, text=True)
    if output.returncode:
        sys.exit(f"phase {phase} failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def phase_main(args) -> None:
    setup_django(args.database_url)
    if args.phase == "floor":
        result = phase_floor(args.chunk)
    elif args.phase == "parvis":
        result = phase_parvis(args.chunk, args.processes)
    else:
        result = phase_rule()
    result["peak_rss_mb"] = peak_rss_mb()
    result["children_peak_rss_mb"] = peak_rss_mb(resource.RUSAGE_CHILDREN)
    print(json.dumps(result, default=str))


# --- the report -----------------------------------------------------------------------------


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=1000)
    parser.add_argument("--chunk", type=int, default=20_000, help="households per simulation")
    parser.add_argument("--processes", type=int, default=2, help="for the parallel run")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SQLITE,
        help="a dedicated database whose name contains 'bench' (default var/…sqlite3)",
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    parser.add_argument("--phase", choices=["floor", "parvis", "rule"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return phase_main(args)

    fresh = prepare_database(args.database_url, args.reuse)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from parvis.demo.services import seed_town
    from parvis.people.models import Household, Person

    call_command("migrate", verbosity=0, interactive=False)
    seeded = None
    if fresh or not Household.objects.exists():
        from parvis.demo.population import PopulationGenerator

        # The demo's NIR scheme repeats after about a million people (a unique constraint
        # stops the seeding at 2 million); NIRs play no part in eligibility: none here.
        PopulationGenerator._nir = lambda self, member, pid: ""
        started = time.perf_counter()
        report = seed_town(round(args.households * PEOPLE_PER_HOUSEHOLD), seed=1, today=TODAY)
        seeded = (report, time.perf_counter() - started)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    households, persons = Household.objects.count(), Person.objects.count()
    vendor = connection.vendor
    connection.close()

    floor = run_phase(args, "floor")
    one = run_phase(args, "parvis", "--processes", "1")
    many = None
    if args.processes > 1:
        # At least one chunk per worker process.
        chunk = min(args.chunk, -(-households // args.processes))
        many = run_phase(args, "parvis", "--processes", str(args.processes), chunk=chunk)
    rule = run_phase(args, "rule")

    rate = households / floor["seconds"]
    print(f"Parvis eligibility benchmark, {date.today().isoformat()}")
    print(
        f"  machine     {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, OpenFisca-France 176.1.8, {vendor}"
    )
    print(
        f"  population  {households:,} households, {persons:,} people, "
        f"{floor['families']:,} families (OpenFisca 'famille'), period {PERIOD}"
    )
    if seeded:
        print(f"  seeding     {seeded[1]:.1f} s (not measured below)")
    print(f"  chunks      {args.chunk:,} households per simulation\n")
    print(
        f"  floor       bare OpenFisca, 1 process: {floor['seconds']:.1f} s = {rate:,.0f} "
        f"households/s, peak RSS {floor['peak_rss_mb']:,.0f} MB"
    )
    ratio_1 = one["seconds"] / floor["seconds"]
    memory_1 = one["peak_rss_mb"] / floor["peak_rss_mb"]
    print(
        f"  parvis      1 process: {one['seconds']:.1f} s = {households / one['seconds']:,.0f} "
        f"households/s (ratio {ratio_1:.2f}), peak RSS {one['peak_rss_mb']:,.0f} MB "
        f"(ratio {memory_1:.2f}), {one['rows']:,} results written"
    )
    inside = one["openfisca_seconds"]
    print(
        f"              of which inside OpenFisca (same inputs, same process, same moment): "
        f"{inside:.1f} s; whole run / OpenFisca part = {one['seconds'] / inside:.2f}"
    )
    headline = {
        "households": households,
        "db": vendor,
        "floor_s": f"{floor['seconds']:.1f}",
        "parvis_1p_s": f"{one['seconds']:.1f}",
        "ratio_1p": f"{ratio_1:.2f}",
        "ratio_1p_in_run": f"{one['seconds'] / inside:.2f}",
        "peak_rss_1p_mb": f"{one['peak_rss_mb']:.0f}",
        "memory_ratio_1p": f"{memory_1:.2f}",
    }
    if many:
        ratio_n = many["seconds"] / floor["seconds"]
        worker = many["children_peak_rss_mb"]
        print(
            f"  parvis      {args.processes} processes: {many['seconds']:.1f} s = "
            f"{households / many['seconds']:,.0f} households/s (ratio {ratio_n:.2f}, speed-up "
            f"{one['seconds'] / many['seconds']:.2f}), peak RSS main {many['peak_rss_mb']:,.0f}"
            f" MB + largest worker {worker:,.0f} MB"
        )
        headline.update(
            {
                f"parvis_{args.processes}p_s": f"{many['seconds']:.1f}",
                f"ratio_{args.processes}p": f"{ratio_n:.2f}",
                "worker_peak_rss_mb": f"{worker:.0f}",
            }
        )
    print(
        f"  local rule  {RULE}: {rule['seconds']:.2f} s for {rule['eligible']:,} people "
        f"(ratio {rule['seconds'] / max(rule['floor_seconds'], 1e-6):.1f} to hand-written SQL "
        f"{rule['floor_seconds']:.2f} s; same people: {rule['same_people']})"
    )
    # The faster of the two runs (at small sizes starting worker processes costs more than
    # they save).
    best, used = one["seconds"], 1
    if many and many["seconds"] < best:
        best, used = many["seconds"], args.processes
    if households < 1_000_000:
        estimate = best * 1_000_000 / households
        print(
            f"\n  EXTRAPOLATION (not measured): 1,000,000 households ≈ {estimate / 60:.0f} min "
            f"with {used} process(es), linear from this run"
        )
        headline["extrapolated_1m_min"] = f"{estimate / 60:.0f}"
    print(" ".join(f"{k}={v}" for k, v in headline.items()))


if __name__ == "__main__":
    sys.path.insert(0, str(PROJECT_DIR / "src"))
    main()
