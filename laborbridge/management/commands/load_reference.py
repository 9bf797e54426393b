from django.core.management.base import BaseCommand

from laborbridge.reference import reference_load


class Command(BaseCommand):
    help = "Load (or refresh) regions, occupations, certificates, labor brands, pairings, campaigns, stations."

    def handle(self, *args, **options):
        counts = reference_load()
        for table, count in counts.items():
            self.stdout.write(f"{table:>18}: {count}")
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
