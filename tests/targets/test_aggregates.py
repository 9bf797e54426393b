"""The pre-aggregated tables equal a direct count over random data; changes mark them dirty."""

import datetime as dt
import itertools
import random

import pytest
from django.utils import timezone

from laborbridge.models import Occupation, Region
from matching.models import Match, MatchStatus
from targets import aggregates, selectors
from targets.models import AggregateState, PlacementCount
from targets.reports import (
    DEMAND,
    DEMAND_DIRECT,
    FUNNEL,
    FUNNEL_DIRECT,
    PLACEMENTS,
    PLACEMENTS_DIRECT,
    report_table,
)
from tests.factories import ANDING, TONGWEI, EmployerFactory, VacancyFactory, WorkerFactory
from workers.models import Employment, PovertyStatus, WishCity, WishOccupation, WorkerStatus

pytestmark = pytest.mark.django_db

WEST = [ANDING, TONGWEI]
EAST = [("370200", "370211"), ("370200", "370214"), ("621100", TONGWEI), ("621100", ANDING)]


@pytest.fixture
def random_history():
    """Sixty workers of two counties: placed at random employers, months and wages, with
    random closed spells; the rest waiting with wishes, or matched without arriving."""
    rng = random.Random(16)
    today = timezone.localdate()
    occupations = list(Occupation.objects.order_by("code")[:3])
    cities = list(Region.objects.filter(pk__in=["370200", "320500"]))
    vacancies = [
        VacancyFactory(
            employer=EmployerFactory(city_id=city, district_id=district),
            occupation=rng.choice(occupations),
        )
        for city, district in EAST
        for _ in range(2)
    ]
    statuses = list(PovertyStatus.values)
    for index in range(60):
        worker = WorkerFactory(
            home_county_id=rng.choice(WEST),
            poverty_status=rng.choice(statuses),
            status=WorkerStatus.REGISTERED,
            earliest_departure=today.replace(day=1) - dt.timedelta(days=rng.randrange(0, 300)),
            min_wage=rng.choice([None, 4000, 5500, 6100]),
        )
        kind = index % 3
        if kind == 0:  # waiting, with wishes (or none)
            if rng.random() < 0.8:
                WishOccupation.objects.create(
                    worker=worker, occupation=rng.choice(occupations), rank=1
                )
            if rng.random() < 0.6:
                WishCity.objects.create(worker=worker, region=rng.choice(cities), rank=1)
            continue
        vacancy = rng.choice(vacancies)
        if kind == 1 and rng.random() < 0.5:  # matched, not (yet) hired
            status = rng.choice([MatchStatus.APPROVED, MatchStatus.OFFERED, MatchStatus.ACCEPTED])
            Match.objects.create(worker=worker, vacancy=vacancy, status=status)
            continue
        match = Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.HIRED)
        started = today - dt.timedelta(days=rng.randrange(0, 500))
        closed = rng.choice([0, 0, 1, 2, 4])
        working_since = rng.choice([None, started + dt.timedelta(days=rng.randrange(0, 200))])
        Employment.objects.create(
            worker=worker,
            employer=vacancy.employer,
            vacancy=vacancy,
            match=match,
            started_on=started,
            working_since=min(working_since, today) if working_since else None,
            months_in_closed_spells=closed,
            current_monthly_wage=rng.choice([None, 4500, 5200, 7300]),
        )
    return today


def _both(aggregate, direct, **kwargs):
    return (
        report_table(aggregate, **kwargs).rows,
        report_table(direct, **kwargs).rows,
    )


def test_aggregates_equal_a_direct_count(random_history, pairing_qd_dx):
    today = random_history
    aggregates.aggregates_refresh()
    assert PlacementCount.objects.exists()
    scopes = [
        selectors.pairing_scope(pairing_qd_dx),
        selectors.county_scope(Region.objects.get(pk=ANDING)),
        selectors.county_scope(Region.objects.get(pk=TONGWEI)),
    ]
    dimensions = [d.key for d in PLACEMENTS_DIRECT.dimensions]
    groupings = [(), *[(d,) for d in dimensions], *itertools.combinations(dimensions, 2)]
    compared = 0
    for scope, year in itertools.product(scopes, (today.year - 1, today.year)):
        for by in groupings:
            aggregated, direct = _both(
                PLACEMENTS, PLACEMENTS_DIRECT, scope=scope, year=year, as_of=today, by=by
            )
            assert aggregated == direct, (scope.label, year, by)
            compared += len(direct)
        aggregated, direct = _both(
            FUNNEL, FUNNEL_DIRECT, scope=scope, year=year, as_of=today, by=("county",)
        )
        assert aggregated == direct
        for by in [(), *[(d.key,) for d in DEMAND_DIRECT.dimensions], ("occupation", "month")]:
            aggregated, direct = _both(
                DEMAND, DEMAND_DIRECT, scope=scope, year=year, as_of=today, by=by
            )
            assert aggregated == direct, (scope.label, by)
    # An earlier month end of this year keeps the months up to it (the monthly report's
    # counts); retention stays as of the refresh, so it is not compared here.
    if today.month > 1:
        as_of = today.replace(day=1) - dt.timedelta(days=1)
        aggregated, direct = _both(
            PLACEMENTS,
            PLACEMENTS_DIRECT,
            scope=scopes[0],
            year=today.year,
            as_of=as_of,
            by=("bucket", "month"),
            measures=("placed", "poverty", "monitored"),
        )
        assert aggregated == direct
    assert compared > 200  # the random data fill many groups, not a handful


def test_a_committed_change_marks_dirty_once(
    random_history, employer_x, django_capture_on_commit_callbacks
):
    aggregates.aggregates_refresh()
    state = AggregateState.objects.get()
    assert state.dirty_since is None and state.as_of == timezone.localdate()
    assert not aggregates.aggregates_due()
    with django_capture_on_commit_callbacks(execute=True):
        WorkerFactory(home_county_id=ANDING)
    state.refresh_from_db()
    first = state.dirty_since
    assert first is not None and aggregates.aggregates_due()
    with django_capture_on_commit_callbacks(execute=True):
        WorkerFactory(home_county_id=ANDING)
    state.refresh_from_db()
    assert state.dirty_since == first  # the second change queues nothing new
    aggregates.aggregates_refresh()
    state.refresh_from_db()
    assert state.dirty_since is None and state.rows > 0
