"""`parvis rights compute [--period YYYY-MM] [--benefit CODE…] [--chunk N] [--processes N]`
and `parvis rights import-aides-jeunes DIR`."""

import time

from django.core.management.base import BaseCommand, CommandError

from parvis.rights import services
from parvis.rights.aides_jeunes import import_directory


class Command(BaseCommand):
    help = "Eligibility: compute results, import the aides-jeunes local aids."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="compute eligibility for a month")
        compute.add_argument("--period", help="YYYY-MM (default: this month)")
        compute.add_argument(
            "--benefit", action="append", default=[], help="a benefit code (repeatable)"
        )
        compute.add_argument("--chunk", type=int, help="households per OpenFisca simulation")
        compute.add_argument("--processes", type=int, help="worker processes (default 1)")
        imports = sub.add_parser("import-aides-jeunes", help="import aides-jeunes benefits")
        imports.add_argument("directory")
        imports.add_argument("--disabled", action="store_true", help="new rules start disabled")

    def handle(self, *args, **options):
        if options["action"] == "compute":
            return self.compute(options)
        return self.import_aides_jeunes(options)

    def compute(self, options):
        started = time.perf_counter()

        def progress(run):
            self.stdout.write(f"  {run.households_done}/{run.households_total} households")

        try:
            run = services.compute(
                options["period"],
                options["benefit"] or None,
                chunk_size=options["chunk"],
                processes=options["processes"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Eligibility for {run.period:%Y-%m}: {run.households_total} households "
            f"in {seconds:.1f} s (run {run.pk})."
        )
        for benefit, counts in run.counts.items():
            if counts:
                line = ", ".join(f"{status} {n}" for status, n in sorted(counts.items()))
                self.stdout.write(f"  {benefit}: {line}")

    def import_aides_jeunes(self, options):
        try:
            report = import_directory(options["directory"], enable=not options["disabled"])
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Imported {report.imported} rules ({report.created} new, {report.partial} with "
            f"some profiles left out); {len(report.skipped)} not imported."
        )
        if report.skipped:
            self.stdout.write("Not imported, by reason:")
            for reason, count in report.reasons().most_common():
                self.stdout.write(f"  {count:4d}  {reason}")
            self.stdout.write("Files not imported:")
            for name, reason in sorted(report.skipped.items()):
                self.stdout.write(f"  {name}: {reason}")
