"""Load the shipped subsidy policies (subsidies/reference_data/policies.json)."""

from django.core.management.base import BaseCommand

from subsidies.services import policies_load_reference


class Command(BaseCommand):
    help = "Load or update the reference subsidy policies (idempotent, by policy code)."

    def handle(self, *args, **options):
        counts = policies_load_reference()
        self.stdout.write(
            f"subsidy policies: {counts['created']} created, {counts['updated']} updated"
        )
