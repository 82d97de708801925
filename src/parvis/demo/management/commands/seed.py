import sys
from datetime import date

from django.core.management.base import BaseCommand

from parvis.demo.services import create_demo_accounts, seed_town


class Command(BaseCommand):
    help = "Create the synthetic town: households, people, addresses, contacts, facts."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=20000, help="How many persons (about)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed: same seed, same town")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="Reference date (YYYY-MM-DD) for ages and expiry dates",
        )
        parser.add_argument(
            "--no-accounts", action="store_true", help="Do not create demo accounts"
        )

    def handle(self, people, seed, today, no_accounts, **options):
        def progress(done, total):
            sys.stderr.write(f"\r{done:,}/{total:,} people")
            sys.stderr.flush()

        report = seed_town(
            people, seed=seed, today=today, progress=progress if people >= 50000 else None
        )
        if people >= 50000:
            sys.stderr.write("\n")
        if not no_accounts:
            create_demo_accounts()
        self.stdout.write(
            f"persons={report.persons} households={report.households} "
            f"addresses={report.addresses} streets={report.streets} "
            f"seconds={report.seconds:.1f} people_per_s={report.per_second:.0f}"
        )
