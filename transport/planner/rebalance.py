"""Swap riders between booked trips so that no arrival leg needs more buses than it must.

Once the trunk has fixed how many people ride each trip, who they are does not change the
trunk objective: a rider costs the value of the trip's travel time plus the days from their
earliest date to the trip's date, and summed over a trip's riders that is the same for any
riders allowed on it (their earliest dates add up to the same total either way). So bookings,
cost, person-hours and person-days waited stay exactly as the trunk chose them; only who waits
changes. The trunk counts heads per class of interchangeable blocks and cannot see the buses
at either end, so its decoding may put a far district's workers on a trip to the farther
arrival station, where one bus reaches few of their gates within the ride cap (Laixi lies
over two hours from Qingdao station, 20 minutes less from Qingdao North).

For every arrival leg above its seat bound + 1, worst first, this module tries to swap the
leg's workers for as many riders of another booked trip: trips whose arrival station is nearer
the leg's workers first; all of the leg's workers first, then those of its farthest half and
quarter of gates. Every moved block must be allowed on its new trip (route, ride caps, dates)
and neither end may hold a locked seat. The buses of both trips are planned again to judge the
swap, which stays only if fewer legs of the two trips are above their seat bound + 1 without
an extra bus (feeder buses included), or if it saves a bus.

Some legs stay above bound + 1 because no swap at equal cost exists: the ride cap alone needs
their buses, and the workers could leave only for a trip with a different cost (a later date
means more days waited). `riders_move` weighs that: for each such leg it tries to move the
workers of one gate (with every block they belong to, never a part of a family or village
group, never a block holding a locked seat) to another booked trip with free seats in its
booked units, allowed for every moved block. The trunk objective rises by the per-person
cost difference, rounded as the trunk model rounds it (no fare changes: the booked seats are
paid for either way); the buses of both trips are planned again and priced with
`Params.arrival_bus_cost` and `feeder_bus_cost`. The move with the largest saving (buses
saved minus the trunk increase) is made if that saving is positive and no leg of the two trips
ends further above its bound; the leg is then looked at again.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from transport.planner.demand import Block, Problem
from transport.planner.legs import arrival_legs_build, feeder_legs_build
from transport.planner.report import fewest_units
from transport.planner.result import BusLeg

# Swaps tried in all; each plans the buses of two trips again (about 0.1 s). Legs above the
# bound are rare (0-3 in a 10,000-traveller campaign) and most are settled by the first swap.
MAX_SWAPS_TRIED = 40
# Other trips a leg's workers may be swapped onto, nearest arrival station first.
MAX_PARTNER_TRIPS = 4

# Moves judged in all; each plans the buses of two trips again (about 0.05 s). Only legs the
# swaps leave above bound + 1 are looked at (0-2 in a 10,000-traveller campaign).
MAX_MOVES_TRIED = 120
# Cheapest (by trunk cost) moves judged per look at one leg.
MAX_MOVES_PER_LEG = 30

# (buses above their leg's seat bound + 1, buses): smaller is better, in that order.
Score = tuple[int, int]
# (buses above their leg's seat bound + 1, arrival buses, feeder buses).
Count = tuple[int, int, int]


@dataclass(slots=True)
class Moves:
    """What `riders_move` did: travellers moved to other trips, and what that cost and saved.

    `wait_person_days` counts each traveller's days after their own earliest date, as
    `PlanStats.wait_person_days` does; `trunk_cost` is the rise of the trunk objective.
    """

    changed: set[int] = field(default_factory=set)
    travellers: int = 0
    wait_person_days: int = 0
    trunk_cost: float = 0.0
    arrival_buses_saved: int = 0
    feeder_buses_saved: int = 0


def riders_rebalance(
    problem: Problem,
    on_trip: dict[int, list[Block]],
    arrival: dict[int, list[BusLeg]],
    riders_of: Callable[[int], list[int]],
) -> set[int]:
    """Swap blocks between the trips of `on_trip` to bring arrival legs within seat bound + 1.

    `arrival` holds the arrival legs planned for the current riders and is kept up to date;
    `riders_of(j)` returns the travellers on trip `j` as `on_trip` stands. Return the trips
    whose riders changed.
    """
    judge = _Judge(problem, on_trip, riders_of)
    changed: set[int] = set()
    tried = 0
    settled: set[tuple[int, str]] = set()
    while tried < MAX_SWAPS_TRIED:
        over = [leg for leg in _legs_over(problem, arrival) if leg not in settled]
        if not over:
            break
        j, district = over[0]
        settled.add((j, district))
        for j2, moving, pool in _candidates(problem, on_trip, j, district):
            partners = _partners(problem, on_trip[j], moving, pool, j)
            if partners is None:
                continue
            tried += 1
            if judge.swap(j, j2, moving, partners):
                changed |= {j, j2}
                for t in (j, j2):
                    arrival[t] = arrival_legs_build(problem, t, riders_of(t), on_trip[t])
                settled.discard((j, district))  # look at it again if it is still over
                break
            if tried >= MAX_SWAPS_TRIED:
                break
    return changed


def riders_move(
    problem: Problem,
    on_trip: dict[int, list[Block]],
    arrival: dict[int, list[BusLeg]],
    riders_of: Callable[[int], list[int]],
    booked: dict[int, list[int]],
) -> Moves:
    """Move gate groups off arrival legs above seat bound + 1 where the buses saved pay for it.

    `booked` holds each trip's booked units, which stay as they are: a group moves only into
    free seats. `arrival` is kept up to date as in `riders_rebalance`.
    """
    params = problem.params
    judge = _Judge(problem, on_trip, riders_of)
    moves = Moves()
    tried = 0
    settled: set[tuple[int, str]] = set()
    while tried < MAX_MOVES_TRIED:
        over = [leg for leg in _legs_over(problem, arrival) if leg not in settled]
        if not over:
            break
        j, district = over[0]
        settled.add((j, district))
        candidates = sorted(_move_candidates(problem, on_trip, booked, riders_of, j, district))
        best: tuple[float, int, tuple[str, ...], list[Block], Count, Count] | None = None
        for delta, t, keys, moving in candidates[:MAX_MOVES_PER_LEG]:
            if tried >= MAX_MOVES_TRIED:
                break
            tried += 1
            before, after = judge.move_count(j, t, moving)
            saved = (before[1] - after[1]) * params.arrival_bus_cost + (
                before[2] - after[2]
            ) * params.feeder_bus_cost
            gain = saved - delta
            if gain > 0 and after[0] <= before[0] and (best is None or gain > best[0]):
                best = (gain, t, keys, moving, before, after)
        if best is None:
            continue
        _gain, t, _keys, moving, before, after = best
        judge.apply(j, t, moving)
        for trip in (j, t):
            arrival[trip] = arrival_legs_build(problem, trip, riders_of(trip), on_trip[trip])
        moves.changed |= {j, t}
        moves.travellers += sum(b.size for b in moving)
        moves.trunk_cost += _trunk_delta(problem, moving, j, t)
        moves.arrival_buses_saved += before[1] - after[1]
        moves.feeder_buses_saved += before[2] - after[2]
        for b in moving:
            for i in b.members:
                earliest = problem.travellers[i].earliest_departure
                moves.wait_person_days += max(0, (problem.trips[t].date - earliest).days) - max(
                    0, (problem.trips[j].date - earliest).days
                )
        settled.discard((j, district))  # look at it again if it is still over
    return moves


def _trunk_delta(problem: Problem, moving: list[Block], j: int, t: int) -> float:
    """Return the rise of the trunk objective when `moving` leaves trip `j` for `t`.

    Per person the trunk model counts round(travel-time value + waiting) at the block's
    earliest date; bookings do not change (only free seats of booked units are used).
    """
    cost = problem.trip_cost_per_person
    return float(
        sum(b.size * (round(cost(t, b.earliest)) - round(cost(j, b.earliest))) for b in moving)
    )


def _move_candidates(
    problem: Problem,
    on_trip: dict[int, list[Block]],
    booked: dict[int, list[int]],
    riders_of: Callable[[int], list[int]],
    j: int,
    district: str,
) -> Iterator[tuple[float, int, tuple[str, ...], list[Block]]]:
    """Yield (trunk cost rise, trip, block keys, blocks) for each gate group of the leg and trip.

    A gate group is every block on `j` with a worker of that gate in `district`; blocks holding
    a locked seat stay. The other trip must be booked, allowed for every moved block and have
    the free seats; trip `j` must keep its minimum fill and its units within the fewest that
    seat its riders + 1.
    """
    travellers = problem.travellers
    trips = problem.trips
    params = problem.params
    blocks = on_trip.get(j, [])
    gates = sorted(
        {
            travellers[i].employer.id
            for b in blocks
            for i in b.members
            if travellers[i].employer.district_code == district
        }
    )
    load = len(riders_of(j))
    locked_here = load - sum(b.size for b in blocks)
    capacity = sum(trips[j].seats_in_car(c) for c in booked.get(j, []))
    all_cars = [trips[j].seats_in_car(c) for c in range(trips[j].cars)]
    seen: set[tuple[str, ...]] = set()
    for gate in gates:
        moving = [
            b
            for b in blocks
            if b.forced_trip is None and any(travellers[i].employer.id == gate for i in b.members)
        ]
        keys = tuple(b.key for b in moving)
        if not moving or keys in seen:
            continue
        seen.add(keys)
        size = sum(b.size for b in moving)
        left = load - size
        fill = params.min_fill(trips[j].mode)
        if left <= 0 or (not locked_here and 1000 * left < round(1000 * fill) * capacity):
            continue
        if not trips[j].whole_booking and len(booked[j]) > fewest_units(all_cars, left) + 1:
            continue
        targets = set(moving[0].eligible).intersection(*(b.eligible for b in moving[1:]))
        for t in sorted(targets - {j}):
            units = booked.get(t, [])
            if not units or on_trip.get(t) is None:
                continue
            free = sum(trips[t].seats_in_car(c) for c in units) - len(riders_of(t))
            if free >= size:
                yield _trunk_delta(problem, moving, j, t), t, keys, moving


def _legs_over(problem: Problem, arrival: dict[int, list[BusLeg]]) -> list[tuple[int, str]]:
    """Return (trip, district) of every arrival leg above its seat bound + 1, worst first."""
    seats = problem.params.arrival_bus_seats
    rows: list[tuple[int, int, str]] = []
    for j in sorted(arrival):
        buses: dict[str, list[BusLeg]] = defaultdict(list)
        for leg in arrival[j]:
            buses[leg.key].append(leg)
        for district, legs in sorted(buses.items()):
            excess = len(legs) - math.ceil(sum(len(leg.members) for leg in legs) / seats)
            if excess > 1:
                rows.append((-excess, j, district))
    return [(j, district) for _excess, j, district in sorted(rows)]


def _districts(problem: Problem, block: Block) -> set[str]:
    return {problem.travellers[i].employer.district_code for i in block.members}


def _candidates(
    problem: Problem, on_trip: dict[int, list[Block]], j: int, district: str
) -> Iterator[tuple[int, list[Block], list[Block]]]:
    """Yield (other trip, blocks to move there, blocks there that may take trip `j`).

    The moving blocks are all of the leg's, then those of its farthest half and quarter of
    gates, each cut to the head count that can come back.
    """
    minutes = problem.arrival_minutes
    mine = [
        b
        for b in on_trip.get(j, [])
        if b.forced_trip is None and district in _districts(problem, b)
    ]
    if not mine:
        return

    def reach(b: Block) -> float:
        return max(float(minutes[i, j]) for i in b.members)

    mine.sort(key=lambda b: (-reach(b), b.key))
    workers = [
        i
        for b in mine
        for i in b.members
        if problem.travellers[i].employer.district_code == district
    ]
    others = sorted(
        (t for t in on_trip if t != j and on_trip[t] and any(t in b.eligible for b in mine)),
        key=lambda t: (
            sum(float(minutes[i, t]) for i in workers) / len(workers),
            abs((problem.trips[t].date - problem.trips[j].date).days),
            t,
        ),
    )
    partner_trips = 0
    for t in others:
        pool = [
            b
            for b in on_trip[t]
            if b.forced_trip is None and j in b.eligible and district not in _districts(problem, b)
        ]
        movable = [b for b in mine if t in b.eligible]
        if not pool or not movable:
            continue
        partner_trips += 1
        if partner_trips > MAX_PARTNER_TRIPS:
            return
        room = sum(b.size for b in pool)
        reaches = sorted({reach(b) for b in movable}, reverse=True)
        seen: set[tuple[str, ...]] = set()
        for share in (1, 2, 4):
            cut = reaches[math.ceil(len(reaches) / share) - 1]
            moving: list[Block] = []
            load = 0
            for b in movable:
                if reach(b) >= cut and load + b.size <= room:
                    moving.append(b)
                    load += b.size
            keys = tuple(b.key for b in moving)
            if moving and keys not in seen:
                seen.add(keys)
                yield t, moving, pool


def _partners(
    problem: Problem, riding: list[Block], moving: list[Block], pool: list[Block], j: int
) -> list[Block] | None:
    """Return blocks of `pool` adding up exactly to the moving head count, or None.

    Preferred, in this order: blocks whose employers and pickup points trip `j` (ridden by
    `riding`) already serves, so no gate or pickup stop is added; those nearest `j`'s arrival
    station; blocks as big as a moving one. Among choices of the exact head count the one with
    the lowest sum of preference ranks wins (a subset-sum table, heads × blocks).
    """
    travellers = problem.travellers
    gates = {travellers[i].employer.id for b in riding for i in b.members}
    points = {travellers[i].pickup_point_id for b in riding for i in b.members}
    sizes = {b.size for b in moving}

    def preference(b: Block) -> tuple[object, ...]:
        return (
            len({travellers[i].employer.id for i in b.members} - gates),
            len({travellers[i].pickup_point_id for i in b.members} - points),
            max(float(problem.arrival_minutes[i, j]) for i in b.members),
            b.size not in sizes,
            b.key,
        )

    want = sum(b.size for b in moving)
    # cheapest[s]: (rank sum, blocks) of the best choice so far adding up to s people.
    cheapest: list[tuple[int, list[Block]] | None] = [None] * (want + 1)
    cheapest[0] = (0, [])
    for rank, b in enumerate(sorted(pool, key=preference), start=1):
        for s in range(want, b.size - 1, -1):
            before, now = cheapest[s - b.size], cheapest[s]
            if before is not None and (now is None or before[0] + rank < now[0]):
                cheapest[s] = (before[0] + rank, [*before[1], b])
    found = cheapest[want]
    return None if found is None else found[1]


class _Judge:
    """Plan the buses of a swap's two trips before and after it, and keep the better."""

    def __init__(
        self,
        problem: Problem,
        on_trip: dict[int, list[Block]],
        riders_of: Callable[[int], list[int]],
    ) -> None:
        self.problem = problem
        self.on_trip = on_trip
        self.riders_of = riders_of
        self.tallies: dict[tuple[object, ...], Score] = {}

    def swap(self, j: int, j2: int, moving: list[Block], partners: list[Block]) -> bool:
        """Swap `moving` (on `j`) with `partners` (on `j2`) if that helps; return whether kept."""
        districts = set().union(*(_districts(self.problem, b) for b in moving + partners))
        bad, buses = self._score((j, j2), districts)
        self._move(j, j2, moving, partners)
        bad_after, buses_after = self._score((j, j2), districts)
        if buses_after <= buses and (bad_after, buses_after) < (bad, buses):
            return True
        self._move(j2, j, moving, partners)
        return False

    def move_count(self, j: int, t: int, moving: list[Block]) -> tuple[Count, Count]:
        """Return the counts of trips `j` and `t` before and after moving `moving` to `t`."""
        districts = set().union(*(_districts(self.problem, b) for b in moving))
        before = self._count((j, t), districts)
        self._move(j, t, moving, [])
        after = self._count((j, t), districts)
        self._move(t, j, moving, [])
        return before, after

    def apply(self, j: int, t: int, moving: list[Block]) -> None:
        """Move `moving` from trip `j` to trip `t`."""
        self._move(j, t, moving, [])

    def _move(self, j: int, j2: int, moving: list[Block], partners: list[Block]) -> None:
        """Move `moving` from `j` to `j2` and `partners` from `j2` to `j`."""
        leaving = {b.key for b in moving}
        coming = {b.key for b in partners}
        kept = [b for b in self.on_trip[j] if b.key not in leaving]
        kept2 = [b for b in self.on_trip[j2] if b.key not in coming]
        self.on_trip[j] = sorted(kept + partners, key=lambda b: b.key)
        self.on_trip[j2] = sorted(kept2 + moving, key=lambda b: b.key)

    def _score(self, trips: tuple[int, ...], districts: set[str]) -> Score:
        """Return the score of the feeder legs and the `districts`' arrival legs of `trips`."""
        bad, arrival, feeder = self._count(trips, districts)
        return bad, arrival + feeder

    def _count(self, trips: tuple[int, ...], districts: set[str]) -> Count:
        """Return the counts of the feeder legs and the `districts`' arrival legs of `trips`."""
        problem = self.problem
        bad, buses, feeder = 0, 0, 0
        for j in trips:
            riders = self.riders_of(j)
            blocks = self.on_trip[j]
            for district in sorted(districts):
                mine = [
                    i for i in riders if problem.travellers[i].employer.district_code == district
                ]
                key: tuple[object, ...] = ("arrival", j, district, *mine)
                if key not in self.tallies:
                    legs = arrival_legs_build(problem, j, mine, blocks, {district})
                    self.tallies[key] = _tally(legs, problem.params.arrival_bus_seats)
                b, n = self.tallies[key]
                bad, buses = bad + b, buses + n
            key = ("feeder", j, *riders)
            if key not in self.tallies:
                legs = feeder_legs_build(problem, j, riders, blocks)
                self.tallies[key] = _tally(legs, problem.params.feeder_bus_seats)
            b, n = self.tallies[key]
            bad, feeder = bad + b, feeder + n
        return bad, buses, feeder


def _tally(legs: list[BusLeg], seats: int) -> Score:
    """Return the score of `legs`, grouped by their key (station or district)."""
    groups: dict[str, list[BusLeg]] = defaultdict(list)
    for leg in legs:
        groups[leg.key].append(leg)
    bad = 0
    for buses in groups.values():
        people = sum(len(leg.members) for leg in buses)
        bad += max(0, len(buses) - math.ceil(people / seats) - 1)
    return bad, len(legs)
