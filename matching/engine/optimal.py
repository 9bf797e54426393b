"""Optimal assignment: the most workers placed, then the highest total score (min-cost flow).

Objective, in this order: (1) place as many workers as possible within the headcounts;
(2) among those assignments, maximise the total pair weight
``worker_weight * worker score + vacancy_weight * vacancy score`` (a travel group counts
``worker_weight * (sum of members' worker scores) + vacancy_weight * size * (weakest member's
vacancy score)``). It is a maximum flow of minimum cost: units -> vacancies (capacity = unit
size) -> sink (capacity = headcount). Two exact solvers give the same optimum (the matching
may differ on ties):

* ``"auction"`` (default): a warm-started ε-scaling auction that proves its result optimal
  (:mod:`matching.engine.auction`); 2.5-3.5 s CPU at 100,000 workers;
* ``"ortools"``: OR-Tools' ``SimpleMinCostFlow`` (``solve_max_flow_with_min_cost``), the
  reference; 8-12 s CPU at 100,000 workers. The auction falls back to it if it cannot
  prove its result (it always could in testing) or its profits would overflow int64.

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
from typing import Literal

import numpy as np
from numba import njit

from matching.engine.auction import solve_transport
from matching.engine.market import Market, Units, build_units
from matching.engine.stable import Assignment, _assignment

Solver = Literal["auction", "ortools"]

_MAX_SCALE = 2520  # lcm(1..10): exact per-seat costs for groups of up to 10 members


@dataclass(frozen=True)
class OptimalInfo:
    """Facts about an optimal-mode solve."""

    exact: bool
    repaired_groups: int
    total_weight: int
    status: str
    # the divisible optimum before any group repair: seats placed and their total per-seat
    # weight (in units of 1/scale) — what both solvers must agree on
    flow_placed: int = 0
    flow_weight: int = 0
    solver: str = "ortools"


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


@njit(cache=True)
def _edge_per_seat(ptr, ws, vs, size, worker_weight, vacancy_weight, scale):  # pragma: no cover
    """Return each edge's weight per seat times ``scale`` (int64), in one pass."""
    out = np.empty(ptr[-1], dtype=np.int64)
    for u in range(len(ptr) - 1):
        s = np.int64(size[u])
        for e in range(ptr[u], ptr[u + 1]):
            w = worker_weight * np.int64(ws[e]) + vacancy_weight * s * np.int64(vs[e])
            out[e] = (w * scale) // s
    return out


@njit(cache=True)
def _whole_units(person_ptr, person_edge):  # pragma: no cover - compiled
    """Return (match_edge, split): a unit's edge if all its seats went there, else -1."""
    n_units = len(person_ptr) - 1
    match_edge = np.full(n_units, -1, dtype=np.int64)
    split = np.zeros(n_units, dtype=np.bool_)
    for u in range(n_units):
        a, b = person_ptr[u], person_ptr[u + 1]
        if a == b:
            continue
        first = person_edge[a]
        same = True
        placed = False
        for i in range(a, b):
            if person_edge[i] != first:
                same = False
            if person_edge[i] >= 0:
                placed = True
        if same and first >= 0:
            match_edge[u] = first
        elif placed:
            split[u] = True
    return match_edge, split


@njit(cache=True)
def _best_weight(ptr, weight):  # pragma: no cover - compiled
    """Return each unit's best edge weight (int64 min when it has none)."""
    out = np.full(len(ptr) - 1, np.iinfo(np.int64).min, dtype=np.int64)
    for u in range(len(ptr) - 1):
        for e in range(ptr[u], ptr[u + 1]):
            if weight[e] > out[u]:
                out[u] = weight[e]
    return out


def _per_seat(units: Units, worker_weight: int, vacancy_weight: int) -> np.ndarray:
    """Return each edge's weight per seat, scaled so that it is exact for groups (int64)."""
    scale = 1
    for s in np.unique(units.size):
        scale = math.lcm(scale, int(s))
    scale = min(scale, _MAX_SCALE)
    return _edge_per_seat(
        units.ptr, units.worker_score, units.vacancy_score, units.size,
        np.int64(worker_weight), np.int64(vacancy_weight), np.int64(scale),
    )  # fmt: skip


def _ortools_flow(
    market: Market, units: Units, per_seat: np.ndarray, tails: np.ndarray
) -> tuple[np.ndarray, str]:
    """Return the flow on every unit edge by OR-Tools' max flow of min cost, and its status."""
    from ortools.graph.python import min_cost_flow

    n_units, n_vac = units.n_units, market.n_vacancies
    size = units.size.astype(np.int64)
    n_edges = len(units.vacancy)
    heads = n_units + units.vacancy.astype(np.int64)
    # per-seat cost, shifted to be non-negative (the flow value is fixed at its maximum, so a
    # constant per seat does not change the optimum)
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
    return np.asarray(f, dtype=np.int64), str(status)


def assign_optimal(
    market: Market,
    *,
    units: Units | None = None,
    worker_weight: int = 1,
    vacancy_weight: int = 1,
    solver: Solver = "auction",
) -> tuple[Assignment, OptimalInfo]:
    """Return the optimal assignment of ``market`` and facts about the solve."""
    if solver not in ("auction", "ortools"):
        raise ValueError(f"solver must be 'auction' or 'ortools', not {solver!r}")
    units = units if units is not None else build_units(market)
    n_units, n_vac = units.n_units, market.n_vacancies
    size = units.size.astype(np.int64)
    per_seat = _per_seat(units, worker_weight, vacancy_weight)

    used = solver
    transport = None
    if solver == "auction":
        transport = solve_transport(units.ptr, units.vacancy, per_seat, size, market.capacity)
    if transport is not None and transport.verified:
        match_edge, is_split = _whole_units(transport.person_ptr, transport.person_edge)
        flow_placed, flow_weight = transport.placed, transport.weight
        status = f"OPTIMAL (auction: {transport.phases} phases, {transport.bids} bids)"
    else:
        if solver == "auction":
            used = "ortools"  # the auction could not prove its result: use the reference
        tails = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(units.ptr))
        f, status = _ortools_flow(market, units, per_seat, tails)
        match_edge = np.full(n_units, -1, dtype=np.int64)
        whole = np.flatnonzero((f > 0) & (f == size[tails]))
        match_edge[tails[whole]] = whole
        is_split = np.zeros(n_units, dtype=bool)
        is_split[tails[f > 0]] = True
        is_split[match_edge >= 0] = False
        flow_placed, flow_weight = int(f.sum()), int((f * per_seat).sum())

    repaired = int(is_split.sum())
    if repaired:
        weight = unit_weights(units, worker_weight, vacancy_weight)
        placed = match_edge >= 0
        load = np.bincount(units.vacancy[match_edge[placed]], weights=size[placed], minlength=n_vac)
        free = market.capacity.astype(np.int64) - load.astype(np.int64)
        unplaced = np.flatnonzero(~placed)
        # split groups first (largest first), then other unplaced units, each by its best weight
        best_w = _best_weight(units.ptr, weight)
        order = np.lexsort((unplaced, -best_w[unplaced], -size[unplaced], ~is_split[unplaced]))
        _greedy_fill(units.ptr, units.vacancy, weight, size, free, match_edge, unplaced[order])
    placed = np.flatnonzero(match_edge >= 0)
    edges = match_edge[placed]
    total = int(
        (
            worker_weight * units.worker_score[edges].astype(np.int64)
            + vacancy_weight * size[placed] * units.vacancy_score[edges].astype(np.int64)
        ).sum()
    )
    info = OptimalInfo(
        exact=repaired == 0,
        repaired_groups=repaired,
        total_weight=total,
        status=status,
        flow_placed=flow_placed,
        flow_weight=flow_weight,
        solver=used,
    )
    return _assignment(units, match_edge, 0, 0, True), info
