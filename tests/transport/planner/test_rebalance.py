"""Swapping riders between trips: far districts go to the nearer station, at no trunk cost."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import timedelta

import pytest

import transport.planner.planner as pipeline
from tests.transport.planner.builders import (
    CHENGYANG,
    DAY0,
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
    Params,
    Plan,
    PlanInputError,
    plan,
    plan_violations,
    scenario_synthetic,
)
from transport.planner.demand import Block, Problem, demand_build, problem_build
from transport.planner.legs import arrival_legs_build
from transport.planner.rebalance import Moves, _move_candidates, riders_move, riders_rebalance
from transport.planner.result import BusLeg

PARAMS = Params()


def _laixi_and_chengyang() -> list:  # type: ignore[type-arg]
    """Return 39 workers for 13 Laixi gates and 39 for one Chengyang factory."""
    workers = []
    for k, ((lat, lng), n) in enumerate(LAIXI_GATES):
        boss = employer(f"LX{k:02d}", LAIXI, lat, lng)
        workers += people(n, prefix=f"L{k:02d}-", boss=boss)
    return workers + people(39, prefix="C", boss=employer("CY", CHENGYANG, 36.30, 120.40))


def _setup(
    *, pin_laixi: bool = False, north_day: int = 0
) -> tuple[Problem, dict[int, list[Block]], dict[int, list[BusLeg]]]:
    """Put every Laixi worker on the trip to Qingdao station, Chengyang on the one to the north."""
    to_station = replace(trip("K-station", cars=1, seats=90), destination=QINGDAO)
    to_north = trip("G-north", cars=1, seats=90, day=north_day)
    problem = problem_build(_laixi_and_chengyang(), [to_station, to_north], [POINT], PARAMS, ())
    blocks = demand_build(problem).blocks
    station = next(j for j, t in enumerate(problem.trips) if t.id == "K-station")
    north = 1 - station

    def laixi(b: Block) -> bool:
        return problem.travellers[b.members[0]].employer.district_code == LAIXI

    on_trip = {
        station: [replace(b, forced_trip=station) if pin_laixi else b for b in blocks if laixi(b)],
        north: [b for b in blocks if not laixi(b)],
    }
    arrival = {j: arrival_legs_build(problem, j, _riders(on_trip, j), on_trip[j]) for j in on_trip}
    return problem, on_trip, arrival


def _riders(on_trip: dict[int, list[Block]], j: int) -> list[int]:
    return sorted(i for b in on_trip[j] for i in b.members)


def _buses(arrival: dict[int, list[BusLeg]], trip_id: str, district: str) -> int:
    return sum(
        1
        for legs in arrival.values()
        for leg in legs
        if (leg.trip_id, leg.key) == (trip_id, district)
    )


def test_far_district_moves_to_the_trip_to_the_nearer_station() -> None:
    problem, on_trip, arrival = _setup()
    heads = {j: len(_riders(on_trip, j)) for j in on_trip}
    before = sum(len(legs) for legs in arrival.values())
    assert _buses(arrival, "K-station", LAIXI) == 3  # seat bound 1: the ride cap needs 3

    changed = riders_rebalance(problem, on_trip, arrival, lambda j: _riders(on_trip, j))

    north = next(j for j in on_trip if problem.trips[j].id == "G-north")
    assert changed == set(on_trip)
    assert {j: len(_riders(on_trip, j)) for j in on_trip} == heads
    laixi = {i for i, t in enumerate(problem.travellers) if t.employer.district_code == LAIXI}
    assert laixi <= set(_riders(on_trip, north))
    assert _buses(arrival, "G-north", LAIXI) == 2
    assert sum(len(legs) for legs in arrival.values()) < before
    for legs in arrival.values():
        for leg in legs:
            same = [x for x in legs if x.key == leg.key]
            people_ = sum(len(x.members) for x in same)
            assert len(same) <= math.ceil(people_ / PARAMS.arrival_bus_seats) + 1
    # The legs handed back are the ones planned for the riders as they now stand.
    for j, legs in arrival.items():
        assert sorted(i for leg in legs for i in leg.members) == sorted(
            problem.travellers[i].id for i in _riders(on_trip, j)
        )


def test_locked_riders_are_never_moved() -> None:
    problem, on_trip, arrival = _setup(pin_laixi=True)
    kept = {j: list(bs) for j, bs in on_trip.items()}

    changed = riders_rebalance(problem, on_trip, arrival, lambda j: _riders(on_trip, j))

    assert changed == set()
    assert on_trip == kept


def test_riders_move_only_to_trips_they_may_take() -> None:
    # The northern trip leaves a day before the workers may travel: nobody can swap onto it.
    problem, on_trip, arrival = _setup(north_day=-1)
    kept = {j: list(bs) for j, bs in on_trip.items()}

    assert riders_rebalance(problem, on_trip, arrival, lambda j: _riders(on_trip, j)) == set()
    assert on_trip == kept


@pytest.fixture(scope="module")
def campaign():  # type: ignore[no-untyped-def]
    # 2,500 travellers over 5 days: the trunk's decoding puts 61 Laixi workers on the train
    # to Qingdao station on 25 February, a leg the ride cap alone holds at 4 buses.
    return scenario_synthetic(travellers=2500, employers=120, days=5, seed=0)


def _plan(scenario) -> Plan:  # type: ignore[no-untyped-def]
    return plan(
        scenario.travellers, scenario.trips, pickup_points=scenario.pickup_points, params=PARAMS
    )


def test_rebalancing_brings_the_campaign_within_bound_plus_one_at_the_same_cost(
    campaign, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    after = _plan(campaign)
    monkeypatch.setattr(pipeline, "riders_rebalance", lambda *args: set())
    monkeypatch.setattr(pipeline, "riders_move", lambda *args: Moves())
    before = _plan(campaign)

    over = [r for r in before.leg_reports if r.excess > 1]
    assert over and all(r.ride_bound > r.lower_bound + 1 for r in over)
    assert after.stats.max_excess_vehicles <= 1
    assert after.stats.moved_travellers == 0  # the swaps alone were enough
    assert plan_violations(after, campaign.travellers, campaign.trips, params=PARAMS) == []
    for figure in ("booking_cost", "trunk_person_hours", "wait_person_days", "placed"):
        assert getattr(after.stats, figure) == getattr(before.stats, figure)
    heads = {b.trip_id: (b.booked_car_nos, len(b.travellers)) for b in before.trunk}
    assert {b.trip_id: (b.booked_car_nos, len(b.travellers)) for b in after.trunk} == heads
    assert after.stats.arrival_buses + after.stats.feeder_buses < (
        before.stats.arrival_buses + before.stats.feeder_buses
    )
    assert after.stats.families_together == after.stats.families
    assert after.stats.village_groups_together == after.stats.village_groups


def test_rebalanced_plan_is_reproducible_in_any_input_order(campaign) -> None:  # type: ignore[no-untyped-def]
    travellers = list(campaign.travellers)
    trips = list(campaign.trips)
    random.Random(5).shuffle(travellers)
    random.Random(6).shuffle(trips)

    again = plan(travellers, trips, pickup_points=campaign.pickup_points, params=PARAMS)

    assert again == _plan(campaign)


def _later_trip_setup(
    params: Params, *, later_day: int = 2, later_seats: int = 90, family_across_gates: bool = False
) -> tuple[Problem, dict[int, list[Block]], dict[int, list[BusLeg]], dict[int, list[int]]]:
    """Put Laixi workers on the train to Qingdao station, Chengyang and 12 more on a later one.

    No swap at equal cost exists (nobody on the later trip may take the earlier one), so the
    Laixi leg (3 buses, seat bound 1) improves only if gate groups wait for the later trip,
    whose bus to Laixi has room for them.
    """
    # Laixi workers of the later trip: its Laixi bus has room for more.
    workers = _laixi_and_chengyang() + people(
        12, prefix="N", boss=employer("LXN", LAIXI, 36.90, 120.50)
    )
    if family_across_gates:  # the workers of gates 1 and 2 form one family
        workers = [
            replace(w, group_id="FAM", group_kind=GroupKind.FAMILY)
            if w.employer.id in {"LX01", "LX02"}
            else w
            for w in workers
        ]
    to_station = replace(trip("K-station", cars=1, seats=40), destination=QINGDAO)
    later = trip("G-later", cars=1, seats=later_seats, day=later_day)
    problem = problem_build(workers, [to_station, later], [POINT], params, ())
    blocks = demand_build(problem).blocks
    station = next(j for j, t in enumerate(problem.trips) if t.id == "K-station")
    north = 1 - station

    def laixi(b: Block) -> bool:
        boss = problem.travellers[b.members[0]].employer
        return boss.district_code == LAIXI and boss.id != "LXN"

    # Chengyang workers may wait for the later trip only: no swap partner for the station train.
    on_trip = {
        station: [b for b in blocks if laixi(b)],
        north: [replace(b, eligible=(north,)) for b in blocks if not laixi(b)],
    }
    arrival = {j: arrival_legs_build(problem, j, _riders(on_trip, j), on_trip[j]) for j in on_trip}
    return problem, on_trip, arrival, {station: [0], north: [0]}


def _move(params: Params, **kwargs):  # type: ignore[no-untyped-def]
    problem, on_trip, arrival, booked = _later_trip_setup(params, **kwargs)
    before = {j: list(bs) for j, bs in on_trip.items()}
    moves = riders_move(problem, on_trip, arrival, lambda j: _riders(on_trip, j), booked)
    return problem, before, on_trip, arrival, moves


def test_swaps_alone_cannot_help_the_far_leg() -> None:
    problem, on_trip, arrival, _booked = _later_trip_setup(PARAMS)
    kept = {j: list(bs) for j, bs in on_trip.items()}

    assert riders_rebalance(problem, on_trip, arrival, lambda j: _riders(on_trip, j)) == set()
    assert on_trip == kept
    assert _buses(arrival, "K-station", LAIXI) == 3


def test_gate_group_waits_for_a_later_trip_when_the_bus_saved_is_worth_more() -> None:
    problem, before, on_trip, arrival, moves = _move(PARAMS)

    station = next(j for j, t in enumerate(problem.trips) if t.id == "K-station")
    north = 1 - station
    assert moves.travellers > 0 and moves.changed == {station, north}
    assert _buses(arrival, "K-station", LAIXI) <= 2  # within seat bound + 1 now
    saved = (
        moves.arrival_buses_saved * PARAMS.arrival_bus_cost
        + moves.feeder_buses_saved * PARAMS.feeder_bus_cost
    )
    assert 0 < moves.trunk_cost < saved
    # Same travel time, two days later: the trunk objective rises by the waiting exactly.
    assert moves.trunk_cost == moves.travellers * 2 * PARAMS.wait_cost_per_day
    assert moves.wait_person_days == moves.travellers * 2
    # Whole blocks moved into free seats of the booked car; nobody lost, nobody duplicated.
    assert sorted(b.key for bs in on_trip.values() for b in bs) == sorted(
        b.key for bs in before.values() for b in bs
    )
    assert len(_riders(on_trip, north)) <= 90
    moved = [b for b in on_trip[north] if b in before[station]]
    assert sum(b.size for b in moved) == moves.travellers
    # Each moved block is a whole gate's workers on the station train.
    gates = {problem.travellers[i].employer.id for b in moved for i in b.members}
    for b in before[station]:
        if {problem.travellers[i].employer.id for i in b.members} & gates:
            assert b in on_trip[north]
    for j, legs in arrival.items():
        assert sorted(i for leg in legs for i in leg.members) == sorted(
            problem.travellers[i].id for i in _riders(on_trip, j)
        )


@pytest.mark.parametrize(
    ("params", "kwargs"),
    [
        (replace(PARAMS, wait_cost_per_day=2000.0), {}),  # waiting costs more than a bus
        (replace(PARAMS, arrival_bus_cost=0.0, feeder_bus_cost=0.0), {}),  # buses are free
        (PARAMS, {"later_day": 6}),  # beyond max_wait_days: not allowed
        (PARAMS, {"later_seats": 39}),  # no free seat on the later trip
    ],
)
def test_nothing_moves_when_it_does_not_pay_or_is_not_allowed(params: Params, kwargs) -> None:  # type: ignore[no-untyped-def]
    _problem, before, on_trip, arrival, moves = _move(params, **kwargs)

    assert moves.travellers == 0 and moves.changed == set() and moves.trunk_cost == 0
    assert on_trip == before
    assert _buses(arrival, "K-station", LAIXI) == 3


def test_locked_blocks_never_move() -> None:
    problem, on_trip, arrival, booked = _later_trip_setup(PARAMS)
    station = next(j for j, t in enumerate(problem.trips) if t.id == "K-station")
    on_trip[station] = [replace(b, forced_trip=station) for b in on_trip[station]]
    kept = {j: list(bs) for j, bs in on_trip.items()}

    moves = riders_move(problem, on_trip, arrival, lambda j: _riders(on_trip, j), booked)

    assert moves.travellers == 0 and on_trip == kept


def test_groups_move_whole_never_split() -> None:
    problem, on_trip, _arrival, booked = _later_trip_setup(PARAMS, family_across_gates=True)
    station = next(j for j, t in enumerate(problem.trips) if t.id == "K-station")
    family = next(b for b in on_trip[station] if b.group_id == "FAM")
    assert family.size == 2  # one worker of gate LX01 and one of LX02

    candidates = list(
        _move_candidates(problem, on_trip, booked, lambda j: _riders(on_trip, j), station, LAIXI)
    )

    gates = {
        frozenset(problem.travellers[i].employer.id for b in moving for i in b.members)
        for _delta, _t, _keys, moving in candidates
    }
    assert frozenset({"LX01", "LX02"}) in gates  # the family takes both gates along
    for _delta, _t, _keys, moving in candidates:
        moved = {i for b in moving for i in b.members}
        assert set(family.members) <= moved or not set(family.members) & moved
    _problem, _before, after, _arrival2, _moves = _move(PARAMS, family_across_gates=True)
    assert sum(family in bs for bs in after.values()) == 1


def test_moves_are_reproducible() -> None:
    first = _move(PARAMS)
    second = _move(PARAMS)

    assert first[2] == second[2] and first[4] == second[4]
    assert first[3] == second[3]


def test_bus_costs_must_be_non_negative_and_finite() -> None:
    with pytest.raises(PlanInputError):
        Params(arrival_bus_cost=-1.0)
    with pytest.raises(PlanInputError):
        Params(feeder_bus_cost=math.inf)


def _later_trip_plan(travellers: list, trips: list, params: Params = PARAMS) -> Plan:  # type: ignore[type-arg]
    return plan(travellers, trips, pickup_points=[POINT], params=params)


def _later_trip_input() -> tuple[list, list]:  # type: ignore[type-arg]
    """Laixi workers free from day 0; Chengyang and 12 more Laixi workers from day 2."""
    workers = _laixi_and_chengyang()
    workers = [
        w
        if w.employer.district_code == LAIXI
        else replace(w, earliest_departure=DAY0 + timedelta(days=2))
        for w in workers
    ]
    workers += people(12, prefix="N", boss=employer("LXN", LAIXI, 36.90, 120.50), day=2)
    to_station = replace(trip("K-station", cars=1, seats=40), destination=QINGDAO)
    return workers, [to_station, trip("G-later", cars=1, seats=90, day=2)]


def test_plan_reports_the_trunk_cost_of_moving_for_buses() -> None:
    travellers, trips = _later_trip_input()

    result = _later_trip_plan(travellers, trips)
    stats = result.stats

    assert stats.moved_travellers > 0 and stats.moved_buses_saved > 0
    assert stats.moved_wait_person_days == 2 * stats.moved_travellers == stats.wait_person_days
    assert stats.moved_trunk_cost == 400.0 * stats.moved_travellers
    assert 0 < stats.moved_trunk_cost < stats.moved_bus_cost_saved
    assert stats.max_excess_vehicles <= 1
    assert plan_violations(result, travellers, trips, params=PARAMS) == []
    unmoved = _later_trip_plan(travellers, trips, replace(PARAMS, arrival_bus_cost=0.0))
    assert unmoved.stats.moved_travellers == 0 and unmoved.stats.wait_person_days == 0
    assert stats.trunk_objective == unmoved.stats.trunk_objective + stats.moved_trunk_cost
    assert stats.arrival_buses < unmoved.stats.arrival_buses

    random.Random(3).shuffle(travellers)
    assert _later_trip_plan(travellers, trips[::-1]) == result
