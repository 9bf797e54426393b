"""The checks a county runs on its poverty-monitoring export before filing it.

Pure Python, no Django: ``placement.poverty_export`` hands in one :class:`ExportRow` per
person and gets the findings back; it also uses :func:`months_in_period` and
:func:`last_job` to turn a replayed history (``placement.history``) into the export's
columns. The checks, as counties run them on the 防返贫监测信息系统's work columns:

* ``place_months`` — 务工所在地 and 务工时间（月） are both filled or both empty;
* ``place_not_county`` — 务工所在地 names a county-level region (县、县级市、区), not a city
  or a province;
* ``low_income`` — a working 脱贫 person (or 监测对象) whose work income for the year is
  under the threshold (4,800 yuan by default, a setting);
* ``household_counties`` — one household (one phone shared by its members) working in two
  different counties: one of the two places is likely wrong.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from placement import history

PLACE_MONTHS = "place_months"
PLACE_NOT_COUNTY = "place_not_county"
LOW_INCOME = "low_income"
HOUSEHOLD_COUNTIES = "household_counties"
CHECKS = (PLACE_MONTHS, PLACE_NOT_COUNTY, LOW_INCOME, HOUSEHOLD_COUNTIES)

COUNTY_LEVEL = "county"


@dataclass
class ExportRow:
    """One person's export row, as far as the checks need it."""

    number: int  # the row's number in the file (1 = first person)
    name: str
    id_masked: str
    poverty_alleviated: bool  # 脱贫劳动力 or 监测对象
    household: str  # the household key (the shared phone's blind index), "" when unknown
    months: int | None  # 务工时间（月）; None: empty
    place_code: str  # 务工所在地 region code; "": empty
    place_name: str
    place_level: str  # the region's level ("county", "city", "province")
    income: int | None  # estimated work income of the year in yuan; None: unknown


@dataclass
class Finding:
    check: str
    row: ExportRow
    params: dict = field(default_factory=dict)


def months_in_period(spells: Iterable[history.Spell], start: dt.date, end: dt.date) -> int:
    """Return the whole months worked between ``start`` and ``end``: each spell clipped to
    the period, its partial month dropped (as ``history.whole_months`` does)."""
    total = 0
    for spell in spells:
        first = max(spell.start, start)
        last = min(spell.end or end, end)
        total += history.whole_months(first, last)
    return total


def last_job(
    arrival_job: history.Job, events: Iterable[history.Event], as_of: dt.date
) -> history.Job | None:
    """Return the last job held up to ``as_of``: the arrival's, or that of the latest
    换岗 / 再次外出 naming one (kept after a 离职 or 返乡, so a person who came home still
    shows where they worked)."""
    job = arrival_job
    for event in sorted(events, key=lambda e: (e.on, e.seq)):
        if event.on > as_of:
            break
        if event.kind in (history.JOB_CHANGE, history.WENT_OUT) and event.job is not None:
            job = event.job
    return job


def findings_of(rows: list[ExportRow], *, min_yearly_income: int) -> list[Finding]:
    """Return the findings of every check on ``rows``, in row order."""
    found: list[Finding] = []
    households: dict[str, dict[str, str]] = defaultdict(dict)
    for row in rows:
        has_place, has_months = bool(row.place_code), bool(row.months)
        if has_place != has_months:
            found.append(
                Finding(PLACE_MONTHS, row, {"missing": "months" if has_place else "place"})
            )
        if has_place and row.place_level != COUNTY_LEVEL:
            found.append(Finding(PLACE_NOT_COUNTY, row, {"place": row.place_name}))
        if (
            row.poverty_alleviated
            and has_months
            and row.income is not None
            and row.income < min_yearly_income
        ):
            found.append(
                Finding(LOW_INCOME, row, {"income": row.income, "threshold": min_yearly_income})
            )
        if row.household and has_place:
            households[row.household][row.place_code] = row.place_name
    split = {key: places for key, places in households.items() if len(places) > 1}
    if split:
        for row in rows:
            places = split.get(row.household) if row.place_code else None
            if places:
                names = "、".join(sorted(places.values()))
                found.append(Finding(HOUSEHOLD_COUNTIES, row, {"places": names}))
    found.sort(key=lambda f: (f.row.number, CHECKS.index(f.check)))
    return found
