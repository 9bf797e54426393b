"""The legal minimum wage that applies at a workplace (reference table ``MinimumWage``).

The most specific region wins (county, then city, then the province's floor), and of its
standards the latest one in force on the given day.
"""

import datetime as dt
from decimal import ROUND_CEILING, Decimal

from laborbridge.models import MinimumWage, Region

# A month of full-time work in hours: 21.75 paid days (劳社部发〔2008〕3号) × 8 hours. It turns
# the hourly minimum into the monthly figure an hourly-paid vacancy must at least state.
MONTHLY_HOURS = Decimal("174")


def minimum_wage_for(*, district: Region | str, on: dt.date) -> MinimumWage | None:
    """Return the minimum-wage standard of ``district`` in force on ``on``, or None."""
    code = district.code if isinstance(district, Region) else district
    codes = [code[:6], f"{code[:4]}00", f"{code[:2]}0000"]
    rows = list(
        MinimumWage.objects.filter(region_id__in=codes, effective_from__lte=on)
        .select_related("region")
        .order_by("-effective_from")
    )
    for candidate in codes:
        for row in rows:
            if row.region_id == candidate:
                return row
    return None


def monthly_floor(standard: MinimumWage, *, hourly_paid: bool) -> int:
    """Return the lowest monthly figure a vacancy under ``standard`` may state."""
    if not hourly_paid:
        return standard.monthly
    from_hours = int((standard.hourly * MONTHLY_HOURS).to_integral_value(ROUND_CEILING))
    return max(standard.monthly, from_hours)
