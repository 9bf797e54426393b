"""Bus times after hand adjustments: a traveller moved to another trip joins a bus of that
trip at their own pickup point / district when one has room, else a new bus timed the way
the planner times them; changing a trip's departure or arrival moves its buses along."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent
from tests.factories import CHENGYANG, EmployerFactory
from tests.transport import scenario
from tests.transport.conftest import plan_now
from tests.transport.test_services import assert_counters_match_rows
from transport.models import Bus, BusKind, BusRider, Seat, Trip, TripMode
from transport.services.plans import plan_confirm
from transport.services.seats import seat_move
from transport.services.trips import trip_update

pytestmark = pytest.mark.django_db
OPEN_FILL = {"min_fill_special_train": 0}
BUFFER = dt.timedelta(minutes=90)  # the planner's default station buffer for trains and buses
DISEMBARK = dt.timedelta(minutes=30)


@pytest.fixture
def chengyang_world(employer_x, coordinator):
    """Two employers in one district (Chengyang), planned on G2096 and confirmed."""
    neighbour = EmployerFactory(name="城阳Z机械有限公司", district_id=CHENGYANG)
    world = scenario.build([employer_x, neighbour], per_employer=3)
    plan = plan_now(coordinator, world.campaign, params=OPEN_FILL)
    plan_confirm(actor=coordinator, plan=plan)
    return world


def _coach(world) -> Trip:
    return world.campaign.trips.get(mode=TripMode.CHARTERED_BUS, service_number="DXQD-0303")


def _seat(worker) -> Seat:
    return Seat.objects.select_related("car", "trip").get(worker=worker, released_at=None)


def _move(coordinator, worker, trip, row, letter="A", car_no=1) -> Seat:
    return seat_move(
        actor=coordinator, seat=_seat(worker), trip=trip, car_no=car_no, row=row, letter=letter
    )


def _ride(seat, kind) -> BusRider:
    return BusRider.objects.select_related("bus").get(seat=seat, kind=kind)


class TestMoveToAnotherTrip:
    def test_a_new_bus_gets_the_planners_times(self, coordinator, planned, world):
        coach = _coach(world)
        seat = _move(coordinator, world.workers[0], coach, row=1)
        feeder, arrival = _ride(seat, BusKind.FEEDER), _ride(seat, BusKind.ARRIVAL)
        bus = feeder.bus
        assert bus.trip_id == coach.pk and bus.adjusted and bus.occupied == 1
        assert bus.arrival_at == coach.departure_at - BUFFER
        assert feeder.stop_time == bus.departure_at < bus.arrival_at
        assert (
            bus.arrival_at - bus.departure_at
            == dt.timedelta(minutes=bus.ride_minutes)
            > (dt.timedelta(0))
        )
        assert [s["kind"] for s in bus.stops] == ["pickup_point", "station"]
        assert all(s["time"] for s in bus.stops) and bus.stops[0]["people"] == 1
        bus = arrival.bus
        assert bus.departure_at == coach.arrival_at + DISEMBARK
        assert arrival.stop_time == bus.arrival_at > bus.departure_at
        assert bus.key == world.matches[0].vacancy.employer.district_id
        assert [s["kind"] for s in bus.stops] == ["station", "employer"]
        assert_counters_match_rows()

    def test_a_fellow_from_the_same_point_joins_that_bus(self, coordinator, planned, world):
        coach = _coach(world)
        first = _move(coordinator, world.workers[0], coach, row=1)
        fellow = next(
            w
            for w in world.workers[1:]
            if w.home_county_id == world.workers[0].home_county_id
            and _seat(w).match.vacancy.employer_id == first.match.vacancy.employer_id
        )
        second = _move(coordinator, fellow, coach, row=1, letter="B")
        one, two = _ride(first, BusKind.FEEDER), _ride(second, BusKind.FEEDER)
        assert one.bus_id == two.bus_id and one.stop_time == two.stop_time
        assert _ride(first, BusKind.ARRIVAL).bus_id == _ride(second, BusKind.ARRIVAL).bus_id
        bus = Bus.objects.get(pk=one.bus_id)
        assert bus.occupied == 2 and bus.stops[0]["people"] == 2
        assert Bus.objects.filter(trip=coach).count() == 2
        assert_counters_match_rows()

    def test_a_full_bus_is_not_overfilled_a_new_one_is_timed(self, coordinator, planned, world):
        coach = _coach(world)
        first = _move(coordinator, world.workers[0], coach, row=1)
        full = _ride(first, BusKind.FEEDER).bus
        Bus.objects.filter(pk=full.pk).update(capacity=1)
        fellow = next(
            w for w in world.workers[1:] if w.home_county_id == world.workers[0].home_county_id
        )
        second = _move(coordinator, fellow, coach, row=2)
        ride = _ride(second, BusKind.FEEDER)
        assert ride.bus_id != full.pk and ride.bus.vehicle_index == 2
        assert ride.stop_time == full.departure_at  # same point, same drive, same clock
        assert ride.bus.arrival_at == coach.departure_at - BUFFER
        assert_counters_match_rows()

    def test_moving_back_rejoins_the_planned_bus_at_its_time(self, coordinator, planned, world):
        worker = world.workers[0]
        before = _ride(_seat(worker), BusKind.FEEDER)
        buses = set(Bus.objects.filter(trip=world.train).values_list("pk", flat=True))
        _move(coordinator, worker, _coach(world), row=1)
        seat = seat_move(
            actor=coordinator,
            seat=_seat(worker),
            trip=world.train,
            car_no=before.seat.car.car_no,
            row=before.seat.row,
            letter=before.seat.letter,
        )
        after = _ride(seat, BusKind.FEEDER)
        assert after.bus_id == before.bus_id and after.stop_time == before.stop_time
        assert set(Bus.objects.filter(trip=world.train).values_list("pk", flat=True)) == buses
        assert_counters_match_rows()

    def test_another_gate_of_the_district_is_added_to_a_bus_with_room(
        self, coordinator, chengyang_world
    ):
        world, coach = chengyang_world, _coach(chengyang_world)
        x_worker = next(
            m.worker for m in world.matches if m.vacancy.employer.name != "城阳Z机械有限公司"
        )
        z_worker = next(
            m.worker for m in world.matches if m.vacancy.employer.name == "城阳Z机械有限公司"
        )
        first = _move(coordinator, x_worker, coach, row=1)
        second = _move(coordinator, z_worker, coach, row=1, letter="B")
        one, two = _ride(first, BusKind.ARRIVAL), _ride(second, BusKind.ARRIVAL)
        assert one.bus_id == two.bus_id  # "城阳的跟我走": one bus for the district
        bus = Bus.objects.get(pk=one.bus_id)
        assert [s["kind"] for s in bus.stops] == ["station", "employer", "employer"]
        assert one.stop_time <= two.stop_time == bus.arrival_at
        assert bus.ride_minutes == (bus.arrival_at - bus.departure_at).total_seconds() // 60
        assert bus.adjusted and bus.occupied == 2
        assert_counters_match_rows()


class TestTripTimesMoveTheBuses:
    def test_new_departure_and_arrival_move_feeder_and_arrival_buses(
        self, coordinator, planned, world
    ):
        train = world.train
        feeders = {b.pk: (b.departure_at, b.arrival_at) for b in Bus.objects.filter(kind="feeder")}
        arrivals = {
            b.pk: (b.departure_at, b.arrival_at) for b in Bus.objects.filter(kind="arrival")
        }
        rides = dict(BusRider.objects.values_list("pk", "stop_time"))
        early, late = dt.timedelta(minutes=-40), dt.timedelta(hours=2)
        trip_update(
            actor=coordinator,
            trip=train,
            departure_at=train.departure_at + early,
            arrival_at=train.arrival_at + late,
        )
        train.refresh_from_db()
        for bus in Bus.objects.all():
            shift = early if bus.kind == "feeder" else late
            was = (feeders | arrivals)[bus.pk]
            assert (bus.departure_at, bus.arrival_at) == (was[0] + shift, was[1] + shift)
            times = [dt.datetime.fromisoformat(s["time"]) for s in bus.stops]
            assert times[0] == bus.departure_at and times[-1] == bus.arrival_at
        for bus in Bus.objects.filter(kind="feeder"):
            assert bus.arrival_at == train.departure_at - BUFFER
        for bus in Bus.objects.filter(kind="arrival"):
            assert bus.departure_at == train.arrival_at + DISEMBARK
        for ride in BusRider.objects.select_related("bus"):
            shift = early if ride.kind == "feeder" else late
            assert ride.stop_time == rides[ride.pk] + shift
        event = AuditEvent.objects.get(action="trip.buses_retime")
        assert event.changes["feeder_shift_minutes"] == -40
        assert event.changes["arrival_shift_minutes"] == 120
        assert set(event.changes["feeder_buses"]) == set(feeders)

    def test_other_edits_leave_the_buses_alone(self, coordinator, planned, world):
        before = list(Bus.objects.order_by("pk").values_list("departure_at", "arrival_at", "stops"))
        trip_update(actor=coordinator, trip=world.train, operator="兰州局")
        after = list(Bus.objects.order_by("pk").values_list("departure_at", "arrival_at", "stops"))
        assert after == before
        assert not AuditEvent.objects.filter(action="trip.buses_retime").exists()

    def test_bad_times_change_nothing(self, coordinator, planned, world):
        before = list(Bus.objects.order_by("pk").values_list("departure_at", "arrival_at"))
        with pytest.raises(ValidationError):
            trip_update(
                actor=coordinator,
                trip=world.train,
                departure_at=world.train.arrival_at + dt.timedelta(hours=1),
            )
        assert list(Bus.objects.order_by("pk").values_list("departure_at", "arrival_at")) == before

    def test_the_edit_page_and_the_api_do_it_too(self, client, coordinator, planned, world):
        from transport.forms import TripForm

        client.force_login(coordinator)
        data = {k: v for k, v in TripForm.initial_for(world.train).items() if v is not None}
        data["departure_at"] = "2026-02-25T09:12"  # an hour later, China time
        response = client.post(
            reverse("transport:trip_update", args=[world.train.pk]), data, follow=True
        )
        assert "已按新的出发、到达时间调整" in response.content.decode()
        feeder = Bus.objects.filter(kind="feeder").first()
        assert feeder.arrival_at == dt.datetime(2026, 2, 25, 1, 12, tzinfo=dt.UTC) - BUFFER
        api = APIClient()
        api.force_authenticate(coordinator)
        response = api.patch(
            f"/api/v1/transport/trips/{world.train.pk}/",
            {"arrival_at": "2026-02-25T21:48:00+08:00"},
            format="json",
        )
        assert response.status_code == 200
        arrival = Bus.objects.filter(kind="arrival").first()
        assert arrival.departure_at == dt.datetime(2026, 2, 25, 13, 48, tzinfo=dt.UTC) + DISEMBARK
