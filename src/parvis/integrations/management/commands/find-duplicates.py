from django.core.management.base import BaseCommand

from parvis.integrations.review import find_duplicates


class Command(BaseCommand):
    help = "Look for duplicate persons in the base and queue them for review."

    def handle(self, **options):
        self.stdout.write(str(find_duplicates()))
