from django.core.management.base import BaseCommand

from parvis.integrations import samples


class Command(BaseCommand):
    help = "Write the sample CAF extract for the town in the base and install its profile."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=None, help="where (default var/samples/)")
        parser.add_argument("--rows", type=int, default=400)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, out, rows, seed, **options):
        profile = samples.install_profile()
        path = samples.write_caf_extract(out, rows=rows, seed=seed)
        self.stdout.write(f"{path} (profile {profile.slug})")
