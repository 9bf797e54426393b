"""Decide whether a placed worker is eligible for a subsidy rule, and explain why not.

Pure Python, no Django: the Celery run hands in plain tuples (the worker's facts, their
current employment spell, the rule's conditions, today) and stores the verdict. A verdict
is *eligible*, *not yet* (every failed condition is one that time alone fixes — the months
worked — with the day it will be met) or *not eligible* (at least one condition time does
not fix). Every failed condition is listed as a message key and its parameters; the pages
render them in the reader's language (``subsidies.reasons``).

Months are whole calendar months of the current unbroken spell at work
(``placement.history.whole_months``: 15 Jan → 15 Apr is 3 months, 14 Apr is 2).

Destination zones compare region codes: the province is the first 2 digits, the city the
first 4 (GB/T 2260). Municipalities' districts share their province's 4-digit prefix, so
Qingdao's districts are "in-city" to each other and "other province" to Anding.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

ELIGIBLE = "eligible"
NOT_YET = "not_yet"
NOT_ELIGIBLE = "not_eligible"

# Zones (the same words as ``subsidies.models.DestinationZone``).
NAMED_PROVINCE = "named_province"
OTHER_PROVINCE = "other_province"
IN_PROVINCE_OTHER_CITY = "in_province_other_city"
IN_CITY_OTHER_COUNTY = "in_city_other_county"
OWN_COUNTY = "own_county"
ANY = "any"

# Reason keys (rendered by ``subsidies.reasons``).
R_TARGET_GROUP = "target_group"
R_AGE_BELOW = "age_below"
R_AGE_ABOVE = "age_above"
R_NOT_WORKING = "not_working"
R_MONTHS_SHORT = "months_short"  # the only "not yet" reason
R_ORGANISED_TRAVEL = "organised_travel"
R_WORKPLACE_UNKNOWN = "workplace_unknown"
R_ZONE_NOT_COVERED = "zone_not_covered"
R_ALREADY_CLAIMED = "already_claimed"
R_PERIOD_ENDS = "period_ends"
R_NOT_STARTED = "not_started"


@dataclass(frozen=True)
class WorkerFacts:
    poverty_status: str
    birth_date: dt.date
    home_county: str  # 6-digit region code


@dataclass(frozen=True)
class SpellFacts:
    """The worker's current employment: at work since ``working_since`` (None: not at
    work now), where (a county code, or None when unknown), and whether they travelled on
    organised transport (a seat on the cooperation's train or bus)."""

    working_since: dt.date | None
    workplace: str | None
    organised_travel: bool = False


@dataclass(frozen=True)
class AmountRow:
    zone: str
    amount: int
    province: str | None = None  # 2-digit province prefix of a named-province row


@dataclass(frozen=True)
class Rule:
    year: int
    target_groups: frozenset[str]
    amounts: tuple[AmountRow, ...]
    min_consecutive_months: int = 0
    organised_travel_excluded: bool = False
    age_min: int | None = None
    age_max: int | None = None
    once_per_year: bool = True
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class Reason:
    key: str
    params: tuple[tuple[str, object], ...] = ()

    def as_pair(self) -> list:
        """Return ``[key, {params}]`` (what the database stores), dates as ISO strings."""
        return [
            self.key,
            {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.params},
        ]


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reasons: tuple[Reason, ...]
    eligible_on: dt.date | None
    zone: str
    amount: int | None
    months_continuous: int


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Return the whole calendar months from ``start`` to ``end`` (partial months dropped)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


def months_due(since: dt.date, rule: Rule) -> dt.date:
    """Return the day a spell started on ``since`` has lasted the rule's months."""
    return add_months(since, rule.min_consecutive_months)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Return the age in whole years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def destination_zone(home_county: str, workplace: str) -> str:
    """Return the zone of ``workplace`` seen from ``home_county`` (never NAMED_PROVINCE)."""
    if workplace[:2] != home_county[:2]:
        return OTHER_PROVINCE
    if workplace[:4] != home_county[:4]:
        return IN_PROVINCE_OTHER_CITY
    if workplace[:6] != home_county[:6]:
        return IN_CITY_OTHER_COUNTY
    return OWN_COUNTY


def amount_for(rule: Rule, home_county: str, workplace: str) -> tuple[str, int | None]:
    """Return the zone that pays and its amount: a named province first, then the zone of
    the workplace, then a flat amount for any destination; ``(zone, None)`` when none pays."""
    zone = destination_zone(home_county, workplace)
    if zone == OTHER_PROVINCE:
        for row in rule.amounts:
            if row.zone == NAMED_PROVINCE and row.province == workplace[:2]:
                return NAMED_PROVINCE, row.amount
    for row in rule.amounts:
        if row.zone == zone:
            return zone, row.amount
    for row in rule.amounts:
        if row.zone == ANY:
            return ANY, row.amount
    return zone, None


def evaluate(
    worker: WorkerFacts,
    spell: SpellFacts,
    rule: Rule,
    *,
    today: dt.date,
    already_claimed: bool = False,
) -> Verdict:
    """Return the verdict of ``rule`` for ``worker`` at work in ``spell`` as of ``today``."""
    final: list[Reason] = []  # failed conditions that time does not fix
    eligible_on: dt.date | None = None
    months = 0

    if worker.poverty_status not in rule.target_groups:
        final.append(Reason(R_TARGET_GROUP, (("status", worker.poverty_status),)))
    if already_claimed and rule.once_per_year:
        final.append(Reason(R_ALREADY_CLAIMED, (("year", rule.year),)))
    if spell.organised_travel and rule.organised_travel_excluded:
        final.append(Reason(R_ORGANISED_TRAVEL))

    zone, amount = "", None
    if spell.workplace is None:
        final.append(Reason(R_WORKPLACE_UNKNOWN))
    else:
        zone, amount = amount_for(rule, worker.home_county, spell.workplace)
        if amount is None:
            final.append(Reason(R_ZONE_NOT_COVERED, (("zone", zone),)))

    if spell.working_since is None:
        final.append(Reason(R_NOT_WORKING))
    else:
        months = whole_months(spell.working_since, today)
        due = months_due(spell.working_since, rule)
        if due > today:
            eligible_on = due
        if rule.valid_from is not None and today < rule.valid_from:
            eligible_on = max(eligible_on or rule.valid_from, rule.valid_from)
        if rule.valid_until is not None and (eligible_on or today) > rule.valid_until:
            final.append(Reason(R_PERIOD_ENDS, (("date", rule.valid_until),)))

    # Age: on the day the worker would become eligible (today if already).
    age_day = eligible_on or today
    age = age_on(worker.birth_date, age_day)
    if rule.age_min is not None and age < rule.age_min:
        final.append(Reason(R_AGE_BELOW, (("age", age), ("min", rule.age_min))))
    if rule.age_max is not None and age > rule.age_max:
        final.append(Reason(R_AGE_ABOVE, (("age", age), ("max", rule.age_max))))

    waiting: list[Reason] = []
    if eligible_on is not None and eligible_on > today:
        if spell.working_since is not None and months_due(spell.working_since, rule) > today:
            waiting.append(
                Reason(
                    R_MONTHS_SHORT,
                    (
                        ("months", months),
                        ("required", rule.min_consecutive_months),
                        ("days", (eligible_on - today).days),
                        ("date", eligible_on),
                    ),
                )
            )
        else:
            waiting.append(Reason(R_NOT_STARTED, (("date", eligible_on),)))
    else:
        eligible_on = None

    if final:
        outcome = NOT_ELIGIBLE
    elif waiting:
        outcome = NOT_YET
    else:
        outcome = ELIGIBLE
    return Verdict(
        outcome=outcome,
        reasons=tuple(final + waiting),
        eligible_on=eligible_on if outcome == NOT_YET else None,
        zone=zone,
        amount=amount,
        months_continuous=months,
    )
