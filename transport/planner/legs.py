"""Build the feeder and arrival bus legs of each trip, with stops and estimated times."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

import numpy as np

from transport.planner.buses import BusProblem, BusRoute, buses_plan, ride_cap_bound
from transport.planner.demand import Block, Problem
from transport.planner.domain import Employer, Params
from transport.planner.geo import haversine_km
from transport.planner.result import BusLeg, LegKind, Stop, StopKind


def _items(
    problem: Problem, riders: list[int], blocks: list[Block], place_of: dict[int, str]
) -> dict[str, list[list[int]]]:
    """Group riders by place; members of one block at one place stay one item."""
    rider_set = set(riders)
    items: dict[str, list[list[int]]] = defaultdict(list)
    grouped: set[int] = set()
    for block in blocks:
        if block.size < 2:
            continue
        by_place: dict[str, list[int]] = defaultdict(list)
        for i in block.members:
            if i in rider_set:
                by_place[place_of[i]].append(i)
        for place, members in by_place.items():
            items[place].append(sorted(members))
            grouped.update(members)
    for i in riders:
        if i not in grouped:
            items[place_of[i]].append([i])
    return items


def _bus_problem(
    params: Params,
    hub_lat: float,
    hub_lng: float,
    lat: list[float],
    lng: list[float],
    *,
    feeder: bool,
) -> BusProblem:
    capacity = params.feeder_bus_seats if feeder else params.arrival_bus_seats
    return BusProblem(
        hub_lat=hub_lat,
        hub_lng=hub_lng,
        place_lat=np.array(lat, dtype=np.float64),
        place_lng=np.array(lng, dtype=np.float64),
        capacity=capacity,
        max_ride_minutes=params.feeder_max_ride_minutes
        if feeder
        else params.arrival_max_ride_minutes,
        speed_kmh=params.feeder_speed_kmh if feeder else params.arrival_speed_kmh,
        road_factor=params.road_factor,
        dwell_minutes=params.pickup_dwell_minutes if feeder else params.dropoff_dwell_minutes,
        chunk_size=params.bus_chunk_size,
        dedicated_min=None if feeder else math.ceil(params.own_bus_min_fill * capacity),
        time_limit_s=params.routing_time_limit_s,
    )


def leg_ride_bound(
    params: Params,
    hub: tuple[float, float],
    places: Sequence[tuple[float, float]],
    *,
    feeder: bool,
) -> int:
    """Return the fewest buses that reach every place from `hub` within the ride cap, seats aside.

    Exact for up to `buses.BOUND_MAX_PLACES` places, else counted on that many places farthest
    from the hub (every plan must reach those too), so always a valid lower bound.
    """
    bp = _bus_problem(
        params,
        hub[0],
        hub[1],
        [lat for lat, _lng in places],
        [lng for _lat, lng in places],
        feeder=feeder,
    )
    return ride_cap_bound(bp)


def ride_bounds(problem: Problem, legs: Sequence[BusLeg]) -> dict[tuple[LegKind, str, str], int]:
    """Return the ride-cap bound of every (kind, trip, key) leg with more buses than seats need.

    A leg at its seat bound needs no other bound (its buses cannot be fewer), so only legs
    above it are counted (about 0.05 s each).
    """
    grouped: dict[tuple[LegKind, str, str], list[BusLeg]] = defaultdict(list)
    for leg in legs:
        grouped[(leg.kind, leg.trip_id, leg.key)].append(leg)
    trips = {t.id: t for t in problem.trips}
    employers = {t.employer.id: t.employer for t in problem.travellers}
    out: dict[tuple[LegKind, str, str], int] = {}
    for (kind, trip_id, key), buses in sorted(grouped.items()):
        people = sum(len(b.members) for b in buses)
        if len(buses) <= math.ceil(people / buses[0].capacity):
            continue
        trip = trips[trip_id]
        feeder = kind is LegKind.FEEDER
        stops = sorted(
            {s.place_id for b in buses for s in b.stops if s.kind is not StopKind.STATION}
        )
        if feeder:
            hub = (trip.origin.lat, trip.origin.lng)
            places = [(problem.pickup_points[p].lat, problem.pickup_points[p].lng) for p in stops]
        else:
            hub = (trip.destination.lat, trip.destination.lng)
            places = [(employers[e].lat, employers[e].lng) for e in stops]
        out[(kind, trip_id, key)] = leg_ride_bound(problem.params, hub, places, feeder=feeder)
    return out


def _drive(
    problem: Problem, speed: float, a: tuple[float, float], b: tuple[float, float]
) -> tuple[float, float]:
    """Return (km, minutes) by road between two points."""
    km = float(haversine_km(a[0], a[1], b[0], b[1])) * problem.params.road_factor
    return km, km / speed * 60.0


def arrival_legs_build(
    problem: Problem,
    j: int,
    riders: list[int],
    blocks: list[Block],
    districts: Collection[str] | None = None,
) -> list[BusLeg]:
    """Return the arrival buses of trip `j`: per destination district, big employers alone.

    With `districts`, only the buses of those districts are planned.
    """
    params = problem.params
    trip = problem.trips[j]
    travellers = problem.travellers
    by_district: dict[str, list[int]] = defaultdict(list)
    for i in riders:
        district = travellers[i].employer.district_code
        if districts is None or district in districts:
            by_district[district].append(i)
    place_of = {i: travellers[i].employer.id for i in riders}
    legs: list[BusLeg] = []
    depart = trip.arrival + timedelta(minutes=params.disembark(trip.mode))
    hub = (trip.destination.lat, trip.destination.lng)
    for district in sorted(by_district):
        items = _items(problem, by_district[district], blocks, place_of)
        employers = sorted(items)
        employer_of = {
            e: next(travellers[i].employer for i in by_district[district] if place_of[i] == e)
            for e in employers
        }
        bp = _bus_problem(
            params,
            hub[0],
            hub[1],
            [employer_of[e].lat for e in employers],
            [employer_of[e].lng for e in employers],
            feeder=False,
        )
        routes = buses_plan(bp, {k: items[e] for k, e in enumerate(employers)})
        for index, route in enumerate(routes, start=1):
            legs.append(
                _arrival_leg(
                    problem, j, district, index, route, employers, employer_of, depart, bp.capacity
                )
            )
    return legs


def _arrival_leg(
    problem: Problem,
    j: int,
    district: str,
    index: int,
    route: BusRoute,
    employers: list[str],
    employer_of: dict[str, Employer],
    depart: datetime,
    capacity: int,
) -> BusLeg:
    params = problem.params
    trip = problem.trips[j]
    ids = problem.travellers
    members = sorted(ids[i].id for _, ms in route.stops for i in ms)
    stops = [Stop(trip.destination.id, StopKind.STATION, depart, boarding=tuple(members))]
    here = (trip.destination.lat, trip.destination.lng)
    clock = 0.0
    km_total = 0.0
    for n, (place, ms) in enumerate(route.stops):
        employer = employer_of[employers[place]]
        km, minutes = _drive(problem, params.arrival_speed_kmh, here, (employer.lat, employer.lng))
        clock += minutes + (params.dropoff_dwell_minutes if n else 0)
        km_total += km
        here = (employer.lat, employer.lng)
        when = depart + timedelta(minutes=math.ceil(clock - 1e-9))
        stops.append(
            Stop(
                employer.id, StopKind.EMPLOYER, when, alighting=tuple(sorted(ids[i].id for i in ms))
            )
        )
    dedicated = employers[route.dedicated_place] if route.dedicated_place is not None else None
    return BusLeg(
        kind=LegKind.ARRIVAL,
        trip_id=trip.id,
        key=district,
        vehicle_index=index,
        capacity=capacity,
        members=tuple(members),
        stops=tuple(stops),
        departure=depart,
        arrival=stops[-1].time,
        ride_minutes=math.ceil(clock - 1e-9),
        distance_km=round(km_total, 1),
        dedicated_employer_id=dedicated,
    )


def feeder_legs_build(
    problem: Problem, j: int, riders: list[int], blocks: list[Block]
) -> list[BusLeg]:
    """Return the feeder buses of trip `j`, arriving at the station a set buffer before departure."""
    params = problem.params
    trip = problem.trips[j]
    travellers = problem.travellers
    place_of = {i: travellers[i].pickup_point_id for i in riders}
    items = _items(problem, riders, blocks, place_of)
    points = sorted(items)
    pickup = problem.pickup_points
    bp = _bus_problem(
        params,
        trip.origin.lat,
        trip.origin.lng,
        [pickup[p].lat for p in points],
        [pickup[p].lng for p in points],
        feeder=True,
    )
    routes = buses_plan(bp, {k: items[p] for k, p in enumerate(points)})
    at_station = trip.departure - timedelta(minutes=params.station_buffer(trip.mode))
    legs: list[BusLeg] = []
    for index, route in enumerate(routes, start=1):
        # Routes run away from the hub; the bus drives them backwards, ending at the station.
        driving = list(reversed(route.stops))
        coords = [(pickup[points[p]].lat, pickup[points[p]].lng) for p, _ in driving]
        coords.append((trip.origin.lat, trip.origin.lng))
        legs_minutes: list[float] = []
        km_total = 0.0
        for a, b in zip(coords, coords[1:], strict=False):
            km, minutes = _drive(problem, params.feeder_speed_kmh, a, b)
            km_total += km
            legs_minutes.append(minutes)
        # Time from leaving stop k to reaching the station.
        remaining = [0.0] * len(driving)
        acc = 0.0
        for k in range(len(driving) - 1, -1, -1):
            acc += legs_minutes[k]
            remaining[k] = acc
            acc += params.pickup_dwell_minutes
        ride = math.ceil(remaining[0] - 1e-9) if driving else 0
        members = sorted(travellers[i].id for _, ms in driving for i in ms)
        stops = [
            Stop(
                points[p],
                StopKind.PICKUP_POINT,
                at_station - timedelta(minutes=math.ceil(remaining[k] - 1e-9)),
                boarding=tuple(sorted(travellers[i].id for i in ms)),
            )
            for k, (p, ms) in enumerate(driving)
        ]
        stops.append(Stop(trip.origin.id, StopKind.STATION, at_station, alighting=tuple(members)))
        legs.append(
            BusLeg(
                kind=LegKind.FEEDER,
                trip_id=trip.id,
                key=trip.origin.id,
                vehicle_index=index,
                capacity=bp.capacity,
                members=tuple(members),
                stops=tuple(stops),
                departure=stops[0].time,
                arrival=at_station,
                ride_minutes=ride,
                distance_km=round(km_total, 1),
            )
        )
    return legs
