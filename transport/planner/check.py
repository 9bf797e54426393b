"""Independent checks of a plan's invariants, for tests and for callers who want proof.

Each check recomputes what it needs from the plan and the input; none trusts the planner's
own bookkeeping. An empty list means the plan keeps every invariant.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from transport.planner.domain import (
    GroupKind,
    Params,
    SeatAssignment,
    Traveller,
    Trip,
    seat_position,
)
from transport.planner.legs import leg_ride_bound
from transport.planner.result import LegKind, Plan, Reason, SplitReason, StopKind


@dataclass(frozen=True, slots=True)
class Violation:
    code: str
    detail: str


def plan_violations(
    plan: Plan,
    travellers: Sequence[Traveller],
    trips: Sequence[Trip],
    *,
    params: Params | None = None,
    locked: Iterable[SeatAssignment] = (),
) -> list[Violation]:
    """Return every broken invariant of `plan` (capacity, seats, groups, coverage, bounds, locks)."""
    out: list[Violation] = []
    out += seat_violations(plan, travellers, trips)
    out += coverage_violations(plan, travellers)
    out += group_violations(plan, travellers)
    out += bus_violations(plan, travellers, trips, params)
    out += lower_bound_violations(plan, trips)
    out += ride_bound_violations(plan, travellers, trips, params)
    out += lock_violations(plan, travellers, locked)
    return out


def seat_violations(
    plan: Plan, travellers: Sequence[Traveller], trips: Sequence[Trip]
) -> list[Violation]:
    """Check seats exist, lie in booked cars, are held once, and no car or trip overflows."""
    out: list[Violation] = []
    trip_by_id = {t.id: t for t in trips}
    person = {t.id: t for t in travellers}
    booked = {b.trip_id: set(b.booked_car_nos) for b in plan.trunk}
    holders: dict[tuple[str, int, int], str] = {}
    per_car: Counter[tuple[str, int]] = Counter()
    trips_of: dict[str, list[str]] = defaultdict(list)
    for s in plan.seats:
        trip = trip_by_id.get(s.trip_id)
        if trip is None or s.traveller_id not in person:
            out.append(Violation("seat_unknown_reference", f"{s.traveller_id} on {s.trip_id}"))
            continue
        position = seat_position(trip, s.seat)
        if position is None:
            out.append(Violation("seat_does_not_exist", f"{s.seat.label} on {trip.id}"))
            continue
        if s.seat.car_no not in booked.get(trip.id, set()):
            out.append(
                Violation("seat_not_booked", f"{s.traveller_id}: car {s.seat.car_no} of {trip.id}")
            )
        key = (trip.id, s.seat.car_no, position)
        if key in holders:
            out.append(
                Violation(
                    "seat_double_booked",
                    f"{s.seat.label} on {trip.id}: {holders[key]}, {s.traveller_id}",
                )
            )
        holders[key] = s.traveller_id
        per_car[(trip.id, s.seat.car_no)] += 1
        trips_of[s.traveller_id].append(trip.id)
        if not s.locked and trip.date < person[s.traveller_id].earliest_departure:
            out.append(Violation("trip_before_earliest_date", f"{s.traveller_id} on {trip.id}"))
    for (trip_id, car_no), n in per_car.items():
        trip = trip_by_id[trip_id]
        index = trip.car_index(car_no)
        if index is None or n > trip.seats_in_car(index):
            out.append(Violation("car_over_capacity", f"{trip_id} car {car_no}: {n}"))
    for tid, on in trips_of.items():
        if len(on) != len(set(on)):
            out.append(Violation("two_seats_on_one_trip", tid))
        if len(set(on)) > 1:
            out.append(Violation("seats_on_two_trips", f"{tid}: {sorted(set(on))}"))
    riders: dict[str, set[str]] = defaultdict(set)
    for s in plan.seats:
        riders[s.trip_id].add(s.traveller_id)
    for b in plan.trunk:
        if set(b.travellers) != riders.get(b.trip_id, set()):
            out.append(Violation("trunk_roster_mismatch", b.trip_id))
        if len(b.travellers) > b.booked_seats:
            out.append(
                Violation(
                    "trunk_over_capacity", f"{b.trip_id}: {len(b.travellers)} > {b.booked_seats}"
                )
            )
    return out


def coverage_violations(plan: Plan, travellers: Sequence[Traveller]) -> list[Violation]:
    """Check every traveller is seated or listed as unplaced with a reason, never both."""
    out: list[Violation] = []
    seated = {s.traveller_id for s in plan.seats}
    unplaced = Counter(u.traveller_id for u in plan.unplaced)
    for u in plan.unplaced:
        if not isinstance(u.reason, Reason):
            out.append(Violation("unplaced_without_reason", u.traveller_id))
    for t in travellers:
        if t.id in seated and t.id in unplaced:
            out.append(Violation("placed_and_unplaced", t.id))
        elif t.id not in seated and t.id not in unplaced:
            out.append(Violation("traveller_missing", t.id))
        if unplaced[t.id] > 1:
            out.append(Violation("unplaced_twice", t.id))
    return out


def group_violations(plan: Plan, travellers: Sequence[Traveller]) -> list[Violation]:
    """Check no family is split across cars, and every split village group is reported."""
    out: list[Violation] = []
    car_of = {s.traveller_id: (s.trip_id, s.seat.car_no) for s in plan.seats}
    reported = {g.group_id: g for g in plan.group_splits}
    cars: dict[str, set[tuple[str, int]]] = defaultdict(set)
    kind: dict[str, GroupKind] = {}
    for t in travellers:
        if t.group_key is not None and t.id in car_of:
            cars[t.group_key].add(car_of[t.id])
            kind[t.group_key] = t.group_kind
    for group_id, where in cars.items():
        if len(where) <= 1:
            continue
        split = reported.get(group_id)
        if split is None:
            out.append(Violation("group_split_unreported", group_id))
        elif kind[group_id] is GroupKind.FAMILY and split.reason is not SplitReason.LOCKED_SEATS:
            out.append(Violation("family_split", group_id))
    for group_id in reported:
        if len(cars.get(group_id, ())) <= 1:
            out.append(Violation("split_reported_for_whole_group", group_id))
    return out


def bus_violations(
    plan: Plan, travellers: Sequence[Traveller], trips: Sequence[Trip], params: Params | None
) -> list[Violation]:
    """Check buses are not overfilled and every seated traveller has one feeder and one arrival bus."""
    out: list[Violation] = []
    person = {t.id: t for t in travellers}
    trip_by_id = {t.id: t for t in trips}
    trip_of = {s.traveller_id: s.trip_id for s in plan.seats}
    for kind, legs in ((LegKind.FEEDER, plan.feeder_legs), (LegKind.ARRIVAL, plan.arrival_legs)):
        seen: Counter[str] = Counter()
        for leg in legs:
            if leg.kind is not kind:
                out.append(
                    Violation("leg_kind_mismatch", f"{leg.trip_id} {leg.key} #{leg.vehicle_index}")
                )
            if len(leg.members) > leg.capacity:
                out.append(
                    Violation(
                        "bus_over_capacity", f"{kind} {leg.trip_id} {leg.key} #{leg.vehicle_index}"
                    )
                )
            on_stops = [
                tid
                for stop in leg.stops
                for tid in (stop.boarding if kind is LegKind.FEEDER else stop.alighting)
                if stop.kind is not StopKind.STATION
            ]
            if sorted(on_stops) != sorted(leg.members):
                out.append(
                    Violation(
                        "bus_stops_mismatch", f"{kind} {leg.trip_id} {leg.key} #{leg.vehicle_index}"
                    )
                )
            for stop in leg.stops:
                for tid in stop.boarding + stop.alighting:
                    t = person.get(tid)
                    if t is None or stop.kind is StopKind.STATION:
                        continue
                    expected = t.pickup_point_id if kind is LegKind.FEEDER else t.employer.id
                    if stop.place_id != expected:
                        out.append(Violation("wrong_stop", f"{tid} at {stop.place_id}"))
            for tid in leg.members:
                seen[tid] += 1
                if trip_of.get(tid) != leg.trip_id:
                    out.append(Violation("bus_for_wrong_trip", f"{tid} on {kind} of {leg.trip_id}"))
                t = person.get(tid)
                if (
                    kind is LegKind.ARRIVAL
                    and t is not None
                    and t.employer.district_code != leg.key
                ):
                    out.append(Violation("arrival_bus_wrong_district", tid))
            trip = trip_by_id.get(leg.trip_id)
            if params is not None and trip is not None:
                cap = (
                    params.feeder_max_ride_minutes
                    if kind is LegKind.FEEDER
                    else params.arrival_max_ride_minutes
                )
                places = {s.place_id for s in leg.stops if s.kind is not StopKind.STATION}
                if len(places) > 1 and leg.ride_minutes > cap:
                    out.append(
                        Violation(
                            "ride_over_cap", f"{kind} {leg.trip_id} {leg.key} #{leg.vehicle_index}"
                        )
                    )
                if kind is LegKind.FEEDER and (
                    trip.departure - leg.arrival
                ).total_seconds() < 60 * params.station_buffer(trip.mode):
                    out.append(Violation("feeder_late", f"{leg.trip_id} #{leg.vehicle_index}"))
        for tid in trip_of:
            if seen[tid] != 1:
                out.append(Violation(f"{kind}_bus_count", f"{tid}: {seen[tid]}"))
    return out


def lower_bound_violations(plan: Plan, trips: Sequence[Trip]) -> list[Violation]:
    """Recompute every leg's vehicles, lower bound and fill rate and compare with the report."""
    out: list[Violation] = []
    trip_by_id = {t.id: t for t in trips}
    expected: dict[tuple[LegKind, str, str], tuple[int, int, int, int]] = {}
    seated: dict[str, list[SeatAssignment]] = defaultdict(list)
    for s in plan.seats:
        seated[s.trip_id].append(s)
    for b in plan.trunk:
        trip = trip_by_id[b.trip_id]
        people = len(seated[b.trip_id])
        if trip.whole_booking:
            used = sorted({s.seat.car_no for s in seated[b.trip_id]})
        else:
            used = list(b.booked_car_nos)
        seats = sum(trip.seats_in_car(no - trip.first_car_no) for no in used)
        largest_first = sorted((trip.seats_in_car(c) for c in range(trip.cars)), reverse=True)
        bound, room = 0, 0
        while room < people and bound < len(largest_first):
            room += largest_first[bound]
            bound += 1
        expected[(LegKind.TRUNK, b.trip_id, b.trip_id)] = (people, len(used), seats, bound)
    buses: dict[tuple[LegKind, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for leg in plan.feeder_legs + plan.arrival_legs:
        row = buses[(leg.kind, leg.trip_id, leg.key)]
        row[0] += len(leg.members)
        row[1] += 1
        row[2] += leg.capacity
    for key, (people, vehicles, seats) in buses.items():
        per_bus = seats // vehicles
        expected[key] = (people, vehicles, seats, math.ceil(people / per_bus))
    reported = {(r.kind, r.trip_id, r.key): r for r in plan.leg_reports}
    if set(reported) != set(expected):
        out.append(Violation("leg_report_rows", f"{sorted(set(reported) ^ set(expected))[:5]}"))
    for key, (people, vehicles, seats, bound) in expected.items():
        r = reported.get(key)
        if r is None:
            continue
        if (r.people, r.vehicles, r.seats, r.lower_bound) != (people, vehicles, seats, bound):
            out.append(
                Violation(
                    "leg_report_wrong",
                    f"{key}: reported {(r.people, r.vehicles, r.seats, r.lower_bound)}, "
                    f"actual {(people, vehicles, seats, bound)}",
                )
            )
        fill = people / seats if seats else 0.0
        if abs(r.fill_rate - fill) > 1e-3:
            out.append(Violation("fill_rate_wrong", f"{key}: {r.fill_rate} vs {fill:.4f}"))
    return out


def ride_bound_violations(
    plan: Plan, travellers: Sequence[Traveller], trips: Sequence[Trip], params: Params | None
) -> list[Violation]:
    """Check every leg's ride-cap bound lies between its seat bound and its vehicles.

    With `params`, the bound of every arrival leg above its seat bound is counted again from the
    employers' and the station's coordinates (feeder legs would need the pickup points).
    """
    out: list[Violation] = []
    for r in plan.leg_reports:
        key = f"{r.kind} {r.trip_id} {r.key}"
        if not r.lower_bound <= r.ride_bound <= r.vehicles:
            out.append(
                Violation(
                    "ride_bound_out_of_range",
                    f"{key}: seat bound {r.lower_bound}, ride bound {r.ride_bound}, "
                    f"vehicles {r.vehicles}",
                )
            )
        elif r.kind is LegKind.TRUNK and r.ride_bound != r.lower_bound:
            out.append(Violation("ride_bound_wrong", f"{key}: a trunk leg has no ride cap"))
    if params is None:
        return out
    employer = {t.id: t.employer for t in travellers}
    trip_by_id = {t.id: t for t in trips}
    stops: dict[tuple[str, str], set[str]] = defaultdict(set)
    for leg in plan.arrival_legs:
        for tid in leg.members:
            if tid in employer:
                stops[(leg.trip_id, leg.key)].add(employer[tid].id)
    coords = {e.id: (e.lat, e.lng) for e in employer.values()}
    for r in plan.leg_reports:
        trip = trip_by_id.get(r.trip_id)
        if r.kind is not LegKind.ARRIVAL or r.vehicles <= r.lower_bound or trip is None:
            continue
        places = [coords[e] for e in sorted(stops[(r.trip_id, r.key)])]
        hub = (trip.destination.lat, trip.destination.lng)
        bound = max(r.lower_bound, leg_ride_bound(params, hub, places, feeder=False))
        if bound != r.ride_bound:
            out.append(
                Violation(
                    "ride_bound_wrong",
                    f"arrival {r.trip_id} {r.key}: reported {r.ride_bound}, counted {bound}",
                )
            )
    return out


def lock_violations(
    plan: Plan, travellers: Sequence[Traveller], locked: Iterable[SeatAssignment]
) -> list[Violation]:
    """Check every locked seat of a traveller still in the input is kept exactly."""
    out: list[Violation] = []
    present = {t.id for t in travellers}
    kept = {(s.traveller_id, s.trip_id, s.seat) for s in plan.seats}
    for lock in locked:
        if (
            lock.traveller_id in present
            and (lock.traveller_id, lock.trip_id, lock.seat) not in kept
        ):
            out.append(
                Violation("lock_not_kept", f"{lock.traveller_id} {lock.trip_id} {lock.seat.label}")
            )
    return out
