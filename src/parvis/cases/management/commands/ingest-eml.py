import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parvis.cases.email_in import ingest_folder
from parvis.cases.models import Service


class Command(BaseCommand):
    help = (
        "Take a folder of .eml files (subfolders included) through the same path as IMAP: "
        "to migrate an existing mailbox, or for the demo. Files are only read; running it "
        "again finds duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="folder of .eml files (or one .eml file)")
        parser.add_argument("--service", default="", help="code of the service for new cases")

    def handle(self, folder, service, **options):
        if not folder.exists():
            raise CommandError(f"{folder} does not exist")
        target = None
        if service:
            target = Service.objects.filter(slug=service).first()
            if target is None:
                raise CommandError(f"no service with the code {service!r}")

        def progress(report):
            if report.files % 500 == 0 and sys.stderr.isatty():
                sys.stderr.write(f"\r{report.files:,} files")
                sys.stderr.flush()

        report = ingest_folder(folder, service=target, progress=progress)
        o = report.outcomes
        write = self.stdout.write
        write(f"{report.files} file(s) read")
        write(
            f"{o['created'] + o['threaded']} ingested: {o['created']} new case(s), "
            f"{o['threaded']} threaded into existing cases"
        )
        write(
            f"{o['ignored'] + o['duplicate']} ignored: {o['ignored']} automatic repl(y/ies), "
            f"{o['duplicate']} duplicate(s)"
        )
        write(f"{o['rejected']} rejected" + (":" if report.rejections else ""))
        for path, reason in report.rejections:
            write(f"  {path}: {reason}")
        write(report.line())
