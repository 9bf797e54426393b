"""Progress, the funnel and the two lists computed from real rows (no typed figures)."""

import datetime as dt

import pytest

from laborbridge.models import Occupation, Region
from matching.models import Match, MatchStatus
from targets import selectors
from targets.models import Bucket
from targets.reports import FUNNEL, PLACEMENTS, report_table, retained_q
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory
from tests.targets.conftest import AS_OF, YEAR
from workers.models import Employment, WishOccupation, WorkerStatus

pytestmark = pytest.mark.django_db


def test_progress_by_bucket_month_and_status(placements, agreement, pairing_qd_dx):
    progress = selectors.progress_of(selectors.pairing_scope(pairing_qd_dx), year=YEAR, as_of=AS_OF)

    assert progress.totals["placed"] == 4  # the 2025 arrival is not this year's
    assert progress.totals["poverty"] == 1
    assert progress.totals["monitored"] == 1
    buckets = {row["bucket"]: row for row in progress.by_bucket}
    assert buckets[Bucket.CROSS_PROVINCE]["placed"] == 2
    assert buckets[Bucket.CROSS_PROVINCE]["target"] == 120
    assert buckets[Bucket.IN_PROVINCE]["placed"] == 1
    assert buckets[Bucket.IN_COUNTY]["placed"] == 1
    assert buckets[Bucket.IN_COUNTY]["target"] == 0
    months = {row["month"]: row for row in progress.by_month}
    assert months[3]["placed"] == 2 and months[8]["placed"] == 1 and months[11]["placed"] == 1
    assert months[11]["cumulative"] == 4
    assert months[6]["target"] == 72  # (120 + 24) / 12 * 6
    assert progress.projection == round(4 / 12 * 12)
    assert progress.totals["average_wage"] == round((7000 + 6000 + 4000 + 5000) / 4)


def test_county_scope_counts_its_own_workers_only(placements):
    scope = selectors.county_scope(Region.objects.get(pk=TONGWEI))
    progress = selectors.progress_of(scope, year=YEAR, as_of=AS_OF)
    assert progress.totals["placed"] == 1
    flows = progress.tables["flows"]
    assert flows.rows == [["通渭县", "城阳区", 1]]


def test_retention_counts_whole_months_of_the_history(placements, pairing_qd_dx):
    # March arrivals have worked 8 whole months; the August one 1 closed + 1 current = 2.
    table = report_table(
        PLACEMENTS,
        scope=selectors.pairing_scope(pairing_qd_dx),
        year=YEAR,
        as_of=AS_OF,
        by=("bucket",),
        measures=("eligible_3", "retained_3", "eligible_6", "retained_6"),
    )
    rows = {values[0]: row[1:] for values, row in zip(table.values, table.rows, strict=True)}
    assert rows[Bucket.CROSS_PROVINCE] == [2, 2, 2, 2]
    assert rows[Bucket.IN_PROVINCE] == [1, 0, 0, 0]
    assert rows[Bucket.IN_COUNTY] == [0, 0, 0, 0]
    # One more month of the current spell makes the August arrival's 3 months.
    assert Employment.objects.filter(
        retained_q(3, dt.date(2027, 1, 1)), pk=placements["province"].pk
    ).exists()


def test_funnel_counts_people_by_furthest_stage(placements, pairing_qd_dx, employer_x):
    waiting = WorkerFactory(home_county_id=ANDING, status=WorkerStatus.REGISTERED)
    offered = WorkerFactory(home_county_id=ANDING, status=WorkerStatus.OFFERED)
    Match.objects.create(
        worker=offered, vacancy=VacancyFactory(employer=employer_x), status=MatchStatus.OFFERED
    )
    table = report_table(
        FUNNEL, scope=selectors.pairing_scope(pairing_qd_dx), year=YEAR, as_of=AS_OF
    )
    funnel = dict(zip(table.measure_keys, table.rows[0], strict=True))
    assert waiting.pk
    # 5 placed (hired matches) + the waiting one + the offered one.
    assert funnel["registered"] == 7
    assert funnel["matched"] == 6 and funnel["offered"] == 6 and funnel["accepted"] == 5
    assert funnel["arrived"] == 5
    assert funnel["month_3"] == 3  # two March arrivals and the December 2025 one
    assert funnel["month_6"] == 3


def test_gap_puts_demand_beside_supply(pairing_qd_dx, employer_x):
    occupation = Occupation.objects.order_by("code").first()
    for _ in range(3):
        worker = WorkerFactory(
            home_county_id=ANDING,
            status=WorkerStatus.REGISTERED,
            earliest_departure=dt.date(2026, 3, 1),
            min_wage=5000,
        )
        WishOccupation.objects.create(worker=worker, occupation=occupation, rank=1)
    VacancyFactory(
        employer=employer_x, occupation=occupation, headcount=10, start_date=dt.date(2026, 3, 1)
    )
    VacancyFactory(employer=employer_x, occupation=occupation, headcount=2, status="draft")

    gap = selectors.gap_of(selectors.pairing_scope(pairing_qd_dx), year=YEAR, as_of=AS_OF)

    assert gap == [
        {"occupation": occupation.name, "month": "3月", "workers": 3, "places": 10, "gap": 7}
    ]
    assert (
        selectors.gap_of(
            selectors.pairing_scope(pairing_qd_dx), year=YEAR, as_of=AS_OF, filters={"month": 4}
        )
        == []
    )
