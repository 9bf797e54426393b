"""Chart data for ``static/js/charts.js``: plain dicts made from the report tables.

Each chart is a dict with a ``kind`` (line, bar, funnel, sankey), its title, and the same
numbers the table beside it shows; the page embeds it with ``json_script`` (data, not
code, so the Content-Security-Policy needs no inline script) and charts.js turns it into
an ECharts option. Titles and labels are translated here, so charts follow the language.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from targets.reports import Table
from targets.selectors import Progress


def month_names() -> list[str]:
    return [_("%(month)s月") % {"month": month} for month in range(1, 13)]


def placements_chart(progress: Progress) -> dict[str, Any]:
    """Monthly placements (bars), cumulative placements and the target line."""
    return {
        "kind": "line",
        "title": _("%(year)s年转移就业进度") % {"year": progress.year},
        "categories": month_names(),
        "series": [
            {
                "name": _("当月到岗"),
                "type": "bar",
                "data": [row["placed"] for row in progress.by_month],
            },
            {
                "name": _("累计到岗"),
                "type": "line",
                "data": [row["cumulative"] for row in progress.by_month],
            },
            {
                "name": _("目标进度"),
                "type": "line",
                "dashed": True,
                "data": [row["target"] for row in progress.by_month],
            },
        ],
    }


def buckets_chart(progress: Progress) -> dict[str, Any]:
    """Placements against the target in each bucket (跨省 / 省内县外 / 县内)."""
    return {
        "kind": "bar",
        "title": _("按就业去向：完成与目标"),
        "categories": [str(row["label"]) for row in progress.by_bucket],
        "series": [
            {"name": _("已转移就业"), "data": [row["placed"] for row in progress.by_bucket]},
            {"name": _("其中脱贫劳动力"), "data": [row["poverty"] for row in progress.by_bucket]},
            {"name": _("目标"), "data": [row["target"] for row in progress.by_bucket]},
        ],
    }


def funnel_chart(funnel: Table) -> dict[str, Any]:
    """The funnel registered → … → 6 months (one total row of the funnel report)."""
    row = funnel.rows[0] if funnel.rows else [0] * len(funnel.measure_keys)
    return {
        "kind": "funnel",
        "title": _("转移就业漏斗"),
        "data": [
            {"name": str(header), "value": value}
            for header, value in zip(funnel.headers, row, strict=True)
        ],
    }


def flows_chart(flows: Table) -> dict[str, Any]:
    """West county → east district flows (a Sankey); node names carry the side so a name
    used on both sides stays two nodes."""
    west = sorted({str(row[0]) for row in flows.rows})
    east = sorted({str(row[1]) for row in flows.rows})
    return {
        "kind": "sankey",
        "title": _("劳务输出流向"),
        "nodes": [{"name": name} for name in west]
        + [{"name": name} for name in east if name not in west],
        "links": [
            {"source": str(row[0]), "target": str(row[1]), "value": row[2]}
            for row in flows.rows
            if str(row[0]) != str(row[1])
        ],
    }


def gap_chart(gap: list[dict[str, Any]]) -> dict[str, Any]:
    """Workers waiting against places open, by occupation (all months added up)."""
    totals: dict[str, list[int]] = {}
    for row in gap:
        entry = totals.setdefault(row["occupation"], [0, 0])
        entry[0] += row["workers"]
        entry[1] += row["places"]
    names = sorted(totals)
    return {
        "kind": "bar",
        "title": _("按工种：求职人数与空缺岗位"),
        "categories": names,
        "series": [
            {"name": _("求职人数"), "data": [totals[name][0] for name in names]},
            {"name": _("空缺岗位"), "data": [totals[name][1] for name in names]},
        ],
    }
