"""Feeder and arrival buses: full buses by rule, shared buses within the ride cap."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transport.planner.builders import LAIXI_GATES, QINGDAO
from transport.planner.buses import BusProblem, _Geometry, buses_plan, ride_cap_bound, ride_table


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


def _laixi(hub: tuple[float, float]) -> tuple[BusProblem, dict[int, list[list[int]]]]:
    bp = replace(_problem([place for place, _n in LAIXI_GATES]), hub_lat=hub[0], hub_lng=hub[1])
    items: dict[int, list[list[int]]] = {}
    start = 0
    for k, (_place, n) in enumerate(LAIXI_GATES):
        items[k] = _singles(start, n)
        start += n
    return bp, items


def _rides_within_cap(bp: BusProblem, routes) -> bool:  # type: ignore[no-untyped-def]
    geometry = _Geometry(bp)
    return all(
        len(r.stops) == 1
        or geometry.ride_minutes([p for p, _ in r.stops]) <= bp.max_ride_minutes + 1e-9
        for r in routes
    )


def test_far_gates_need_the_buses_the_ride_cap_proves() -> None:
    # 39 people fit one bus, but from Qingdao station no two rides reach all 13 gates within
    # 180 minutes (the best pair of rides takes 180.04); from Qingdao North two rides do.
    station, items = _laixi((QINGDAO.lat, QINGDAO.lng))
    north, _items = _laixi((36.171, 120.372))

    assert ride_cap_bound(station) == 3
    assert ride_cap_bound(north) == 2
    for bp, fewest in ((station, 3), (north, 2)):
        routes = buses_plan(bp, items)
        assert len(routes) == fewest
        assert _carried(routes) == list(range(39))
        assert _rides_within_cap(bp, routes)


# Random places around Qingdao with a ride cap that makes some of them incompatible.
PLACES = st.lists(st.tuples(st.floats(35.9, 36.9), st.floats(119.9, 120.6)), min_size=1, max_size=6)


def _shortest_rides(bp: BusProblem) -> dict[int, float]:
    """Return the shortest ride through every subset of places, by trying every order."""
    geometry = _Geometry(bp)
    n = len(bp.place_lat)
    out = {0: 0.0}
    for mask in range(1, 1 << n):
        members = [p for p in range(n) if mask >> p & 1]
        out[mask] = min(geometry.ride_minutes(list(o)) for o in itertools.permutations(members))
    return out


def _fewest_rides_brute(bp: BusProblem, fits: Callable[[int], bool]) -> int:
    """Return the fewest disjoint subsets, each passing `fits`, that cover all places."""
    n = len(bp.place_lat)
    fewest = [0] + [n + 1] * ((1 << n) - 1)
    for mask in range(1, 1 << n):
        low = mask & -mask
        sub = mask
        while sub:
            if sub & low and fits(sub):
                fewest[mask] = min(fewest[mask], fewest[mask ^ sub] + 1)
            sub = (sub - 1) & mask
    return fewest[(1 << n) - 1]


@settings(max_examples=60, deadline=None)
@given(PLACES, st.integers(30, 150))
def test_ride_table_is_the_shortest_ride_over_every_order(places, cap) -> None:  # type: ignore[no-untyped-def]
    bp = _problem(places, cap=cap)
    geometry = _Geometry(bp)

    table = ride_table(geometry.minutes, geometry.dwell)

    brute = _shortest_rides(bp)
    for mask in range(1, 1 << len(places)):
        assert table[mask].min() == pytest.approx(brute[mask], abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(PLACES, st.integers(30, 150))
def test_ride_cap_bound_is_the_fewest_rides_within_the_cap(places, cap) -> None:  # type: ignore[no-untyped-def]
    bp = _problem(places, cap=cap)
    rides = _shortest_rides(bp)

    def fits(mask: int) -> bool:
        return mask.bit_count() == 1 or rides[mask] <= cap + 1e-9

    assert ride_cap_bound(bp) == _fewest_rides_brute(bp, fits)


@settings(max_examples=60, deadline=None)
@given(PLACES, st.integers(60, 150), st.data())
def test_shared_buses_are_as_few_as_the_ride_cap_and_seats_allow(places, cap, data) -> None:  # type: ignore[no-untyped-def]
    # Up to 12 people per place and 20 seats: both the cap and the seats can bind.
    bp = _problem(places, capacity=20, cap=cap)
    counts = [data.draw(st.integers(1, 12)) for _ in places]
    items: dict[int, list[list[int]]] = {}
    start = 0
    for k, n in enumerate(counts):
        items[k] = _singles(start, n)
        start += n
    rides = _shortest_rides(bp)

    def fits(mask: int) -> bool:
        load = sum(counts[p] for p in range(len(places)) if mask >> p & 1)
        return load <= bp.capacity and (mask.bit_count() == 1 or rides[mask] <= cap + 1e-9)

    routes = buses_plan(bp, items)

    assert _carried(routes) == list(range(start))
    assert all(r.load <= bp.capacity for r in routes)
    assert _rides_within_cap(bp, routes)
    # Splitting a place between buses may save one more bus than whole places allow.
    assert len(routes) <= _fewest_rides_brute(bp, fits)
    assert len(routes) >= max(ride_cap_bound(bp), -(-start // bp.capacity))
