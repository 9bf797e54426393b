"""Pack travellers of one trip into buses between a hub (station) and many places.

The same problem serves both ends of the trunk: feeder buses collect at pickup points and
drive to the departure station; arrival buses leave the arrival station and drop at factory
gates. Both are open routes anchored at the hub, with a seat capacity and a cap on the ride
time of the person who rides longest (hub → last stop, dwell at intermediate stops included).

Exact rules go first: a place with at least a busload gets full buses of its own
(⌊n / seats⌋ of them cannot be beaten), and a pool that fits one bus on a route within the
ride cap takes one bus. What is left is a split-delivery capacitated routing problem: people
of one place may ride different buses. A sweep heuristic gives a first solution (it fills every
bus before opening the next unless the ride cap forbids); OR-Tools routing then improves it
with a deterministic greedy descent, so plans stay reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from transport.planner.geo import haversine_km

# Above this many chunks routing is skipped and the sweep result stands (keeps runtime bounded;
# the sweep already meets the vehicle lower bound whenever the ride cap does not bind).
ROUTING_MAX_NODES = 400


@dataclass(frozen=True, slots=True)
class BusProblem:
    hub_lat: float
    hub_lng: float
    place_lat: NDArray[np.float64]
    place_lng: NDArray[np.float64]
    capacity: int
    max_ride_minutes: int
    speed_kmh: float
    road_factor: float
    dwell_minutes: int
    chunk_size: int
    dedicated_min: int | None  # a place whose remainder reaches this gets its own bus
    time_limit_s: float


@dataclass(slots=True)
class BusRoute:
    """Stops in driving order away from the hub; each stop is (place, members)."""

    stops: list[tuple[int, list[int]]]
    dedicated_place: int | None = None

    @property
    def load(self) -> int:
        return sum(len(m) for _, m in self.stops)


class _Geometry:
    """Road minutes between the hub (node 0) and the places (node p + 1)."""

    def __init__(self, bp: BusProblem) -> None:
        lat = np.concatenate([[bp.hub_lat], bp.place_lat])
        lng = np.concatenate([[bp.hub_lng], bp.place_lng])
        self.km = (
            haversine_km(lat[:, None], lng[:, None], lat[None, :], lng[None, :]) * bp.road_factor
        )
        self.minutes = self.km / bp.speed_kmh * 60.0
        self.dwell = bp.dwell_minutes

    def ride_minutes(self, places: list[int]) -> float:
        """Return hub → places[0] → … → places[-1] driving minutes plus dwell between."""
        if not places:
            return 0.0
        nodes = [0] + [p + 1 for p in places]
        drive = float(sum(self.minutes[a, b] for a, b in zip(nodes, nodes[1:], strict=False)))
        return drive + self.dwell * (len(places) - 1)

    def insert(self, order: list[int], place: int) -> tuple[list[int], float]:
        """Return the cheapest order after inserting `place` and its ride minutes."""
        if place in order:
            return order, self.ride_minutes(order)
        best: tuple[float, list[int]] | None = None
        for k in range(len(order) + 1):
            candidate = order[:k] + [place] + order[k:]
            ride = self.ride_minutes(candidate)
            if best is None or ride < best[0] - 1e-9:
                best = (ride, candidate)
        assert best is not None
        return best[1], best[0]


def buses_plan(bp: BusProblem, items_by_place: dict[int, list[list[int]]]) -> list[BusRoute]:
    """Return bus routes carrying every member of `items_by_place` (place → groups of members).

    Items are kept whole (a family rides one bus); single travellers are items of one.
    """
    geometry = _Geometry(bp)
    routes: list[BusRoute] = []
    pool: dict[int, list[list[int]]] = {}
    for place in sorted(items_by_place):
        # A group bigger than a bus cannot ride one; cut it into busloads.
        whole = [
            it[k : k + bp.capacity]
            for it in items_by_place[place]
            for k in range(0, len(it), bp.capacity)
        ]
        items = sorted(whole, key=lambda it: (-len(it), it))
        while sum(len(it) for it in items) >= bp.capacity:
            load, items = _fill(items, bp.capacity)
            routes.append(BusRoute([(place, load)], dedicated_place=place))
        rest = sum(len(it) for it in items)
        if rest and bp.dedicated_min is not None and rest >= bp.dedicated_min:
            routes.append(
                BusRoute([(place, [m for it in items for m in it])], dedicated_place=place)
            )
        elif rest:
            pool[place] = items
    if not pool:
        return routes
    pool_people = sum(len(it) for items in pool.values() for it in items)
    places = sorted(pool)
    if pool_people <= bp.capacity:
        order: list[int] = []
        ride = 0.0
        for place in sorted(places, key=lambda p: geometry.minutes[0, p + 1]):
            order, ride = geometry.insert(order, place)
        if ride <= bp.max_ride_minutes + 1e-9:
            routes.append(BusRoute([(p, [m for it in pool[p] for m in it]) for p in order]))
            return routes
    chunks = _chunks(pool, bp.chunk_size)
    best = _sweep(bp, geometry, chunks)
    if len(best) > 1 and len(chunks) <= ROUTING_MAX_NODES:
        # Fewer buses first: ask routing for one bus less until it fails or meets the bound.
        bound = math.ceil(pool_people / bp.capacity)
        while len(best) > bound:
            fewer = _route(bp, geometry, chunks, len(best) - 1, None)
            if fewer is None:
                break
            best = fewer
        shorter = _route(bp, geometry, chunks, len(best), best)
        if shorter is not None and _score(geometry, shorter, chunks) < _score(
            geometry, best, chunks
        ):
            best = shorter
    for route in best:
        stops: dict[int, list[int]] = {}
        for k in route:
            place, members = chunks[k]
            stops.setdefault(place, []).extend(members)
        order = _stop_order(geometry, list(stops))
        routes.append(BusRoute([(p, sorted(stops[p])) for p in order]))
    return routes


def _stop_order(geometry: _Geometry, visited: list[int]) -> list[int]:
    """Return the better of the visiting order and the cheapest-insertion order of the places."""
    inserted: list[int] = []
    for place in visited:
        inserted, _ride = geometry.insert(inserted, place)
    return min((visited, inserted), key=geometry.ride_minutes)


def _fill(items: list[list[int]], capacity: int) -> tuple[list[int], list[list[int]]]:
    """Take items (largest first, singles last) up to `capacity` seats; return load and rest."""
    load: list[int] = []
    rest: list[list[int]] = []
    for item in items:
        if len(load) + len(item) <= capacity:
            load.extend(item)
        else:
            rest.append(item)
    return load, rest


def _chunks(pool: dict[int, list[list[int]]], chunk_size: int) -> list[tuple[int, list[int]]]:
    """Cut each place's people into chunks of about `chunk_size`; groups are never cut."""
    chunks: list[tuple[int, list[int]]] = []
    for place in sorted(pool):
        current: list[int] = []
        for item in pool[place]:  # largest first
            if current and len(current) + len(item) > chunk_size:
                chunks.append((place, current))
                current = []
            current = current + item
        if current:
            chunks.append((place, current))
    return chunks


def _sweep(
    bp: BusProblem, geometry: _Geometry, chunks: list[tuple[int, list[int]]]
) -> list[list[int]]:
    """Return routes (lists of chunk indices) filled in angular order around the hub."""
    angle = np.arctan2(
        bp.place_lat - bp.hub_lat, (bp.place_lng - bp.hub_lng) * math.cos(math.radians(bp.hub_lat))
    )
    places = sorted({p for p, _ in chunks}, key=lambda p: (float(angle[p]), p))
    if len(places) > 1:
        angles = [float(angle[p]) for p in places]
        gaps = [
            (angles[(k + 1) % len(places)] - angles[k]) % (2 * math.pi) for k in range(len(places))
        ]
        start = (int(np.argmax(gaps)) + 1) % len(places)
        places = places[start:] + places[:start]
    rank = {p: k for k, p in enumerate(places)}
    pending = sorted(range(len(chunks)), key=lambda k: (rank[chunks[k][0]], -len(chunks[k][1]), k))
    routes: list[list[int]] = []
    while pending:
        route: list[int] = []
        order: list[int] = []
        load = 0
        k = 0
        while k < len(pending):
            c = pending[k]
            place, members = chunks[c]
            if load + len(members) <= bp.capacity:
                new_order, ride = geometry.insert(order, place)
                if ride <= bp.max_ride_minutes + 1e-9 or not route:
                    route.append(c)
                    order = new_order
                    load += len(members)
                    pending.pop(k)
                    if load == bp.capacity:
                        break
                    continue
            k += 1
        routes.append(route)
    return routes


def _score(
    geometry: _Geometry, routes: list[list[int]], chunks: list[tuple[int, list[int]]]
) -> tuple[int, float]:
    total = 0.0
    for route in routes:
        order: list[int] = []
        for k in route:
            if chunks[k][0] not in order:
                order.append(chunks[k][0])
        total += geometry.ride_minutes(order)
    return len(routes), round(total, 6)


def _route(
    bp: BusProblem,
    geometry: _Geometry,
    chunks: list[tuple[int, list[int]]],
    vehicles: int,
    initial: list[list[int]] | None,
) -> list[list[int]] | None:
    """Return routes on at most `vehicles` buses carrying every chunk, or None if none found.

    Starts from `initial` when given, else from parallel cheapest insertion; chunks may be
    dropped at a prohibitive penalty so that a first solution always exists, and a solution
    that still drops one counts as failure. Greedy descent stops at a local optimum, which
    keeps the result independent of machine speed.
    """
    n = len(chunks)
    node_place = np.array([p for p, _ in chunks], dtype=np.int64) + 1
    seconds = np.rint(geometry.minutes * 60.0).astype(np.int64)
    # Node-indexed ride seconds: hub → chunk is the drive; chunk → chunk adds the dwell at the
    # stop left unless both chunks wait at the same place; back to the hub costs nothing
    # (open routes: the bus does not return).
    matrix = np.zeros((n + 1, n + 1), dtype=np.int64)
    matrix[0, 1:] = seconds[0, node_place]
    between = seconds[np.ix_(node_place, node_place)] + bp.dwell_minutes * 60
    between[node_place[:, None] == node_place[None, :]] = 0
    matrix[1:, 1:] = between
    manager = pywrapcp.RoutingIndexManager(n + 1, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    transit_index = routing.RegisterTransitMatrix(matrix.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(transit_index)
    routing.SetFixedCostOfAllVehicles(10_000_000)
    routing.AddDimension(transit_index, 0, bp.max_ride_minutes * 60, True, "ride")
    demand_index = routing.RegisterUnaryTransitVector([0] + [len(m) for _, m in chunks])
    routing.AddDimensionWithVehicleCapacity(demand_index, 0, [bp.capacity] * vehicles, True, "load")
    for node in range(1, n + 1):
        routing.AddDisjunction([manager.NodeToIndex(node)], 1_000_000_000)

    search = pywrapcp.DefaultRoutingSearchParameters()
    search.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    search.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    search.time_limit.FromMilliseconds(int(bp.time_limit_s * 1000))
    search.log_search = False
    routing.CloseModelWithParameters(search)
    if initial is not None:
        start = routing.ReadAssignmentFromRoutes(
            [[k + 1 for k in route] for route in initial], True
        )
        if start is None:
            return None
        solution = routing.SolveFromAssignmentWithParameters(start, search)
    else:
        solution = routing.SolveWithParameters(search)
    if solution is None:
        return None
    for node in range(1, n + 1):
        index = manager.NodeToIndex(node)
        if solution.Value(routing.NextVar(index)) == index:
            return None  # a chunk was left out: this many buses is not enough for routing
    routes: list[list[int]] = []
    for v in range(vehicles):
        index = routing.Start(v)
        route: list[int] = []
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index) - 1)
            index = solution.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    for route in routes:
        order: list[int] = []
        for k in route:
            if chunks[k][0] not in order:
                order.append(chunks[k][0])
        if len(order) > 1 and geometry.ride_minutes(order) > bp.max_ride_minutes + 1e-9:
            return None  # seconds rounding let a route slip past the cap; keep the sweep
    return routes
