"""The public campaign job board: its cached data and when the cache is thrown away.

A campaign's board is built from one query into a list of plain rows (everything a card
shows, nothing about HR staff) and cached under a per-campaign *version*. Writes in
``jobs.services`` bump the version after commit, so an HR change or a coordinator's
verification shows at once. Headcount taken by matching (``filled_count``) does not go
through ``jobs.services``; the short TTL below bounds how stale "remaining" can be, and
``board_invalidate`` may be called by anyone who wants the board fresh immediately.

Measured with ``bench/bench_board.py``: building the rows of a 5,000-vacancy campaign is
the cold cost; a warm page is two cache reads and a template render.
"""

import datetime as dt
import re
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import F

from laborbridge import access
from laborbridge.models import Campaign

# How long a built board lives without an explicit invalidation: the bound on the
# staleness of "remaining places" after a match takes one.
BOARD_CACHE_SECONDS = 120
BOARD_PAGE_SIZE = 30


class BoardRow(NamedTuple):
    """What one card of the board shows. A tuple, not a dict: a 5,000-row board pickles to
    ~40 % fewer bytes and loads from the cache ~2× faster (measured with bench_board.py)."""

    id: int
    title: str
    wage_min: int
    wage_max: int
    pay_type: str
    start_date: dt.date
    contract_months: int
    shift_pattern: str
    dormitory: bool
    meals: bool
    travel_reimbursement: bool
    social_insurance: bool
    occupation_code: str
    occupation_zh: str
    occupation_en: str
    district_code: str
    district_name: str
    employer_name: str
    remaining: int


_EXPRESSIONS = {
    "occupation_code": F("occupation__code"),
    "occupation_zh": F("occupation__name_zh"),
    "occupation_en": F("occupation__name_en"),
    "district_code": F("district_id"),
    "district_name": F("district__name"),
    "employer_name": F("employer__name"),
    "remaining": F("headcount") - F("filled_count"),
}

SORTS = ("new", "wage", "start")
_OCCUPATION_CODE = re.compile(r"\d{1,2}(?:-\d{2}){1,4}")
_DISTRICT_CODE = re.compile(r"\d{6}")


@dataclass(frozen=True)
class BoardData:
    """All public rows of one campaign plus the filter options (with counts)."""

    rows: list[BoardRow]
    occupations: list[dict]  # {"code", "name_zh", "name_en", "count"}, most vacancies first
    districts: list[dict]  # {"code", "name", "count"}
    headcount_remaining: int


def _version_key(campaign_id: int) -> str:
    return f"jobs:board:version:{campaign_id}"


def board_version(campaign_id: int) -> str:
    """Return the current cache version of a campaign's board."""
    return cache.get_or_set(_version_key(campaign_id), uuid.uuid4().hex, timeout=None)


def board_invalidate(campaign_ids: Iterable[int | None]) -> None:
    """Make the next request of each campaign's board rebuild it from the database."""
    keys = {_version_key(pk): uuid.uuid4().hex for pk in set(campaign_ids) if pk is not None}
    if keys:
        cache.set_many(keys, timeout=None)


def _build(campaign: Campaign) -> BoardData:
    plain = [name for name in BoardRow._fields if name not in _EXPRESSIONS]
    rows = [
        BoardRow._make(values)
        for values in access.vacancies_public(campaign)
        .order_by(F("published_at").desc(nulls_last=True), "-id")
        .annotate(**{f"board_{name}": expression for name, expression in _EXPRESSIONS.items()})
        .values_list(*[name if name in plain else f"board_{name}" for name in BoardRow._fields])
    ]
    occupations: dict[str, dict] = {}
    districts: dict[str, dict] = {}
    occupation_counts: Counter[str] = Counter()
    district_counts: Counter[str] = Counter()
    for row in rows:
        occupation_counts[row.occupation_code] += 1
        district_counts[row.district_code] += 1
        if row.occupation_code not in occupations:
            occupations[row.occupation_code] = {
                "code": row.occupation_code,
                "name_zh": row.occupation_zh,
                "name_en": row.occupation_en,
            }
        if row.district_code not in districts:
            districts[row.district_code] = {"code": row.district_code, "name": row.district_name}
    return BoardData(
        rows=rows,
        occupations=[
            {**occupations[code], "count": n} for code, n in occupation_counts.most_common()
        ],
        districts=[
            {**districts[code], "count": district_counts[code]} for code in sorted(districts)
        ],
        headcount_remaining=sum(row.remaining for row in rows),
    )


def board_data(campaign: Campaign) -> BoardData:
    """Return the campaign's board rows, from the cache when they are current."""
    key = f"jobs:board:data:{campaign.pk}:{board_version(campaign.pk)}"
    data = cache.get(key)
    if data is None:
        data = _build(campaign)
        cache.set(key, data, timeout=BOARD_CACHE_SECONDS)
    return data


def board_rows(
    data: BoardData, *, occupation: str = "", district: str = "", sort: str = "new"
) -> list[BoardRow]:
    """Return the rows that pass the filters, in the requested order."""
    rows = data.rows
    if occupation:
        rows = [row for row in rows if row.occupation_code == occupation]
    if district:
        rows = [row for row in rows if row.district_code == district]
    if sort == "wage":
        rows = sorted(rows, key=lambda row: (-row.wage_max, -row.wage_min, -row.id))
    elif sort == "start":
        rows = sorted(rows, key=lambda row: (row.start_date, -row.id))
    return rows


def board_filters(occupation: str, district: str, sort: str) -> tuple[str, str, str]:
    """Return the request's filters with malformed values dropped, so that only well-formed
    codes reach a cache key (a code not on the board then simply shows everything)."""
    return (
        occupation if _OCCUPATION_CODE.fullmatch(occupation) else "",
        district if _DISTRICT_CODE.fullmatch(district) else "",
        sort if sort in SORTS else "new",
    )


def board_fragment_key(campaign_id: int, *parts: object) -> str:
    """Return the cache key of a rendered piece of the board, tied to the current version."""
    suffix = ":".join(str(part) for part in parts)
    return f"jobs:board:html:{campaign_id}:{board_version(campaign_id)}:{suffix}"
