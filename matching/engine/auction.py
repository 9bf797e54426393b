"""Exact optimal-mode solver: a warm-started ε-scaling auction with a sink price (compiled).

:func:`matching.engine.optimal.assign_optimal` solves a transportation problem: unit ``u``
supplies ``size[u]`` seats' worth of workers, vacancy ``v`` takes at most ``capacity[v]``, a
seat of ``u`` at ``v`` earns ``w[e]`` (the per-seat weight of edge ``e``); the objective is
the most seats filled, then the largest total weight. A unit of size ``s`` is ``s`` identical
*persons* with the same edges, so a group may be split here, exactly as in the divisible flow
the reference min-cost flow (OR-Tools) solves.

**Network.** Persons ``i`` (supply 1), vacancies ``v``, a sink ``t``; arcs ``i -> v`` (cost
``-a[e]``), ``v -> t`` (capacity ``capacity[v]``, cost 0) and a bypass ``i -> t`` (cost 0) for
a person left unplaced. With ``a[e] = (B + w[e] - min w) * M`` and ``B = K (max w - min w) + 1``
(``K`` bounds the number placed), one more placed person outweighs any weight difference,
so a minimum-cost flow is a maximum flow of maximum weight (``M`` is explained below).

**Algorithm.** Goldberg's cost-scaling push-relabel run as an auction (Goldberg & Kennedy's
CSA, Bertsekas' auction): ``price[v]`` is minus the potential of ``v``, ``lam`` minus that of
``t`` (the bypass is worth ``-lam`` to a person), a person's potential is implicit in its bid.
Each phase divides ``eps`` by ``ALPHA`` and runs push/relabel until no node has excess:

* a person *bids*: it relabels to its second-best value minus ``eps`` and pushes to its best
  option, a vacancy (at bid ``a - second + eps``) or the bypass;
* a vacancy holding more persons than it passes to the sink commits one more seat (push
  ``v -> t``, admissible while ``price > lam``), or drops its lowest bid (that person bids
  again), or, with neither arc admissible, relabels: price = lowest held bid (or ``lam``
  while a seat is uncommitted) + ``eps``;
* the sink, holding excess when committed seats stay empty, pushes back to a vacancy priced
  below ``lam`` or re-activates an unplaced person whose value beats the bypass, cheapest
  first, and relabels (``lam`` rises) when it cannot: Bertsekas' ``λ`` of asymmetric auctions.

A person remembers its ``CACHE`` best edges and scans its whole list only when they may no
longer hold its two best options. A seat of a travel group joins a seat of its group when that
option is within ``eps`` of its best (still an admissible push), which splits fewer groups.

Every step is a push on an admissible arc or a potential decrease that keeps ``eps``-optimality,
so a phase ends with a feasible flow that is ``eps``-optimal. Between phases no flow is forced
(Goldberg's refine may start from any potentials that keep the remaining flow ``eps``-optimal):
a vacancy that was not full is priced ``lam``; a person keeps its place (or bypass) if that is
still within ``2 eps`` of its best option; a vacancy that lost holders is cheapened as far as
the other persons' potentials allow; committed are the seats of vacancies priced above ``lam``.

**Warm start.** One placement is worth ``B``, far above every weight, and ε-scaling spends
most of a cold run pricing that in. So the cardinality problem is solved first
(:mod:`matching.engine.cardinality`): vacancies full in every maximum assignment start at
price ``B * M``, the others at 0, and ``eps`` starts at ``(max w - min w) * M / ALPHA``.
This only changes the speed: correctness rests on the certificate below.

**Exactness.** A simple cycle of the residual network alternates persons and distinct
vacancies and passes the sink at most once: at most ``2m + 2`` arcs. Costs are multiples of
``M = 2m + 3``, so an ``eps = 1``-optimal flow has no negative cycle and is optimal. Before
that, once ``eps`` is below ``M / 4``, each phase ends with a try to *certify* the flow
directly: shortest paths on the residual costs (:func:`_certify`) either give potentials with
no negative reduced cost — a proof of optimality by LP duality — or the scaling goes on.
:func:`solve_transport` re-checks the proof from scratch on the result (:func:`_verify`:
feasibility and the ``eps``-optimality conditions of every arc, for ``eps`` 0 or 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from matching.engine.cardinality import UNDER, classify, max_assignment

ALPHA = 8  # ε divisor per phase (4-24 measured at 100k: 8 does the fewest bids)
CACHE = 4  # best edges remembered per person between full scans of its list
# Certify once eps <= M / CERTIFY_BELOW: at 100k workers the flow first was optimal at about
# M / 16, and a successful attempt took 4-8 passes over the arcs (0.1-0.2 s). An attempt on a
# flow that is not optimal stops at the first cycle of shortest-path parents (a negative
# cycle), at the latest after CERTIFY_WORK passes.
CERTIFY_BELOW = 4
CERTIFY_WORK = 64
_PROFIT_LIMIT = 2**58  # keeps prices, bids and their sums far from int64 overflow
_CLOSED = 2**60  # price of a vacancy with no headcount: never worth a bid
_NEG = -(2**62)  # below any value
_POS = 2**62  # above any value
_BYPASS = -2  # a person's edge when it is unplaced
_ACTIVE = -1  # a person's edge while it has to bid


@dataclass(frozen=True)
class Transport:
    """An optimal divisible assignment: where each person (seat of a unit) went."""

    person_ptr: np.ndarray  # int64: persons of unit u are person_ptr[u]:person_ptr[u+1]
    person_edge: np.ndarray  # int64 edge of each person's vacancy, -1 = unplaced
    placed: int
    weight: int  # sum of the per-seat weights of the placed persons
    verified: bool  # the optimality certificate checked out
    phases: int
    bids: int


def profits(
    weight: np.ndarray, n_vacancies: int, max_flow: int
) -> tuple[np.ndarray, int, int] | None:
    """Return (w', B, M) with ``a = (B + w') * M`` the auction profit of every edge.

    ``w' = weight - min(weight)`` (int32). None when the profits would not fit comfortably in
    int64 (or ``w'`` in int32).
    """
    if len(weight) == 0:
        return np.zeros(0, dtype=np.int32), 1, 1
    low, high = int(weight.min()), int(weight.max())
    spread = high - low
    big = max_flow * spread + 1
    mult = 2 * n_vacancies + 3
    if spread >= 2**31 or (big + spread) * mult >= _PROFIT_LIMIT:
        return None
    return _shifted(weight, np.int64(low)), big, mult


@njit(cache=True)
def _shifted(weight, low):  # pragma: no cover - compiled
    """Return ``weight - low`` as int32 (without an int64 temporary of every edge)."""
    out = np.empty(len(weight), dtype=np.int32)
    for e in range(len(weight)):
        out[e] = weight[e] - low
    return out


@njit(cache=True)
def _by_vacancy(ptr, vac, m):  # pragma: no cover - compiled
    """Return (csc_ptr, csc_edge, csc_unit): every vacancy's edges, by a counting sort."""
    csc_ptr = np.zeros(m + 1, dtype=np.int64)
    for e in range(len(vac)):
        csc_ptr[vac[e] + 1] += 1
    for v in range(m):
        csc_ptr[v + 1] += csc_ptr[v]
    fill = csc_ptr[:-1].copy()
    csc_edge = np.empty(len(vac), dtype=np.int32)
    csc_unit = np.empty(len(vac), dtype=np.int32)
    for u in range(len(ptr) - 1):
        for e in range(ptr[u], ptr[u + 1]):
            v = vac[e]
            csc_edge[fill[v]] = e
            csc_unit[fill[v]] = u
            fill[v] += 1
    return csc_ptr, csc_edge, csc_unit


@njit(cache=True, inline="always")
def _heap_set(hb, hp, i, bid, item):  # pragma: no cover - compiled
    hb[i] = bid
    hp[i] = item


@njit(cache=True)
def _heap_push(hb, hp, base, n, bid, item):  # pragma: no cover - compiled
    """Add (bid, item) to the min-heap of ``n`` entries at ``hb[base:]``/``hp[base:]``."""
    i = n
    while i > 0 and hb[base + ((i - 1) >> 1)] > bid:
        parent = (i - 1) >> 1
        _heap_set(hb, hp, base + i, hb[base + parent], hp[base + parent])
        i = parent
    _heap_set(hb, hp, base + i, bid, item)


@njit(cache=True)
def _heap_pop(hb, hp, base, n):  # pragma: no cover - compiled
    """Remove the lowest entry of a heap of ``n`` entries; return its item."""
    top = hp[base]
    n -= 1
    bid = hb[base + n]
    item = hp[base + n]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hb[base + c + 1] < hb[base + c]:
            c += 1
        if hb[base + c] >= bid:
            break
        _heap_set(hb, hp, base + i, hb[base + c], hp[base + c])
        i = c
    _heap_set(hb, hp, base + i, bid, item)
    return top


@njit(cache=True)
def _sink_rebuild(kb, ki, commit, price, edge, pi_bypass, m):  # pragma: no cover - compiled
    """Refill the sink's heap with its residual arcs; return its size."""
    n = 0
    for v in range(m):
        if commit[v] > 0:
            _heap_push(kb, ki, 0, n, price[v], v)
            n += 1
    for i in range(len(edge)):
        if edge[i] == _BYPASS:
            _heap_push(kb, ki, 0, n, -pi_bypass[i], m + i)
            n += 1
    return n


@njit(cache=True)
def _sink_push(kb, ki, kn, key, ident, commit, price, edge, pi_bypass, m):  # pragma: no cover
    """Add a residual arc of the sink to its heap (rebuilt when full); return the size."""
    if kn == len(kb):
        return _sink_rebuild(kb, ki, commit, price, edge, pi_bypass, m)
    _heap_push(kb, ki, 0, kn, key, ident)
    return kn + 1


@njit(cache=True)
def _scan(u, ptr, vac, pr, big, mult, price, cache, cbase, k):  # pragma: no cover - compiled
    """Scan unit ``u``'s edges and cache its ``k`` best; return (count, bound).

    A cache entry is two words at ``cache[cbase + 2j]``: the profit ``a`` and
    ``vacancy << 32 | edge offset``, best first by value at scan time. ``bound`` is the best
    value of an edge left out; values only fall while prices rise, so while the second best
    cached value is at least ``bound`` the cache holds the two best edges.
    """
    cnt = 0
    bound = _NEG
    p0 = ptr[u]
    for e in range(p0, ptr[u + 1]):
        v = vac[e]
        a = (big + pr[e]) * mult
        val = a - price[v]
        if cnt == k:
            last = cache[cbase + 2 * k - 2] - price[cache[cbase + 2 * k - 1] >> 32]
            if val <= last:
                if val > bound:
                    bound = val
                continue
            if last > bound:
                bound = last
            j = k - 1
        else:
            j = cnt
            cnt += 1
        while j > 0:
            prev = cache[cbase + 2 * j - 2] - price[cache[cbase + 2 * j - 1] >> 32]
            if prev >= val:
                break
            cache[cbase + 2 * j] = cache[cbase + 2 * j - 2]
            cache[cbase + 2 * j + 1] = cache[cbase + 2 * j - 1]
            j -= 1
        cache[cbase + 2 * j] = a
        cache[cbase + 2 * j + 1] = (np.int64(v) << 32) | (e - p0)
    return cnt, bound


# nogil: the phases run for seconds at scale; releasing the GIL lets the round's progress
# heartbeat (matching.rounds) keep the page moving meanwhile.
@njit(cache=True, nogil=True)
def _auction(
    ptr, vac, pr, big, mult, person_unit, person_ptr, csc_ptr, csc_edge, csc_unit, capacity,
    price0, edge0, eps0, alpha, k, certify_eps, certify_work,
):  # pragma: no cover - compiled  # fmt: skip
    """Run the ε-scaling phases; return (edge, price, lam, certified, phases, bids)."""
    n_persons = len(person_unit)
    m = len(capacity)
    price = price0.copy()
    for v in range(m):
        if capacity[v] <= 0:
            price[v] = _CLOSED
    lam = np.int64(0)
    base = np.zeros(m + 1, dtype=np.int64)
    for v in range(m):
        base[v + 1] = base[v] + max(capacity[v], 0) + 1
    hb = np.empty(base[m], dtype=np.int64)  # per vacancy: min-heap of held bids
    hp = np.empty(base[m], dtype=np.int64)
    held = np.zeros(m, dtype=np.int64)
    commit = np.zeros(m, dtype=np.int64)  # flow on v -> t
    edge = edge0.copy()
    pi_bypass = np.zeros(n_persons, dtype=np.int64)
    pi_kept = np.zeros(n_persons, dtype=np.int64)
    queue = np.empty(n_persons + 1, dtype=np.int64)  # ring of active persons
    qlen = n_persons + 1
    pending = np.empty(m, dtype=np.int64)  # vacancies holding more than they commit
    cache = np.empty(n_persons * k * 2, dtype=np.int64)
    cn = np.zeros(n_persons, dtype=np.int64)
    cbound = np.full(n_persons, _POS, dtype=np.int64)  # empty caches: scan first
    # the sink's residual arcs, (t, v) keyed by price[v] and (t, i) by -pi_bypass[i], kept
    # lazily: an entry is acted on only if it still describes the current state
    kb = np.empty(4 * (n_persons + m) + 16, dtype=np.int64)
    ki = np.empty(len(kb), dtype=np.int64)
    eps = eps0
    eps_old = np.int64(0)
    phases = 0
    bids = 0
    certified = False
    while True:
        phases += 1
        # --- phase start: prices, kept persons, lowered vacancies, commitments
        for v in range(m):
            if capacity[v] > 0 and phases > 1 and held[v] < capacity[v]:
                price[v] = lam  # down by at most eps_old: cached bounds move up by that
            held[v] = 0
        qhead, qtail = 0, 0
        n_bypass = 0
        for i in range(n_persons):
            e_own = edge[i]
            if e_own == _ACTIVE:
                queue[qtail] = i
                qtail += 1
                continue
            cbound[i] += eps_old
            own = (big + pr[e_own]) * mult - price[vac[e_own]] if e_own >= 0 else -lam
            cb = 2 * k * i
            off = e_own - ptr[person_unit[i]]
            other = _NEG
            for attempt in range(2):
                # the best value of i's other options (an upper bound through cbound)
                other = -lam if e_own >= 0 else _NEG
                for j in range(cn[i]):
                    w = cache[cb + 2 * j + 1]
                    if e_own < 0 or (w & 0xFFFFFFFF) != off:
                        val = cache[cb + 2 * j] - price[w >> 32]
                        if val > other:
                            other = val
                if own < other - 2 * eps or own >= cbound[i] - 2 * eps or attempt == 1:
                    if cbound[i] > other:
                        other = cbound[i]
                    break
                cn[i], cbound[i] = _scan(
                    person_unit[i], ptr, vac, pr, big, mult, price, cache, cb, k
                )
            pi = max(own, other) - eps
            pi_kept[i] = pi  # a valid potential, also for a person that bids again
            if own < other - 2 * eps:
                edge[i] = _ACTIVE
                queue[qtail] = i
                qtail += 1
            elif e_own >= 0:
                v = vac[e_own]
                _heap_push(hb, hp, base[v], held[v], (big + pr[e_own]) * mult - pi, i)
                held[v] += 1
            else:
                pi_bypass[i] = pi
                n_bypass += 1
        excess_t = n_bypass - n_persons
        n_pending = 0
        for v in range(m):
            if capacity[v] <= 0:
                commit[v] = 0
                continue
            if held[v] < capacity[v] and price[v] > lam:
                # v lost holders: cheapen it as far as the persons' potentials allow (to
                # lam if nobody would pay more), so that it need not wait for lam to rise
                bmax = _NEG
                for idx in range(csc_ptr[v], csc_ptr[v + 1]):
                    e = csc_edge[idx]
                    u = csc_unit[idx]
                    for i in range(person_ptr[u], person_ptr[u + 1]):
                        if edge[i] != e:
                            b = (big + pr[e]) * mult - pi_kept[i]
                            if b > bmax:
                                bmax = b
                low = lam if bmax <= lam + eps else bmax - eps
                if low < price[v]:
                    price[v] = low
                    for idx in range(csc_ptr[v], csc_ptr[v + 1]):
                        u = csc_unit[idx]
                        for i in range(person_ptr[u], person_ptr[u + 1]):
                            cbound[i] = _POS  # values rose: the cache may be stale
            if price[v] > lam:
                commit[v] = capacity[v]
            elif price[v] >= lam - eps:
                commit[v] = held[v]
            else:
                commit[v] = 0
            excess_t += commit[v]
            if held[v] > commit[v]:
                pending[n_pending] = v
                n_pending += 1
        kn = _sink_rebuild(kb, ki, commit, price, edge, pi_bypass, m)
        # --- push/relabel until no excess is left
        while True:
            while qhead != qtail or n_pending > 0:
                if n_pending > 0:
                    n_pending -= 1
                    v = pending[n_pending]
                else:
                    i = queue[qhead]
                    qhead += 1
                    if qhead == qlen:
                        qhead = 0
                    bids += 1
                    cb = 2 * k * i
                    while True:
                        best = -lam  # the bypass
                        best_w = np.int64(-1)
                        best_a = np.int64(0)
                        second = _NEG
                        for j in range(cn[i]):
                            w = cache[cb + 2 * j + 1]
                            a = cache[cb + 2 * j]
                            val = a - price[w >> 32]
                            if val > best:
                                second = best
                                best = val
                                best_w = w
                                best_a = a
                            elif val > second:
                                second = val
                        if second >= cbound[i]:
                            break
                        cn[i], cbound[i] = _scan(
                            person_unit[i], ptr, vac, pr, big, mult, price, cache, cb, k
                        )
                    pi = second - eps
                    u = person_unit[i]
                    e_bid = ptr[u] + (best_w & 0xFFFFFFFF) if best_w >= 0 else _BYPASS
                    if person_ptr[u + 1] - person_ptr[u] > 1:
                        # a travel group's seat joins its group where that is within eps
                        # of its best option (still an admissible push): fewer splits
                        for s in range(person_ptr[u], person_ptr[u + 1]):
                            x = edge[s]
                            if s == i or x == e_bid or x == _ACTIVE:
                                continue
                            val = (big + pr[x]) * mult - price[vac[x]] if x >= 0 else -lam
                            if val > best - eps:
                                pi = best - eps
                                e_bid = x
                                best_a = (big + pr[x]) * mult if x >= 0 else 0
                                break
                    if e_bid < 0:
                        edge[i] = _BYPASS
                        pi_bypass[i] = pi
                        excess_t += 1
                        kn = _sink_push(kb, ki, kn, -pi, m + i, commit, price, edge, pi_bypass, m)
                        continue
                    v = vac[e_bid]
                    edge[i] = e_bid
                    _heap_push(hb, hp, base[v], held[v], best_a - pi, i)
                    held[v] += 1
                # v holds more persons than it passes to the sink: push or relabel
                while held[v] > commit[v]:
                    if commit[v] < capacity[v] and price[v] > lam:
                        commit[v] += 1
                        excess_t += 1
                        if commit[v] == 1:
                            kn = _sink_push(
                                kb, ki, kn, price[v], v, commit, price, edge, pi_bypass, m
                            )
                    elif hb[base[v]] < price[v]:
                        q = _heap_pop(hb, hp, base[v], held[v])
                        held[v] -= 1
                        edge[q] = _ACTIVE
                        queue[qtail] = q
                        qtail += 1
                        if qtail == qlen:
                            qtail = 0
                    else:
                        low = hb[base[v]]
                        if commit[v] < capacity[v] and lam < low:
                            low = lam
                        price[v] = low + eps
                        if commit[v] > 0:
                            kn = _sink_push(
                                kb, ki, kn, price[v], v, commit, price, edge, pi_bypass, m
                            )
            if excess_t <= 0:
                break
            # --- the sink has excess: push on its cheapest residual arc, or relabel
            key = kb[0]
            ident = ki[0]
            if ident < m:
                valid = commit[ident] > 0 and price[ident] == key
            else:
                valid = edge[ident - m] == _BYPASS and -pi_bypass[ident - m] == key
            if not valid:
                _heap_pop(kb, ki, 0, kn)
                kn -= 1
                continue
            if key >= lam:
                lam = key + eps  # relabel: no residual arc of t is admissible
            if ident >= m:
                _heap_pop(kb, ki, 0, kn)
                kn -= 1
                i = ident - m
                edge[i] = _ACTIVE
                queue[qtail] = i
                qtail += 1
                if qtail == qlen:
                    qtail = 0
                excess_t -= 1
            else:
                v = ident
                d = commit[v] - held[v]
                if d > 0:
                    d = min(d, excess_t)
                    commit[v] -= d
                    excess_t -= d
                else:
                    commit[v] -= 1  # v now holds one person too many
                    excess_t -= 1
                    pending[n_pending] = v
                    n_pending += 1
                if commit[v] == 0:
                    _heap_pop(kb, ki, 0, kn)
                    kn -= 1
        if eps == 1:
            break
        if eps <= certify_eps:
            ok, exact_price, exact_lam = _certify(
                ptr, vac, pr, big, mult, person_unit, capacity, edge, price, lam, certify_work
            )
            if ok:
                price = exact_price
                lam = exact_lam
                certified = True
                break
        eps_old = eps
        eps = max(np.int64(1), eps // alpha)
    return edge, price, lam, certified, phases, bids


@njit(cache=True, inline="always")
def _lower(y, dy, x, d, parent, inq, queue, qt, ql):  # pragma: no cover - compiled
    """Lower node y's distance to dy, reached from x; queue y (FIFO ring of length ql, tail
    qt) unless it is queued; return the new tail."""
    d[y] = dy
    parent[y] = x
    if not inq[y]:
        inq[y] = True
        queue[qt] = y
        qt = qt + 1 if qt + 1 < ql else 0
    return qt


@njit(cache=True, nogil=True)
def _certify(
    ptr, vac, pr, big, mult, person_unit, capacity, edge, price, lam, max_work
):  # pragma: no cover - compiled
    """Look for exact (0-optimal) potentials of the flow ``edge`` by shortest paths.

    Persons are contracted away: a person at ``v`` (at ``t = m`` if bypassing) with an option
    ``x`` gives an arc ``v -> x`` of length its value at ``v`` minus its value at ``x``; a
    vacancy with a free seat has ``v -> t`` (``lam - price``), a loaded one ``t -> v``
    (``price - lam``). Distances from a virtual source (label-correcting, FIFO) shift the
    prices. Return (certified, price', lam'); not certified when the parent pointers close a
    cycle (a negative cycle: the flow is not optimal) or the work passes ``max_work`` arcs.
    """
    m = len(capacity)
    n_persons = len(person_unit)
    hptr = np.zeros(m + 2, dtype=np.int64)  # persons at each node (t = m: the bypassers)
    for i in range(n_persons):
        e = edge[i]
        hptr[(vac[e] if e >= 0 else m) + 1] += 1
    for x in range(m + 1):
        hptr[x + 1] += hptr[x]
    holders = np.empty(n_persons, dtype=np.int64)
    fill = hptr[:-1].copy()
    for i in range(n_persons):
        e = edge[i]
        x = vac[e] if e >= 0 else m
        holders[fill[x]] = i
        fill[x] += 1
    d = np.zeros(m + 1, dtype=np.int64)
    parent = np.full(m + 1, -1, dtype=np.int64)  # the node whose arc last lowered d
    stamp = np.zeros(m + 1, dtype=np.int64)
    queue = np.empty(m + 2, dtype=np.int64)
    inq = np.ones(m + 1, dtype=np.bool_)
    for x in range(m + 1):
        queue[x] = x
    qh, qt, ql = 0, m + 1, m + 2
    work = 0
    lowered = 0
    while qh != qt:
        x = queue[qh]
        qh = qh + 1 if qh + 1 < ql else 0
        inq[x] = False
        dx = d[x]
        for h in range(hptr[x], hptr[x + 1]):
            i = holders[h]
            e_own = edge[i]
            own = (big + pr[e_own]) * mult - price[x] if x < m else -lam
            u = person_unit[i]
            work += ptr[u + 1] - ptr[u] + 1
            for e in range(ptr[u], ptr[u + 1]):
                y = vac[e]
                if e == e_own or capacity[y] <= 0:
                    continue
                nd = dx + own - ((big + pr[e]) * mult - price[y])
                if nd < d[y]:
                    qt = _lower(y, nd, x, d, parent, inq, queue, qt, ql)
                    lowered += 1
            if x < m and dx + own + lam < d[m]:  # give up x for the bypass
                qt = _lower(m, dx + own + lam, x, d, parent, inq, queue, qt, ql)
                lowered += 1
        if x < m:
            if hptr[x + 1] - hptr[x] < capacity[x] and dx + lam - price[x] < d[m]:
                qt = _lower(m, dx + lam - price[x], x, d, parent, inq, queue, qt, ql)
                lowered += 1
        else:
            work += m
            for y in range(m):
                if hptr[y + 1] > hptr[y] and dx + price[y] - lam < d[y]:
                    qt = _lower(y, dx + price[y] - lam, m, d, parent, inq, queue, qt, ql)
                    lowered += 1
        if work > max_work:
            return False, price, lam
        if lowered > m:
            # a cycle of parent pointers is a negative cycle: the flow is not optimal
            lowered = 0
            stamp[:] = 0
            for s in range(m + 1):
                y = s
                while y >= 0 and stamp[y] == 0:
                    stamp[y] = s + 1
                    y = parent[y]
                if y >= 0 and stamp[y] == s + 1:
                    return False, price, lam
    exact = price.copy()
    for y in range(m):
        if capacity[y] > 0:
            exact[y] = price[y] - d[y]
    return True, exact, lam - d[m]


@njit(cache=True, nogil=True)
def _verify(
    ptr, vac, pr, big, mult, person_unit, capacity, edge, price, lam, eps
):  # pragma: no cover - compiled
    """Return True if ``edge`` is feasible and ``eps``-optimal with ``price`` and ``lam``."""
    m = len(capacity)
    load = np.zeros(m, dtype=np.int64)
    for i in range(len(person_unit)):
        u = person_unit[i]
        best = -lam
        for e in range(ptr[u], ptr[u + 1]):
            if capacity[vac[e]] > 0:
                best = max(best, (big + pr[e]) * mult - price[vac[e]])
        e = edge[i]
        if e >= 0:
            if e < ptr[u] or e >= ptr[u + 1] or capacity[vac[e]] <= 0:
                return False
            load[vac[e]] += 1
            mine = (big + pr[e]) * mult - price[vac[e]]
        elif e == _ACTIVE:
            mine = -lam
        else:
            return False
        # some person potential lies in [best - eps, mine + eps]
        if mine < best - 2 * eps:
            return False
    for v in range(m):
        if capacity[v] <= 0:
            continue
        if load[v] > capacity[v]:
            return False
        if load[v] < capacity[v] and price[v] > lam + eps:
            return False
        if load[v] > 0 and price[v] < lam - eps:
            return False
    return True


def solve_transport(
    ptr: np.ndarray,
    vacancy: np.ndarray,
    weight: np.ndarray,
    size: np.ndarray,
    capacity: np.ndarray,
    *,
    warm: bool = True,
) -> Transport | None:
    """Return the max-flow, max-weight divisible assignment (None if profits would overflow).

    ``ptr``/``vacancy``: CSR of each unit's acceptable vacancies; ``weight``: int64 per-seat
    weight of every edge; ``size``: seats per unit; ``capacity``: headcount per vacancy.
    ``warm=False`` skips the cardinality warm start (slow; for tests).
    """
    ptr = np.ascontiguousarray(ptr, dtype=np.int64)
    vacancy = np.ascontiguousarray(vacancy, dtype=np.int32)
    size = size.astype(np.int64)
    capacity = capacity.astype(np.int64)
    n_units, m = len(size), len(capacity)
    if len(vacancy) >= 2**31:
        return None
    seats = np.where(np.diff(ptr) > 0, size, 0)
    person_ptr = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(seats, out=person_ptr[1:])
    max_flow = min(int(person_ptr[-1]), int(np.maximum(capacity, 0).sum()))
    scaled = profits(weight, m, max_flow)
    if scaled is None:
        return None
    pr, big, mult = scaled
    person_unit = np.repeat(np.arange(n_units, dtype=np.int64), seats)
    csc_ptr, csc_edge, csc_unit = _by_vacancy(ptr, vacancy, m)
    price0 = np.zeros(m, dtype=np.int64)
    edge0 = np.full(len(person_unit), _ACTIVE, dtype=np.int64)
    eps0 = max(1, (big + int(pr.max(initial=0))) * mult // ALPHA)
    if warm:
        start = max_assignment(ptr, vacancy, pr, person_unit, capacity)
        vclass, ok = classify(
            ptr, vacancy, person_unit, capacity, start, csc_ptr, csc_edge, csc_unit, person_ptr
        )
        if ok:
            price0[vclass != UNDER] = big * mult
            edge0 = np.where(start >= 0, start, _BYPASS)
            eps0 = max(1, int(pr.max(initial=0)) * mult // ALPHA)
    certify_eps = int(mult / CERTIFY_BELOW)
    certify_work = CERTIFY_WORK * (len(vacancy) + m + len(person_unit))
    edge, price, lam, certified, phases, bids = _auction(
        ptr, vacancy, pr, np.int64(big), np.int64(mult), person_unit, person_ptr, csc_ptr,
        csc_edge, csc_unit, capacity, price0, edge0, np.int64(eps0), np.int64(ALPHA),
        np.int64(CACHE), np.int64(certify_eps), np.int64(certify_work),
    )  # fmt: skip
    person_edge = np.where(edge >= 0, edge, -1)
    verified = bool(
        _verify(
            ptr, vacancy, pr, np.int64(big), np.int64(mult), person_unit, capacity, person_edge,
            price, lam, np.int64(0 if certified else 1),
        )
    )  # fmt: skip
    placed_edges = person_edge[person_edge >= 0]
    return Transport(
        person_ptr=person_ptr,
        person_edge=person_edge,
        placed=len(placed_edges),
        weight=int(weight[placed_edges].sum()),
        verified=verified,
        phases=int(phases),
        bids=int(bids),
    )
