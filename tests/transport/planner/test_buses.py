"""Feeder and arrival buses: full buses by rule, shared buses within the ride cap."""

from __future__ import annotations

import math

import numpy as np

from transport.planner.buses import BusProblem, buses_plan


def _problem(
    places: list[tuple[float, float]], *, capacity: int = 50, cap: int = 180, own: int | None = None
) -> BusProblem:
    return BusProblem(
        hub_lat=36.171,
        hub_lng=120.372,
        place_lat=np.array([p[0] for p in places]),
        place_lng=np.array([p[1] for p in places]),
        capacity=capacity,
        max_ride_minutes=cap,
        speed_kmh=55.0,
        road_factor=1.3,
        dwell_minutes=5,
        chunk_size=6,
        dedicated_min=own,
        time_limit_s=2.0,
    )


def _singles(start: int, n: int) -> list[list[int]]:
    return [[start + k] for k in range(n)]


def _carried(routes) -> list[int]:  # type: ignore[no-untyped-def]
    return sorted(m for r in routes for _, ms in r.stops for m in ms)


def test_a_place_with_busloads_gets_full_buses_of_its_own() -> None:
    bp = _problem([(36.30, 120.40)])

    routes = buses_plan(bp, {0: _singles(0, 120)})

    assert [r.load for r in routes] == [50, 50, 20]
    assert _carried(routes) == list(range(120))
    assert all(r.dedicated_place == 0 for r in routes[:2])


def test_small_loads_nearby_share_one_bus() -> None:
    bp = _problem([(36.30, 120.40), (36.31, 120.41), (36.29, 120.38)])

    routes = buses_plan(bp, {0: _singles(0, 10), 1: _singles(10, 10), 2: _singles(20, 10)})

    assert len(routes) == 1
    assert [p for p, _ in routes[0].stops] == [2, 0, 1]  # nearest first, then outwards


def test_split_delivery_meets_the_lower_bound() -> None:
    # Three places of 30 each with 50-seat buses: without splitting a place it takes three buses.
    bp = _problem([(36.30, 120.40), (36.31, 120.41), (36.32, 120.42)])

    routes = buses_plan(bp, {0: _singles(0, 30), 1: _singles(30, 30), 2: _singles(60, 30)})

    assert len(routes) == math.ceil(90 / 50)
    assert _carried(routes) == list(range(90))


def test_ride_cap_keeps_far_apart_places_on_separate_buses() -> None:
    # Pingdu and Huangdao are each reachable, but not one after the other within 120 minutes.
    bp = _problem([(36.78, 119.99), (35.96, 120.20)], cap=120)

    routes = buses_plan(bp, {0: _singles(0, 5), 1: _singles(5, 5)})

    assert sorted(len(r.stops) for r in routes) == [1, 1]


def test_groups_ride_one_bus_and_oversized_groups_are_cut_into_busloads() -> None:
    bp = _problem([(36.30, 120.40)], capacity=10)
    family = [100, 101, 102]
    big = list(range(200, 213))

    routes = buses_plan(bp, {0: [family, big, *_singles(0, 4)]})

    assert _carried(routes) == sorted(family + big + list(range(4)))
    assert sum(1 for r in routes if set(family) <= {m for _, ms in r.stops for m in ms}) == 1
    assert all(r.load <= 10 for r in routes)


def test_a_big_employer_keeps_its_own_bus() -> None:
    bp = _problem([(36.30, 120.40), (36.31, 120.41)], own=40)

    routes = buses_plan(bp, {0: _singles(0, 42), 1: _singles(42, 5)})

    assert [(r.dedicated_place, r.load) for r in routes] == [(0, 42), (None, 5)]
