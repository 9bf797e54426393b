"""The whole round: candidates -> scores -> units -> assignment -> checks -> unmatched reasons."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from matching.engine import reasons as R
from matching.engine.candidates import build_scored_candidates, exclusion_counts, main_exclusion
from matching.engine.checks import Blocking, blocking_pairs, capacity_violations, split_groups
from matching.engine.inputs import Instance, Params
from matching.engine.market import Market, Units, build_units, market_tie_breaks
from matching.engine.optimal import assign_optimal, unit_weights
from matching.engine.reasons import Reason
from matching.engine.stable import Assignment, assign_stable
from matching.engine.version import ENGINE_VERSION

Progress = Callable[[str, float], None]

_NO_ELIGIBLE = R.UNMATCHED.index(R.NO_ELIGIBLE_VACANCY)
_OUTRANKED = R.UNMATCHED.index(R.OUTRANKED)
_NOT_SELECTED = R.UNMATCHED.index(R.NOT_SELECTED)


@dataclass(frozen=True, eq=False)
class Result:
    """A solved round. Arrays are indexed by worker; vacancies by their input index."""

    assignment: np.ndarray  # int32 vacancy index, -1 = unmatched
    worker_score: np.ndarray  # int32 worker's score for its vacancy (0 if unmatched)
    vacancy_score: np.ndarray  # int32 vacancy's score for the worker (0 if unmatched)
    rank: np.ndarray  # int32 position of the vacancy in the worker's own order, 0 = first; -1
    eligible: np.ndarray  # int32 number of the worker's eligible vacancies
    unmatched_code: np.ndarray  # int8 index into reasons.UNMATCHED, -1 = matched
    unmatched_rule: np.ndarray  # int8 index into reasons.RULES (no_eligible_vacancy), else -1
    unmatched_excluded: np.ndarray  # int32 vacancies excluded by that rule
    unmatched_considered: np.ndarray  # int32 vacancies of matching occupation
    stats: dict[str, Any]
    params: Params
    engine_version: str = ENGINE_VERSION
    market: Market | None = field(default=None, repr=False)

    def unmatched_reason(self, worker: int) -> Reason | None:
        """Return why ``worker`` is unmatched (None when matched)."""
        code = int(self.unmatched_code[worker])
        if code < 0:
            return None
        if code == _NO_ELIGIBLE:
            rule = int(self.unmatched_rule[worker])
            return Reason(
                R.NO_ELIGIBLE_VACANCY,
                detail=R.RULES[rule] if rule >= 0 else None,
                excluded=int(self.unmatched_excluded[worker]),
                considered=int(self.unmatched_considered[worker]),
            )
        return Reason(R.UNMATCHED[code], eligible=int(self.eligible[worker]))


class _Timer:
    """Wall-clock and process-CPU seconds per stage (CPU sums every thread of the process)."""

    def __init__(self, progress: Progress | None) -> None:
        self.timings: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.progress = progress

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.progress:
            self.progress(name, 0.0)
        start, cpu = time.perf_counter(), time.process_time()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
        if self.progress:
            self.progress(name, 1.0)


@njit(cache=True)
def _worker_view(
    ptr, vac, ws, vs, v_tb, assignment, out_ws, out_vs, out_rank
):  # pragma: no cover - compiled
    for w in range(len(ptr) - 1):
        v = assignment[w]
        if v < 0:
            out_rank[w] = -1
            continue
        me = -1
        for e in range(ptr[w], ptr[w + 1]):
            if vac[e] == v:
                me = e
                break
        if me < 0:
            out_rank[w] = -1
            continue
        out_ws[w] = ws[me]
        out_vs[w] = vs[me]
        r = 0
        for e in range(ptr[w], ptr[w + 1]):
            if ws[e] > ws[me] or (ws[e] == ws[me] and v_tb[vac[e]] < v_tb[v]):
                r += 1
        out_rank[w] = r


def build_market(
    instance: Instance, params: Params | None = None, *, progress: Progress | None = None
) -> Market:
    """Return the scored market of ``instance`` (candidates and both score arrays)."""
    params = params or Params()
    candidates, scores = build_scored_candidates(instance, params.weights, progress=progress)
    return Market.from_scores(
        candidates,
        scores,
        instance.vacancies.headcount,
        instance.workers.travel_group,
        keys=instance.keys,
    )


def solve(
    instance: Instance, params: Params | None = None, *, progress: Progress | None = None
) -> Result:
    """Return the matching of ``instance`` under ``params`` (see the package docstring)."""
    params = params or Params()
    timer = _Timer(progress)
    start = time.perf_counter()
    with timer.stage("prepare"):
        _ = instance.prepared
    with timer.stage("candidates"):
        # candidates and scores in one compiled pass (see build_scored_candidates)
        candidates, scores = build_scored_candidates(instance, params.weights, progress=progress)
    market = Market.from_scores(
        candidates,
        scores,
        instance.vacancies.headcount,
        instance.workers.travel_group,
        keys=instance.keys,
    )
    return _solve_market(market, params, timer, start, instance)


def solve_market(
    market: Market, params: Params | None = None, *, progress: Progress | None = None
) -> Result:
    """Return the matching of an already scored market (e.g. from explicit preference lists)."""
    params = params or Params()
    timer = _Timer(progress)
    return _solve_market(market, params, timer, time.perf_counter(), None)


def _solve_market(
    market: Market, params: Params, timer: _Timer, start: float, instance: Instance | None
) -> Result:
    n = market.n_workers
    stats: dict[str, Any] = {
        "engine_version": ENGINE_VERSION,
        "mode": params.mode,
        "seed": params.seed,
    }
    with timer.stage("units"):
        units = build_units(market)
    stable: Assignment | None = None
    if params.mode == "stable" or params.compare_with_stable:
        with timer.stage("assign_stable"):
            stable = assign_stable(
                market, seed=params.seed, units=units, max_rounds=params.group_repair_rounds
            )
    if params.mode == "optimal":
        with timer.stage("assign_optimal"):
            chosen, info = assign_optimal(
                market,
                units=units,
                worker_weight=params.optimal_worker_weight,
                vacancy_weight=params.optimal_vacancy_weight,
            )
        stats.update(
            optimal_exact=info.exact,
            repaired_groups=info.repaired_groups,
            total_weight=info.total_weight,
            optimal_solver=info.solver,  # "auction", or "ortools" if the auction fell back
        )
    else:
        assert stable is not None
        chosen = stable
    assignment = chosen.worker_vacancy

    with timer.stage("checks"):
        blocking = blocking_pairs(market, assignment, seed=params.seed, units=units)
        over = len(capacity_violations(market.capacity, assignment))
        split = len(split_groups(market.group, assignment))
    if over or split:
        raise AssertionError(
            f"engine produced an invalid assignment: {over} over capacity, {split} split groups"
        )

    with timer.stage("reasons"):
        _, v_tb = market_tie_breaks(params.seed, market, units)
        ws = np.zeros(n, dtype=np.int32)
        vs = np.zeros(n, dtype=np.int32)
        rank = np.full(n, -1, dtype=np.int32)
        _worker_view(
            market.ptr,
            market.vacancy,
            market.worker_score,
            market.vacancy_score,
            v_tb,
            assignment,
            ws,
            vs,
            rank,
        )
        reasons = _unmatched(market, units, blocking, assignment, instance)

    matched = int((assignment >= 0).sum())
    headcount = int(market.capacity.sum())
    code = reasons[0]
    stats.update(
        workers=n,
        vacancies=market.n_vacancies,
        headcount=headcount,
        candidate_pairs=market.n_pairs,
        units=units.n_units,
        travel_groups=int((units.size > 1).sum()),
        matched=matched,
        unmatched=n - matched,
        unmatched_by_reason={c: int((code == i).sum()) for i, c in enumerate(R.UNMATCHED)},
        no_eligible_by_rule={
            c: int(((code == _NO_ELIGIBLE) & (reasons[1] == i)).sum())
            for i, c in enumerate(R.RULES)
            if ((code == _NO_ELIGIBLE) & (reasons[1] == i)).any()
        },
        fill_rate=matched / headcount if headcount else 0.0,
        placement_rate=matched / n if n else 0.0,
        blocking_pairs=blocking.count,
        stable=blocking.count == 0,
        mean_rank=float(rank[rank >= 0].mean()) if matched else 0.0,
        first_choice=int((rank == 0).sum()),
        total_worker_score=int(ws.sum(dtype=np.int64)),
        total_vacancy_score=int(vs.sum(dtype=np.int64)),
    )
    if params.mode == "stable":
        assert stable is not None
        stats.update(
            proposals=stable.proposals,
            repair_rounds=stable.repair_rounds,
            converged=stable.converged,
        )
    elif stable is not None:
        weights = unit_weights(units, params.optimal_worker_weight, params.optimal_vacancy_weight)
        placed = stable.unit_edge[stable.unit_edge >= 0]
        stable_matched = int((stable.worker_vacancy >= 0).sum())
        stable_blocking = blocking_pairs(
            market, stable.worker_vacancy, seed=params.seed, units=units
        ).count
        stats.update(
            stable_matched=stable_matched,
            extra_placed_vs_stable=matched - stable_matched,
            stable_total_weight=int(weights[placed].sum()),
            stable_blocking_pairs=stable_blocking,
        )
    timer.timings["total"] = time.perf_counter() - start
    stats["timings"] = dict(timer.timings)
    stats["cpu_timings"] = dict(timer.cpu, total=sum(timer.cpu.values()))
    return Result(
        assignment=assignment,
        worker_score=ws,
        vacancy_score=vs,
        rank=rank,
        eligible=np.diff(market.ptr).astype(np.int32),
        unmatched_code=reasons[0],
        unmatched_rule=reasons[1],
        unmatched_excluded=reasons[2],
        unmatched_considered=reasons[3],
        stats=stats,
        params=params,
        market=market,
    )


def _unmatched(
    market: Market,
    units: Units,
    blocking: Blocking,
    assignment: np.ndarray,
    instance: Instance | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = market.n_workers
    code = np.full(n, -1, dtype=np.int8)
    rule = np.full(n, -1, dtype=np.int8)
    excluded = np.zeros(n, dtype=np.int32)
    considered = np.zeros(n, dtype=np.int32)
    unmatched = assignment < 0
    own = np.diff(market.ptr)
    unit = units.of_worker
    unit_edges = np.diff(units.ptr)[unit]

    no_own = unmatched & (own == 0)
    code[no_own] = _NO_ELIGIBLE
    idx = np.flatnonzero(no_own)
    if instance is not None and len(idx):
        counts, cons = exclusion_counts(instance, idx)
        for i, w in enumerate(idx):
            r, k = main_exclusion(counts[i], int(cons[i]))
            rule[w] = R.RULE_INDEX[r]
            excluded[w] = k
            considered[w] = cons[i]

    no_unit = unmatched & (own > 0) & (unit_edges == 0)
    code[no_unit] = _NO_ELIGIBLE
    common = units.common_any[unit]
    rule[no_unit & (common == 0)] = R.RULE_INDEX[R.GROUP_MEMBER_INELIGIBLE]
    rule[no_unit & (common > 0)] = R.RULE_INDEX[R.HEADCOUNT_BELOW_GROUP_SIZE]
    excluded[no_unit] = own[no_unit]
    considered[no_unit] = own[no_unit]

    rest = unmatched & (unit_edges > 0)
    blocked = blocking.per_unit[unit] > 0
    code[rest & ~blocked] = _OUTRANKED
    code[rest & blocked] = _NOT_SELECTED
    return code, rule, excluded, considered
