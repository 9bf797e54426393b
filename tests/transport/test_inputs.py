"""The adapter from the database to the planner: who travels, from where, to where, when."""

import datetime as dt

import pytest

from laborbridge.models import Region
from matching.models import Match, MatchStatus
from tests.factories import ANDING, LONGXI, TONGWEI, VacancyFactory, WorkerFactory
from tests.transport import scenario
from tests.transport.conftest import plan_now
from transport import planner
from transport.inputs import (
    employer_key,
    pickup_key,
    plan_inputs_load,
    trip_key,
    worker_key,
)
from transport.models import PickupPoint, Seat
from transport.services.boarding import seat_roll_call
from transport.services.pickup_points import pickup_point_create
from workers.models import TravelGroup, Worker

pytestmark = pytest.mark.django_db


def _traveller(inputs, worker) -> planner.Traveller:
    return next(t for t in inputs.travellers if t.id == worker_key(worker.pk))


def test_confirmed_matches_become_travellers(world):
    inputs = plan_inputs_load(campaign=world.campaign)
    assert sorted(t.id for t in inputs.travellers) == sorted(
        worker_key(w.pk) for w in world.workers
    )
    match = world.matches[0]
    traveller = _traveller(inputs, match.worker)
    employer = match.vacancy.employer
    district = Region.objects.get(pk=employer.district_id)
    assert traveller.employer == planner.Employer(
        employer_key(employer.pk),
        district.code,
        district.latitude,
        district.longitude,
        employer.name,
    )
    # Earliest departure: the vacancy starts 02-26, G2096 takes under a day → 02-25.
    assert traveller.earliest_departure == dt.date(2026, 2, 25)
    assert inputs.travel_days == 1
    assert {t.id for t in inputs.trips} == {trip_key(t.pk) for t in world.campaign.trips.all()}


def test_only_confirmed_matches_of_this_campaign_travel(world, employer_x):
    pending = Match.objects.create(
        worker=WorkerFactory(), vacancy=world.vacancies[0], status=MatchStatus.ACCEPTED
    )
    elsewhere = scenario.confirmed_match(VacancyFactory(employer=employer_x), WorkerFactory())
    ids = {t.id for t in plan_inputs_load(campaign=world.campaign).travellers}
    assert worker_key(pending.worker_id) not in ids
    assert worker_key(elsewhere.worker_id) not in ids


def test_pickup_point_township_first_then_county_default(world):
    township = Region.objects.filter(parent_id=ANDING, level="township").first()
    local = pickup_point_create(
        actor=None,
        county=Region.objects.get(pk=ANDING),
        township=township,
        name="乡镇集合点",
        latitude=35.5,
        longitude=104.6,
    )
    worker = world.matches[0].worker
    Worker.objects.filter(pk=worker.pk).update(home_township=township)
    other = world.matches[2].worker  # Anding too, another township
    inputs = plan_inputs_load(campaign=world.campaign)
    assert _traveller(inputs, worker).pickup_point_id == pickup_key(local.pk)
    default = PickupPoint.objects.get(county_id=ANDING, is_default=True)
    assert _traveller(inputs, other).pickup_point_id == pickup_key(default.pk)


def test_a_county_without_pickup_point_is_reported(world, coordinator):
    worker = WorkerFactory(home_county_id=LONGXI)
    PickupPoint.objects.filter(county_id=LONGXI).delete()
    scenario.confirmed_match(world.vacancies[0], worker)
    plan = plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})
    assert {"worker": worker.pk, "reason": "unknown_pickup_point"}.items() <= next(
        u for u in plan.unplaced if u["worker"] == worker.pk
    ).items()


def test_groups_and_own_departure_dates(world):
    family = TravelGroup.objects.get(kind=TravelGroup.Kind.FAMILY)
    village = TravelGroup.objects.create(
        home_county_id=TONGWEI, name="李家村", kind=TravelGroup.Kind.FELLOW_VILLAGERS
    )
    tongwei = [w for w in world.workers if w.home_county_id == TONGWEI]
    Worker.objects.filter(pk__in=[w.pk for w in tongwei]).update(
        travel_group=village, earliest_departure=dt.date(2026, 2, 20)
    )
    inputs = plan_inputs_load(campaign=world.campaign)
    kinds = {t.id: (t.group_id, t.group_kind) for t in inputs.travellers}
    for worker in family.members.all():
        assert kinds[worker_key(worker.pk)] == (f"g{family.pk}", planner.GroupKind.FAMILY)
    for worker in tongwei:
        assert kinds[worker_key(worker.pk)] == (f"g{village.pk}", planner.GroupKind.VILLAGE)
        assert _traveller(inputs, worker).earliest_departure == dt.date(2026, 2, 20)


def test_confirmed_seats_are_locked_and_frozen_trips_left_out(planned, world, coordinator):
    inputs = plan_inputs_load(campaign=world.campaign)
    held = Seat.objects.filter(released_at=None).select_related("car")
    assert {(lock.traveller_id, lock.seat) for lock in inputs.locked} == {
        (worker_key(s.worker_id), planner.Seat(s.car.car_no, s.row, s.letter)) for s in held
    }
    seat_roll_call(actor=coordinator, seat=held[0], present=True)
    inputs = plan_inputs_load(campaign=world.campaign)
    assert inputs.frozen_trip_ids == [world.train.pk]
    assert trip_key(world.train.pk) not in {t.id for t in inputs.trips}
    assert inputs.travellers == [] and inputs.locked == []


def test_trip_times_are_local(world):
    inputs = plan_inputs_load(campaign=world.campaign)
    bus = next(t for t in inputs.trips if t.mode is planner.Mode.CHARTERED_BUS)
    # The coach leaves at 06:00 China time: still "03-03" although it is 22:00 UTC the day before.
    assert bus.date == dt.date(2026, 3, 3)
