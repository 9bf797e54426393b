"""Stable assignment: unit-proposing deferred acceptance with headcounts (compiled).

Without travel groups this is the classic worker-proposing deferred acceptance of the
college-admissions / NRMP problem: the result has no blocking pair and is the worker-optimal
stable matching (every worker gets the best vacancy it has in any stable matching). The order
in which free workers propose does not change the result; ties are broken by the seed (see
:mod:`matching.engine.market`), so the same inputs and seed give the same matching.

**Lazy preference order.** A worker only ever proposes to the first few vacancies of its list,
so lists are never sorted: each entry is encoded as one int64 (score, seeded tie-break,
offset in the list) so comparisons need no indirection, each unit's segment is heapified
(O(n)) and the next choice is popped on demand (O(log n)). Popped entries accumulate at the
end of the segment in reverse proposal order, which is also the proposal history used by the
group repair. Each vacancy's state (headcount, holders, lowest held priority) sits in one
cache line, so a rejection — the common case in a competitive market — reads one line.

**Travel groups (sized units).** A vacancy holding units chooses, from what it holds plus a new
proposer, greedily in priority order: each unit is kept if it still fits in the headcount
(a unit that does not fit is skipped, smaller lower-priority units can still fit). A unit is
*blocking* with vacancy v when it prefers v to its assignment, is acceptable to v, and v could
seat it by dropping only units v ranks strictly lower:

    size(u) <= headcount(v) - sum(size(x) for x held by v if priority(x) > priority(u))

With units of size 1 this is exactly the classic blocking pair. With groups, a stable matching
may not exist (the "couples" problem) and deferred acceptance alone can leave blocking pairs
(a small high-priority unit can displace a large one and free seats a rejected unit would now
fit into). The engine therefore runs repair rounds: every blocking unit withdraws and
re-proposes to the vacancies it blocks with, and deferred acceptance resumes; this repeats until
no blocking pair is left or ``max_rounds`` is reached.

**Guarantee.** Always: headcounts respected, only acceptable pairs, groups never split (a group
holds seats at exactly one vacancy). No travel groups: no blocking pair, worker-optimal.
With travel groups: the number of blocking pairs under the definition above is reported
(``checks.blocking_pairs`` counts exactly that, ``Result.stats["blocking_pairs"]``); it is zero
whenever the repair converged (``Assignment.converged``, ``stats["converged"]``), and
``converged`` is False only when ``max_rounds`` ran out — never a silent instability.
Worker-optimality is not claimed with groups. (A group member's own preference may differ
from its group's; the group, not the member, is the agent.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from matching.engine.market import Market, Units, build_units, tie_breaks
from matching.engine.prepared import threads_for


@dataclass(frozen=True)
class Assignment:
    """A unit-level assignment and the per-worker view of it."""

    worker_vacancy: np.ndarray  # int32 per worker, -1 = unmatched
    unit_vacancy: np.ndarray  # int32 per unit
    unit_edge: np.ndarray  # int64 index into units.ptr CSR, -1 = unmatched
    proposals: int
    repair_rounds: int
    converged: bool


# Vacancy state, one cache line per vacancy: a rejection reads only this row.
_BASE, _CAP, _N, _BIG, _USED, _MINKEY = 0, 1, 2, 3, 4, 5


@njit(cache=True)
def _wheap_down(hk, lo, i, n):  # pragma: no cover - compiled
    """Sift down in the max-heap hk[lo:lo+n]."""
    x = hk[lo + i]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hk[lo + c + 1] > hk[lo + c]:
            c += 1
        if hk[lo + c] > x:
            hk[lo + i] = hk[lo + c]
            i = c
        else:
            break
    hk[lo + i] = x


@njit(cache=True)
def _wheap_up(hk, lo, i):  # pragma: no cover - compiled
    x = hk[lo + i]
    while i > 0:
        p = (i - 1) // 2
        if hk[lo + p] < x:
            hk[lo + i] = hk[lo + p]
            i = p
        else:
            break
    hk[lo + i] = x


@njit(cache=True)
def _vheap_down(hv, base, i, n):  # pragma: no cover - compiled
    """Sift down in the min-heap of (key, unit) rows hv[base:base+n]."""
    k = hv[base + i, 0]
    u = hv[base + i, 1]
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hv[base + c + 1, 0] < hv[base + c, 0]:
            c += 1
        if hv[base + c, 0] < k:
            hv[base + i, 0] = hv[base + c, 0]
            hv[base + i, 1] = hv[base + c, 1]
            i = c
        else:
            break
    hv[base + i, 0] = k
    hv[base + i, 1] = u


@njit(cache=True)
def _vheap_up(hv, base, i):  # pragma: no cover - compiled
    k = hv[base + i, 0]
    u = hv[base + i, 1]
    while i > 0:
        p = (i - 1) // 2
        if hv[base + p, 0] > k:
            hv[base + i, 0] = hv[base + p, 0]
            hv[base + i, 1] = hv[base + p, 1]
            i = p
        else:
            break
    hv[base + i, 0] = k
    hv[base + i, 1] = u


@njit(cache=True)
def _push(x, stack, top, on_stack):  # pragma: no cover - compiled
    if not on_stack[x]:
        on_stack[x] = True
        stack[top] = x
        top += 1
    return top


@njit(cache=True)
def _choose_general(
    v, u, key, size, vrow, hv, match_edge, stack, top, on_stack, dirty
):  # pragma: no cover - compiled  # noqa: E501
    """Greedy choice of v over its held units plus proposer u; return (accepted, new top).

    Units are taken in priority order and kept while they fit; a unit that does not fit is
    skipped (smaller, lower-priority units may still fit). Evictions here can free seats for
    units v rejected earlier, so v is marked dirty for the group repair.
    """
    base = vrow[v, _BASE]
    cap = vrow[v, _CAP]
    n = vrow[v, _N]
    if vrow[v, _USED] + size[u] <= cap:
        hv[base + n, 0] = key
        hv[base + n, 1] = u
        _vheap_up(hv, base, n)
        vrow[v, _N] = n + 1
        vrow[v, _USED] += size[u]
        if size[u] > 1:
            vrow[v, _BIG] += 1
        vrow[v, _MINKEY] = hv[base, 0]
        return True, top
    higher = 0
    for i in range(n):
        if hv[base + i, 0] > key:
            higher += size[hv[base + i, 1]]
    if higher + size[u] > cap:
        return False, top
    keys = np.empty(n + 1, dtype=np.int64)
    units = np.empty(n + 1, dtype=np.int64)
    for i in range(n):
        keys[i] = hv[base + i, 0]
        units[i] = hv[base + i, 1]
    keys[n] = key
    units[n] = u
    order = np.argsort(-keys)
    used = 0
    kept = 0
    big = 0
    kept_keys = np.empty(n + 1, dtype=np.int64)
    kept_units = np.empty(n + 1, dtype=np.int64)
    for j in range(n + 1):
        x = units[order[j]]
        if used + size[x] <= cap:
            used += size[x]
            kept_keys[kept] = keys[order[j]]
            kept_units[kept] = x
            kept += 1
            if size[x] > 1:
                big += 1
        else:
            match_edge[x] = -1
            top = _push(x, stack, top, on_stack)
            dirty[v] = 1
    # kept in descending key order; reversed it is a valid min-heap
    for j in range(kept):
        hv[base + j, 0] = kept_keys[kept - 1 - j]
        hv[base + j, 1] = kept_units[kept - 1 - j]
    vrow[v, _N] = kept
    vrow[v, _USED] = used
    vrow[v, _BIG] = big
    vrow[v, _MINKEY] = hv[base, 0]
    return True, top


@njit(cache=True)
def _release(u, v, size, vrow, hv, dirty):  # pragma: no cover - compiled
    """Remove unit u from vacancy v's holders (u moves to a vacancy it prefers)."""
    base = vrow[v, _BASE]
    n = vrow[v, _N]
    for i in range(n):
        if hv[base + i, 1] == u:
            hv[base + i, 0] = hv[base + n - 1, 0]
            hv[base + i, 1] = hv[base + n - 1, 1]
            break
    n -= 1
    vrow[v, _N] = n
    vrow[v, _USED] -= size[u]
    if size[u] > 1:
        vrow[v, _BIG] -= 1
    for i in range((n - 2) // 2, -1, -1):
        _vheap_down(hv, base, i, n)
    if n > 0:
        vrow[v, _MINKEY] = hv[base, 0]
    dirty[v] = 1


@njit(cache=True)
def _run_da(
    stack,
    top,
    on_stack,
    u_ptr,
    vac,
    vs,
    size,
    u_tb,
    off_mask,
    hk,
    hlen,
    match_edge,
    match_key,
    vrow,
    hv,
    dirty,
):  # pragma: no cover - compiled  # noqa: E501
    """Deferred acceptance from the current state until no unit on the stack can improve.

    A unit on the stack that still holds a seat (put there by the repair) only proposes to
    entries it prefers to that seat, and gives the seat up when another vacancy accepts it.
    """
    n_units = len(size)
    proposals = 0
    while top > 0:
        top -= 1
        u = stack[top]
        on_stack[u] = False
        lo = u_ptr[u]
        su = size[u]
        tie = n_units - 1 - u_tb[u]
        while hlen[u] > 0:
            if match_edge[u] >= 0 and hk[lo] < match_key[u]:
                break  # nothing left that u prefers to the seat it holds
            # pop u's best remaining choice; it lands just past the shrunken heap
            last = hlen[u] - 1
            best = hk[lo]
            hk[lo] = hk[lo + last]
            hk[lo + last] = best
            hlen[u] = last
            _wheap_down(hk, lo, 0, last)
            e = lo + (best & off_mask)
            v = vac[e]
            proposals += 1
            key = vs[e] * n_units + tie
            accepted = False
            if su == 1 and vrow[v, _BIG] == 0:
                n = vrow[v, _N]
                if n < vrow[v, _CAP]:
                    base = vrow[v, _BASE]
                    hv[base + n, 0] = key
                    hv[base + n, 1] = u
                    _vheap_up(hv, base, n)
                    vrow[v, _N] = n + 1
                    vrow[v, _USED] += 1
                    vrow[v, _MINKEY] = hv[base, 0]
                    accepted = True
                elif n > 0 and key > vrow[v, _MINKEY]:
                    base = vrow[v, _BASE]
                    x = hv[base, 1]
                    hv[base, 0] = key
                    hv[base, 1] = u
                    _vheap_down(hv, base, 0, n)
                    vrow[v, _MINKEY] = hv[base, 0]
                    match_edge[x] = -1
                    top = _push(x, stack, top, on_stack)
                    accepted = True
            else:
                accepted, top = _choose_general(
                    v, u, key, size, vrow, hv, match_edge, stack, top, on_stack, dirty
                )  # noqa: E501
            if accepted:
                if match_edge[u] >= 0:
                    # u leaves a seat it was not rejected from: give the seat up and put the
                    # entry back in u's list, so that u can return there if evicted later
                    _release(u, vac[match_edge[u]], size, vrow, hv, dirty)
                    for j in range(lo + hlen[u], u_ptr[u + 1]):
                        if hk[j] == match_key[u]:
                            k = lo + hlen[u]
                            hk[j] = hk[k]
                            hk[k] = match_key[u]
                            hlen[u] += 1
                            _wheap_up(hk, lo, hlen[u] - 1)
                            break
                match_edge[u] = e
                match_key[u] = best
                break
    return proposals, top


@njit(cache=True)
def _repair_round(
    u_ptr,
    vac,
    vs,
    size,
    u_tb,
    off_mask,
    hk,
    hlen,
    match_edge,
    match_key,
    vrow,
    hv,
    dirty,
    stack,
    on_stack,
):  # pragma: no cover - compiled  # noqa: E501
    """Re-open every (unit, vacancy) blocking pair; return the stack of units to run.

    Only vacancies marked dirty can have gained room since they last rejected someone (a
    rejection, and an eviction by a single worker, never leaves room for the rejected), so
    only entries at dirty vacancies are checked. Units keep their seat while they re-propose.
    """
    n_units = len(size)
    top = 0
    for u in range(n_units):
        lo, hi = u_ptr[u], u_ptr[u + 1]
        me = match_edge[u]
        j = lo + hlen[u]
        while j < hi:
            x = hk[j]
            e = lo + (x & off_mask)
            v = vac[e]
            reopen = False
            if dirty[v] and (me < 0 or x > match_key[u]):
                key = vs[e] * n_units + (n_units - 1 - u_tb[u])
                base = vrow[v, _BASE]
                higher = 0
                for i in range(vrow[v, _N]):
                    if hv[base + i, 0] > key:
                        higher += size[hv[base + i, 1]]
                reopen = vrow[v, _CAP] - higher >= size[u]
            if reopen:
                # positions before j are examined: swapping one of them to j skips it correctly
                k = lo + hlen[u]
                hk[j] = hk[k]
                hk[k] = x
                hlen[u] += 1
                _wheap_up(hk, lo, hlen[u] - 1)
                top = _push(u, stack, top, on_stack)
            j += 1
    dirty[:] = 0
    return top


@njit(cache=True, parallel=True)
def _init_heaps(
    u_ptr, vac, ws, v_tb, ws_min, tb_bits, off_bits, hk, hlen
):  # pragma: no cover - compiled
    """Encode each entry as one int64 (score, tie-break, offset) and heapify every unit's list."""
    n_units = len(u_ptr) - 1
    tb_max = (1 << tb_bits) - 1
    for u in prange(n_units):
        lo, hi = u_ptr[u], u_ptr[u + 1]
        n = hi - lo
        for i in range(n):
            e = lo + i
            hk[e] = (
                ((ws[e] - ws_min) << (tb_bits + off_bits))
                | ((tb_max - v_tb[vac[e]]) << off_bits)
                | i
            )
        hlen[u] = n
        for i in range(n // 2 - 1, -1, -1):
            _wheap_down(hk, lo, i, n)


@njit(cache=True)
def _stable_kernel(
    u_ptr, vac, vs, size, u_tb, cap, max_rounds, off_mask, hk, hlen
):  # pragma: no cover - compiled  # noqa: E501
    n_units = len(size)
    n_vac = len(cap)
    match_edge = np.full(n_units, -1, dtype=np.int64)
    match_key = np.full(n_units, -1, dtype=np.int64)
    vrow = np.zeros((n_vac, 8), dtype=np.int64)
    total = 0
    for v in range(n_vac):
        vrow[v, _BASE] = total
        vrow[v, _CAP] = cap[v]
        total += cap[v]
    hv = np.empty((total, 2), dtype=np.int64)
    dirty = np.zeros(n_vac, dtype=np.uint8)
    stack = np.empty(n_units, dtype=np.int64)
    on_stack = np.zeros(n_units, dtype=np.bool_)
    top = 0
    for u in range(n_units - 1, -1, -1):
        if hlen[u] > 0:
            top = _push(u, stack, top, on_stack)
    proposals, top = _run_da(
        stack,
        top,
        on_stack,
        u_ptr,
        vac,
        vs,
        size,
        u_tb,
        off_mask,
        hk,
        hlen,
        match_edge,
        match_key,
        vrow,
        hv,
        dirty,
    )  # noqa: E501
    rounds = 0
    converged = True
    has_big = False
    for u in range(n_units):
        if size[u] > 1:
            has_big = True
            break
    if has_big:
        while True:
            top = _repair_round(
                u_ptr,
                vac,
                vs,
                size,
                u_tb,
                off_mask,
                hk,
                hlen,
                match_edge,
                match_key,
                vrow,
                hv,
                dirty,
                stack,
                on_stack,
            )  # noqa: E501
            if top == 0:
                break
            if rounds >= max_rounds:
                converged = False
                for i in range(top):
                    on_stack[stack[i]] = False
                break
            rounds += 1
            more, top = _run_da(
                stack,
                top,
                on_stack,
                u_ptr,
                vac,
                vs,
                size,
                u_tb,
                off_mask,
                hk,
                hlen,
                match_edge,
                match_key,
                vrow,
                hv,
                dirty,
            )  # noqa: E501
            proposals += more
    return match_edge, proposals, rounds, converged


def _key_layout(units: Units, n_vacancies: int) -> tuple[np.ndarray, int, int, int]:
    """Return (scores, ws_min, tb_bits, off_bits) for the one-int64 preference keys.

    Scores are rank-compressed if their range does not fit the bits left.
    """
    lengths = np.diff(units.ptr)
    off_bits = max(1, int(lengths.max(initial=1) - 1).bit_length())
    tb_bits = max(1, int(max(n_vacancies, 1) - 1).bit_length())
    ws = units.worker_score
    if len(ws) == 0:
        return ws, 0, tb_bits, off_bits
    lo, hi = int(ws.min()), int(ws.max())
    room = 62 - tb_bits - off_bits
    if room <= 0:
        raise ValueError("market too large for one-word preference keys")
    if (hi - lo).bit_length() > room:
        _, ranks = np.unique(ws, return_inverse=True)
        return ranks.astype(np.int32), 0, tb_bits, off_bits
    return ws, lo, tb_bits, off_bits


def assign_stable(
    market: Market,
    *,
    seed: int = 0,
    units: Units | None = None,
    max_rounds: int = 100,
) -> Assignment:
    """Return the stable assignment of ``market`` (see the module docstring for the guarantee)."""
    units = units if units is not None else build_units(market)
    u_tb, v_tb = tie_breaks(seed, units.n_units, market.n_vacancies)
    ws, ws_min, tb_bits, off_bits = _key_layout(units, market.n_vacancies)
    hk = np.empty(len(units.vacancy), dtype=np.int64)
    hlen = np.empty(units.n_units, dtype=np.int64)
    with threads_for(units.n_units):
        _init_heaps(units.ptr, units.vacancy, ws, v_tb, ws_min, tb_bits, off_bits, hk, hlen)
    match_edge, proposals, rounds, converged = _stable_kernel(
        units.ptr, units.vacancy, units.vacancy_score, units.size.astype(np.int64), u_tb,
        market.capacity, max_rounds, (1 << off_bits) - 1, hk, hlen,
    )  # fmt: skip
    return _assignment(units, match_edge, int(proposals), int(rounds), bool(converged))


def _assignment(
    units: Units, match_edge: np.ndarray, proposals: int, rounds: int, converged: bool
) -> Assignment:
    unit_vacancy = np.full(len(match_edge), -1, dtype=np.int32)
    placed = match_edge >= 0
    unit_vacancy[placed] = units.vacancy[match_edge[placed]]
    return Assignment(
        worker_vacancy=unit_vacancy[units.of_worker],
        unit_vacancy=unit_vacancy,
        unit_edge=match_edge,
        proposals=proposals,
        repair_rounds=rounds,
        converged=converged,
    )
