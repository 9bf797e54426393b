"""Vehicle counts against their lower bounds, group outcomes, and the plan's statistics."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from transport.planner.domain import GroupKind, SeatAssignment, Traveller, Trip, seat_position
from transport.planner.result import (
    BusLeg,
    GroupSplit,
    LegKind,
    LegReport,
    SplitReason,
    TrunkAssignment,
)


def fewest_units(seat_counts: Iterable[int], people: int) -> int:
    """Return the fewest units (largest first) whose seats hold `people`: ceil(people / seats)."""
    if people <= 0:
        return 0
    total = 0
    for n, seats in enumerate(sorted(seat_counts, reverse=True), start=1):
        total += seats
        if total >= people:
            return n
    return math.ceil(people / max(seat_counts, default=1))


def trunk_reports(
    trunk: Sequence[TrunkAssignment], seats: Sequence[SeatAssignment], trips: Mapping[str, Trip]
) -> list[LegReport]:
    """Return one row per booked trip: units used against the fewest units that seat everyone."""
    cars_used: dict[str, set[int]] = defaultdict(set)
    people: dict[str, int] = defaultdict(int)
    for s in seats:
        cars_used[s.trip_id].add(s.seat.car_no)
        people[s.trip_id] += 1
    rows = []
    for booking in trunk:
        trip = trips[booking.trip_id]
        counted = sorted(cars_used[trip.id]) if trip.whole_booking else list(booking.booked_car_nos)
        seat_total = sum(trip.seats_in_car(trip.car_index(no) or 0) for no in counted)
        n = people[trip.id]
        all_cars = [trip.seats_in_car(c) for c in range(trip.cars)]
        rows.append(
            LegReport(
                kind=LegKind.TRUNK,
                trip_id=trip.id,
                key=trip.id,
                people=n,
                vehicles=len(counted),
                seats=seat_total,
                lower_bound=fewest_units(all_cars, n),
                fill_rate=round(n / seat_total, 4) if seat_total else 0.0,
                ride_bound=fewest_units(all_cars, n),
            )
        )
    return rows


def bus_reports(
    legs: Sequence[BusLeg], ride_bounds: Mapping[tuple[LegKind, str, str], int] | None = None
) -> list[LegReport]:
    """Return one row per (trip, kind, key) bus leg: buses against ceil(people / seats).

    `ride_bounds` holds the buses the ride cap alone requires (see `legs.ride_bounds`); a row's
    `ride_bound` is the larger of that and the seat bound.
    """
    ride_bounds = ride_bounds or {}
    grouped: dict[tuple[LegKind, str, str], list[BusLeg]] = defaultdict(list)
    for leg in legs:
        grouped[(leg.kind, leg.trip_id, leg.key)].append(leg)
    rows = []
    for (kind, trip_id, key), buses in sorted(grouped.items()):
        n = sum(len(b.members) for b in buses)
        seat_total = sum(b.capacity for b in buses)
        bound = fewest_units([b.capacity for b in buses], n)
        rows.append(
            LegReport(
                kind=kind,
                trip_id=trip_id,
                key=key,
                people=n,
                vehicles=len(buses),
                seats=seat_total,
                lower_bound=bound,
                fill_rate=round(n / seat_total, 4) if seat_total else 0.0,
                ride_bound=max(bound, ride_bounds.get((kind, trip_id, key), 0)),
            )
        )
    return rows


def group_outcomes(
    travellers: Sequence[Traveller], seats: Sequence[SeatAssignment], trips: Mapping[str, Trip]
) -> dict[str, tuple[GroupKind, bool, bool, dict[tuple[str, int], list[str]]]]:
    """Return per group with two or more seated members: kind, together, adjacent, parts by car."""
    seat_of = {s.traveller_id: s for s in seats}
    members: dict[str, list[Traveller]] = defaultdict(list)
    for t in travellers:
        if t.group_key is not None and t.id in seat_of:
            members[t.group_key].append(t)
    out = {}
    for group_id, people in sorted(members.items()):
        if len(people) < 2:
            continue
        parts: dict[tuple[str, int], list[str]] = defaultdict(list)
        for t in people:
            s = seat_of[t.id]
            parts[(s.trip_id, s.seat.car_no)].append(t.id)
        together = len(parts) == 1
        adjacent = False
        if together:
            s0 = seat_of[people[0].id]
            trip = trips[s0.trip_id]
            positions = sorted(seat_position(trip, seat_of[t.id].seat) or 0 for t in people)
            adjacent = positions[-1] - positions[0] == len(positions) - 1
        out[group_id] = (
            people[0].group_kind,
            together,
            adjacent,
            {k: sorted(v) for k, v in sorted(parts.items())},
        )
    return out


def group_splits(
    outcomes: Mapping[str, tuple[GroupKind, bool, bool, dict[tuple[str, int], list[str]]]],
    reasons: Mapping[str, SplitReason],
) -> list[GroupSplit]:
    """Return a record for every group seated in more than one car."""
    return [
        GroupSplit(
            group_id,
            kind,
            reasons.get(group_id, SplitReason.NO_CAR_WITH_ROOM),
            tuple(tuple(v) for v in parts.values()),
        )
        for group_id, (kind, together, _adjacent, parts) in outcomes.items()
        if not together
    ]
