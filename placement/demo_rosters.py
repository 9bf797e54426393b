"""The demo's part of the rosters and exports (``laborbridge.registry`` demo step): the
Anding official's poverty-monitoring export as of today, so the demo shows the placed
workers' months worked and the checks' findings without a click."""

from __future__ import annotations

from django.db import transaction

from laborbridge.models import User
from placement import poverty_export
from placement.export_models import PovertyExport

DEMO_OFFICIAL = "official_anding"


def demo_poverty_export_step(*, base_url: str) -> list[str]:
    """Run the export for the demo official's county unless one exists; say where it is."""
    official = User.objects.select_related("county").filter(username=DEMO_OFFICIAL).first()
    if official is None or official.county is None:
        return []
    export = PovertyExport.objects.filter(county=official.county).first()
    if export is None:
        with transaction.atomic():
            export = poverty_export.poverty_export_create(actor=official, county=official.county)
        export.refresh_from_db()
    return [
        f"Poverty-monitoring export of {official.county.name}: {export.get_status_display()}, "
        f"{export.row_count} people, {len(export.findings)} findings; {DEMO_OFFICIAL} sees it at "
        f"{base_url}/placement/poverty-exports/{export.pk}/; coordinators and liaisons see the "
        f"roster of people at work at {base_url}/placement/roster/."
    ]
