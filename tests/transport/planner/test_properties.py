"""Property tests: on random cramped inputs every plan keeps every invariant."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.transport.planner.strategies import Instance, instances
from transport.planner import GroupKind, LegKind, Plan, plan, plan_violations

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _plan(inst: Instance, locked=()) -> Plan:  # type: ignore[no-untyped-def]
    return plan(
        inst.travellers,
        inst.trips,
        pickup_points=inst.pickup_points,
        params=inst.params,
        locked=locked,
    )


@SETTINGS
@given(instances())
def test_every_invariant_holds(inst: Instance) -> None:
    result = _plan(inst)

    assert plan_violations(result, inst.travellers, inst.trips, params=inst.params) == []


@SETTINGS
@given(instances())
def test_capacity_is_never_exceeded(inst: Instance) -> None:
    result = _plan(inst)

    trips = {t.id: t for t in inst.trips}
    per_car: dict[tuple[str, int], int] = {}
    for s in result.seats:
        per_car[(s.trip_id, s.seat.car_no)] = per_car.get((s.trip_id, s.seat.car_no), 0) + 1
    for (trip_id, car_no), n in per_car.items():
        trip = trips[trip_id]
        assert n <= trip.seats_in_car(car_no - trip.first_car_no)
    assert len({(s.trip_id, s.seat) for s in result.seats}) == len(result.seats)
    assert all(len(leg.members) <= leg.capacity for leg in result.feeder_legs + result.arrival_legs)


@SETTINGS
@given(instances())
def test_families_never_split_and_everyone_is_accounted_for(inst: Instance) -> None:
    result = _plan(inst)

    car = {s.traveller_id: (s.trip_id, s.seat.car_no) for s in result.seats}
    families: dict[str, set[tuple[str, int]]] = {}
    for t in inst.travellers:
        if t.group_kind is GroupKind.FAMILY and t.id in car:
            families.setdefault(t.group_id or "", set()).add(car[t.id])
    assert all(len(cars) == 1 for cars in families.values())
    reasons = {u.traveller_id: u.reason for u in result.unplaced}
    assert set(car) | set(reasons) == {t.id for t in inst.travellers}
    assert not set(car) & set(reasons)


@SETTINGS
@given(instances())
def test_lower_bound_report_is_ceil_people_over_seats(inst: Instance) -> None:
    result = _plan(inst)

    for row in result.leg_reports:
        if row.kind is LegKind.TRUNK:
            continue
        capacity = (
            inst.params.feeder_bus_seats
            if row.kind is LegKind.FEEDER
            else inst.params.arrival_bus_seats
        )
        assert row.lower_bound == -(-row.people // capacity)
        assert row.lower_bound <= row.ride_bound <= row.vehicles
        assert row.fill_rate == round(row.people / (row.vehicles * capacity), 4)


@SETTINGS
@given(instances(), st.data())
def test_replanning_keeps_locked_seats(inst: Instance, data: st.DataObject) -> None:
    first = _plan(inst)
    locked = data.draw(
        st.lists(st.sampled_from(first.seats), unique=True, max_size=8)
        if first.seats
        else st.just([])
    )
    gone = {s.traveller_id for s in locked[: data.draw(st.integers(0, len(locked)))][:1]}
    travellers = [t for t in inst.travellers if t.id not in gone]

    second = plan(
        travellers, inst.trips, pickup_points=inst.pickup_points, params=inst.params, locked=locked
    )

    kept = {(s.traveller_id, s.trip_id, s.seat) for s in second.seats}
    for lock in locked:
        if lock.traveller_id in gone:
            assert lock in second.released_locks
        else:
            assert (lock.traveller_id, lock.trip_id, lock.seat) in kept
    assert plan_violations(second, travellers, inst.trips, params=inst.params, locked=locked) == []


@SETTINGS
@given(instances(max_travellers=25), st.randoms(use_true_random=False))
def test_same_seed_gives_the_same_plan_in_any_input_order(inst: Instance, rnd) -> None:  # type: ignore[no-untyped-def]
    travellers = list(inst.travellers)
    trips = list(inst.trips)
    rnd.shuffle(travellers)
    rnd.shuffle(trips)

    again = plan(travellers, trips, pickup_points=inst.pickup_points, params=inst.params)

    assert again == _plan(inst)
