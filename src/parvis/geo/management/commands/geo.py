"""`parvis geo …`: import-ban, import-areas, missing, demo-setup."""

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Addresses (BAN/BAL), named areas (GeoJSON) and the demo's map."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        ban = sub.add_parser("import-ban", help="Import a BAN/BAL CSV and match addresses")
        ban.add_argument("file")
        ban.add_argument("--postcode", default="", help="When the file has no code_postal")
        ban.add_argument("--no-create", action="store_true", help="Only match, create nothing")
        areas = sub.add_parser("import-areas", help="Import named areas from GeoJSON")
        areas.add_argument("file")
        areas.add_argument("--kind", default="neighbourhood", help="neighbourhood, iris, other")
        areas.add_argument("--name-field", default="", help="Property holding the name")
        missing = sub.add_parser("missing", help="List inhabited addresses without coordinates")
        missing.add_argument("--limit", type=int, default=100)
        demo = sub.add_parser("demo-setup", help="BAN file and areas of the demo town")
        demo.add_argument("--move", type=int, default=0, help="Move N households onto BAN streets")

    def handle(self, action, **options):
        getattr(self, "do_" + action.replace("-", "_"))(**options)

    def do_import_ban(self, file, postcode, no_create, **options):
        from parvis.geo import ban

        try:
            report = ban.import_ban(file, postcode=postcode, create=not no_create)
        except ban.BANError as exc:
            raise CommandError(str(exc)) from None
        for line_no, reason in report.skipped[:20]:
            self.stderr.write(f"line {line_no}: skipped, {reason}")
        for label in report.without_coordinates_sample:
            self.stdout.write(f"without coordinates: {label}")
        self.stdout.write(" ".join(f"{k}={v}" for k, v in report.as_dict().items()))

    def do_import_areas(self, file, kind, name_field, **options):
        from parvis.geo import areas

        try:
            report = areas.import_areas(file, kind=kind, name_field=name_field)
        except areas.GeoJSONError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"crs={report.crs} created={report.created} updated={report.updated} "
            f"areas={len(report.names)}"
        )

    def do_missing(self, limit, **options):
        from parvis.geo import ban

        rows = ban.addresses_without_coordinates()
        for row in rows[:limit]:
            self.stdout.write(f"{row.label}\t{row.residents}")
        self.stdout.write(f"without_coordinates={rows.count()}")

    def do_demo_setup(self, move, **options):
        from parvis.geo import demo

        report = demo.setup(move=move)
        self.stdout.write(" ".join(f"{k}={v}" for k, v in report.items()))
