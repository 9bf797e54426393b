"""Rolling matching: continue worker-proposing deferred acceptance from a held state. No Django.

A round leaves every vacancy *holding* some workers (its proposed matches). When more workers
arrive, deferred acceptance does not need to start over: the matching it ends with does not
depend on the order in which free workers propose, so the state a round ends in is a valid
intermediate state of a run over the round's workers *plus* the newcomers. The newcomers
propose down their lists; a full vacancy keeps the best of what it holds and the proposer and
rejects the worst, who resumes proposing *after* the vacancy that rejected them (everything
above it had rejected them already, and a vacancy's held set only ever improves). The result
is exactly the worker-optimal stable matching of the whole market under the same strict
orders — what a full round over the same workers and capacities would give — while touching
only the newcomers and the chain of workers they displace.

That argument needs the held state to be deferred acceptance's result over the same
capacities. A vacancy that gained room (a new vacancy, a raised headcount, a proposal
withdrawn) may now take workers it once rejected, and only a full solve finds them: the
caller re-solves the free market then (:func:`resolve_needed`).

Strict orders. A worker's list is given best first. A vacancy's priority for a worker is a
tuple compared as a whole, larger wins (a score and then a tie-break: two workers never
compare equal at one vacancy). The lists are read lazily through callables, so a caller with a
database behind it loads a worker's candidates only when that worker has to propose.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matching.engine.market import Market

# A worker or a vacancy: any hashable key (ints from the engine's arrays, primary keys from
# the database); Any rather than Hashable so callers typed with int pass their callables.
Key = Any
Priority = tuple  # compared as a whole; larger wins
Entry = tuple[Key, Priority]  # (vacancy, the vacancy's priority for this worker)


@dataclass
class Continuation:
    """What continuing deferred acceptance changed."""

    # worker -> vacancy now held, None = unmatched; every worker who proposed or was displaced
    assignment: dict[Key, Key | None] = field(default_factory=dict)
    # workers who lost the seat they held before this continuation
    displaced: set[Key] = field(default_factory=set)
    proposals: int = 0


def continue_deferred_acceptance(
    *,
    proposers: Iterable[Key],
    preferences: Callable[[Key], Sequence[Entry]],
    holding: Callable[[Key], Iterable[tuple[Key, Priority]]],
    capacity: Callable[[Key], int],
) -> Continuation:
    """Let ``proposers`` (workers holding no seat) propose into the held state; return the changes.

    ``preferences(worker)`` is the worker's acceptable vacancies, best first, each with the
    vacancy's priority for the worker. ``holding(vacancy)`` lists the (worker, priority) pairs
    the vacancy holds now and ``capacity(vacancy)`` its seats (both read once per vacancy). A
    displaced worker resumes after the vacancy that let it go.
    """
    out = Continuation()
    heaps: dict[Key, list[tuple[Priority, Key]]] = {}
    seats: dict[Key, int] = {}
    lists: dict[Key, Sequence[Entry]] = {}
    queue: list[tuple[Key, int]] = [(w, 0) for w in proposers]
    original: dict[Key, Key] = {}

    def heap_of(v: Key) -> list[tuple[Priority, Key]]:
        heap = heaps.get(v)
        if heap is None:
            heap = [(priority, w) for w, priority in holding(v)]
            heapq.heapify(heap)
            heaps[v] = heap
            seats[v] = capacity(v)
            for _priority, w in heap:
                original.setdefault(w, v)
        return heap

    while queue:
        worker, start = queue.pop()
        entries = lists.get(worker)
        if entries is None:
            entries = lists[worker] = preferences(worker)
        placed = None
        for position in range(start, len(entries)):
            v, priority = entries[position]
            out.proposals += 1
            heap = heap_of(v)
            if seats[v] <= 0:
                continue
            if len(heap) < seats[v]:
                heapq.heappush(heap, (priority, worker))
                placed = v
                break
            if heap[0][0] < priority:
                _, loser = heapq.heapreplace(heap, (priority, worker))
                placed = v
                out.assignment[loser] = None
                queue.append((loser, _resume_after(loser, v, lists, preferences)))
                break
        out.assignment[worker] = placed
    out.displaced = {w for w, v in out.assignment.items() if w in original and original[w] != v}
    return out


def _resume_after(
    worker: Key,
    vacancy: Key,
    lists: dict[Key, Sequence[Entry]],
    preferences: Callable[[Key], Sequence[Entry]],
) -> int:
    entries = lists.get(worker)
    if entries is None:
        entries = lists[worker] = preferences(worker)
    for position, (v, _priority) in enumerate(entries):
        if v == vacancy:
            return position + 1
    return len(entries)  # the vacancy is not on its list any more: nothing after it to try


def resolve_needed(*, capacity_before: dict, capacity_now: dict, withdrawn: int) -> bool:
    """Whether the held state may no longer be deferred acceptance's result (re-solve then).

    True when a vacancy appeared or gained seats, or a held proposal was withdrawn (a seat
    freed): a worker the vacancy once rejected may now be taken. Vacancies that lost seats
    together with the workers who took them leave the state valid.
    """
    if withdrawn:
        return True
    return any(seats > capacity_before.get(v, 0) for v, seats in capacity_now.items())


def market_lists(
    market: Market, vacancy_tie: np.ndarray, unit_tie: np.ndarray
) -> tuple[Callable[[int], list[Entry]], Callable[[int, int], Priority]]:
    """Return ``(preferences, priority)`` of a scored market under the engine's strict orders.

    A worker prefers a higher worker score, then the lower vacancy tie rank (as
    :mod:`matching.engine.stable` does); a vacancy ranks a higher vacancy score first, then the
    lower unit tie rank. For markets without travel groups (one unit per worker).
    """
    ptr, vac, ws, vs = market.ptr, market.vacancy, market.worker_score, market.vacancy_score

    def preferences(w: int) -> list[Entry]:
        lo, hi = int(ptr[w]), int(ptr[w + 1])
        order = sorted(range(lo, hi), key=lambda e: (-int(ws[e]), int(vacancy_tie[vac[e]])))
        return [(int(vac[e]), (int(vs[e]), -int(unit_tie[w]))) for e in order]

    def priority(w: int, v: int) -> Priority:
        for e in range(int(ptr[w]), int(ptr[w + 1])):
            if vac[e] == v:
                return (int(vs[e]), -int(unit_tie[w]))
        raise KeyError((w, v))

    return preferences, priority


def continue_on_market(
    market: Market,
    held: np.ndarray,
    proposers: Iterable[int],
    *,
    vacancy_tie: np.ndarray,
    unit_tie: np.ndarray,
) -> tuple[np.ndarray, Continuation]:
    """Return the assignment after ``proposers`` continue from ``held`` (one vacancy a worker).

    The array form of :func:`continue_deferred_acceptance`, for tests and benchmarks: ``held``
    is a per-worker vacancy index (-1 = none), ``proposers`` hold nothing in it.
    """
    preferences, priority = market_lists(market, vacancy_tie, unit_tie)
    assignment = np.asarray(held, dtype=np.int32).copy()
    by_vacancy: dict[int, list[int]] = {}
    for w in np.flatnonzero(assignment >= 0):
        by_vacancy.setdefault(int(assignment[w]), []).append(int(w))
    result = continue_deferred_acceptance(
        proposers=proposers,
        preferences=preferences,
        holding=lambda v: [(w, priority(w, v)) for w in by_vacancy.get(v, [])],
        capacity=lambda v: int(market.capacity[v]),
    )
    for w, v in result.assignment.items():
        assignment[w] = -1 if v is None else v
    return assignment, result
