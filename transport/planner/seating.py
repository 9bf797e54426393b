"""Give everyone on a trip a seat: groups in one car on adjacent seats, cars ordered by district.

"Adjacent" means consecutive positions in the car's row-major seat order (1A 1B 1C 1D 1F 2A …),
so a group sits in one row or runs on into the next one. Groups no wider than a row are
kept inside one row where the order allows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from transport.planner.demand import Block, Problem
from transport.planner.domain import GroupKind
from transport.planner.result import Reason, SplitReason


@dataclass(slots=True)
class TripSeating:
    seats: dict[int, tuple[int, int]] = field(default_factory=dict)  # traveller → (car, position)
    extra_units: list[int] = field(default_factory=list)
    unplaced: list[tuple[Block, Reason, str]] = field(default_factory=list)
    splits: dict[str, SplitReason] = field(default_factory=dict)


def trip_seat(
    problem: Problem,
    j: int,
    units: list[int],
    blocks: list[Block],
    order_key: dict[int, tuple[object, ...]],
) -> TripSeating:
    """Seat `blocks` on trip `j` in the booked `units`, locked seats staying where they are."""
    trip = problem.trips[j]
    out = TripSeating()
    cars = sorted(units)
    occupied: dict[int, set[int]] = defaultdict(set)
    locked_in_car: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for i, lock in problem.locks.items():
        if lock.trip == j:
            occupied[lock.car].add(lock.position)
            out.seats[i] = (lock.car, lock.position)
            group = problem.travellers[i].group_key
            if group is not None:
                locked_in_car[lock.car][group].add(lock.position)
    reserve: list[int] = []
    if trip.whole_booking:
        # The whole train is paid for; still use the fewest cars (largest first) that seat
        # everyone, so the car count meets its lower bound. The others are opened only if needed.
        people = sum(b.size for b in blocks)
        chosen = {c for c in cars if occupied[c]}
        room = sum(trip.seats_in_car(c) - len(occupied[c]) for c in chosen)
        for c in sorted(cars, key=lambda c: (-trip.seats_in_car(c), c)):
            if room >= people:
                break
            if c not in chosen:
                chosen.add(c)
                room += trip.seats_in_car(c) - len(occupied[c])
        reserve = sorted(set(cars) - chosen, key=lambda c: (-trip.seats_in_car(c), c))
        cars = sorted(chosen)
    free = {c: trip.seats_in_car(c) - len(occupied[c]) for c in cars}
    in_car: dict[int, list[Block]] = defaultdict(list)

    def block_key(block: Block) -> tuple[object, ...]:
        keys = sorted(order_key[i] for i in block.members)
        return (keys[len(keys) // 2], block.key)

    pending: list[Block] = []
    pinned: list[tuple[int, Block]] = []
    for block in sorted(blocks, key=block_key):
        car = block.forced_car
        if block.forced_trip == j and car is not None and car in free:
            if free[car] >= block.size:
                in_car[car].append(block)
                free[car] -= block.size
                pinned.append((car, block))
                continue
            if block.group_id is not None:
                out.splits.setdefault(block.group_id, SplitReason.LOCKED_SEATS)
        pending.append(block)

    _next_fit(pending, cars, free, in_car)
    pending = [
        b
        for b in sorted(pending, key=lambda b: (-b.size, b.key))
        if not _evict_singles_for(b, cars, free, in_car)
    ]
    while pending:
        # The car order left gaps no group fits; pack groups biggest first instead, then singles.
        packed = _pack_best_fit(blocks, pinned, cars, occupied, trip.seats_in_car, block_key)
        if packed is not None:
            in_car, free = packed
            pending = []
            break
        if not reserve:
            break
        car = reserve.pop(0)
        cars.append(car)
        cars.sort()
        free[car] = trip.seats_in_car(car) - len(occupied[car])
        _next_fit(pending, [car], free, in_car)
        pending = [b for b in pending if not _evict_singles_for(b, cars, free, in_car)]
    for block in pending:
        if block.kind is GroupKind.VILLAGE and sum(free.values()) >= block.size:
            _spread(block, cars, free, in_car)
            if block.group_id is not None:
                out.splits.setdefault(block.group_id, SplitReason.NO_CAR_WITH_ROOM)
            continue
        spare = [
            c for c in range(trip.cars) if c not in free and trip.seats_in_car(c) >= block.size
        ]
        if not trip.whole_booking and spare:
            car = spare[0]
            cars.append(car)
            cars.sort()
            free[car] = trip.seats_in_car(car) - block.size
            in_car[car].append(block)
            out.extra_units.append(car)
            continue
        if block.size == 1:
            out.unplaced.append(
                (block, Reason.CAPACITY_EXHAUSTED, f"no seat left on trip {trip.id}")
            )
        else:
            detail = f"no car of trip {trip.id} has {block.size} seats left together"
            out.unplaced.append((block, Reason.GROUP_DOES_NOT_FIT, detail))

    width = len(trip.letters)
    for car in cars:
        if not in_car[car]:
            continue
        ordered = sorted(in_car[car], key=block_key)
        taken = occupied[car]
        if taken:
            layout = _layout_around_locks(
                ordered, trip.seats_in_car(car), taken, locked_in_car[car]
            )
        else:
            layout = _layout_rows(ordered, width)
        for block, positions in layout:
            for i, p in zip(
                sorted(block.members, key=lambda i: problem.travellers[i].id),
                positions,
                strict=True,
            ):
                out.seats[i] = (car, p)
    return out


def _next_fit(
    pending: list[Block], cars: list[int], free: dict[int, int], in_car: dict[int, list[Block]]
) -> None:
    """Fill `cars` in order from `pending`; when the head does not fit, take the first that does."""
    position = 0
    while pending and position < len(cars):
        car = cars[position]
        pick = next((k for k, b in enumerate(pending) if b.size <= free[car]), None)
        if pick is None:
            position += 1
            continue
        block = pending.pop(pick)
        in_car[car].append(block)
        free[car] -= block.size


def _pack_best_fit(
    blocks: list[Block],
    pinned: list[tuple[int, Block]],
    cars: list[int],
    occupied: dict[int, set[int]],
    seats_in_car: Callable[[int], int],
    block_key: Callable[[Block], tuple[object, ...]],
) -> tuple[defaultdict[int, list[Block]], dict[int, int]] | None:
    """Return a car assignment by best-fit decreasing for groups, singles in order; None if stuck."""
    free = {c: seats_in_car(c) - len(occupied[c]) for c in cars}
    in_car: defaultdict[int, list[Block]] = defaultdict(list)
    pinned_ids = {id(b) for _, b in pinned}
    for car, block in pinned:
        in_car[car].append(block)
        free[car] -= block.size
    rest = [b for b in blocks if id(b) not in pinned_ids]
    groups = sorted((b for b in rest if b.size > 1), key=lambda b: (-b.size, block_key(b)))
    singles = sorted((b for b in rest if b.size == 1), key=block_key)
    for block in groups:
        fits = [c for c in cars if free[c] >= block.size]
        if not fits:
            return None
        car = min(fits, key=lambda c: (free[c], c))
        in_car[car].append(block)
        free[car] -= block.size
    for block in singles:
        room = next((c for c in cars if free[c] > 0), None)
        if room is None:
            return None
        in_car[room].append(block)
        free[room] -= 1
    return in_car, free


def _evict_singles_for(
    block: Block, cars: list[int], free: dict[int, int], in_car: dict[int, list[Block]]
) -> bool:
    """Make room for `block` by moving single travellers to other cars; return success."""
    for car in cars:
        singles = [b for b in in_car[car] if b.size == 1 and b.forced_car is None]
        need = block.size - free[car]
        elsewhere = sum(free[c] for c in cars if c != car)
        if need <= len(singles) and need <= elsewhere:
            moved = singles[-need:] if need > 0 else []
            for single in moved:
                in_car[car].remove(single)
                target = next(c for c in cars if c != car and free[c] > 0)
                in_car[target].append(single)
                free[target] -= 1
            free[car] += len(moved) - block.size
            in_car[car].append(block)
            return True
    return False


def _spread(
    block: Block, cars: list[int], free: dict[int, int], in_car: dict[int, list[Block]]
) -> None:
    """Split a village block over the cars with most room (already reported as a split)."""
    members = list(block.members)
    for car in sorted(cars, key=lambda c: (-free[c], c)):
        if not members:
            break
        take = members[: free[car]]
        members = members[len(take) :]
        if take:
            part = Block(
                block.key, block.group_id, block.kind, tuple(take), block.eligible, block.earliest
            )
            in_car[car].append(part)
            free[car] -= len(take)


def _layout_rows(blocks: list[Block], width: int) -> list[tuple[Block, list[int]]]:
    """Lay blocks out in order from seat 0; a group that fits a row does not straddle two."""
    pending = list(blocks)
    layout: list[tuple[Block, list[int]]] = []
    position = 0
    while pending:
        head = pending[0]
        room = width - position % width
        pick = 0
        if head.size <= width and head.size > room:
            # Fill the rest of the row with later blocks that fit it, largest first.
            candidates = [k for k, b in enumerate(pending) if b.size <= room]
            if candidates:
                pick = max(candidates, key=lambda k: (pending[k].size, -k))
        block = pending.pop(pick)
        layout.append((block, list(range(position, position + block.size))))
        position += block.size
    return layout


def _layout_around_locks(
    blocks: list[Block], seats: int, taken: set[int], locked_groups: dict[str, set[int]]
) -> list[tuple[Block, list[int]]]:
    """Place blocks in the free runs between locked seats, next to locked fellow members."""
    free = [p for p in range(seats) if p not in taken]
    free_set = set(free)
    layout: list[tuple[Block, list[int]]] = []
    for block in sorted(blocks, key=lambda b: (-b.size, b.key)):
        runs = _runs(sorted(free_set))
        anchor = locked_groups.get(block.group_id or "", set())
        fitting = [r for r in runs if len(r) >= block.size]
        positions: list[int]
        if fitting and anchor:
            best = min(
                ((run, s) for run in fitting for s in range(len(run) - block.size + 1)),
                key=lambda rs: (
                    min(abs(p - a) for p in rs[0][rs[1] : rs[1] + block.size] for a in anchor),
                    rs[0][rs[1]],
                ),
            )
            positions = best[0][best[1] : best[1] + block.size]
        elif fitting:
            run = min(fitting, key=lambda r: (len(r), r[0]))
            positions = run[: block.size]
        else:
            positions = sorted(free_set)[: block.size]
        free_set.difference_update(positions)
        layout.append((block, positions))
    return layout


def _runs(positions: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for p in positions:
        if runs and runs[-1][-1] == p - 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs
