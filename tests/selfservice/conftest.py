"""A placed worker with a seat, and the named users of the personal-link tests."""

import datetime as dt

import pytest
from django.utils import timezone

from laborbridge.models import Campaign, Pairing, Role, Station
from matching.models import Match, MatchStatus
from selfservice import services
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory, make_user
from transport.models import RunStatus, Seat, TransportPlan, Trip, TripCar, TripMode
from workers.models import Employment


def place(employer, *, county=ANDING, started_on=None, employed=True):
    """Return (worker, match, employment or None): a hired match, and its employment record
    as the gate check-in opens it when ``employed``."""
    vacancy = VacancyFactory(
        employer=employer, title="电子装配工", address="青岛市城阳区春阳路88号"
    )
    worker = WorkerFactory(home_county_id=county, phone="13912345678")
    status = MatchStatus.HIRED if employed else MatchStatus.CONFIRMED
    match = Match.objects.create(worker=worker, vacancy=vacancy, status=status)
    employment = None
    if employed:
        employment = Employment.objects.create(
            worker=worker,
            employer=employer,
            vacancy=vacancy,
            match=match,
            started_on=started_on or timezone.localdate() - dt.timedelta(days=40),
        )
    return worker, match, employment


def seat_for(match, *, car_no=3, row=7, letter="F", escort_phone="13800138000"):
    """Give the match's worker a seat on a special train (no planner run: the rows only)."""
    campaign = Campaign.objects.create(
        code=f"c-{match.pk}",
        name_zh="测试行动",
        pairing=Pairing.objects.get(east_region_id="370200", west_region_id="621100"),
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    departure = timezone.now() + dt.timedelta(days=3)
    trip = Trip.objects.create(
        campaign=campaign,
        mode=TripMode.SPECIAL_TRAIN,
        service_number="G2096",
        origin=Station.objects.get(code="lanzhou"),
        destination=Station.objects.get(code="qingdao"),
        departure_at=departure,
        arrival_at=departure + dt.timedelta(hours=11),
        cars=8,
        seats_per_car=80,
        escort_name="李带队",
        escort_phone=escort_phone,
    )
    car = TripCar.objects.create(trip=trip, car_no=car_no, seats=80, occupied=1)
    plan = TransportPlan.objects.create(
        campaign=campaign, version=1, run_status=RunStatus.SUCCEEDED
    )
    return Seat.objects.create(
        plan=plan, trip=trip, car=car, row=row, letter=letter, match=match, worker=match.worker
    )


@pytest.fixture
def placed(employer_x):
    worker, match, employment = place(employer_x)
    return employment


@pytest.fixture
def placed_tongwei(employer_x):
    return place(employer_x, county=TONGWEI)[2]


@pytest.fixture
def coordinator_other(db):
    """A coordinator of another pairing (Qingdao–Longnan: same east, other west)."""
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("coordinator_other", Role.COORDINATOR, pairing=pairing)


@pytest.fixture
def link_and_token(placed, official_a):
    return services.link_issue(actor=official_a, worker=placed.worker)
