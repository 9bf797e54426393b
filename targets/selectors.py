"""Reads of targets: scopes, the agreement's targets, progress against them, the gap.

Every figure comes from a report definition in ``targets.reports`` (one definition each);
this module only puts tables side by side (target beside progress, demand beside supply).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from jobs.models import Employer
from laborbridge import access
from laborbridge.models import Pairing, Region, User
from placement.history import add_months
from targets.models import Agreement, Bucket, ListSnapshot, MonthlyReport, Target
from targets.reports import DEMAND, PLACEMENTS, SUPPLY, Scope, Table, report_table


def pairing_scope(pairing: Pairing) -> Scope:
    """Return the scope of a pairing: its western region's workers, its eastern jobs."""
    return Scope(
        label=str(pairing),
        west_prefix=pairing.west_region.prefix,
        east_prefixes=(pairing.east_region.prefix,),
        pairing=pairing,
    )


def county_scope(county: Region) -> Scope:
    """Return the scope of a western county: its workers, the jobs of its paired east."""
    pairings = [p for p in Pairing.objects.select_related("east_region", "west_region")]
    east = tuple(p.east_region.prefix for p in pairings if p.west_region.contains(county))
    return Scope(label=county.name, west_prefix=county.code, east_prefixes=east, county=county)


def country_scope() -> Scope:
    """Return the whole country's scope (the admin's): every worker, every pairing's east."""
    easts = Pairing.objects.select_related("east_region").order_by("pk")
    return Scope(
        label=str(_("全部协作结对")),
        west_prefix="",
        east_prefixes=tuple(sorted({p.east_region.prefix for p in easts})),
    )


def employer_scope(employer: Employer) -> Scope:
    """Return the scope of an employer: its placements, whichever county they come from."""
    return Scope(label=employer.name, west_prefix="", east_prefixes=(), employer_id=employer.pk)


def agreements_for(user: User) -> QuerySet[Agreement]:
    """Return the agreements of the pairings the user may manage (coordinator, admin)."""
    return Agreement.objects.filter(
        pairing__in=access.pairings_with_dashboard(user)
    ).select_related("pairing")


def agreement_of(scope: Scope, year: int) -> Agreement | None:
    """Return the year's agreement of the scope's pairing (a county: of its pairing)."""
    agreements = Agreement.objects.filter(year=year)
    if scope.pairing is not None:
        return agreements.filter(pairing=scope.pairing).first()
    if scope.county is not None:
        for agreement in agreements.select_related("pairing__west_region"):
            if agreement.pairing.west_region.contains(scope.county):
                return agreement
    return None


@dataclass
class Targets:
    """The target of a scope: per bucket (placed, poverty, monitored) and in total."""

    by_bucket: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> dict[str, int]:
        keys = ("placed", "poverty", "monitored")
        return {key: sum(row[key] for row in self.by_bucket.values()) for key in keys}


def targets_of(scope: Scope, agreement: Agreement | None) -> Targets:
    """Return the scope's targets: a county's own rows; for a pairing its whole-pairing rows,
    or the sum of its counties' rows where the agreement sets none for the whole."""
    targets = Targets()
    if agreement is None:
        return targets
    rows = Target.objects.filter(agreement=agreement)
    if scope.county is not None:
        rows = rows.filter(county=scope.county)
    elif rows.filter(county__isnull=True).exists():
        rows = rows.filter(county__isnull=True)
    sums = rows.values("bucket").annotate(
        placed_sum=Sum("placed"), poverty_sum=Sum("poverty"), monitored_sum=Sum("monitored")
    )
    for row in sums:
        targets.by_bucket[row["bucket"]] = {
            "placed": row["placed_sum"],
            "poverty": row["poverty_sum"],
            "monitored": row["monitored_sum"],
        }
    return targets


@dataclass
class Progress:
    """Progress of a scope in a year against its targets (all computed, never typed)."""

    scope: Scope
    year: int
    as_of: dt.date
    agreement: Agreement | None
    targets: Targets
    totals: dict[str, Any]
    by_bucket: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    months_elapsed: int
    projection: int
    tables: dict[str, Table]


def months_elapsed(year: int, as_of: dt.date) -> int:
    """Return how many months of ``year`` have begun by ``as_of`` (0–12)."""
    if as_of.year < year:
        return 0
    if as_of.year > year:
        return 12
    return as_of.month


def progress_of(scope: Scope, *, year: int, as_of: dt.date) -> Progress:
    """Return the year's progress: totals, by bucket and month against the target, the
    projection at the current monthly rate, and the breakdowns (county, employer, …)."""
    agreement = agreement_of(scope, year)
    targets = targets_of(scope, agreement)

    def table(*by: str) -> Table:
        return report_table(PLACEMENTS, scope=scope, year=year, as_of=as_of, by=by)

    total = table().rows[0]
    totals = dict(zip(PLACEMENTS_MEASURE_KEYS, total, strict=True))
    buckets = table("bucket")
    placed_by_bucket = dict(zip([v[0] for v in buckets.values], buckets.rows, strict=True))
    by_bucket = []
    for value, label in Bucket.choices:
        row = placed_by_bucket.get(value)
        target = targets.by_bucket.get(value, {"placed": 0, "poverty": 0, "monitored": 0})
        by_bucket.append(
            {
                "bucket": value,
                "label": label,
                "placed": row[1] if row else 0,
                "poverty": row[2] if row else 0,
                "monitored": row[3] if row else 0,
                "target": target["placed"],
                "target_poverty": target["poverty"],
                "target_monitored": target["monitored"],
            }
        )
    months = table("month")
    per_month = {v[0]: row[1] for v, row in zip(months.values, months.rows, strict=True)}
    elapsed = months_elapsed(year, as_of)
    target_total = targets.total["placed"]
    by_month, cumulative = [], 0
    for month in range(1, 13):
        cumulative += per_month.get(month, 0)
        by_month.append(
            {
                "month": month,
                "placed": per_month.get(month, 0),
                "cumulative": cumulative if month <= elapsed else None,
                "target": round(target_total * month / 12),
            }
        )
    placed = totals["placed"]
    projection = round(placed / elapsed * 12) if elapsed else 0
    tables = {key: table(key) for key in ("county", "district", "employer", "occupation")}
    tables["poverty_status"] = table("poverty_status")
    tables["flows"] = report_table(
        PLACEMENTS,
        scope=scope,
        year=year,
        as_of=as_of,
        by=("county", "district"),
        measures=("placed",),
    )
    return Progress(
        scope=scope,
        year=year,
        as_of=as_of,
        agreement=agreement,
        targets=targets,
        totals=totals,
        by_bucket=by_bucket,
        by_month=by_month,
        months_elapsed=elapsed,
        projection=projection,
        tables=tables,
    )


PLACEMENTS_MEASURE_KEYS = [measure.key for measure in PLACEMENTS.measures]


def gap_of(
    scope: Scope, *, year: int, as_of: dt.date, filters: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Return the two lists side by side by occupation and month: workers waiting, places
    open, and the gap (places − workers: > 0 jobs go unfilled, < 0 workers wait).

    ``filters`` (occupation id, month) narrow both lists alike."""
    by = ("occupation", "month")
    demand = report_table(
        DEMAND, scope=scope, year=year, as_of=as_of, by=by, measures=["workers"], filters=filters
    )
    supply = report_table(
        SUPPLY, scope=scope, year=year, as_of=as_of, by=by, measures=["places"], filters=filters
    )
    rows: dict[tuple, dict[str, Any]] = {}
    for values, row in zip(demand.values, demand.rows, strict=True):
        entry = rows.setdefault(
            tuple(values), {"occupation": row[0], "month": row[1], "workers": 0, "places": 0}
        )
        entry["workers"] += row[2]
    for values, row in zip(supply.values, supply.rows, strict=True):
        entry = rows.setdefault(
            tuple(values), {"occupation": row[0], "month": row[1], "workers": 0, "places": 0}
        )
        entry["places"] += row[2]
    result = []
    for key in sorted(rows, key=lambda k: (str(k[0] or ""), k[1] or 0)):
        entry = rows[key]
        entry["gap"] = entry["places"] - entry["workers"]
        entry["occupation"] = str(entry["occupation"])
        entry["month"] = str(entry["month"])
        result.append(entry)
    return result


def snapshots_of(scope: Scope) -> QuerySet[ListSnapshot]:
    """Return the pinned snapshots of the scope's pairing (a county: of its pairings)."""
    if scope.pairing is not None:
        return ListSnapshot.objects.filter(pairing=scope.pairing)
    if scope.county is not None:
        ids = [
            p.pk
            for p in Pairing.objects.select_related("west_region")
            if p.west_region.contains(scope.county)
        ]
        return ListSnapshot.objects.filter(pairing_id__in=ids)
    return ListSnapshot.objects.none()


def month_end(year: int, month: int) -> dt.date:
    """Return the last day of the month."""
    return add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)


def monthly_report_of(scope: Scope, *, year: int, month: int, today: dt.date) -> dict[str, Any]:
    """Return the monthly labour-transfer report (plain data, as frozen): per bucket the
    month's placements and the year's to the month's end (of which 脱贫 / 监测) and the target."""
    as_of = min(month_end(year, month), today)
    measures = ("placed", "poverty", "monitored")

    def by_bucket(**filters: Any) -> dict[str, list[int]]:
        table = report_table(
            PLACEMENTS,
            scope=scope,
            year=year,
            as_of=as_of,
            by=("bucket",),
            measures=measures,
            filters=filters or None,
        )
        return {values[0]: row[1:] for values, row in zip(table.values, table.rows, strict=True)}

    in_month, to_date = by_bucket(month=month), by_bucket()
    targets = targets_of(scope, agreement_of(scope, year))
    rows = []
    for value, label in Bucket.choices:
        target = targets.by_bucket.get(value, {}).get("placed", 0)
        month_row, year_row = in_month.get(value, [0, 0, 0]), to_date.get(value, [0, 0, 0])
        rows.append(
            {
                "bucket": value,
                "label": str(label),
                "month_placed": month_row[0],
                "month_poverty": month_row[1],
                "month_monitored": month_row[2],
                "year_placed": year_row[0],
                "year_poverty": year_row[1],
                "year_monitored": year_row[2],
                "target": target,
                "rate": round(100 * year_row[0] / target, 1) if target else None,
            }
        )
    keys = [key for key in rows[0] if key not in ("bucket", "label", "rate")]
    total = {key: sum(row[key] for row in rows) for key in keys}
    total["rate"] = (
        round(100 * total["year_placed"] / total["target"], 1) if total["target"] else None
    )
    return {
        "scope": scope.label,
        "year": year,
        "month": month,
        "as_of": as_of.isoformat(),
        "rows": rows,
        "total": total,
    }


def monthly_reports_of(scope: Scope, *, year: int, month: int) -> QuerySet[MonthlyReport]:
    """Return the frozen revisions of the scope's month, newest first."""
    reports = MonthlyReport.objects.filter(year=year, month=month).select_related("frozen_by")
    if scope.pairing is not None:
        return reports.filter(pairing=scope.pairing)
    return reports.filter(county=scope.county)


# --- the annual cooperation indicators table (年度东西部协作劳务协作指标) ------------------------
# Frozen like the monthly report, as month 0 of its year (``MonthlyReport.ANNUAL``).

# The table's one definition: (payload key, column header), read by the page, the .xlsx and
# the frozen payload alike.
ANNUAL_COLUMNS = (
    ("target", "帮助农村劳动力就业目标"),
    ("placed", "已帮助农村劳动力就业"),
    ("rate", "完成率（%）"),
    ("target_poverty", "其中脱贫劳动力目标"),
    ("poverty", "其中脱贫劳动力"),
    ("poverty_rate", "脱贫劳动力完成率（%）"),
    ("target_monitored", "其中监测对象目标"),
    ("monitored", "其中监测对象"),
    ("retained_3", "在岗满3个月"),
)


def _rate(done: int, target: int) -> float | None:
    return round(100 * done / target, 1) if target else None


def annual_report_of(scope: Scope, *, year: int, today: dt.date) -> dict[str, Any]:
    """Return the year's cooperation indicators (plain data, as frozen): per bucket (跨省,
    省内县外, 县内) the labourers helped into work and of them 脱贫 / 监测, against the
    agreement's targets, to the year's end (or today)."""
    as_of = min(dt.date(year, 12, 31), today)
    table = report_table(
        PLACEMENTS,
        scope=scope,
        year=year,
        as_of=as_of,
        by=("bucket",),
        measures=("placed", "poverty", "monitored", "retained_3"),
    )
    done = {values[0]: row[1:] for values, row in zip(table.values, table.rows, strict=True)}
    targets = targets_of(scope, agreement_of(scope, year))
    rows = []
    for value, label in Bucket.choices:
        placed, poverty, monitored, retained = done.get(value, [0, 0, 0, 0])
        target = targets.by_bucket.get(value, {"placed": 0, "poverty": 0, "monitored": 0})
        rows.append(
            {
                "bucket": value,
                "label": str(label),
                "target": target["placed"],
                "placed": placed,
                "target_poverty": target["poverty"],
                "poverty": poverty,
                "target_monitored": target["monitored"],
                "monitored": monitored,
                "retained_3": retained,
            }
        )
    summed = [key for key, _header in ANNUAL_COLUMNS if not key.endswith("rate")]
    total = {key: sum(row[key] for row in rows) for key in summed}
    for row in [*rows, total]:
        row["rate"] = _rate(row["placed"], row["target"])
        row["poverty_rate"] = _rate(row["poverty"], row["target_poverty"])
    return {
        "scope": scope.label,
        "year": year,
        "month": 0,
        "as_of": as_of.isoformat(),
        "rows": rows,
        "total": total,
    }
