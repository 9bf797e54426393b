"""Seats: groups in one car on adjacent seats, cars by district, repairs when cars fragment."""

from __future__ import annotations

from tests.transport.planner.builders import CHENGYANG, HUANGDAO, POINT, employer, people, trip
from transport.planner import (
    GroupKind,
    LegKind,
    Mode,
    Params,
    Reason,
    Seat,
    SeatAssignment,
    SplitReason,
    plan,
    plan_violations,
)
from transport.planner.domain import seat_position

PARAMS = Params(min_fill_special_train=0.0, min_fill_reserved_carriage=0.0)


def _seat_map(result):  # type: ignore[no-untyped-def]
    return {s.traveller_id: s.seat for s in result.seats}


def test_groups_sit_together_on_adjacent_seats_within_a_row() -> None:
    family = people(3, prefix="F", group="fam", kind=GroupKind.FAMILY)
    village = people(4, prefix="V", group="vil", kind=GroupKind.VILLAGE)
    singles = people(6, prefix="S")
    travellers = singles[:2] + family + singles[2:] + village
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=2, seats=20, letters="ABCDF")

    result = plan(travellers, [train], pickup_points=[POINT], params=PARAMS)

    seats = _seat_map(result)
    for group in (family, village):
        mine = [seats[t.id] for t in group]
        assert len({s.car_no for s in mine}) == 1
        positions = sorted(seat_position(train, s) or 0 for s in mine)
        assert positions == list(range(positions[0], positions[0] + len(group)))
    assert len({seats[t.id].row for t in family}) == 1  # three fit in a row of five
    assert result.stats.families_adjacent == 1 and result.stats.village_groups_adjacent == 1


def test_cars_are_ordered_by_destination_district() -> None:
    east = people(10, prefix="C", boss=employer("E1", CHENGYANG))
    west = people(10, prefix="H", boss=employer("E2", HUANGDAO, 35.96, 120.20))
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=2, seats=10)

    result = plan(east + west, [train], pickup_points=[POINT], params=PARAMS)

    seats = _seat_map(result)
    assert {seats[t.id].car_no for t in west} == {1}  # 370211 sorts before 370214
    assert {seats[t.id].car_no for t in east} == {2}
    assert sorted(r.key for r in result.leg_reports if r.kind is LegKind.ARRIVAL) == [
        HUANGDAO,
        CHENGYANG,
    ]


def _districts(n: int) -> list[str]:
    return [f"3702{k:02d}" for k in range(10, 10 + n)]


def test_single_travellers_make_room_for_a_family() -> None:
    # Next fit leaves car 1 with two singles and one free seat, car 2 with two free seats,
    # and a family of three over: moving both singles to car 2 seats the family together.
    d = _districts(5)
    travellers = (
        people(1, prefix="A", boss=employer("E1", d[0]))
        + people(2, prefix="B", group="f2", kind=GroupKind.FAMILY, boss=employer("E1", d[0]))
        + people(3, prefix="C", group="f3", kind=GroupKind.FAMILY, boss=employer("E3", d[2]))
        + people(3, prefix="D", group="f3b", kind=GroupKind.FAMILY, boss=employer("E4", d[3]))
        + people(1, prefix="E", boss=employer("E5", d[4]))
    )
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=2, seats=5, car_seats=(5, 5))

    result = plan(travellers, [train], pickup_points=[POINT], params=PARAMS)

    assert result.unplaced == ()
    assert result.stats.families_together == result.stats.families == 3
    assert plan_violations(result, travellers, [train], params=PARAMS) == []


def test_a_village_group_is_spread_and_reported_when_no_car_has_room() -> None:
    d = _districts(3)
    travellers = (
        people(3, prefix="A", group="fa", kind=GroupKind.FAMILY, boss=employer("E1", d[0]))
        + people(3, prefix="B", group="fb", kind=GroupKind.FAMILY, boss=employer("E2", d[1]))
        + people(4, prefix="V", group="vil", kind=GroupKind.VILLAGE, boss=employer("E3", d[2]))
    )
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=2, seats=5)

    result = plan(travellers, [train], pickup_points=[POINT], params=PARAMS)

    assert result.unplaced == ()
    assert [(g.group_id, g.reason) for g in result.group_splits] == [
        ("vil", SplitReason.NO_CAR_WITH_ROOM)
    ]
    assert plan_violations(result, travellers, [train], params=PARAMS) == []


def test_a_family_that_fits_no_car_books_one_more_carriage() -> None:
    travellers = (
        people(3, prefix="A", group="fa", kind=GroupKind.FAMILY)
        + people(1, prefix="S")
        + people(3, prefix="B", group="fb", kind=GroupKind.FAMILY)
        + people(3, prefix="C", group="fc", kind=GroupKind.FAMILY)
    )
    carriages = trip(mode=Mode.RESERVED_CARRIAGE, cars=3, seats=5)

    result = plan(travellers, [carriages], pickup_points=[POINT], params=PARAMS)

    assert result.unplaced == ()
    assert result.trunk[0].booked_car_nos == (1, 2, 3)
    row = next(r for r in result.leg_reports if r.kind is LegKind.TRUNK)
    assert (row.vehicles, row.lower_bound) == (3, 2)
    assert plan_violations(result, travellers, [carriages], params=PARAMS) == []


def test_a_family_that_cannot_sit_together_is_reported_not_split() -> None:
    travellers = people(3, prefix="A", group="fa", kind=GroupKind.FAMILY) + people(
        3, prefix="B", group="fb", kind=GroupKind.FAMILY
    )
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=2, seats=4, car_seats=(4, 2))

    result = plan(travellers, [train], pickup_points=[POINT], params=PARAMS)

    assert [(u.traveller_id[0], u.reason) for u in result.unplaced] == [
        ("B", Reason.GROUP_DOES_NOT_FIT)
    ] * 3
    assert result.group_splits == ()


def test_group_members_join_their_locked_fellows() -> None:
    family = people(3, prefix="F", group="fam", kind=GroupKind.FAMILY)
    others = people(12, prefix="S")
    train = trip(mode=Mode.SPECIAL_TRAIN, cars=3, seats=10)
    lock = SeatAssignment(family[0].id, train.id, Seat(3, 1, "C"))

    result = plan(others + family, [train], pickup_points=[POINT], params=PARAMS, locked=[lock])

    seats = _seat_map(result)
    assert seats[family[0].id] == Seat(3, 1, "C")
    assert {seats[t.id].car_no for t in family} == {3}
    positions = sorted(seat_position(train, seats[t.id]) or 0 for t in family)
    assert positions[-1] - positions[0] == 2  # adjacent to the locked seat
    assert plan_violations(result, others + family, [train], params=PARAMS, locked=[lock]) == []
