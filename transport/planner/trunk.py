"""Choose which trips and units to book and who rides on each (CP-SAT, exact rule first)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from transport.planner.demand import Block, Problem
from transport.planner.result import Reason


@dataclass(slots=True)
class TrunkResult:
    booked: dict[int, list[int]]  # trip → booked car indices, ascending
    on_trip: dict[int, list[Block]]  # trip → blocks riding it
    unplaced: list[tuple[Block, Reason, str]]
    solver: list[str] = field(default_factory=list)
    objective: float = 0.0
    bound: float = 0.0


@dataclass(slots=True)
class _Class:
    """Blocks that are interchangeable for the trunk choice: same earliest date, same trips."""

    earliest: date
    eligible: tuple[int, ...]
    blocks: list[Block]

    @property
    def people(self) -> int:
        return sum(b.size for b in self.blocks)


def trunk_plan(problem: Problem, blocks: list[Block]) -> TrunkResult:
    """Return the booking per trip and the blocks on each trip, minimising cost and hours."""
    trips = problem.trips
    locked_people: dict[int, int] = defaultdict(int)
    locked_units: dict[int, set[int]] = defaultdict(set)
    for lock in problem.locks.values():
        locked_people[lock.trip] += 1
        locked_units[lock.trip].add(lock.car)

    classes: dict[tuple[date, tuple[int, ...]], _Class] = {}
    for block in blocks:
        key = (block.earliest, block.eligible)
        classes.setdefault(key, _Class(block.earliest, block.eligible, [])).blocks.append(block)

    # Connected components of the class–trip graph are independent problems.
    parent = list(range(len(trips)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for cls in classes.values():
        first = find(cls.eligible[0])
        for j in cls.eligible[1:]:
            parent[find(j)] = first
    component_trips: dict[int, list[int]] = defaultdict(list)
    for j in range(len(trips)):
        component_trips[find(j)].append(j)
    component_classes: dict[int, list[_Class]] = defaultdict(list)
    for key in sorted(classes):
        cls = classes[key]
        component_classes[find(cls.eligible[0])].append(cls)

    result = TrunkResult({}, defaultdict(list), [])
    counts: dict[tuple[int, int], int] = {}  # (class id, trip) → people
    class_list: list[_Class] = []
    for root in sorted(component_trips):
        comp_trips = component_trips[root]
        comp_classes = component_classes.get(root, [])
        if not comp_classes and not any(locked_people[j] for j in comp_trips):
            continue
        base = len(class_list)
        class_list.extend(comp_classes)
        ids = list(range(base, base + len(comp_classes)))
        solved = _exact_single_trip(problem, comp_trips, comp_classes, locked_people, locked_units)
        if solved is not None:
            booked, flows = solved
            result.solver.append("exact")
            cost = _cost(problem, comp_classes, booked, flows)
            result.objective += cost
            result.bound += cost
        else:
            booked, flows, status, objective, bound = _cp_sat(
                problem, comp_trips, comp_classes, locked_people, locked_units
            )
            result.solver.append(status)
            result.objective += objective
            result.bound += bound
        result.booked.update({j: units for j, units in booked.items() if units})
        for (k, j), people in flows.items():
            counts[(ids[k], j)] = people

    leftovers = _decode(problem, class_list, counts, result)
    _repair_overflow(problem, result, locked_people, leftovers)
    _fill_spare_seats(problem, result, locked_people, leftovers)
    _label(problem, result, locked_people, leftovers)
    result.on_trip = {j: sorted(bs, key=lambda b: b.key) for j, bs in result.on_trip.items() if bs}
    return result


def _cost(
    problem: Problem,
    comp_classes: list[_Class],
    booked: dict[int, list[int]],
    flows: dict[tuple[int, int], int],
) -> float:
    """Return booking cost plus travel-time and waiting costs, rounded as in the CP-SAT model."""
    total = 0.0
    for j, units in booked.items():
        trip = problem.trips[j]
        if trip.whole_booking:
            total += round(trip.whole_cost) if units else 0
        else:
            total += sum(round(trip.unit_cost(c)) for c in units)
    for (k, j), people in flows.items():
        total += people * round(problem.trip_cost_per_person(j, comp_classes[k].earliest))
    return total


def _capacity(problem: Problem, j: int, units: list[int]) -> int:
    trip = problem.trips[j]
    return sum(trip.seats_in_car(c) for c in units)


def _exact_single_trip(
    problem: Problem,
    comp_trips: list[int],
    comp_classes: list[_Class],
    locked_people: dict[int, int],
    locked_units: dict[int, set[int]],
) -> tuple[dict[int, list[int]], dict[tuple[int, int], int]] | None:
    """Solve a component with one trip and room for everyone by rule, or return None.

    With a single trip every placed person costs the same, so the optimum places everyone
    and books the fewest units that seat them: ceil(people / seats per unit) for uniform cars.
    """
    if not comp_classes:  # only locked seats: their units are booked, nothing else
        return {
            j: list(range(problem.trips[j].cars))
            if problem.trips[j].whole_booking
            else sorted(locked_units[j])
            for j in comp_trips
            if locked_people[j]
        }, {}
    if len(comp_trips) != 1:
        return None
    j = comp_trips[0]
    trip = problem.trips[j]
    demand = sum(c.people for c in comp_classes)
    people = demand + locked_people[j]
    fill = problem.params.min_fill(trip.mode)
    if trip.whole_booking:
        if people > trip.total_seats or (not locked_people[j] and people < fill * trip.total_seats):
            return None
        units = list(range(trip.cars)) if people else []
    else:
        seats = {trip.seats_in_car(c) for c in range(trip.cars)}
        if len(seats) != 1:
            return None
        per_unit = seats.pop()
        locked = sorted(locked_units[j])
        need = max(math.ceil(people / per_unit), len(locked))
        if need > trip.cars or (not locked and people < fill * need * per_unit):
            return None
        free = [c for c in range(trip.cars) if c not in locked_units[j]]
        units = sorted(locked + free[: need - len(locked)])
    flows = {(k, j): cls.people for k, cls in enumerate(comp_classes)}
    return {j: units}, flows


def _cp_sat(
    problem: Problem,
    comp_trips: list[int],
    comp_classes: list[_Class],
    locked_people: dict[int, int],
    locked_units: dict[int, set[int]],
) -> tuple[dict[int, list[int]], dict[tuple[int, int], int], str, float, float]:
    params = problem.params
    trips = problem.trips
    model = cp_model.CpModel()
    # Leaving a person out must cost more than anything that could carry them.
    big = 1 + int(
        max(
            max(trips[j].whole_cost, max(trips[j].unit_cost(c) for c in range(trips[j].cars)))
            for j in comp_trips
        )
        + max(
            (
                problem.trip_cost_per_person(j, cls.earliest)
                for cls in comp_classes
                for j in cls.eligible
            ),
            default=0.0,
        )
    )
    unit_vars: dict[int, list[cp_model.IntVar]] = {}
    capacity: dict[int, cp_model.LinearExprT] = {}
    objective: list[cp_model.LinearExprT] = []
    used: dict[int, cp_model.IntVar] = {}
    for j in comp_trips:
        trip = trips[j]
        if trip.whole_booking:
            whole = model.new_bool_var(f"book_{j}")
            if locked_people[j]:
                model.add(whole == 1)
            unit_vars[j] = [whole] * trip.cars
            capacity[j] = trip.total_seats * whole
            used[j] = whole
            objective.append(round(trip.whole_cost) * whole)
        else:
            ys = [model.new_bool_var(f"unit_{j}_{c}") for c in range(trip.cars)]
            for c in locked_units[j]:
                model.add(ys[c] == 1)
            free = [c for c in range(trip.cars) if c not in locked_units[j]]
            for a, b in zip(free, free[1:], strict=False):
                if trip.seats_in_car(a) == trip.seats_in_car(b):
                    model.add_implication(ys[b], ys[a])
            unit_vars[j] = ys
            capacity[j] = sum(trip.seats_in_car(c) * ys[c] for c in range(trip.cars))
            objective.extend(round(trip.unit_cost(c)) * ys[c] for c in range(trip.cars))
            any_unit = model.new_bool_var(f"used_{j}")
            for y in ys:
                model.add_implication(y, any_unit)
            model.add(sum(ys) >= any_unit)
            used[j] = any_unit

    flow_vars: dict[tuple[int, int], cp_model.IntVar] = {}
    for k, cls in enumerate(comp_classes):
        people = cls.people
        xs = []
        for j in cls.eligible:
            x = model.new_int_var(0, people, f"x_{k}_{j}")
            flow_vars[(k, j)] = x
            # Redundant but tightens the LP relaxation: nobody rides an unbooked trip.
            model.add(x <= min(people, trips[j].total_seats) * used[j])
            xs.append(x)
            objective.append((round(problem.trip_cost_per_person(j, cls.earliest)) - big) * x)
        model.add(sum(xs) <= people)

    riders: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for (_k, j), x in flow_vars.items():
        riders[j].append(x)
    for j in comp_trips:
        load = sum(riders[j]) + locked_people[j]
        model.add(load <= capacity[j])
        fill = params.min_fill(trips[j].mode)
        if fill > 0 and not locked_people[j]:
            model.add(1000 * load >= round(1000 * fill) * capacity[j])

    model.minimize(sum(objective))
    greedy_booked, greedy_flows = _greedy(
        problem, comp_trips, comp_classes, locked_people, locked_units
    )
    for j in comp_trips:
        chosen = set(greedy_booked.get(j, []))
        if trips[j].whole_booking:
            model.add_hint(used[j], bool(chosen))  # the same variable as every unit
            continue
        for c, y in enumerate(unit_vars[j]):
            model.add_hint(y, c in chosen)
        model.add_hint(used[j], bool(chosen))
    for key, x in flow_vars.items():
        model.add_hint(x, greedy_flows.get(key, 0))
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = params.seed
    solver.parameters.num_workers = params.num_workers
    # One worker is deterministic by itself; more need interleaving to stay reproducible.
    solver.parameters.interleave_search = params.num_workers > 1
    solver.parameters.max_deterministic_time = params.trunk_deterministic_time
    solver.parameters.max_time_in_seconds = params.trunk_time_limit_s
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # No solution within the limits: fall back on the greedy plan that served as the hint.
        status_name = solver.status_name(status).lower()
        cost = _cost(problem, comp_classes, greedy_booked, greedy_flows)
        left_out = sum(c.people for c in comp_classes) - sum(greedy_flows.values())
        return (
            greedy_booked,
            greedy_flows,
            f"greedy (cp-sat {status_name})",
            cost + big * left_out,
            0.0,
        )
    booked = {}
    for j in comp_trips:
        booked[j] = [c for c, y in enumerate(unit_vars[j]) if solver.boolean_value(y)]
    flows = {key: int(solver.value(x)) for key, x in flow_vars.items() if solver.value(x) > 0}
    total = sum(cls.people for cls in comp_classes)
    name = "cp-sat:" + ("optimal" if status == cp_model.OPTIMAL else "feasible")
    return (
        booked,
        flows,
        name,
        solver.objective_value + big * total,
        solver.best_objective_bound + big * total,
    )


def _greedy(
    problem: Problem,
    comp_trips: list[int],
    comp_classes: list[_Class],
    locked_people: dict[int, int],
    locked_units: dict[int, set[int]],
) -> tuple[dict[int, list[int]], dict[tuple[int, int], int]]:
    """Return a feasible booking trip by trip (earliest first, earliest travellers first).

    The hint for CP-SAT and the answer if CP-SAT finds nothing within its limits. Units are
    taken in index order after the locked ones, matching the model's symmetry breaking.
    """
    trips = problem.trips
    remaining = {k: cls.people for k, cls in enumerate(comp_classes)}
    booked: dict[int, list[int]] = {}
    flows: dict[tuple[int, int], int] = {}
    order = sorted(comp_trips, key=lambda j: (trips[j].departure, trips[j].id))
    for j in order:
        trip = trips[j]
        takers = sorted(
            (k for k, cls in enumerate(comp_classes) if j in cls.eligible and remaining[k]),
            key=lambda k: (comp_classes[k].earliest, k),
        )
        demand = sum(remaining[k] for k in takers)
        locked = locked_people[j]
        fill = problem.params.min_fill(trip.mode)
        if trip.whole_booking:
            units = list(range(trip.cars)) if demand or locked else []
        else:
            units = sorted(locked_units[j])
            free = [c for c in range(trip.cars) if c not in locked_units[j]]
            while free and sum(trip.seats_in_car(c) for c in units) < demand + locked:
                units.append(free.pop(0))
            units.sort()
        seats = sum(trip.seats_in_car(c) for c in units)
        take = min(demand, seats - locked)
        while not locked and units and take < fill * seats:
            if trip.whole_booking or len(units) == 1:
                units, take = [], 0
                break
            units.remove(max(c for c in units if c not in locked_units[j]))
            seats = sum(trip.seats_in_car(c) for c in units)
            take = min(demand, seats)
        if not units:
            continue
        booked[j] = units
        for k in takers:
            n = min(remaining[k], take)
            if n:
                flows[(k, j)] = n
                remaining[k] -= n
                take -= n
    return booked, flows


def _decode(
    problem: Problem,
    class_list: list[_Class],
    counts: dict[tuple[int, int], int],
    result: TrunkResult,
) -> list[Block]:
    """Turn per-class head counts into concrete blocks per trip; return blocks not taken."""
    leftovers: list[Block] = []
    for k, cls in enumerate(class_list):
        quota = {j: counts.get((k, j), 0) for j in cls.eligible}
        wanted = sum(quota.values())
        chosen: list[Block] = []
        for block in sorted(cls.blocks, key=lambda b: (-b.size, b.key)):
            if block.size <= wanted:
                chosen.append(block)
                wanted -= block.size
            else:
                leftovers.append(block)
        for block in chosen:
            fits = [j for j in cls.eligible if quota[j] >= block.size]
            if fits:
                j = min(fits, key=lambda t: (quota[t], t))
            else:
                j = max(cls.eligible, key=lambda t: (quota[t], -t))
            quota[j] -= block.size
            result.on_trip[j].append(block)
    return leftovers


def _free_seats(
    problem: Problem, result: TrunkResult, locked_people: dict[int, int], j: int
) -> int:
    load = sum(b.size for b in result.on_trip.get(j, ())) + locked_people[j]
    return _capacity(problem, j, result.booked.get(j, [])) - load


def _unit_add(problem: Problem, result: TrunkResult, j: int) -> bool:
    """Book one more unit of a per-unit trip if one is left; return whether it worked."""
    trip = problem.trips[j]
    if trip.whole_booking:
        return False
    units = result.booked.setdefault(j, [])
    spare = [c for c in range(trip.cars) if c not in units]
    if not spare:
        return False
    units.append(max(spare, key=lambda c: (trip.seats_in_car(c), -c)))
    units.sort()
    return True


def _repair_overflow(
    problem: Problem, result: TrunkResult, locked_people: dict[int, int], leftovers: list[Block]
) -> None:
    """Move blocks off trips whose quota rounding overfilled them (rare: no singles to fill)."""
    for j in sorted(result.on_trip):
        while _free_seats(problem, result, locked_people, j) < 0:
            blocks = sorted(result.on_trip[j], key=lambda b: (b.size, b.key))
            moved = False
            for block in blocks:
                targets = [
                    t
                    for t in block.eligible
                    if t != j
                    and t in result.booked
                    and _free_seats(problem, result, locked_people, t) >= block.size
                ]
                if targets:
                    target = min(
                        targets, key=lambda t: (problem.trip_cost_per_person(t, block.earliest), t)
                    )
                    result.on_trip[j].remove(block)
                    result.on_trip[target].append(block)
                    moved = True
                    break
            if moved:
                continue
            if _unit_add(problem, result, j):
                continue
            block = blocks[-1]
            result.on_trip[j].remove(block)
            leftovers.append(block)


def _fill_spare_seats(
    problem: Problem, result: TrunkResult, locked_people: dict[int, int], leftovers: list[Block]
) -> None:
    """Seat left-over blocks in free seats of booked trips (only matters if CP-SAT stopped early)."""
    for block in sorted(leftovers, key=lambda b: (-b.size, b.key)):
        targets = [
            t
            for t in block.eligible
            if t in result.booked and _free_seats(problem, result, locked_people, t) >= block.size
        ]
        if targets:
            target = min(
                targets, key=lambda t: (problem.trip_cost_per_person(t, block.earliest), t)
            )
            result.on_trip[target].append(block)
            leftovers.remove(block)


def _label(
    problem: Problem, result: TrunkResult, locked_people: dict[int, int], leftovers: list[Block]
) -> None:
    for block in sorted(leftovers, key=lambda b: b.key):
        can_book_more = [
            t
            for t in block.eligible
            if (problem.trips[t].whole_booking and t not in result.booked)
            or (
                not problem.trips[t].whole_booking
                and len(result.booked.get(t, [])) < problem.trips[t].cars
            )
        ]
        if can_book_more:
            ids = ", ".join(problem.trips[t].id for t in can_book_more[:3])
            result.unplaced.append(
                (
                    block,
                    Reason.BELOW_MINIMUM_OCCUPANCY,
                    f"booking more of {ids} would fall below its minimum fill",
                )
            )
        else:
            ids = ", ".join(problem.trips[t].id for t in block.eligible[:3])
            result.unplaced.append(
                (block, Reason.CAPACITY_EXHAUSTED, f"all seats of {ids} are taken")
            )
