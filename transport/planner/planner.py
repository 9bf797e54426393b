"""The planning pipeline: demand → trunk → arrival buses ⇄ rebalance → seats → feeder → report."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from time import perf_counter

from transport.planner.demand import Block, Problem, demand_build, problem_build
from transport.planner.domain import (
    GroupKind,
    Params,
    PickupPoint,
    SeatAssignment,
    Traveller,
    Trip,
    seat_at,
)
from transport.planner.legs import arrival_legs_build, feeder_legs_build, ride_bounds
from transport.planner.rebalance import Moves, riders_move, riders_rebalance
from transport.planner.report import bus_reports, group_outcomes, group_splits, trunk_reports
from transport.planner.result import (
    BusLeg,
    Plan,
    PlanStats,
    Reason,
    SplitReason,
    TrunkAssignment,
    Unplaced,
)
from transport.planner.seating import trip_seat
from transport.planner.trunk import TrunkResult, trunk_plan

PLANNER_VERSION = "1.2.0"

Progress = Callable[[str, float], None]


def plan(
    travellers: Sequence[Traveller],
    trips: Sequence[Trip],
    *,
    pickup_points: Iterable[PickupPoint],
    params: Params | None = None,
    locked: Iterable[SeatAssignment] = (),
    progress: Progress | None = None,
) -> Plan:
    """Return a point-to-point transport plan for `travellers` over the offered `trips`.

    Deterministic: the same input (in any order) and `params.seed` give the same plan.
    Raises PlanInputError when the input contradicts itself.
    """
    params = params or Params()
    notify: Progress = progress or (lambda stage, fraction: None)
    seconds: dict[str, float] = {}
    clock = perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = perf_counter()
        seconds[stage] = round(now - clock, 4)
        clock = now
        notify(stage, 1.0)

    notify("prepare", 0.0)
    problem = problem_build(travellers, trips, pickup_points, params, locked)
    demand = demand_build(problem)
    lap("prepare")

    notify("trunk", 0.0)
    trunk = trunk_plan(problem, demand.blocks)
    lap("trunk")

    unplaced: dict[int, tuple[Reason, str]] = dict(demand.reasons)
    for block, reason, detail in trunk.unplaced:
        unplaced.update({i: (reason, detail) for i in block.members})
    split_reasons: dict[str, SplitReason] = dict(demand.split_reasons)
    locked_on: dict[int, list[int]] = defaultdict(list)
    for i, lock in problem.locks.items():
        locked_on[lock.trip].append(i)
    booked_trips = sorted(set(trunk.booked) | set(locked_on))

    def riders_of(j: int) -> list[int]:
        riders = [i for b in trunk.on_trip.get(j, []) for i in b.members if i not in unplaced]
        return sorted(riders + locked_on[j])

    def blocks_of(j: int) -> list[Block]:
        return trunk.on_trip.get(j, [])

    notify("arrival", 0.0)
    arrival: dict[int, list[BusLeg]] = {}
    for n, j in enumerate(booked_trips, start=1):
        arrival[j] = arrival_legs_build(problem, j, riders_of(j), blocks_of(j))
        notify("arrival", n / len(booked_trips))
    # Legs the ride cap pushes above seat bound + 1: swap riders with another trip if that helps.
    riders_rebalance(problem, trunk.on_trip, arrival, riders_of)
    # Legs still above it: move a gate's workers to another booked trip if the buses it saves
    # are worth more than the extra waiting and travel time (the trunk objective rises).
    moves = riders_move(problem, trunk.on_trip, arrival, riders_of, trunk.booked)
    trunk.objective += moves.trunk_cost
    lap("arrival")

    notify("seats", 0.0)
    seat_of: dict[int, tuple[int, int, int]] = {}
    index_of = {t.id: i for i, t in enumerate(problem.travellers)}
    for n, j in enumerate(booked_trips, start=1):
        order_key: dict[int, tuple[object, ...]] = {}
        for leg in arrival[j]:
            for tid in leg.members:
                i = index_of[tid]
                order_key[i] = (leg.key, leg.vehicle_index, problem.travellers[i].employer.id)
        units = trunk.booked.setdefault(j, [])
        seating = trip_seat(problem, j, units, blocks_of(j), order_key)
        units.extend(seating.extra_units)
        units.sort()
        for block, reason, detail in seating.unplaced:
            unplaced.update({i: (reason, detail) for i in block.members})
        for group, why in seating.splits.items():
            split_reasons.setdefault(group, why)
        seat_of.update({i: (j, car, position) for i, (car, position) in seating.seats.items()})
        if seating.unplaced:  # rare: rebuild the arrival buses without those left behind
            arrival[j] = arrival_legs_build(problem, j, riders_of(j), blocks_of(j))
        notify("seats", n / len(booked_trips))
    lap("seats")

    notify("feeder", 0.0)
    feeder: list[BusLeg] = []
    for n, j in enumerate(booked_trips, start=1):
        feeder.extend(feeder_legs_build(problem, j, riders_of(j), blocks_of(j)))
        notify("feeder", n / len(booked_trips))
    lap("feeder")

    notify("report", 0.0)
    result = _assemble(
        problem,
        trunk,
        booked_trips,
        seat_of,
        arrival,
        feeder,
        unplaced,
        split_reasons,
        moves,
        seconds,
    )
    lap("report")
    result.stats.seconds.update(seconds)
    result.stats.seconds["total"] = round(sum(v for k, v in seconds.items() if k != "total"), 4)
    return result


def _assemble(
    problem: Problem,
    trunk: TrunkResult,
    booked_trips: list[int],
    seat_of: dict[int, tuple[int, int, int]],
    arrival: dict[int, list[BusLeg]],
    feeder: list[BusLeg],
    unplaced: dict[int, tuple[Reason, str]],
    split_reasons: dict[str, SplitReason],
    moves: Moves,
    seconds: dict[str, float],
) -> Plan:
    travellers, trips, params = problem.travellers, problem.trips, problem.params
    seats: list[SeatAssignment] = []
    for i, (j, car, position) in sorted(seat_of.items(), key=lambda kv: travellers[kv[0]].id):
        lock = problem.locks.get(i)
        if lock is not None:
            seats.append(lock.assignment)
        else:
            seats.append(
                SeatAssignment(travellers[i].id, trips[j].id, seat_at(trips[j], car, position))
            )
    riders: dict[int, list[str]] = defaultdict(list)
    for i, (j, _car, _position) in seat_of.items():
        riders[j].append(travellers[i].id)
    bookings: list[TrunkAssignment] = []
    booking_cost = 0.0
    person_hours = 0.0
    wait_days = 0
    for j in booked_trips:
        trip = trips[j]
        units = sorted(set(trunk.booked.get(j, [])))
        if not units and not riders[j]:
            continue
        cost = trip.whole_cost if trip.whole_booking else sum(trip.unit_cost(c) for c in units)
        booking_cost += cost
        bookings.append(
            TrunkAssignment(
                trip_id=trip.id,
                mode=trip.mode,
                booked_car_nos=tuple(trip.car_no(c) for c in units),
                booked_seats=sum(trip.seats_in_car(c) for c in units),
                cost=round(cost, 2),
                travellers=tuple(sorted(riders[j])),
            )
        )
    for i, (j, _car, _position) in seat_of.items():
        person_hours += trips[j].travel_minutes / 60.0
        wait_days += max(0, (trips[j].date - travellers[i].earliest_departure).days)
    trip_by_id = {t.id: t for t in trips}
    arrival_legs = [leg for j in booked_trips for leg in arrival.get(j, [])]
    reports = (
        trunk_reports(bookings, seats, trip_by_id)
        + bus_reports(feeder, ride_bounds(problem, feeder))
        + bus_reports(arrival_legs, ride_bounds(problem, arrival_legs))
    )
    outcomes = group_outcomes(travellers, seats, trip_by_id)
    splits = group_splits(outcomes, split_reasons)
    families = [o for o in outcomes.values() if o[0] is GroupKind.FAMILY]
    villages = [o for o in outcomes.values() if o[0] is GroupKind.VILLAGE]
    solvers = Counter(trunk.solver)
    stats = PlanStats(
        travellers=len(travellers),
        placed=len(seat_of),
        unplaced=len(unplaced),
        trips_booked=len(bookings),
        booking_cost=round(booking_cost, 2),
        trunk_person_hours=round(person_hours, 2),
        wait_person_days=wait_days,
        feeder_buses=len(feeder),
        arrival_buses=len(arrival_legs),
        families=len(families),
        families_together=sum(1 for o in families if o[1]),
        families_adjacent=sum(1 for o in families if o[2]),
        village_groups=len(villages),
        village_groups_together=sum(1 for o in villages if o[1]),
        village_groups_adjacent=sum(1 for o in villages if o[2]),
        legs=len(reports),
        legs_within_bound_plus_one=sum(1 for r in reports if r.excess <= 1),
        max_excess_vehicles=max((r.excess for r in reports), default=0),
        trunk_solver=", ".join(f"{name}×{count}" for name, count in sorted(solvers.items())),
        trunk_objective=round(trunk.objective, 2),
        trunk_bound=round(trunk.bound, 2),
        moved_travellers=moves.travellers,
        moved_wait_person_days=moves.wait_person_days,
        moved_trunk_cost=round(moves.trunk_cost, 2),
        moved_buses_saved=moves.arrival_buses_saved + moves.feeder_buses_saved,
        moved_bus_cost_saved=round(
            moves.arrival_buses_saved * params.arrival_bus_cost
            + moves.feeder_buses_saved * params.feeder_bus_cost,
            2,
        ),
        seconds=dict(seconds),
    )
    return Plan(
        planner_version=PLANNER_VERSION,
        seed=params.seed,
        trunk=tuple(bookings),
        seats=tuple(seats),
        feeder_legs=tuple(feeder),
        arrival_legs=tuple(arrival_legs),
        leg_reports=tuple(reports),
        unplaced=tuple(
            Unplaced(travellers[i].id, reason, detail)
            for i, (reason, detail) in sorted(unplaced.items(), key=lambda kv: travellers[kv[0]].id)
        ),
        group_splits=tuple(splits),
        released_locks=tuple(problem.released_locks),
        stats=stats,
    )
