"""The checkers catch broken plans (otherwise the property tests would prove nothing)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.transport.planner.builders import (
    LAIXI,
    LAIXI_GATES,
    POINT,
    QINGDAO,
    employer,
    people,
    trip,
)
from transport.planner import (
    GroupKind,
    LegKind,
    Mode,
    Params,
    Plan,
    Reason,
    Seat,
    SeatAssignment,
    Unplaced,
    plan,
    plan_violations,
)

PARAMS = Params(min_fill_special_train=0.0)
TRAIN = trip(mode=Mode.SPECIAL_TRAIN, cars=3, seats=10)
TRAVELLERS = (
    people(3, prefix="F", group="fam", kind=GroupKind.FAMILY)
    + people(4, prefix="V", group="vil", kind=GroupKind.VILLAGE)
    + people(8, prefix="S")
)


@pytest.fixture(scope="module")
def good() -> Plan:
    return plan(TRAVELLERS, [TRAIN], pickup_points=[POINT], params=PARAMS)


def _codes(bad: Plan, locked: tuple[SeatAssignment, ...] = ()) -> set[str]:
    return {v.code for v in plan_violations(bad, TRAVELLERS, [TRAIN], params=PARAMS, locked=locked)}


def _move(good: Plan, traveller_id: str, seat: Seat) -> Plan:
    seats = tuple(
        replace(s, seat=seat) if s.traveller_id == traveller_id else s for s in good.seats
    )
    return replace(good, seats=seats)


def test_a_good_plan_has_no_violations(good: Plan) -> None:
    assert _codes(good) == set()


def test_double_booked_seat_is_caught(good: Plan) -> None:
    taken = good.seats[0].seat
    assert "seat_double_booked" in _codes(_move(good, good.seats[1].traveller_id, taken))


def test_seat_that_does_not_exist_is_caught(good: Plan) -> None:
    assert "seat_does_not_exist" in _codes(_move(good, "S0000", Seat(1, 99, "A")))


def test_seat_in_a_car_not_booked_is_caught(good: Plan) -> None:
    booked = replace(good.trunk[0], booked_car_nos=(1,))
    assert "seat_not_booked" in _codes(
        _move(replace(good, trunk=(booked,)), "S0000", Seat(2, 1, "A"))
    )


def test_family_split_is_caught(good: Plan) -> None:
    member = next(s for s in good.seats if s.traveller_id == "F0000")
    other_car = 3 if member.seat.car_no != 3 else 2
    assert "group_split_unreported" in _codes(_move(good, "F0000", Seat(other_car, 2, "F")))


def test_missing_and_doubly_accounted_travellers_are_caught(good: Plan) -> None:
    dropped = replace(good, seats=good.seats[1:])
    assert "traveller_missing" in _codes(dropped)
    both = replace(
        good, unplaced=(Unplaced(good.seats[0].traveller_id, Reason.CAPACITY_EXHAUSTED),)
    )
    assert "placed_and_unplaced" in _codes(both)


def test_overfull_bus_and_wrong_lower_bound_are_caught(good: Plan) -> None:
    leg = good.arrival_legs[0]
    small = replace(leg, capacity=len(leg.members) - 1)
    assert "bus_over_capacity" in _codes(
        replace(good, arrival_legs=(small, *good.arrival_legs[1:]))
    )
    row = good.leg_reports[0]
    wrong = replace(row, lower_bound=row.lower_bound + 1)
    assert "leg_report_wrong" in _codes(replace(good, leg_reports=(wrong, *good.leg_reports[1:])))
    unfilled = replace(row, fill_rate=0.01)
    assert "fill_rate_wrong" in _codes(replace(good, leg_reports=(unfilled, *good.leg_reports[1:])))


def test_traveller_missing_from_the_buses_is_caught(good: Plan) -> None:
    leg = good.feeder_legs[0]
    short = replace(leg, members=leg.members[1:])
    codes = _codes(replace(good, feeder_legs=(short, *good.feeder_legs[1:])))
    assert {"feeder_bus_count", "bus_stops_mismatch"} <= codes


def test_lock_not_kept_is_caught(good: Plan) -> None:
    lock = SeatAssignment("S0000", TRAIN.id, Seat(3, 2, "D"))
    assert "lock_not_kept" in _codes(good, locked=(lock,))


def test_ride_bound_is_reported_and_a_wrong_one_is_caught() -> None:
    # 39 workers at 13 Laixi gates off one train to Qingdao station: one busload of people,
    # but the ride cap alone needs three buses, and the report says so.
    workers = []
    for k, ((lat, lng), n) in enumerate(LAIXI_GATES):
        workers += people(n, prefix=f"L{k:02d}-", boss=employer(f"LX{k:02d}", LAIXI, lat, lng))
    train = replace(trip(cars=1, seats=60), destination=QINGDAO)
    result = plan(workers, [train], pickup_points=[POINT], params=PARAMS)

    def codes(bad: Plan) -> set[str]:
        return {v.code for v in plan_violations(bad, workers, [train], params=PARAMS)}

    assert codes(result) == set()
    rows = list(result.leg_reports)
    k, row = next((k, r) for k, r in enumerate(rows) if r.kind is LegKind.ARRIVAL)
    assert (row.people, row.vehicles, row.lower_bound, row.ride_bound) == (39, 3, 1, 3)
    assert row.excess == 2 and row.excess_over_ride_bound == 0
    for wrong, code in ((2, "ride_bound_wrong"), (4, "ride_bound_out_of_range")):
        rows[k] = replace(row, ride_bound=wrong)
        assert code in codes(replace(result, leg_reports=tuple(rows)))
    trunk = next(k for k, r in enumerate(rows) if r.kind is LegKind.TRUNK)
    rows = list(result.leg_reports)
    rows[trunk] = replace(rows[trunk], ride_bound=rows[trunk].lower_bound - 1)
    assert "ride_bound_out_of_range" in codes(replace(result, leg_reports=tuple(rows)))
