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

Where the ride cap rather than the seats decides the bus count (many small employers two hours
from the station: each bus reaches only a few of them within the cap), the heuristics can miss
the fewest buses. So when the sweep needs more buses than the seats do and the pool has at most
EXACT_MAX_PLACES places, the fewest rides are found exactly: Held–Karp gives the shortest ride
through every subset of places (`ride_table`), and a search over maximal feasible subsets finds
the fewest that cover all places (`_Covers`), first for the cap alone, which proves a lower
bound, then with every place's people on one bus within the seats. The same count over a leg's
places, seats aside, is the ride-cap bound of the report (`ride_cap_bound`).
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
# Held–Karp over the subsets of the places: 2^n × n table entries. A pool the heuristics leave
# above its seat bound is solved exactly up to 18 places (0.35 s, 38 MB); the ride-cap bound of
# a leg looks at its 16 places farthest from the hub (0.05 s, 8 MB).
EXACT_MAX_PLACES = 18
BOUND_MAX_PLACES = 16
# Branches the search for the fewest rides may explore before it gives up undecided (bounds the
# rare legs with many interchangeable stops to well under a second; counts, not seconds, so
# plans stay reproducible).
COVER_SEARCH_BUDGET = 20_000


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
    bound = math.ceil(pool_people / bp.capacity)
    if len(best) > bound and len(places) <= EXACT_MAX_PLACES:
        # The ride cap may be what costs buses: find the fewest rides within the cap exactly.
        loads = {p: sum(len(it) for it in pool[p]) for p in places}
        proven, exact = _fewest_rides(bp, geometry, places, loads, bound, len(best) - 1)
        bound = max(bound, proven)
        if exact is not None:
            best = [
                [k for p in ride for k, (q, _m) in enumerate(chunks) if q == p] for ride in exact
            ]
    if len(best) > 1 and len(chunks) <= ROUTING_MAX_NODES:
        # Fewer buses first: ask routing for one bus less until it fails or meets the bound.
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


def ride_table(minutes: NDArray[np.float64], dwell: float) -> NDArray[np.float64]:
    """Return best[mask, last]: the shortest ride from the hub through the places of `mask`.

    `minutes` holds road minutes with the hub as node 0 and place p as node p + 1; a ride ends
    at place `last` and adds `dwell` at every stop before it (Held–Karp, layer by layer of
    subset size, so every step is one NumPy operation over all subsets of that size).
    """
    n = minutes.shape[0] - 1
    masks = np.arange(1 << n, dtype=np.int64)
    best = np.full((1 << n, n), np.inf)
    places = np.arange(n)
    best[1 << places, places] = minutes[0, 1:]
    step = minutes[1:, 1:] + dwell
    size = np.bitwise_count(masks)
    for k in range(2, n + 1):
        layer = masks[size == k]
        for last in range(n):
            ending = layer[(layer >> last) & 1 == 1]
            best[ending, last] = (best[ending ^ (1 << last)] + step[:, last]).min(axis=1)
    return best


class _Undecided(Exception):
    """The cover search ran out of its branch budget."""


class _Covers:
    """Partition a set of places into k rides, each a subset of an `ok` family closed under subsets.

    A subset of a feasible ride is feasible (dropping a stop never lengthens a ride: road times
    obey the triangle inequality), so k rides can cover the places exactly when k maximal
    feasible subsets can; the search branches on the maximal subsets holding the lowest place
    still to cover and checks the last two rides with one vectorised lookup.
    """

    def __init__(self, ok: NDArray[np.bool_], n: int) -> None:
        self.ok = ok
        masks = np.flatnonzero(ok).astype(np.int64)
        grows = np.zeros(len(masks), dtype=bool)
        for p in range(n):
            bigger = masks | (1 << p)
            grows |= (bigger != masks) & ok[bigger]
        maximal = masks[~grows]
        size = np.bitwise_count(maximal)
        self.maximal = maximal[np.lexsort((maximal, -size))]
        self.largest = int(size.max()) if len(size) else 0
        self.budget = COVER_SEARCH_BUDGET
        self.failed: set[tuple[int, int]] = set()

    def cover(self, rest: int, k: int) -> list[int] | None:
        """Return k or fewer disjoint feasible masks whose union is `rest`, or None."""
        if rest == 0:
            return []
        if k == 0 or rest.bit_count() > k * self.largest or (rest, k) in self.failed:
            return None
        if self.ok[rest]:
            return [rest]
        if k == 1:
            self.failed.add((rest, k))
            return None
        low = rest & -rest
        holding = self.maximal[(self.maximal & low) != 0]
        found: list[int] | None = None
        if k == 2:
            others = rest & ~holding
            hits = np.flatnonzero(self.ok[others])
            if len(hits):
                first = int(hits[0])
                found = [rest & int(holding[first]), int(others[first])]
        else:
            for m in holding.tolist():
                self.budget -= 1
                if self.budget < 0:
                    raise _Undecided
                tail = self.cover(rest & ~m, k - 1)
                if tail is not None:
                    found = [rest & m, *tail]
                    break
        if found is None:
            self.failed.add((rest, k))
        return found

    def fewest(self, n: int, lowest: int, highest: int) -> tuple[int, list[int] | None]:
        """Return (proven lower bound, rides) for the fewest rides in [lowest, highest]."""
        full = (1 << n) - 1
        for k in range(max(lowest, 1), highest + 1):
            try:
                rides = self.cover(full, k)
            except _Undecided:
                return k, None
            if rides is not None:
                return k, rides
        return max(lowest, highest + 1), None


def ride_cap_bound(bp: BusProblem) -> int:
    """Return a lower bound on the buses that can reach every place of `bp` within the ride cap.

    Seats are ignored (the seat bound is separate). Exact for up to BOUND_MAX_PLACES places;
    beyond that it is the exact count for the BOUND_MAX_PLACES places farthest from the hub,
    which every plan must cover too. A place alone on a bus is always allowed.
    """
    n = len(bp.place_lat)
    if n <= 1:
        return n
    geometry = _Geometry(bp)
    chosen = sorted(range(n), key=lambda p: (-geometry.minutes[0, p + 1], p))[:BOUND_MAX_PLACES]
    nodes = [0] + [p + 1 for p in sorted(chosen)]
    table = ride_table(geometry.minutes[np.ix_(nodes, nodes)], geometry.dwell)
    ok = table.min(axis=1) <= bp.max_ride_minutes + 1e-9
    m = len(chosen)
    ok[1 << np.arange(m)] = True
    ok[0] = True
    proven, _rides = _Covers(ok, m).fewest(m, 1, m)
    return proven


def _fewest_rides(
    bp: BusProblem,
    geometry: _Geometry,
    places: list[int],
    loads: dict[int, int],
    lowest: int,
    highest: int,
) -> tuple[int, list[list[int]] | None]:
    """Return (proven bound, rides) for the fewest buses within the ride cap, places kept whole.

    The bound counts the rides needed for the cap alone (at least `lowest`); the rides, if any
    within `highest` buses, list each bus's places in driving order and respect the seats.
    """
    n = len(places)
    nodes = [0] + [p + 1 for p in places]
    table = ride_table(geometry.minutes[np.ix_(nodes, nodes)], geometry.dwell)
    ride = table.min(axis=1)
    reach = ride <= bp.max_ride_minutes + 1e-9
    reach[1 << np.arange(n)] = True
    reach[0] = True
    proven, _ = _Covers(reach, n).fewest(n, lowest, highest)
    if proven > highest:
        return proven, None
    masks = np.arange(1 << n, dtype=np.int64)
    load = np.zeros(1 << n, dtype=np.int64)
    for k, p in enumerate(places):
        load += loads[p] * ((masks >> k) & 1)
    fits = reach & (load <= bp.capacity)
    _proven, rides = _Covers(fits, n).fewest(n, proven, highest)
    if rides is None:
        return proven, None
    out: list[list[int]] = []
    for mask in rides:
        order = _ride_order(table, geometry.dwell, geometry.minutes[np.ix_(nodes, nodes)], mask)
        visited = [places[k] for k in order]
        if len(visited) > 1 and geometry.ride_minutes(visited) > bp.max_ride_minutes + 1e-9:
            return proven, None
        out.append(visited)
    return proven, out


def _ride_order(
    table: NDArray[np.float64], dwell: float, minutes: NDArray[np.float64], mask: int
) -> list[int]:
    """Return the places of `mask` in the order of its shortest ride (walks the table back)."""
    order: list[int] = []
    last = int(np.argmin(table[mask]))
    while True:
        order.append(last)
        prev = mask ^ (1 << last)
        if prev == 0:
            break
        costs = table[prev] + minutes[1:, last + 1] + dwell
        last, mask = int(np.argmin(costs)), prev
    return order[::-1]


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
