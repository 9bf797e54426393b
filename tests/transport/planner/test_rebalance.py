"""Swapping riders between trips: far districts go to the nearer station, at no trunk cost."""

from __future__ import annotations

import math
import random
from dataclasses import replace

import pytest

import transport.planner.planner as pipeline
from tests.transport.planner.builders import (
    CHENGYANG,
    LAIXI,
    LAIXI_GATES,
    POINT,
    QINGDAO,
    employer,
    people,
    trip,
)
from transport.planner import Params, Plan, plan, plan_violations, scenario_synthetic
from transport.planner.demand import Block, Problem, demand_build, problem_build
from transport.planner.legs import arrival_legs_build
from transport.planner.rebalance import riders_rebalance
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
    before = _plan(campaign)

    over = [r for r in before.leg_reports if r.excess > 1]
    assert over and all(r.ride_bound > r.lower_bound + 1 for r in over)
    assert after.stats.max_excess_vehicles <= 1
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
