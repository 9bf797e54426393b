"""Trunk choice: exact rule, cheapest modes, minimum fill, and the reason for everyone left out."""

from __future__ import annotations

from datetime import timedelta

from tests.transport.planner.builders import DAY0, POINT, POINT_FAR, employer, people, trip
from transport.planner import (
    Employer,
    GroupKind,
    LegKind,
    Mode,
    Params,
    Reason,
    Traveller,
    plan,
    plan_violations,
)

PARAMS = Params(
    min_fill_special_train=0.0, min_fill_reserved_carriage=0.0, min_fill_charter_flight=0.0
)


def _reasons(result) -> dict[str, Reason]:  # type: ignore[no-untyped-def]
    return {u.traveller_id: u.reason for u in result.unplaced}


def test_single_offer_books_ceil_people_over_seats_by_the_exact_rule() -> None:
    travellers = people(181)
    carriages = trip(mode=Mode.RESERVED_CARRIAGE, cars=6, seats=90)

    result = plan(travellers, [carriages], pickup_points=[POINT], params=PARAMS)

    assert result.stats.trunk_solver == "exact×1"
    assert result.trunk[0].booked_car_nos == (1, 2, 3)
    row = next(r for r in result.leg_reports if r.kind is LegKind.TRUNK)
    assert (row.people, row.vehicles, row.lower_bound, row.fill_rate) == (
        181,
        3,
        3,
        round(181 / 270, 4),
    )


def test_cheapest_mix_of_offers_is_chosen() -> None:
    # 120 people: a 100-seat special train at 300/seat plus one 30-seat coach (cheap) beats
    # three coaches alone (not enough) or four carriages of 30 at 500/seat.
    travellers = people(120)
    train = trip("G", Mode.SPECIAL_TRAIN, cars=2, seats=50, fare_per_seat=300.0)
    coach = trip("BUS", Mode.CHARTERED_BUS, cars=3, seats=30, fare_per_vehicle=6000.0, hours=26)
    carriages = trip("K", Mode.RESERVED_CARRIAGE, cars=4, seats=30, fare_per_seat=500.0, hours=20)

    result = plan(travellers, [train, coach, carriages], pickup_points=[POINT], params=PARAMS)

    booked = {b.trip_id: b.booked_car_nos for b in result.trunk}
    assert booked == {"G": (1, 2), "BUS": (1,)}
    assert result.stats.trunk_solver == "cp-sat:optimal×1"
    assert result.stats.trunk_objective == result.stats.trunk_bound


def test_minimum_fill_keeps_a_nearly_empty_train_from_running() -> None:
    travellers = people(10)
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=4, seats=50)

    result = plan(
        travellers, [train], pickup_points=[POINT], params=Params(min_fill_special_train=0.5)
    )

    assert result.trunk == ()
    assert set(_reasons(result).values()) == {Reason.BELOW_MINIMUM_OCCUPANCY}


def test_reserved_carriages_need_the_minimum_fill_per_booked_carriage() -> None:
    # 130 people, carriages of 90 at a 75 % fill: two carriages (180 seats) would be 72 % full,
    # so one carriage is booked and 40 people are left with a reason.
    travellers = people(130)
    carriages = trip(mode=Mode.RESERVED_CARRIAGE, cars=3, seats=90)

    result = plan(
        travellers,
        [carriages],
        pickup_points=[POINT],
        params=Params(min_fill_reserved_carriage=0.75),
    )

    assert result.trunk[0].booked_car_nos == (1,)
    assert len(result.seats) == 90
    assert set(_reasons(result).values()) == {Reason.BELOW_MINIMUM_OCCUPANCY}


def test_capacity_exhausted_when_every_seat_is_taken() -> None:
    travellers = people(25)
    carriages = trip(mode=Mode.RESERVED_CARRIAGE, cars=2, seats=10)

    result = plan(travellers, [carriages], pickup_points=[POINT], params=PARAMS)

    assert len(result.seats) == 20
    assert list(_reasons(result).values()) == [Reason.CAPACITY_EXHAUSTED] * 5


def test_reasons_for_route_date_pickup_and_group_problems() -> None:
    near = employer()
    lhasa = Employer("E-far", "540102", 29.65, 91.13)
    carriages = trip(mode=Mode.RESERVED_CARRIAGE, day=1, cars=2, seats=10, car_seats=(3, 3))
    travellers = [
        Traveller("A-unknown", "nowhere", near, DAY0),
        Traveller("B-route", POINT.id, lhasa, DAY0),
        Traveller("C-late", POINT.id, near, DAY0 + timedelta(days=2)),
        Traveller("D-fam1", POINT.id, near, DAY0, "fam-date", GroupKind.FAMILY),
        Traveller("D-fam2", POINT.id, near, DAY0 + timedelta(days=2), "fam-date", GroupKind.FAMILY),
        *people(4, prefix="E-big", group="fam-big", kind=GroupKind.FAMILY),
        Traveller("F-ok", POINT_FAR.id, near, DAY0),
    ]

    result = plan(travellers, [carriages], pickup_points=[POINT, POINT_FAR], params=PARAMS)

    reasons = _reasons(result)
    assert reasons["A-unknown"] is Reason.UNKNOWN_PICKUP_POINT
    assert reasons["B-route"] is Reason.NO_TRIP_FOR_ROUTE
    assert reasons["C-late"] is Reason.NO_TRIP_ON_OR_AFTER_DATE
    assert reasons["D-fam2"] is Reason.NO_TRIP_ON_OR_AFTER_DATE
    assert reasons["D-fam1"] is Reason.GROUP_HAS_NO_COMMON_TRIP  # waits for the family
    assert {reasons[f"E-big{k:04d}"] for k in range(4)} == {Reason.GROUP_DOES_NOT_FIT}
    assert [s.traveller_id for s in result.seats] == ["F-ok"]
    assert plan_violations(result, travellers, [carriages], params=PARAMS) == []


def test_waiting_costs_push_travellers_onto_the_earliest_trip() -> None:
    travellers = people(40)
    today = trip("day0", Mode.CHARTERED_BUS, day=0, cars=2, seats=50, fare_per_vehicle=10000.0)
    later = trip("day3", Mode.CHARTERED_BUS, day=3, cars=2, seats=50, fare_per_vehicle=9000.0)

    result = plan(travellers, [today, later], pickup_points=[POINT], params=PARAMS)

    assert [b.trip_id for b in result.trunk] == ["day0"]
    assert result.stats.wait_person_days == 0


def test_a_village_group_larger_than_any_car_is_split_and_reported() -> None:
    village = people(12, group="vil", kind=GroupKind.VILLAGE)
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=3, seats=8)

    result = plan(village, [train], pickup_points=[POINT], params=PARAMS)

    assert result.unplaced == ()
    assert [g.reason.value for g in result.group_splits] == ["group_larger_than_car"]
    assert sorted(len(p) for p in result.group_splits[0].parts) == [6, 6]


def test_a_family_without_a_common_trip_stays_home_together() -> None:
    early = trip("day0", Mode.CHARTERED_BUS, day=0, cars=1, seats=50)
    late = trip("day3", Mode.CHARTERED_BUS, day=3, cars=1, seats=50)
    family = [
        Traveller("M1", POINT.id, employer(), DAY0, "fam", GroupKind.FAMILY),
        Traveller("M2", POINT.id, employer(), DAY0 + timedelta(days=2), "fam", GroupKind.FAMILY),
    ]

    result = plan(family, [early, late], pickup_points=[POINT], params=Params(max_wait_days=1))

    assert _reasons(result) == {
        "M1": Reason.GROUP_HAS_NO_COMMON_TRIP,
        "M2": Reason.GROUP_HAS_NO_COMMON_TRIP,
    }
