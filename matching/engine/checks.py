"""Independent checkers for an assignment: headcounts, eligibility, groups, blocking pairs.

They look only at the market and the final worker -> vacancy assignment (never at the
assignment algorithm's internal state), so tests and statistics can trust them.

The blocking-pair definition is the one stated in :mod:`matching.engine.stable`: unit ``u``
(a single worker or a whole travel group) and vacancy ``v`` block when v is acceptable to u,
u strictly prefers v to its assignment (seed-tie-broken order), and
``size(u) <= headcount(v) - (seats v gives to units it ranks strictly above u)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from matching.engine.market import Market, Units, build_units, market_tie_breaks


@dataclass(frozen=True)
class CheckReport:
    """Counts of violations; all zero means the assignment is valid (and stable if blocking is 0)."""

    over_capacity: int
    ineligible: int
    split_groups: int
    blocking_pairs: int

    @property
    def ok(self) -> bool:
        return self.over_capacity == 0 and self.ineligible == 0 and self.split_groups == 0


def capacity_violations(capacity: np.ndarray, worker_vacancy: np.ndarray) -> np.ndarray:
    """Return the vacancies assigned more workers than their headcount."""
    load = np.bincount(worker_vacancy[worker_vacancy >= 0], minlength=len(capacity))
    return np.flatnonzero(load > capacity)


@njit(cache=True)
def _ineligible(ptr, vac, worker_vacancy):  # pragma: no cover - compiled
    out = []
    for w in range(len(ptr) - 1):
        v = worker_vacancy[w]
        if v < 0:
            continue
        found = False
        for e in range(ptr[w], ptr[w + 1]):
            if vac[e] == v:
                found = True
                break
        if not found:
            out.append(w)
    return np.array(out, dtype=np.int64)


def eligibility_violations(market: Market, worker_vacancy: np.ndarray) -> np.ndarray:
    """Return workers assigned to a vacancy that is not among their acceptable ones."""
    return _ineligible(market.ptr, market.vacancy, np.asarray(worker_vacancy, dtype=np.int64))


def split_groups(group: np.ndarray, worker_vacancy: np.ndarray) -> np.ndarray:
    """Return the travel-group ids whose members are not all assigned to the same vacancy."""
    mask = group >= 0
    if not mask.any():
        return np.zeros(0, dtype=np.int64)
    g, a = group[mask], worker_vacancy[mask]
    order = np.lexsort((a, g))
    g, a = g[order], a[order]
    first = np.r_[True, g[1:] != g[:-1]]
    start_a = np.maximum.accumulate(np.where(first, np.arange(len(g)), 0))
    bad = a != a[start_a]
    return np.unique(g[bad])


@njit(cache=True)
def _unit_edges(u_ptr, vac, unit_vac):  # pragma: no cover - compiled
    n = len(unit_vac)
    edge = np.full(n, -1, dtype=np.int64)
    for u in range(n):
        v = unit_vac[u]
        if v < 0:
            continue
        for e in range(u_ptr[u], u_ptr[u + 1]):
            if vac[e] == v:
                edge[u] = e
                break
    return edge


@njit(cache=True)
def _blocking_kernel(
    u_ptr, vac, ws, vs, size, u_tb, v_tb, cap, edge, unit_vac, limit
):  # pragma: no cover - compiled  # noqa: E501
    n_units = len(size)
    n_vac = len(cap)
    # holders per vacancy, sorted by priority key descending, with prefix sums of sizes
    cnt = np.zeros(n_vac + 1, dtype=np.int64)
    for u in range(n_units):
        if edge[u] >= 0:
            cnt[unit_vac[u] + 1] += 1
    for v in range(n_vac):
        cnt[v + 1] += cnt[v]
    keys = np.empty(cnt[n_vac], dtype=np.int64)
    sizes = np.empty(cnt[n_vac], dtype=np.int64)
    fill = cnt[:-1].copy()
    for u in range(n_units):
        e = edge[u]
        if e >= 0:
            v = unit_vac[u]
            keys[fill[v]] = -(vs[e] * n_units + (n_units - 1 - u_tb[u]))  # ascending = best first
            sizes[fill[v]] = size[u]
            fill[v] += 1
    for v in range(n_vac):
        a, b = cnt[v], cnt[v + 1]
        for i in range(a + 1, b):  # insertion sort by key (a vacancy holds few units)
            k, s = keys[i], sizes[i]
            j = i
            while j > a and keys[j - 1] > k:
                keys[j] = keys[j - 1]
                sizes[j] = sizes[j - 1]
                j -= 1
            keys[j] = k
            sizes[j] = s
        for i in range(a + 1, b):
            sizes[i] += sizes[i - 1]  # prefix sums
    per_unit = np.zeros(n_units, dtype=np.int64)
    pairs_u = []
    pairs_v = []
    for u in range(n_units):
        me = edge[u]
        for e in range(u_ptr[u], u_ptr[u + 1]):
            if e == me:
                continue
            if me >= 0 and not (
                ws[e] > ws[me] or (ws[e] == ws[me] and v_tb[vac[e]] < v_tb[vac[me]])
            ):
                continue
            v = vac[e]
            key = -(vs[e] * n_units + (n_units - 1 - u_tb[u]))
            a, b = cnt[v], cnt[v + 1]
            lo, hi = a, b  # holders strictly better (smaller key) come before: count them
            while lo < hi:
                mid = (lo + hi) // 2
                if keys[mid] < key:
                    lo = mid + 1
                else:
                    hi = mid
            k = lo - a
            higher = sizes[a + k - 1] if k > 0 else 0
            if cap[v] - higher >= size[u]:
                per_unit[u] += 1
                if len(pairs_u) < limit:
                    pairs_u.append(u)
                    pairs_v.append(v)
    return per_unit, np.array(pairs_u, dtype=np.int64), np.array(pairs_v, dtype=np.int64)


@dataclass(frozen=True)
class Blocking:
    """Blocking pairs of an assignment (unit level; see the module docstring)."""

    count: int
    per_unit: np.ndarray  # blocking vacancies per unit
    pairs: np.ndarray  # (k, 2) [unit, vacancy], at most ``limit`` rows
    units: Units


def blocking_pairs(
    market: Market,
    worker_vacancy: np.ndarray,
    *,
    seed: int = 0,
    units: Units | None = None,
    limit: int = 100_000,
) -> Blocking:
    """Return the blocking pairs of ``worker_vacancy`` under the seed's strict preferences."""
    units = units if units is not None else build_units(market)
    u_tb, v_tb = market_tie_breaks(seed, market, units)
    first = units.members[units.member_ptr[:-1]]
    unit_vac = np.asarray(worker_vacancy, dtype=np.int64)[first]
    edge = _unit_edges(units.ptr, units.vacancy, unit_vac)
    per_unit, pu, pv = _blocking_kernel(
        units.ptr, units.vacancy, units.worker_score, units.vacancy_score,
        units.size.astype(np.int64), u_tb, v_tb, market.capacity, edge, unit_vac, limit,
    )  # fmt: skip
    return Blocking(
        count=int(per_unit.sum()),
        per_unit=per_unit,
        pairs=np.stack([pu, pv], axis=1) if len(pu) else np.zeros((0, 2), dtype=np.int64),
        units=units,
    )


def check_assignment(market: Market, worker_vacancy: np.ndarray, *, seed: int = 0) -> CheckReport:
    """Return the violation counts of ``worker_vacancy`` (blocking pairs included)."""
    worker_vacancy = np.asarray(worker_vacancy, dtype=np.int64)
    return CheckReport(
        over_capacity=len(capacity_violations(market.capacity, worker_vacancy)),
        ineligible=len(eligibility_violations(market, worker_vacancy)),
        split_groups=len(split_groups(market.group, worker_vacancy)),
        blocking_pairs=blocking_pairs(market, worker_vacancy, seed=seed).count,
    )
