"""Validate the input, work out who may take which trip, and form the blocks that travel together."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

from transport.planner.domain import (
    GroupKind,
    Params,
    PickupPoint,
    PlanInputError,
    SeatAssignment,
    Traveller,
    Trip,
    seat_position,
)
from transport.planner.geo import haversine_km, minutes_for_km
from transport.planner.result import Reason, SplitReason


@dataclass(slots=True)
class Block:
    """Travellers who must share one trip and, if possible, one car and adjacent seats."""

    key: str
    group_id: str | None
    kind: GroupKind
    members: tuple[int, ...]
    eligible: tuple[int, ...]
    earliest: date
    forced_trip: int | None = None
    forced_car: int | None = None

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(slots=True)
class Lock:
    trip: int
    car: int
    position: int
    assignment: SeatAssignment


@dataclass(slots=True)
class Problem:
    """The validated input in index form; travellers and trips are sorted by id."""

    travellers: list[Traveller]
    trips: list[Trip]
    pickup_points: dict[str, PickupPoint]
    params: Params
    feeder_minutes: NDArray[np.float64]  # [traveller, trip] pickup point → origin station
    arrival_minutes: NDArray[np.float64]  # [traveller, trip] destination station → employer
    locks: dict[int, Lock] = field(default_factory=dict)
    released_locks: list[SeatAssignment] = field(default_factory=list)

    def trip_cost_per_person(self, trip: int, earliest: date) -> float:
        """Return the per-person cost of taking `trip`: travel time plus days waited."""
        t = self.trips[trip]
        wait_days = max(0, (t.date - earliest).days)
        hours = t.travel_minutes / 60.0
        return (
            self.params.value_of_time_per_hour * hours + self.params.wait_cost_per_day * wait_days
        )


@dataclass(slots=True)
class Demand:
    blocks: list[Block]
    reasons: dict[int, tuple[Reason, str]]
    split_reasons: dict[str, SplitReason]


def problem_build(
    travellers: Sequence[Traveller],
    trips: Sequence[Trip],
    pickup_points: Iterable[PickupPoint],
    params: Params,
    locked: Iterable[SeatAssignment],
) -> Problem:
    """Validate the input and precompute road times; raise PlanInputError on contradictions."""
    ordered = sorted(travellers, key=lambda t: t.id)
    _unique([t.id for t in ordered], "traveller")
    trips_sorted = sorted(trips, key=lambda t: t.id)
    _unique([t.id for t in trips_sorted], "trip")
    for trip in trips_sorted:
        _trip_validate(trip)
    points: dict[str, PickupPoint] = {}
    for point in pickup_points:
        if point.id in points:
            raise PlanInputError(f"duplicate pickup point id {point.id!r}")
        points[point.id] = point
    kinds: dict[str, GroupKind] = {}
    for traveller in ordered:
        key = traveller.group_key
        if (
            key is not None
            and kinds.setdefault(key, traveller.group_kind) is not traveller.group_kind
        ):
            raise PlanInputError(
                f"group {key!r} mixes kinds {kinds[key]} and {traveller.group_kind}"
            )

    n, m = len(ordered), len(trips_sorted)
    feeder = np.full((n, m), np.inf)
    arrival = np.full((n, m), np.inf)
    if n and m:
        known = np.array([t.pickup_point_id in points for t in ordered])
        p_lat = np.array(
            [
                points[t.pickup_point_id].lat if k else 0.0
                for t, k in zip(ordered, known, strict=True)
            ]
        )
        p_lng = np.array(
            [
                points[t.pickup_point_id].lng if k else 0.0
                for t, k in zip(ordered, known, strict=True)
            ]
        )
        e_lat = np.array([t.employer.lat for t in ordered])
        e_lng = np.array([t.employer.lng for t in ordered])
        o_lat = np.array([t.origin.lat for t in trips_sorted])
        o_lng = np.array([t.origin.lng for t in trips_sorted])
        d_lat = np.array([t.destination.lat for t in trips_sorted])
        d_lng = np.array([t.destination.lng for t in trips_sorted])
        km_out = haversine_km(p_lat[:, None], p_lng[:, None], o_lat[None, :], o_lng[None, :])
        km_in = haversine_km(e_lat[:, None], e_lng[:, None], d_lat[None, :], d_lng[None, :])
        feeder = minutes_for_km(km_out * params.road_factor, params.feeder_speed_kmh)
        feeder[~known, :] = np.inf
        arrival = minutes_for_km(km_in * params.road_factor, params.arrival_speed_kmh)
        # A traveller takes only trips of their own direction (outbound / return): no road
        # leads to a trip of the other direction.
        t_dir = np.array([str(t.direction) for t in ordered])
        j_dir = np.array([str(t.direction) for t in trips_sorted])
        feeder[t_dir[:, None] != j_dir[None, :]] = np.inf

    problem = Problem(ordered, trips_sorted, points, params, feeder, arrival)
    _locks_read(problem, locked)
    return problem


def _unique(ids: list[str], what: str) -> None:
    for a, b in zip(ids, ids[1:], strict=False):
        if a == b:
            raise PlanInputError(f"duplicate {what} id {a!r}")


def _trip_validate(trip: Trip) -> None:
    if trip.cars < 1 or trip.seats_per_car < 1 and not trip.car_seats:
        raise PlanInputError(f"trip {trip.id!r} needs at least one car with seats")
    if trip.car_seats and (len(trip.car_seats) != trip.cars or min(trip.car_seats) < 1):
        raise PlanInputError(f"trip {trip.id!r}: car_seats must give {trip.cars} positive counts")
    if trip.arrival <= trip.departure:
        raise PlanInputError(f"trip {trip.id!r} arrives before it departs")
    if not trip.letters or len(set(trip.letters)) != len(trip.letters):
        raise PlanInputError(f"trip {trip.id!r}: seat letters must be distinct")
    if trip.fare_per_seat < 0 or trip.fare_per_vehicle < 0:
        raise PlanInputError(f"trip {trip.id!r}: fares must not be negative")


def _locks_read(problem: Problem, locked: Iterable[SeatAssignment]) -> None:
    index_of = {t.id: i for i, t in enumerate(problem.travellers)}
    trip_of = {t.id: j for j, t in enumerate(problem.trips)}
    taken: dict[tuple[int, int, int], str] = {}
    for lock in sorted(locked, key=lambda s: (s.trip_id, s.seat, s.traveller_id)):
        if lock.trip_id not in trip_of:
            raise PlanInputError(
                f"locked seat of {lock.traveller_id!r} is on unknown trip {lock.trip_id!r}"
            )
        j = trip_of[lock.trip_id]
        trip = problem.trips[j]
        position = seat_position(trip, lock.seat)
        if position is None:
            raise PlanInputError(
                f"locked seat {lock.seat.label} does not exist on trip {trip.id!r}"
            )
        car = trip.car_index(lock.seat.car_no)
        assert car is not None
        if (j, car, position) in taken:
            raise PlanInputError(
                f"seat {lock.seat.label} on trip {trip.id!r} is locked for both "
                f"{taken[(j, car, position)]!r} and {lock.traveller_id!r}"
            )
        taken[(j, car, position)] = lock.traveller_id
        i = index_of.get(lock.traveller_id)
        if i is None:
            problem.released_locks.append(lock)
            continue
        if i in problem.locks:
            raise PlanInputError(f"traveller {lock.traveller_id!r} holds more than one locked seat")
        if problem.travellers[i].pickup_point_id not in problem.pickup_points:
            raise PlanInputError(
                f"locked traveller {lock.traveller_id!r} has an unknown pickup point"
            )
        problem.locks[i] = Lock(
            j, car, position, SeatAssignment(lock.traveller_id, lock.trip_id, lock.seat, True)
        )


def demand_build(problem: Problem) -> Demand:
    """Return the blocks to place, plus a reason for everyone who cannot take any trip."""
    params = problem.params
    travellers, trips = problem.travellers, problem.trips
    n, m = len(travellers), len(trips)
    reasons: dict[int, tuple[Reason, str]] = {}
    split_reasons: dict[str, SplitReason] = {}

    route_ok = (problem.feeder_minutes <= params.feeder_max_ride_minutes) & (
        problem.arrival_minutes <= params.arrival_max_ride_minutes
    )
    trip_day = np.array([t.date.toordinal() for t in trips], dtype=np.int64)
    earliest = np.array([t.earliest_departure.toordinal() for t in travellers], dtype=np.int64)
    date_ok = (trip_day[None, :] >= earliest[:, None]) & (
        trip_day[None, :] <= earliest[:, None] + params.max_wait_days
    )
    eligible_matrix = route_ok & date_ok if n and m else np.zeros((n, m), dtype=bool)
    max_car = np.array(
        [max(t.seats_in_car(c) for c in range(t.cars)) for t in trips], dtype=np.int64
    )

    eligible: dict[int, tuple[int, ...]] = {}
    for i, traveller in enumerate(travellers):
        if i in problem.locks:
            continue
        if traveller.pickup_point_id not in problem.pickup_points:
            reasons[i] = (Reason.UNKNOWN_PICKUP_POINT, traveller.pickup_point_id)
        elif not m or not route_ok[i].any():
            reasons[i] = (
                Reason.NO_TRIP_FOR_ROUTE,
                "no trip links a station near the pickup point to one near the employer",
            )
        elif not eligible_matrix[i].any():
            last = traveller.earliest_departure + timedelta(days=params.max_wait_days)
            reasons[i] = (
                Reason.NO_TRIP_ON_OR_AFTER_DATE,
                f"no trip on the route between {traveller.earliest_departure} and {last}",
            )
        else:
            eligible[i] = tuple(int(j) for j in np.flatnonzero(eligible_matrix[i]))

    groups: dict[str, list[int]] = defaultdict(list)
    blocks: list[Block] = []
    for i, traveller in enumerate(travellers):
        key = traveller.group_key
        if key is not None:
            groups[key].append(i)
        elif i in eligible:
            blocks.append(
                Block(
                    traveller.id,
                    None,
                    GroupKind.NONE,
                    (i,),
                    eligible[i],
                    traveller.earliest_departure,
                )
            )

    for group_id in sorted(groups):
        members = groups[group_id]
        kind = travellers[members[0]].group_kind
        locked_members = [i for i in members if i in problem.locks]
        free = [i for i in members if i in eligible]
        if not free:
            continue
        forced_trip: int | None = None
        forced_car: int | None = None
        if locked_members:
            trip_votes = Counter(problem.locks[i].trip for i in locked_members)
            forced_trip = min(trip_votes, key=lambda j: (-trip_votes[j], j))
            car_votes = Counter(
                problem.locks[i].car for i in locked_members if problem.locks[i].trip == forced_trip
            )
            forced_car = min(car_votes, key=lambda c: (-car_votes[c], c))
        if kind is GroupKind.FAMILY:
            stuck = [i for i in members if i in reasons]
            if stuck and not locked_members:
                # A family travels whole or not at all: the others wait for the one who cannot go.
                detail = (
                    f"family {group_id}: {', '.join(travellers[i].id for i in stuck)} cannot travel"
                )
                reasons.update({i: (Reason.GROUP_HAS_NO_COMMON_TRIP, detail) for i in free})
                continue
            common = set(eligible[free[0]]).intersection(*(eligible[i] for i in free[1:]))
            if forced_trip is not None:
                common &= {forced_trip}
            fitting = sorted(j for j in common if max_car[j] >= len(free))
            if not fitting:
                reason = Reason.GROUP_DOES_NOT_FIT if common else Reason.GROUP_HAS_NO_COMMON_TRIP
                detail = f"family {group_id} of {len(free)}"
                reasons.update({i: (reason, detail) for i in free})
                continue
            blocks.append(
                Block(
                    group_id,
                    group_id,
                    kind,
                    tuple(free),
                    tuple(fitting),
                    max(travellers[i].earliest_departure for i in free),
                    forced_trip,
                    forced_car,
                )
            )
            continue
        # Village groups: keep together where they can share a trip, split where they cannot.
        parts: list[tuple[list[int], set[int], int | None, int | None]] = []
        if forced_trip is not None:
            with_lock = [i for i in free if forced_trip in eligible[i]]
            if with_lock:
                parts.append((with_lock, {forced_trip}, forced_trip, forced_car))
            rest = [i for i in free if forced_trip not in eligible[i]]
            if rest:
                split_reasons.setdefault(group_id, SplitReason.LOCKED_SEATS)
        else:
            rest = free
        for chunk, common in _village_parts(rest, eligible):
            parts.append((chunk, common, None, None))
        if len(parts) > 1:
            split_reasons.setdefault(group_id, SplitReason.MEMBERS_HAVE_DIFFERENT_TRIPS)
        for part_no, (chunk, common, f_trip, f_car) in enumerate(parts):
            biggest = max(int(max_car[j]) for j in common)
            pieces = -(-len(chunk) // biggest)
            if pieces > 1:
                split_reasons.setdefault(group_id, SplitReason.GROUP_LARGER_THAN_CAR)
            for piece_no in range(pieces):
                piece = chunk[piece_no::pieces]
                piece_trips = tuple(sorted(j for j in common if max_car[j] >= len(piece)))
                suffix = "" if len(parts) == 1 and pieces == 1 else f"#{part_no}.{piece_no}"
                blocks.append(
                    Block(
                        group_id + suffix,
                        group_id,
                        kind,
                        tuple(sorted(piece)),
                        piece_trips,
                        max(travellers[i].earliest_departure for i in piece),
                        f_trip,
                        f_car,
                    )
                )
    blocks.sort(key=lambda b: b.key)
    return Demand(blocks, reasons, split_reasons)


def _village_parts(
    members: list[int], eligible: dict[int, tuple[int, ...]]
) -> list[tuple[list[int], set[int]]]:
    """Return members partitioned into parts that share at least one trip, biggest first."""
    by_set: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i in members:
        by_set[eligible[i]].append(i)
    ordered = sorted(by_set.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    parts: list[tuple[list[int], set[int]]] = []
    for trips, who in ordered:
        for part in parts:
            common = part[1] & set(trips)
            if common:
                part[0].extend(who)
                part[1].intersection_update(common)
                break
        else:
            parts.append((list(who), set(trips)))
    return [(sorted(p[0]), p[1]) for p in parts]
