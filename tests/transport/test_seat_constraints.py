"""The seat invariants: a traveller holds at most one seat per trip, a seat is held once, a
vehicle never carries more people than its seats — by the database itself, and under
concurrent edits (PostgreSQL: real row locks, threads with their own connections)."""

import threading

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Count, Q

from tests.factories import EmployerFactory
from tests.transport import scenario
from tests.transport.conftest import empty_car, plan_now
from transport.models import Bus, Seat, TripCar
from transport.services.boarding import seat_no_show_undo, seat_roll_call
from transport.services.errors import CarFull, SeatTaken
from transport.services.plans import plan_confirm
from transport.services.seats import seat_move, seats_swap


def _held(car) -> int:
    return Seat.objects.filter(car=car, released_at=None).count()


@pytest.mark.django_db
class TestDatabaseConstraints:
    def test_a_seat_is_held_once(self, planned, world):
        seat = Seat.objects.filter(released_at=None).first()
        with pytest.raises(IntegrityError), transaction.atomic():
            Seat.objects.create(
                plan=seat.plan,
                trip=seat.trip,
                car=seat.car,
                row=seat.row,
                letter=seat.letter,
                match=world.matches[5],
                worker=world.workers[5],
            )

    def test_a_traveller_holds_one_seat_per_trip(self, planned, world):
        seat = Seat.objects.get(worker=world.workers[0])
        with pytest.raises(IntegrityError), transaction.atomic():
            Seat.objects.create(
                plan=seat.plan,
                trip=seat.trip,
                car=seat.car,
                row=20,
                letter="A",
                match=seat.match,
                worker=seat.worker,
            )

    def test_a_released_seat_no_longer_counts(self, coordinator, planned, world):
        seat = Seat.objects.get(worker=world.workers[0])
        held_before = _held(seat.car)
        occupied_before = seat.car.occupied
        seat_roll_call(actor=coordinator, seat=seat, present=False)

        seat.refresh_from_db()
        seat.car.refresh_from_db()
        assert seat.released_at is not None
        # Neither the car's counter nor the one-seat-per-place and one-seat-per-trip
        # constraints count it any more: the same place and traveller may be seated again.
        assert _held(seat.car) == held_before - 1
        assert seat.car.occupied == occupied_before - 1
        again = Seat.objects.create(
            plan=seat.plan,
            trip=seat.trip,
            car=seat.car,
            row=seat.row,
            letter=seat.letter,
            match=world.matches[0],
            worker=world.workers[0],
        )
        assert _held(seat.car) == held_before
        assert Seat.objects.filter(worker=world.workers[0], trip=seat.trip).count() == 2
        assert again.pk != seat.pk

    def test_counters_never_exceed_seats(self, planned, world):
        car = TripCar.objects.filter(occupied__gt=0).first()
        with pytest.raises(IntegrityError), transaction.atomic():
            TripCar.objects.filter(pk=car.pk).update(occupied=car.seats + 1)
        bus = Bus.objects.first()
        with pytest.raises(IntegrityError), transaction.atomic():
            Bus.objects.filter(pk=bus.pk).update(occupied=bus.capacity + 1)

    def test_a_no_show_must_be_released(self, planned):
        with pytest.raises(IntegrityError), transaction.atomic():
            Seat.objects.filter(pk=Seat.objects.first().pk).update(boarding="no_show")


def _race(calls) -> list[str]:
    """Run the calls at the same instant, each in its own thread and connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []

    def run(call):
        close_old_connections()
        barrier.wait()
        try:
            call()
            outcomes.append("ok")
        except (CarFull, SeatTaken):
            outcomes.append("refused")
        except Exception as error:  # a deadlock or integrity error would be a failure here
            outcomes.append(f"{type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def crowd(reference_data, coordinator):
    """Twelve travellers planned and confirmed on G2096 (cars fill from car 1)."""
    world = scenario.build([EmployerFactory(district_id="370214")], per_employer=12)
    plan = plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})
    plan_confirm(actor=coordinator, plan=plan)
    return world


def _assert_invariants():
    for car in TripCar.objects.annotate(
        n=Count("held_seats", filter=Q(held_seats__released_at=None))
    ):
        assert car.occupied == car.n <= car.seats, (car.car_no, car.occupied, car.n, car.seats)
    assert not (
        Seat.objects.filter(released_at=None)
        .values("car", "row", "letter")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    assert not (
        Seat.objects.filter(released_at=None)
        .values("trip", "worker")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .exists()
    )
    for bus in Bus.objects.annotate(n=Count("riders")):
        assert bus.occupied == bus.n <= bus.capacity


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_never_overfill_a_car(crowd, coordinator):
    """Twelve coordinators move twelve travellers into a car with two free seats at once."""
    train = crowd.train
    car_no = empty_car(train)
    TripCar.objects.filter(trip=train, car_no=car_no).update(seats=2)
    seats = list(Seat.objects.filter(trip=train, released_at=None).order_by("pk"))
    calls = [
        (
            lambda s=s, i=i: seat_move(
                actor=coordinator,
                seat=s,
                trip=train,
                car_no=car_no,
                row=1 + i // 5,
                letter="ABCDF"[i % 5],
            )
        )
        for i, s in enumerate(seats)
    ]
    outcomes = _race(calls)
    assert outcomes.count("ok") == 2 and outcomes.count("refused") == 10, outcomes
    car = TripCar.objects.get(trip=train, car_no=car_no)
    assert car.occupied == _held(car) == 2
    _assert_invariants()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_into_one_seat_seat_one_person(crowd, coordinator):
    """Everyone tries for the first seat of an empty car at the same instant; one gets it."""
    train = crowd.train
    car_no = empty_car(train)
    seats = list(Seat.objects.filter(trip=train, released_at=None).order_by("pk"))
    calls = [
        (
            lambda s=s: seat_move(
                actor=coordinator, seat=s, trip=train, car_no=car_no, row=1, letter="A"
            )
        )
        for s in seats
    ]
    outcomes = _race(calls)
    assert outcomes.count("ok") == 1 and outcomes.count("refused") == len(seats) - 1, outcomes
    assert (
        Seat.objects.filter(
            car__trip=train, car__car_no=car_no, row=1, letter="A", released_at=None
        ).count()
        == 1
    )
    _assert_invariants()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_swaps_moves_and_no_shows_keep_every_invariant(crowd, coordinator):
    """Swaps, cross-car moves and no-shows over the same seats, all at once: no deadlock,
    no double seat, every counter equals its rows."""
    train = crowd.train
    car_no = empty_car(train)
    seats = list(Seat.objects.filter(trip=train, released_at=None).order_by("pk"))
    calls = []
    for i in range(0, 8, 2):
        calls.append(
            lambda a=seats[i], b=seats[i + 1]: seats_swap(actor=coordinator, seat_a=a, seat_b=b)
        )
        calls.append(
            lambda a=seats[i + 1], b=seats[i]: seats_swap(actor=coordinator, seat_a=a, seat_b=b)
        )
    for n, seat in enumerate(seats[8:10]):
        calls.append(
            lambda s=seat, n=n: seat_move(
                actor=coordinator, seat=s, trip=train, car_no=car_no, row=1, letter="AB"[n]
            )
        )
    for seat in seats[10:]:
        calls.append(lambda s=seat: seat_roll_call(actor=coordinator, seat=s, present=False))
    outcomes = _race(calls)
    assert all(o in ("ok", "refused") or "刚被他人调整" in o for o in outcomes), outcomes
    _assert_invariants()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_undoing_no_shows_while_others_take_their_seats_seats_one_person(crowd, coordinator):
    """Four no-shows are undone at the very moment four other travellers are moved into
    exactly those seats: each seat ends up held once, by one of the two, and every counter
    (cars and buses) equals its rows."""
    train = crowd.train
    seats = list(Seat.objects.filter(trip=train, released_at=None).order_by("pk"))
    absent, movers = seats[:4], seats[4:8]
    for seat in absent:
        seat_roll_call(actor=coordinator, seat=seat, present=False)
    calls = []
    for gone, mover in zip(absent, movers, strict=True):
        calls.append(lambda s=gone: seat_no_show_undo(actor=coordinator, seat=s))
        calls.append(
            lambda s=mover, g=gone: seat_move(
                actor=coordinator,
                seat=s,
                trip=train,
                car_no=g.car.car_no,
                row=g.row,
                letter=g.letter,
            )
        )
    outcomes = _race(calls)
    assert all(o in ("ok", "refused") for o in outcomes), outcomes
    assert outcomes.count("ok") == 4, outcomes  # one winner per seat
    for gone in absent:
        held = Seat.objects.filter(car=gone.car, row=gone.row, letter=gone.letter, released_at=None)
        assert held.count() == 1
    _assert_invariants()
