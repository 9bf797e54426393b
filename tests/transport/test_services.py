"""Transport services: trips, a planning run's writes, re-planning, adjustments, boarding,
gate check-in — each checked against the database's own counts and the audit log."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q

from laborbridge.models import AuditEvent, Station
from laborbridge.notifications.models import Message
from matching.models import Match, MatchStatus
from tests.transport import scenario
from tests.transport.conftest import empty_car, plan_now
from transport import runs
from transport.models import (
    BoardingStatus,
    Bus,
    BusKind,
    BusRider,
    PlanStatus,
    RunStatus,
    Seat,
    TransportPlan,
    TripCar,
    TripMode,
)
from transport.plan_params import BUS_FARE_DEFAULTS, planner_params
from transport.services.boarding import seat_check_in, seat_roll_call
from transport.services.errors import CarFull, SeatTaken
from transport.services.plans import plan_confirm, plan_create
from transport.services.seats import seat_move, seats_swap
from transport.services.trips import trip_create, trip_update
from workers.models import Worker, WorkerStatus

pytestmark = pytest.mark.django_db

OPEN_FILL = {"min_fill_special_train": 0}


def assert_counters_match_rows():
    """Every car's and bus's counter equals the rows it holds, and none is over capacity."""
    for car in TripCar.objects.annotate(
        held=Count("held_seats", filter=Q(held_seats__released_at=None))
    ):
        assert car.occupied == car.held <= car.seats, car
    for bus in Bus.objects.annotate(n=Count("riders")):
        assert bus.occupied == bus.n <= bus.capacity, bus


def _seat(worker) -> Seat:
    return Seat.objects.select_related("car", "trip").get(worker=worker, released_at=None)


class TestTrips:
    def test_create_makes_cars_and_audits(self, coordinator, world):
        trip = trip_create(
            actor=coordinator,
            campaign=world.campaign,
            mode=TripMode.RESERVED_CARRIAGE,
            service_number="k1060",
            origin=Station.objects.get(code="lanzhou"),
            destination=Station.objects.get(code="qingdao"),
            departure_at=dt.datetime(2026, 3, 1, 20, 40, tzinfo=dt.UTC),
            arrival_at=dt.datetime(2026, 3, 2, 17, 50, tzinfo=dt.UTC),
            cars=3,
            car_seats=[90, 90, 60],
            first_car_no=7,
            escort_phone="+86 139-1900-0000",
        )
        assert trip.service_number == "K1060" and trip.seats_per_car == 90
        assert list(trip.car_rows.values_list("car_no", "seats")) == [(7, 90), (8, 90), (9, 60)]
        assert trip.escort_phone == "13919000000"
        assert AuditEvent.objects.filter(action="trip.create", target_id=str(trip.pk)).exists()

    def test_bad_values_are_named_by_field(self, coordinator, world):
        station = Station.objects.get(code="qingdao")
        with pytest.raises(ValidationError) as error:
            trip_create(
                actor=coordinator,
                campaign=world.campaign,
                mode="rocket",
                service_number=" ",
                origin=station,
                destination=station,
                departure_at=world.train.arrival_at,
                arrival_at=world.train.departure_at,
                cars=2,
                car_seats=[50],
                seat_letters="AAB",
                escort_phone="12",
            )
        assert set(error.value.message_dict) >= {
            "mode",
            "service_number",
            "destination",
            "arrival_at",
            "car_seats",
            "seat_letters",
            "escort_phone",
        }

    def test_only_the_pairing_coordinator_creates_trips(self, official_a, world):
        with pytest.raises(PermissionDenied):
            trip_create(
                actor=official_a,
                campaign=world.campaign,
                mode=TripMode.CHARTERED_BUS,
                service_number="X1",
                origin=world.train.origin,
                destination=world.train.destination,
                departure_at=world.train.departure_at,
                arrival_at=world.train.arrival_at,
                cars=1,
                seats_per_car=50,
            )

    def test_layout_is_frozen_once_seats_exist(self, coordinator, planned, world):
        trip_update(actor=coordinator, trip=world.train, operator="兰州局", escort_name="李")
        world.train.refresh_from_db()
        assert world.train.operator == "兰州局"
        with pytest.raises(ValidationError):
            trip_update(actor=coordinator, trip=world.train, cars=2)


class TestPlanRun:
    def test_writes_seats_buses_and_counters(self, coordinator, world):
        plan = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        assert plan.run_status == RunStatus.SUCCEEDED and plan.status == PlanStatus.DRAFT
        assert plan.stats["placed"] == 6 and plan.unplaced == []
        seats = Seat.objects.filter(plan=plan, released_at=None)
        assert {s.worker_id for s in seats} == {w.pk for w in world.workers}
        assert all(s.trip_id == world.train.pk and not s.confirmed for s in seats)
        for seat in seats:
            kinds = sorted(seat.bus_rides.values_list("kind", flat=True))
            assert kinds == [BusKind.ARRIVAL, BusKind.FEEDER]
        arrival_keys = set(Bus.objects.filter(kind=BusKind.ARRIVAL).values_list("key", flat=True))
        assert arrival_keys == {"370214", "370281"}  # Chengyang and Jiaozhou: "胶州的跟我走"
        assert_counters_match_rows()
        assert plan.planner_version and plan.inputs["travellers"] == 6

    def test_family_sits_together(self, coordinator, world):
        plan_now(coordinator, world.campaign, params=OPEN_FILL)
        family = Worker.objects.exclude(travel_group=None)
        cars = {_seat(w).car_id for w in family}
        assert len(family) == 2 and len(cars) == 1

    def test_too_few_for_a_whole_train_are_listed_with_the_reason(self, coordinator, world):
        plan = plan_now(coordinator, world.campaign)  # default: 50 % of 576 seats
        assert plan.stats["placed"] == 0
        assert {u["reason"] for u in plan.unplaced} == {"below_minimum_occupancy"}
        assert {u["worker"] for u in plan.unplaced} == {w.pk for w in world.workers}

    def test_replanning_keeps_confirmed_seats(self, coordinator, world, employer_x):
        first = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        plan_confirm(actor=coordinator, plan=first)
        before = {
            s.worker_id: (s.car_id, s.row, s.letter) for s in Seat.objects.filter(released_at=None)
        }
        newcomer = scenario.confirmed_match(world.vacancies[0], scenario.WorkerFactory())
        second = plan_now(coordinator, world.campaign, params=OPEN_FILL, seed=7)
        first.refresh_from_db()
        assert first.status == PlanStatus.SUPERSEDED and second.status == PlanStatus.DRAFT
        after = {
            s.worker_id: (s.car_id, s.row, s.letter, s.confirmed)
            for s in Seat.objects.filter(released_at=None)
        }
        for worker, place in before.items():
            assert after[worker] == (*place, True)
        assert after[newcomer.worker_id][3] is False
        assert Seat.objects.filter(released_at=None, plan=second).count() == 7
        assert_counters_match_rows()

    def test_a_cancelled_match_releases_its_confirmed_seat(self, coordinator, world):
        first = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        plan_confirm(actor=coordinator, plan=first)
        gone = world.matches[1]
        Match.objects.filter(pk=gone.pk).update(status=MatchStatus.CANCELLED)
        second = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        seat = Seat.objects.get(worker=gone.worker)
        assert seat.released_at and seat.release_reason == "match_ended"
        assert second.released_locks[0]["worker"] == gone.worker_id
        assert_counters_match_rows()

    def test_one_run_at_a_time_and_needs_trips(self, coordinator, world):
        plan_create(actor=coordinator, campaign=world.campaign)
        with pytest.raises(ValidationError):
            plan_create(actor=coordinator, campaign=world.campaign)

    def test_refuses_unknown_parameters(self, coordinator, world):
        with pytest.raises(ValidationError):
            plan_create(actor=coordinator, campaign=world.campaign, params={"speed": 9})
        with pytest.raises(ValidationError):
            plan_create(actor=coordinator, campaign=world.campaign, params={"feeder_bus_seats": 0})

    def test_officials_cannot_plan(self, official_a, world):
        with pytest.raises(PermissionDenied):
            plan_create(actor=official_a, campaign=world.campaign)

    def test_a_finished_plan_is_not_run_again(self, coordinator, world):
        plan = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        assert runs.plan_execute(plan_id=plan.pk, task_id="again") is False
        assert Seat.objects.filter(released_at=None).count() == 6

    def test_a_stale_attempt_cannot_write(self, coordinator, world):
        plan = plan_create(actor=coordinator, campaign=world.campaign, params=OPEN_FILL)
        old = runs.plan_claim(plan_id=plan.pk, task_id="a")
        new = runs.plan_claim(plan_id=plan.pk, task_id="b")
        assert new.attempt == old.attempt + 1
        from transport import planner
        from transport.inputs import plan_inputs_load

        inputs = plan_inputs_load(campaign=world.campaign)
        result = planner.plan(
            inputs.travellers,
            inputs.trips,
            pickup_points=inputs.pickup_points,
            params=planner_params(plan),
        )
        assert runs.plan_write_results(claim=old, inputs=inputs, result=result) is False
        assert runs.plan_write_results(claim=new, inputs=inputs, result=result) is True

    def test_contradictory_input_fails_with_the_reason(self, coordinator, world, monkeypatch):
        plan = plan_create(actor=coordinator, campaign=world.campaign)

        def broken(*args, **kwargs):
            from transport import planner

            raise planner.PlanInputError("duplicate traveller id w1")

        monkeypatch.setattr("transport.planner.plan", broken)
        assert runs.plan_execute(plan_id=plan.pk, task_id="t") is False
        plan.refresh_from_db()
        assert plan.run_status == RunStatus.FAILED and "duplicate" in plan.failure_reason


class TestAdjust:
    def test_move_within_the_car_and_to_another_car(self, coordinator, planned, world):
        seat = _seat(world.workers[0])
        moved = seat_move(
            actor=coordinator,
            seat=seat,
            trip=world.train,
            car_no=seat.car.car_no,
            row=4,
            letter="d",
        )
        assert (moved.row, moved.letter) == (4, "D")
        car = empty_car(world.train)
        moved = seat_move(
            actor=coordinator, seat=seat, trip=world.train, car_no=car, row=3, letter="A"
        )
        assert moved.car.car_no == car
        assert_counters_match_rows()
        assert AuditEvent.objects.filter(action="seat.move").count() == 2

    def test_move_into_a_held_or_missing_seat_is_refused(self, coordinator, planned, world):
        a, b = _seat(world.workers[0]), _seat(world.workers[1])
        with pytest.raises(SeatTaken):
            seat_move(
                actor=coordinator,
                seat=a,
                trip=world.train,
                car_no=b.car.car_no,
                row=b.row,
                letter=b.letter,
            )
        with pytest.raises(ValidationError):
            seat_move(actor=coordinator, seat=a, trip=world.train, car_no=1, row=99, letter="A")
        with pytest.raises(ValidationError):
            seat_move(actor=coordinator, seat=a, trip=world.train, car_no=1, row=1, letter="E")
        with pytest.raises(ValidationError):
            seat_move(actor=coordinator, seat=a, trip=world.train, car_no=12, row=1, letter="A")

    def test_move_into_a_full_car_is_refused(self, coordinator, planned, world):
        car = empty_car(world.train)
        TripCar.objects.filter(trip=world.train, car_no=car).update(seats=1, occupied=1)
        with pytest.raises(CarFull):
            seat_move(
                actor=coordinator,
                seat=_seat(world.workers[0]),
                trip=world.train,
                car_no=car,
                row=5,
                letter="A",
            )

    def test_move_to_another_trip_puts_them_on_its_buses(self, coordinator, planned, world):
        bus_trip = world.campaign.trips.get(mode=TripMode.CHARTERED_BUS, service_number="DXQD-0303")
        seat = seat_move(
            actor=coordinator,
            seat=_seat(world.workers[0]),
            trip=bus_trip,
            car_no=2,
            row=1,
            letter="A",
        )
        assert seat.trip_id == bus_trip.pk
        rides = list(BusRider.objects.filter(seat=seat).select_related("bus"))
        assert sorted(r.kind for r in rides) == [BusKind.ARRIVAL, BusKind.FEEDER]
        assert all(r.bus.trip_id == bus_trip.pk and r.bus.adjusted for r in rides)
        assert_counters_match_rows()

    def test_swap_exchanges_places(self, coordinator, planned, world):
        a, b = _seat(world.workers[0]), _seat(world.workers[3])
        places = (a.car_id, a.row, a.letter), (b.car_id, b.row, b.letter)
        a, b = seats_swap(actor=coordinator, seat_a=a, seat_b=b)
        assert (a.car_id, a.row, a.letter) == places[1] and (b.car_id, b.row, b.letter) == places[0]
        assert a.released_at is None and b.released_at is None
        assert_counters_match_rows()

    def test_officials_and_hr_cannot_adjust(self, official_a, hr_x, planned, world):
        seat = _seat(world.workers[0])
        for user in (official_a, hr_x):
            with pytest.raises(PermissionDenied):
                seat_move(actor=user, seat=seat, trip=world.train, car_no=2, row=1, letter="A")

    def test_confirm_twice_is_harmless_and_superseded_plans_cannot_be_confirmed(
        self, coordinator, world
    ):
        plan = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        plan_confirm(actor=coordinator, plan=plan)
        plan_confirm(actor=coordinator, plan=plan)
        assert Seat.objects.filter(confirmed=False).count() == 0
        second = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        assert second.pk != plan.pk
        plan.refresh_from_db()
        assert plan.status == PlanStatus.SUPERSEDED
        assert TransportPlan.objects.filter(status=PlanStatus.CONFIRMED).count() == 0


class TestBoarding:
    def test_present_is_recorded(self, coordinator, planned, world):
        seat = seat_roll_call(actor=coordinator, seat=_seat(world.workers[0]), present=True)
        assert seat.boarding == BoardingStatus.PRESENT and seat.boarding_marked_by == coordinator

    def test_no_show_releases_the_seat_and_tells_both_sides(self, coordinator, planned, world):
        worker, match = world.workers[1], world.matches[1]
        seat = _seat(worker)
        car, rides = seat.car, list(seat.bus_rides.values_list("bus_id", flat=True))
        before = TripCar.objects.get(pk=car.pk).occupied
        seat_roll_call(actor=coordinator, seat=seat, present=False)
        seat.refresh_from_db()
        assert seat.released_at and seat.boarding == BoardingStatus.NO_SHOW
        assert TripCar.objects.get(pk=car.pk).occupied == before - 1
        assert not BusRider.objects.filter(seat=seat).exists() and rides
        notice = Message.objects.get(key="transport.no_show")
        assert set(notice.audiences.values_list("kind", "target")) == {
            ("county", worker.home_county_id),
            ("employer", str(match.vacancy.employer_id)),
            ("pairing", str(world.campaign.pairing_id)),
        }
        assert worker.name in notice.title and seat.label in notice.body
        assert_counters_match_rows()
        # The freed seat can be taken by someone else.
        other = _seat(world.workers[0])
        seat_move(
            actor=coordinator,
            seat=other,
            trip=world.train,
            car_no=car.car_no,
            row=seat.row,
            letter=seat.letter,
        )

    def test_roll_call_needs_a_confirmed_plan(self, coordinator, world):
        plan_now(coordinator, world.campaign, params=OPEN_FILL)
        with pytest.raises(ValidationError):
            seat_roll_call(actor=coordinator, seat=_seat(world.workers[0]), present=True)

    def test_boarding_freezes_the_trip_for_replanning(self, coordinator, planned, world):
        seat_roll_call(actor=coordinator, seat=_seat(world.workers[0]), present=True)
        seat_roll_call(actor=coordinator, seat=_seat(world.workers[1]), present=False)
        before = set(
            Seat.objects.filter(trip=world.train).values_list("pk", "car_id", "row", "letter")
        )
        plan = plan_now(coordinator, world.campaign, params=OPEN_FILL)
        assert plan.inputs["frozen_trips"] == [world.train.pk]
        assert (
            set(Seat.objects.filter(trip=world.train).values_list("pk", "car_id", "row", "letter"))
            == before
        )
        assert set(
            Seat.objects.filter(trip=world.train, released_at=None).values_list("plan", flat=True)
        ) == {plan.pk}
        # The no-show is planned again (on a later trip, or listed with the reason).
        no_show = world.workers[1].pk
        assert (
            no_show in {u["worker"] for u in plan.unplaced}
            or Seat.objects.filter(worker_id=no_show, released_at=None)
            .exclude(trip=world.train)
            .exists()
        )


class TestCheckIn:
    def test_check_in_hires_and_employs(self, hr_x, planned, world):
        match = next(m for m in world.matches if m.vacancy.employer_id == hr_x.employer_id)
        seat = seat_check_in(actor=hr_x, seat=_seat(match.worker), confirm_not_roll_called=True)
        assert seat.checked_in_at and seat.checked_in_by == hr_x
        assert Match.objects.get(pk=match.pk).status == MatchStatus.HIRED
        assert Worker.objects.get(pk=match.worker_id).status == WorkerStatus.EMPLOYED
        assert AuditEvent.objects.filter(action="seat.check_in").exists()
        assert AuditEvent.objects.filter(action="match.hire", target_id=str(match.pk)).exists()
        # Twice is harmless.
        seat_check_in(actor=hr_x, seat=seat)

    def test_hr_of_another_employer_is_refused(self, hr_y, planned, world, employer_x):
        match = next(m for m in world.matches if m.vacancy.employer_id == employer_x.pk)
        with pytest.raises(PermissionDenied):
            seat_check_in(actor=hr_y, seat=_seat(match.worker))

    def test_a_no_show_cannot_be_checked_in(self, coordinator, hr_x, planned, world):
        match = next(m for m in world.matches if m.vacancy.employer_id == hr_x.employer_id)
        seat = _seat(match.worker)
        seat_roll_call(actor=coordinator, seat=seat, present=False)
        with pytest.raises(ValidationError):
            seat_check_in(actor=hr_x, seat=seat)
        assert Match.objects.get(pk=match.pk).status == MatchStatus.CONFIRMED


class TestRunSafety:
    def test_seats_confirmed_or_moved_while_planning_make_the_run_fail(
        self, coordinator, planned, world
    ):
        from transport import planner
        from transport.inputs import plan_inputs_load

        plan = plan_create(actor=coordinator, campaign=world.campaign, params=OPEN_FILL)
        claim = runs.plan_claim(plan_id=plan.pk, task_id="t")
        inputs = plan_inputs_load(campaign=world.campaign)
        result = planner.plan(
            inputs.travellers,
            inputs.trips,
            pickup_points=inputs.pickup_points,
            params=planner_params(plan),
            locked=inputs.locked,
        )
        seat = _seat(world.workers[0])
        seat_move(
            actor=coordinator,
            seat=seat,
            trip=world.train,
            car_no=empty_car(world.train),
            row=1,
            letter="A",
        )
        with pytest.raises(runs.StaleInputs):
            runs.plan_write_results(claim=claim, inputs=inputs, result=result)
        assert Seat.objects.filter(plan=planned, released_at=None).count() == 6

    def test_the_task_marks_an_unexpected_failure(self, coordinator, world, monkeypatch):
        from transport.tasks import transport_plan_run

        plan = plan_create(actor=coordinator, campaign=world.campaign)

        def boom(**kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(runs, "plan_inputs_load", boom)
        with pytest.raises(RuntimeError):  # eager tasks propagate (CELERY_TASK_EAGER_PROPAGATES)
            transport_plan_run.apply(args=[plan.pk])
        plan.refresh_from_db()
        assert plan.run_status == RunStatus.FAILED and "disk full" in plan.failure_reason


def test_leg_reports_carry_the_ride_cap_bound(planned):
    from transport.selectors import leg_rows

    assert planned.leg_reports
    for entry in planned.leg_reports:
        assert entry["lower_bound"] <= entry["ride_bound"] <= entry["vehicles"]
    # a plan stored before the ride-cap bound existed shows its seat bound
    old = [{k: v for k, v in planned.leg_reports[0].items() if k != "ride_bound"}]
    assert leg_rows(old, {}, {})[0]["ride_bound"] == old[0]["lower_bound"]


def test_the_plans_bus_fares_are_what_the_planner_weighs_buses_with(world, coordinator):
    plan = plan_create(
        actor=coordinator,
        campaign=world.campaign,
        params={"feeder_bus_fare": 1200, "arrival_bus_fare": 650},
    )
    params = planner_params(plan)
    assert (params.feeder_bus_cost, params.arrival_bus_cost) == (1200.0, 650.0)
    runs.plan_fail(plan_id=plan.pk, reason="test: let another plan be created")
    default = planner_params(plan_create(actor=coordinator, campaign=world.campaign))
    assert default.arrival_bus_cost == BUS_FARE_DEFAULTS["arrival_bus_fare"]
