"""Optimal assignment: the most workers placed, then the highest total score (min-cost flow).

Objective, in this order: (1) place as many workers as possible within the headcounts;
(2) among those assignments, maximise the total pair weight
``worker_weight * worker score + vacancy_weight * vacancy score`` (a travel group counts
``worker_weight * (sum of members' worker scores) + vacancy_weight * size * (weakest member's
vacancy score)``). It is solved as a maximum flow of minimum cost with OR-Tools'
``SimpleMinCostFlow``: units -> vacancies (capacity = unit size) -> sink (capacity =
headcount).

Travel groups make the problem an unsplittable flow, which min-cost flow does not model. The
flow is solved with groups as divisible supplies (costs scaled so a group's per-seat cost is
exact); if the optimum keeps every group whole it is the true optimum (``exact=True``).
Otherwise every split group is taken out and the freed seats are re-filled greedily by weight
with the taken-out groups and any unplaced unit that fits (``exact=False``, and the number of
repaired groups is reported). Groups are never split in the returned assignment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit

from matching.engine.market import Market, Units, build_units
from matching.engine.stable import Assignment, _assignment

_MAX_SCALE = 2520  # lcm(1..10): exact per-seat costs for groups of up to 10 members


@dataclass(frozen=True)
class OptimalInfo:
    """Facts about an optimal-mode solve."""

    exact: bool
    repaired_groups: int
    total_weight: int
    status: str


def unit_weights(units: Units, worker_weight: int = 1, vacancy_weight: int = 1) -> np.ndarray:
    """Return the optimal-mode weight of every unit edge (int64)."""
    sizes = np.repeat(units.size.astype(np.int64), np.diff(units.ptr))
    return worker_weight * units.worker_score.astype(
        np.int64
    ) + vacancy_weight * sizes * units.vacancy_score.astype(np.int64)


@njit(cache=True)
def _greedy_fill(
    u_ptr, vac, weight, size, free, match_edge, candidates
):  # pragma: no cover - compiled
    """Place each candidate unit (in the given order) at its best vacancy that still has room."""
    for i in range(len(candidates)):
        u = candidates[i]
        best = -1
        for e in range(u_ptr[u], u_ptr[u + 1]):
            if free[vac[e]] >= size[u] and (best < 0 or weight[e] > weight[best]):
                best = e
        if best >= 0:
            match_edge[u] = best
            free[vac[best]] -= size[u]


def assign_optimal(
    market: Market,
    *,
    units: Units | None = None,
    worker_weight: int = 1,
    vacancy_weight: int = 1,
) -> tuple[Assignment, OptimalInfo]:
    """Return the optimal assignment of ``market`` and facts about the solve."""
    from ortools.graph.python import min_cost_flow

    units = units if units is not None else build_units(market)
    n_units, n_vac = units.n_units, market.n_vacancies
    size = units.size.astype(np.int64)
    weight = unit_weights(units, worker_weight, vacancy_weight)
    n_edges = len(units.vacancy)
    tails = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(units.ptr))
    heads = n_units + units.vacancy.astype(np.int64)

    distinct = np.unique(size)
    scale = 1
    for s in distinct:
        scale = math.lcm(scale, int(s))
    scale = min(scale, _MAX_SCALE)
    # per-seat cost, shifted to be non-negative (the flow value is fixed at its maximum, so a
    # constant per seat does not change the optimum)
    per_seat = (weight * scale) // size[tails] if n_edges else np.zeros(0, dtype=np.int64)
    top = int(per_seat.max()) if n_edges else 0
    cost = top - per_seat

    flow = min_cost_flow.SimpleMinCostFlow()
    sink = n_units + n_vac
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, size[tails], cost)
    flow.add_arcs_with_capacity_and_unit_cost(
        n_units + np.arange(n_vac, dtype=np.int64),
        np.full(n_vac, sink, dtype=np.int64),
        market.capacity.astype(np.int64),
        np.zeros(n_vac, dtype=np.int64),
    )
    supplies = np.concatenate([size, np.zeros(n_vac, dtype=np.int64), [-int(size.sum())]])
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int64), supplies)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    f = flow.flows(arcs) if n_edges else np.zeros(0, dtype=np.int64)

    match_edge = np.full(n_units, -1, dtype=np.int64)
    whole = np.flatnonzero((f > 0) & (f == size[tails]))
    match_edge[tails[whole]] = whole
    touched = np.unique(tails[f > 0])
    split = touched[match_edge[touched] < 0]
    repaired = len(split)
    if repaired:
        load = np.bincount(units.vacancy[whole], weights=size[tails[whole]], minlength=n_vac)
        free = market.capacity.astype(np.int64) - load.astype(np.int64)
        unplaced = np.flatnonzero(match_edge < 0)
        # split groups first (largest first), then other unplaced units, each by its best weight
        best_w = np.full(n_units, np.iinfo(np.int64).min)
        np.maximum.at(best_w, tails, weight)
        is_split = np.zeros(n_units, dtype=bool)
        is_split[split] = True
        order = np.lexsort((unplaced, -best_w[unplaced], -size[unplaced], ~is_split[unplaced]))
        _greedy_fill(units.ptr, units.vacancy, weight, size, free, match_edge, unplaced[order])
    total = int(weight[match_edge[match_edge >= 0]].sum())
    info = OptimalInfo(
        exact=repaired == 0, repaired_groups=repaired, total_weight=total, status=str(status)
    )
    return _assignment(units, match_edge, 0, 0, True), info
