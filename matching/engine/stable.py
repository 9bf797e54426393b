"""Stable assignment: unit-proposing deferred acceptance with headcounts (compiled).

Without travel groups this is the classic worker-proposing deferred acceptance of the
college-admissions / NRMP problem: the result has no blocking pair and is the worker-optimal
stable matching (every worker gets the best vacancy it has in any stable matching). The order
in which free workers propose does not change the result; ties are broken by the seed (see
:mod:`matching.engine.market`), so the same inputs and seed give the same matching.

**Lazy preference order.** A worker only ever proposes to the first few vacancies of its list,
so lists are never sorted. Each entry's preference is one int64 key (score, seeded
tie-break, offset in the list). Every unit gets a *head*: its best ``_K`` entries, selected in
one parallel pass and proposed to in order. Past its head a unit never sorts the rest: a
rejection changes nothing at the vacancy, so proposing in order until accepted is the same as
one scan of the rest finding the best entry whose vacancy accepts the unit *now*, every better
entry counting as a (rejected) proposal. The workers who go that deep are mostly those left
unmatched, for whom one scan settles the whole list. A list that is already in preference
order (the pass that selects the heads checks it) needs no scan: past its head the unit
proposes entry after entry, as textbook deferred acceptance does. A vacancy filled with single workers
keeps its lowest held priority in a small array (``thr``), so a rejection — the common case
in a competitive market — reads one word that stays in cache; each unit's and each vacancy's
state sits in one cache line.

**Proposal order.** Free units start proposing in the order of their first choice's priority,
best first (``_proposal_order``): the matching does not depend on it, the work does — strong
units are accepted for good and weak ones meet full vacancies, so few acceptances are undone.

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
no blocking pair is left or ``max_rounds`` is reached. A round only looks at what changed:
vacancies that gained room ("dirty": a group evicted, a seat given up) and, through a log of
rejections chained by vacancy, the units they rejected or evicted — the only ones that can block
with them. When the matching after a round equals the one after an earlier round the rounds
cycle and can never converge; the repair then stops at the round of the cycle that leaves the
fewest blocking units (rather than running out ``max_rounds``).

**Guarantee.** Always: headcounts respected, only acceptable pairs, groups never split (a group
holds seats at exactly one vacancy). No travel groups: no blocking pair, worker-optimal.
With travel groups: the number of blocking pairs under the definition above is reported
(``checks.blocking_pairs`` counts exactly that, ``Result.stats["blocking_pairs"]``); it is zero
whenever the repair converged (``Assignment.converged``, ``stats["converged"]``), and
``converged`` is False only when ``max_rounds`` ran out or the rounds cycle — never a silent
instability.
Worker-optimality is not claimed with groups. (A group member's own preference may differ
from its group's; the group, not the member, is the agent.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from matching.engine.market import Market, Units, build_units, market_tie_breaks
from matching.engine.prepared import threads_for, work_array


@dataclass(frozen=True)
class Assignment:
    """A unit-level assignment and the per-worker view of it."""

    worker_vacancy: np.ndarray  # int32 per worker, -1 = unmatched
    unit_vacancy: np.ndarray  # int32 per unit
    unit_edge: np.ndarray  # int64 index into units.ptr CSR, -1 = unmatched
    proposals: int
    repair_rounds: int
    converged: bool


# Vacancy state, one cache line per vacancy (columns 6-7 are padding).
_BASE, _CAP, _N, _BIG, _USED, _MINKEY = 0, 1, 2, 3, 4, 5
# Unit state, one row per unit.
_U_LO = 0  # the unit's first entry in the units CSR
_U_N = 1  # entries in its list; its head holds the best min(n, _K) of them, best first
_U_HP = 2  # next head slot to propose to
_U_FRONT = 3  # preference key of the last entry proposed to outside the head (see _run_da),
# or _SORTED: the unit's list is already in preference order, proposed to in order (_U_HP)
_U_SEAT = 4  # offset in its list of the entry holding a seat, -1 = none
_U_AVAIL = 5  # entries flagged available again (a seat given up, a repair re-opening)
_U_SIZE = 6
_U_TIE = 7  # the unit's priority tie-break term (vacancy score * n_units + tie = priority key)
_U_COLS = 8  # one cache line per unit

# Head slots per unit. Selecting the best _K of ~59 entries by insertion is nearly a whole sort
# when _K = 16 (most entries get inserted); past its head a unit scans its list once per time it
# is left without a seat, so a short head loses little: at 1M workers (21.6 M proposals, same
# matching) _init_units took 0.89 s CPU with 16 slots, 0.42 s with 4, 0.34 s with 2, and the
# whole assign_stable 3.29 / 2.76 / 2.75 s CPU (measured at load 14-17, so CPU time).
# _init_units keeps the four best in four variables: changing _K means changing it too.
_K = 4
_VMASK = (np.int64(1) << np.int64(32)) - np.int64(1)
# _U_FRONT of a unit whose list is sorted best first (preference keys are >= 0, -1 = empty
# list): past its head it proposes entry after entry, as textbook deferred acceptance does,
# instead of scanning the whole list for the best acceptable entry below the front.
_SORTED = np.int64(-2)
_NO_REJECT = np.iinfo(np.int64).min
_ALWAYS_REJECT = np.iinfo(np.int64).max


@intrinsic
def _prefetch(typingctx, arr, idx):  # type: ignore[no-untyped-def]  # pragma: no cover
    """Ask the CPU to start loading the cache line of arr[idx] (a hint; no effect on results)."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = builder.bitcast(builder.gep(ary.data, [args[1]]), ir.IntType(8).as_pointer())
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [ptr.type, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        builder.call(fn, [ptr, i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(cache=True, inline="always")
def _pref_key(e, i, vac, ws, v_tb, kp):  # pragma: no cover - compiled
    """The one-int64 preference key of entry e (offset i in its list): score, tie, offset.

    The arrays are indexed with unsigned integers (entries and vacancies are never negative):
    a signed index costs a negative-index check on every access. In the heads pass and the
    tail scans, which compute a key for every entry they read, this took 100k workers'
    ``_init_units`` from 31.5 to 24.3 ms CPU and ``_stable_kernel`` from 83.5 to 72.3 ms
    (min of 11 alternating runs, load 2.4).
    """
    ws_min, tb_bits, off_bits, tb_max = kp
    eu = np.uint64(e)
    return (
        ((np.int64(ws[eu]) - ws_min) << (tb_bits + off_bits))
        | ((tb_max - np.int64(v_tb[np.uint32(vac[eu])])) << off_bits)
        | np.int64(i)
    )


@njit(cache=True, parallel=True)
def _init_units(u_ptr, vac, ws, vs, v_tb, kp, size, u_tb, U, hpk, hoff):  # pragma: no cover
    """Fill every unit's state row and its head: its best min(n, _K) entries, best first."""
    n_units = len(u_ptr) - 1
    blocks = min(64, n_units)
    omask = (np.int64(1) << kp[2]) - 1  # a key's low bits are its entry's offset
    for b in prange(blocks):
        for u in range(b * n_units // blocks, (b + 1) * n_units // blocks):
            lo = u_ptr[u]
            n = u_ptr[u + 1] - lo
            k = min(n, _K)
            # the best four keys so far, best first, kept by min/max (no branch the CPU
            # mispredicts, as an insertion's has; keys are >= 0, so -1 is "none yet"):
            # 300k units, one thread, 0.102 -> 0.079 s
            a0 = a1 = a2 = a3 = np.int64(-1)
            prev = _ALWAYS_REJECT
            in_order = True
            for i in range(n):
                x = _pref_key(lo + i, i, vac, ws, v_tb, kp)
                in_order &= x < prev
                prev = x
                t = min(a0, x)
                a0 = max(a0, x)
                x = t
                t = min(a1, x)
                a1 = max(a1, x)
                x = t
                t = min(a2, x)
                a2 = max(a2, x)
                a3 = max(a3, t)
            last = np.int64(-1)
            for j in range(k):
                last = a0 if j == 0 else (a1 if j == 1 else (a2 if j == 2 else a3))
                off = last & omask
                hpk[u * _K + j] = (np.int64(vs[lo + off]) << np.int64(32)) | np.int64(vac[lo + off])
                hoff[u * _K + j] = off
            U[u, _U_LO] = lo
            U[u, _U_N] = n
            U[u, _U_HP] = 0
            U[u, _U_FRONT] = _SORTED if in_order and n > k else last
            U[u, _U_SEAT] = -1
            U[u, _U_AVAIL] = 0
            U[u, _U_SIZE] = size[u]
            U[u, _U_TIE] = n_units - 1 - u_tb[u]


@njit(cache=True, inline="always")
def _row_set(hv, r, k, u, s):  # pragma: no cover - compiled
    """Write the holder row (priority key, unit, size) at row r of hv."""
    hv[r, 0] = k
    hv[r, 1] = u
    hv[r, 2] = s


@njit(cache=True, inline="always")
def _sift_down(hv, base, i, n, k, u, s):  # pragma: no cover - compiled
    """Put the row (k, u, s) at slot i of the min-heap of (key, unit, size) rows hv[base:base+n]
    (slot i's old row is overwritten) and sift it down to its place."""
    while True:
        c = 2 * i + 1
        if c >= n:
            break
        if c + 1 < n and hv[base + c + 1, 0] < hv[base + c, 0]:
            c += 1
        if hv[base + c, 0] >= k:
            break
        _row_set(hv, base + i, hv[base + c, 0], hv[base + c, 1], hv[base + c, 2])
        i = c
    _row_set(hv, base + i, k, u, s)


@njit(cache=True, inline="always")
def _sift_up(hv, base, c, k, u, s):  # pragma: no cover - compiled
    """Put the row (k, u, s) at the free slot c at the end of the min-heap hv[base:base+c]
    and sift it up to its place."""
    while c > 0 and hv[base + (c - 1) // 2, 0] > k:
        p = (c - 1) // 2
        _row_set(hv, base + c, hv[base + p, 0], hv[base + p, 1], hv[base + p, 2])
        c = p
    _row_set(hv, base + c, k, u, s)


@njit(cache=True, inline="always")
def _log(lg, n_log, last, v, u, i, ob):  # pragma: no cover - compiled
    """Append unit u's entry at offset i (column 1: ``u << ob | i``, ob = the offset bits) to
    the rejection log, linked to vacancy v's previous row (``last[v]``, column 0; -1 ends the
    chain); return the log's length."""
    lg[n_log, 0] = last[v]
    last[v] = n_log
    lg[n_log, 1] = (u << ob) | i
    return n_log + 1


@njit(cache=True, inline="always")
def _set_threshold(v, vrow, hv, thr):  # pragma: no cover - compiled
    """thr[v]: a single worker with priority key <= thr[v] is rejected by v, one above accepted.

    A vacancy with a free seat accepts every single worker (thr = _NO_REJECT); a full one
    accepts exactly those ranked above its lowest holder — also when it holds travel groups:
    the units ranked above a worker ranked below every holder fill all the seats, and above
    the lowest holder they leave at least that holder's seats.
    """
    if vrow[v, _USED] >= vrow[v, _CAP]:
        thr[v] = hv[vrow[v, _BASE], 0] if vrow[v, _N] > 0 else _ALWAYS_REJECT
    else:
        thr[v] = _NO_REJECT


@njit(cache=True)
def _fits(v, key, su, vrow, hv):  # pragma: no cover - compiled
    """Whether vacancy v (general case) would accept a unit of size su and priority ``key``."""
    cap = vrow[v, _CAP]
    if vrow[v, _USED] + su <= cap:
        return True
    vb = vrow[v, _BASE]
    higher = 0
    for i in range(vrow[v, _N]):
        if hv[vb + i, 0] > key:
            higher += hv[vb + i, 2]
    return higher + su <= cap


@njit(cache=True)
def _grow(lg, n_log):  # pragma: no cover - compiled
    """Return the rejection log with twice the room (its first n_log rows copied)."""
    if 2 * lg.shape[0] + 1024 > (np.int64(1) << np.int64(8 * lg.itemsize - 1)) - 1:
        raise ValueError("the rejection log outgrew its row links")
    bigger = np.empty((2 * lg.shape[0] + 1024, 2), dtype=lg.dtype)
    for r in range(n_log):
        for c in range(2):
            bigger[r, c] = lg[r, c]
    return bigger


@njit(cache=True, inline="always")
def _push(x, stack, top, on_stack):  # pragma: no cover - compiled
    if not on_stack[x]:
        on_stack[x] = True
        stack[top] = x
        top += 1
    return top


@njit(cache=True, inline="always")
def _mark_dirty(v, dirty, dlist, nd):  # pragma: no cover - compiled
    if not dirty[v]:
        dirty[v] = 1
        dlist[nd] = v
        nd += 1
    return nd


@njit(cache=True, inline="always")
def _flag(bits, e):  # pragma: no cover - compiled
    bits[e >> 6] |= np.uint64(1) << np.uint64(e & 63)


@njit(cache=True, inline="always")
def _unflag(bits, e):  # pragma: no cover - compiled
    bits[e >> 6] &= ~(np.uint64(1) << np.uint64(e & 63))


@njit(cache=True, inline="always")
def _flagged(bits, e):  # pragma: no cover - compiled
    return (bits[e >> 6] >> np.uint64(e & 63)) & np.uint64(1)


@njit(cache=True)
def _release(u, v, U, vrow, hv, thr, dirty, dlist, nd):  # pragma: no cover - compiled
    """Remove unit u from vacancy v's holders (u moves to a vacancy it prefers)."""
    base = vrow[v, _BASE]
    n = vrow[v, _N]
    for i in range(n):
        if hv[base + i, 1] == u:
            _row_set(hv, base + i, hv[base + n - 1, 0], hv[base + n - 1, 1], hv[base + n - 1, 2])
            break
    n -= 1
    vrow[v, _N] = n
    vrow[v, _USED] -= U[u, _U_SIZE]
    if U[u, _U_SIZE] > 1:
        vrow[v, _BIG] -= 1
    for i in range((n - 2) // 2, -1, -1):
        _sift_down(hv, base, i, n, hv[base + i, 0], hv[base + i, 1], hv[base + i, 2])
    if n > 0:
        vrow[v, _MINKEY] = hv[base, 0]
    _set_threshold(v, vrow, hv, thr)
    return _mark_dirty(v, dirty, dlist, nd)


@njit(cache=True)
def _run_da(
    stack, top, on_stack, U, hpk, hoff, bits, u_ptr, vac, ws, vs, v_tb, kp, n_units, vrow, hv,
    thr, dirty, dlist, nd, track, lg, n_log, sc,
):  # pragma: no cover - compiled  # fmt: skip
    """Deferred acceptance from the current state until no unit on the stack can improve.

    A unit proposes in preference order: first entries flagged available again (a seat it gave
    up, entries re-opened by the repair: all proposed to before, so better than the rest), then
    its head, then the rest of its list. The rest is never sorted: a rejection changes nothing
    at the vacancy, so proposing in order until accepted is the same as one scan finding the
    best entry whose vacancy accepts now, every better one counting as a rejected proposal.
    A unit that holds a seat only proposes to entries it prefers, and gives the seat up when
    another vacancy accepts it. With ``track`` every rejection and eviction is logged for the
    group repair. Returns (proposals, top, nd, n_log, full): ``full`` = stopped early because
    the log may lack room for the next unit's rejections (grow it and call again).
    """
    keys, units, sizes, last, hs = sc
    omask = (np.int64(1) << kp[2]) - 1  # a preference key's low bits: its entry's offset
    sp = np.empty(256, dtype=np.int64)  # preference keys of the list being scanned
    rej = np.empty(256, dtype=np.int64)  # offsets it rejects (logged with travel groups)
    proposals = 0
    while top > 0:
        top -= 1
        u = stack[top]
        on_stack[u] = False
        if top >= 2:
            # Most units end up scanning their list, in an order unrelated to where it lies in
            # memory: start loading the list of the unit after next (its first 128 entries)
            # while this one proposes. 100k workers: loop 0.115 -> 0.099-0.110 s CPU (min of 7,
            # load 7).
            nx = stack[top - 2]
            nlo = u_ptr[nx]
            nn = min(u_ptr[nx + 1] - nlo, 128)
            for e in range(nlo, nlo + nn, 16):
                _prefetch(vac, e)
                _prefetch(ws, e)
                _prefetch(vs, e)
            _prefetch(U, nx * _U_COLS)
        su = U[u, _U_SIZE]
        tie = U[u, _U_TIE]
        lo = U[u, _U_LO]
        n = U[u, _U_N]
        if track and n_log + n + len(keys) + 1 > lg.shape[0]:
            # the log may not have room for this unit's rejections: let the caller grow it
            on_stack[u] = True
            stack[top] = u
            top += 1
            return proposals, top, nd, n_log, True
        while True:
            seat = U[u, _U_SEAT]
            pref = -1
            if U[u, _U_AVAIL] > 0:
                i = -1
                for w in range(lo >> 6, ((lo + n - 1) >> 6) + 1):
                    word = bits[w]
                    while word:
                        low = word & (~word + np.uint64(1))
                        b = 0
                        while (low >> np.uint64(b)) != np.uint64(1):
                            b += 1
                        word ^= low
                        e = w * 64 + b
                        if lo <= e < lo + n:
                            pk_ = _pref_key(e, e - lo, vac, ws, v_tb, kp)
                            if pk_ > pref:
                                pref = pk_
                                i = e - lo
                if seat >= 0:
                    if pref < _pref_key(lo + seat, seat, vac, ws, v_tb, kp):
                        break  # nothing left that u prefers to the seat it holds
                _unflag(bits, lo + i)
                U[u, _U_AVAIL] -= 1
                v = np.int64(vac[lo + i])
                vsc = np.int64(vs[lo + i])
            elif seat >= 0:
                break  # the rest of u's list is worse than its seat
            elif U[u, _U_HP] < min(n, _K):
                slot = u * _K + U[u, _U_HP]
                U[u, _U_HP] += 1
                x = hpk[slot]
                v = x & _VMASK
                vsc = x >> np.int64(32)
                i = np.int64(hoff[slot])
            elif U[u, _U_FRONT] == _SORTED:
                # a list in preference order: the next entry is the next best
                i = U[u, _U_HP]
                if i >= n:
                    break  # list exhausted
                U[u, _U_HP] = i + 1
                v = np.int64(vac[lo + i])
                vsc = np.int64(vs[lo + i])
            else:
                # scan the rest of the list (entries below the front) for the best entry whose
                # vacancy accepts u now; the better ones are rejections
                front = U[u, _U_FRONT]
                i = -1
                if n > len(sp):
                    sp = np.empty(2 * n, dtype=np.int64)
                    rej = np.empty(2 * n, dtype=np.int64)
                # the list is cold: request all its cache lines at once rather than one by one
                for j in range(0, n + 15, 16):
                    e = min(lo + j, lo + n - 1)
                    _prefetch(vac, e)
                    _prefetch(ws, e)
                    _prefetch(vs, e)
                if su == 1:
                    # a single worker: one look at thr (small and hot, unlike the vacancy's
                    # row) for every entry, and selects instead of branches the CPU mispredicts;
                    # the best key's low bits are its offset, so the offset is not tracked
                    # (one select and one register fewer: 100k loop 80 -> 76 ms CPU, min of 21)
                    for j in range(n):
                        e = lo + j
                        pk_ = _pref_key(e, j, vac, ws, v_tb, kp)
                        sp[j] = pk_
                        eu = np.uint64(e)  # unsigned indices, as in _pref_key
                        ok = np.int64(vs[eu]) * n_units + tie > thr[np.uint32(vac[eu])]
                        take = (pk_ < front) & (pk_ > pref) & ok
                        pref = pk_ if take else pref
                    if pref >= 0:
                        i = pref & omask
                else:
                    for j in range(n):
                        e = lo + j
                        pk_ = _pref_key(e, j, vac, ws, v_tb, kp)
                        sp[j] = pk_
                        if pk_ < front and pk_ > pref:
                            if _fits(np.int64(vac[e]), vs[e] * n_units + tie, su, vrow, hv):
                                pref = pk_
                                i = j
                if track:
                    # the rejected offsets first, without a branch the CPU mispredicts, then
                    # their log rows
                    k = 0
                    for j in range(n):
                        rej[k] = j
                        k += (pref < sp[j]) & (sp[j] < front)
                    proposals += k
                    for t in range(k):
                        j = rej[t]
                        n_log = _log(lg, n_log, last, vac[lo + j], u, j, kp[2])
                else:
                    for j in range(n):
                        proposals += (pref < sp[j]) & (sp[j] < front)
                U[u, _U_FRONT] = pref
                if i < 0:
                    break  # list exhausted
                v = np.int64(vac[lo + i])
                vsc = np.int64(vs[lo + i])
            proposals += 1
            key = vsc * n_units + tie
            accepted = False
            if su == 1 and key <= thr[v]:
                pass  # full of units it ranks higher
            elif su == 1 and vrow[v, _BIG] == 0:
                n_h = vrow[v, _N]
                vb = vrow[v, _BASE]
                if n_h < vrow[v, _CAP]:
                    _sift_up(hv, vb, n_h, key, u, 1)
                    vrow[v, _N] = n_h + 1
                    vrow[v, _USED] += 1
                else:
                    y = hv[vb, 1]
                    if track:
                        n_log = _log(lg, n_log, last, v, y, U[y, _U_SEAT], kp[2])
                        hs[0] -= _mix((y << 24) ^ U[y, _U_SEAT])
                    _sift_down(hv, vb, 0, n_h, key, u, 1)  # u replaces the lowest holder
                    U[y, _U_SEAT] = -1
                    # _push written out: the inlined helper's array arguments cost reference
                    # counting on every eviction (100k loop: median 75 -> 72 ms CPU)
                    if not on_stack[y]:
                        on_stack[y] = True
                        stack[top] = y
                        top += 1
                vrow[v, _MINKEY] = hv[vb, 0]
                thr[v] = hv[vb, 0] if vrow[v, _N] >= vrow[v, _CAP] else _NO_REJECT
                accepted = True
            else:
                # general choice: units in priority order, each kept while it fits (a unit
                # that does not fit is skipped; smaller, lower-priority ones may still fit)
                vb = vrow[v, _BASE]
                cap = vrow[v, _CAP]
                n_h = vrow[v, _N]
                if vrow[v, _USED] + su <= cap:
                    _sift_up(hv, vb, n_h, key, u, su)
                    vrow[v, _N] = n_h + 1
                    vrow[v, _USED] += su
                    if su > 1:
                        vrow[v, _BIG] += 1
                    vrow[v, _MINKEY] = hv[vb, 0]
                    accepted = True
                else:
                    higher = 0
                    for j in range(n_h):
                        if hv[vb + j, 0] > key:
                            higher += hv[vb + j, 2]
                    if higher + su <= cap:
                        # holders plus u, by priority key descending (keys are distinct)
                        m = 0
                        for j in range(n_h + 1):
                            if j < n_h:
                                kk, uu, ss = hv[vb + j, 0], hv[vb + j, 1], hv[vb + j, 2]
                            else:
                                kk, uu, ss = key, np.int64(u), su
                            t = m
                            m += 1
                            while t > 0 and keys[t - 1] < kk:
                                keys[t] = keys[t - 1]
                                units[t] = units[t - 1]
                                sizes[t] = sizes[t - 1]
                                t -= 1
                            keys[t] = kk
                            units[t] = uu
                            sizes[t] = ss
                        used = 0
                        kept = 0
                        big = 0
                        for j in range(m):
                            if used + sizes[j] <= cap:
                                used += sizes[j]
                                keys[kept] = keys[j]
                                units[kept] = units[j]
                                sizes[kept] = sizes[j]
                                kept += 1
                                if sizes[j] > 1:
                                    big += 1
                            else:
                                y = units[j]
                                if track:
                                    n_log = _log(lg, n_log, last, v, y, U[y, _U_SEAT], kp[2])
                                    hs[0] -= _mix((y << 24) ^ U[y, _U_SEAT])
                                U[y, _U_SEAT] = -1
                                top = _push(y, stack, top, on_stack)
                                nd = _mark_dirty(v, dirty, dlist, nd)
                        # kept in descending key order; reversed it is a valid min-heap
                        for j in range(kept):
                            r = kept - 1 - j
                            _row_set(hv, vb + j, keys[r], units[r], sizes[r])
                        vrow[v, _N] = kept
                        vrow[v, _USED] = used
                        vrow[v, _BIG] = big
                        vrow[v, _MINKEY] = hv[vb, 0]
                        accepted = True
                _set_threshold(v, vrow, hv, thr)
            if accepted:
                if seat >= 0:
                    # u leaves a seat it was not rejected from: give the seat up and flag the
                    # entry available, so that u can return there if evicted later
                    nd = _release(u, vac[lo + seat], U, vrow, hv, thr, dirty, dlist, nd)
                    _flag(bits, lo + seat)
                    U[u, _U_AVAIL] += 1
                if track:
                    if seat >= 0:
                        hs[0] -= _mix((u << 24) ^ seat)
                    hs[0] += _mix((u << 24) ^ i)
                U[u, _U_SEAT] = i
                break
            if track:
                n_log = _log(lg, n_log, last, v, u, i, kp[2])
    return proposals, top, nd, n_log, False


@njit(cache=True, inline="always")
def _blocks(u, i, room, U, bits, vac, ws, v_tb, kp):  # pragma: no cover - compiled
    """Whether unit u, rejected by (or evicted from) the vacancy of its entry i, blocks with
    it now: v has ``room`` seats besides those of units it ranks above u, u fits and prefers v
    to its seat."""
    if room < U[u, _U_SIZE]:
        return False
    lo = U[u, _U_LO]
    seat = U[u, _U_SEAT]
    if i == seat or _flagged(bits, lo + i):
        return False  # (never for a logged entry; checked anyway)
    if seat < 0:
        return True
    return _pref_key(lo + i, i, vac, ws, v_tb, kp) > _pref_key(lo + seat, seat, vac, ws, v_tb, kp)


@njit(cache=True, inline="always")
def _mix(x):  # pragma: no cover - compiled
    """splitmix64 finaliser: a well-mixed 64-bit hash of x (as int64)."""
    z = np.uint64(x) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.int64(z ^ (z >> np.uint64(31)))


@njit(cache=True)
def _repair_round(
    U, bits, vac, ws, vs, v_tb, kp, vrow, hv, dirty, dlist, nd, stack, on_stack, n_units, lg, last,
    mark, hk_sorted, hs_prefix,
):  # pragma: no cover - compiled  # fmt: skip
    """Re-open every (unit, vacancy) blocking pair; return the number of units pushed.

    Only vacancies marked dirty can have gained room since they last rejected someone (a
    rejection, and an eviction by a single worker, never leaves room for the rejected), and
    only units they rejected or evicted can block with them: the log's chain of each vacancy
    (from ``last[v]``) holds exactly those; a row re-opened is marked dead (-1). Units
    keep their seat while they re-propose; they are pushed in ascending order (so the largest
    runs first).
    """
    pushed = 0
    for d in range(nd):
        v = dlist[d]
        # holders by priority key, descending, with prefix sums of their sizes
        vb = vrow[v, _BASE]
        nh = vrow[v, _N]
        for j in range(nh):
            kk = hv[vb + j, 0]
            ss = hv[vb + j, 2]
            t = j
            while t > 0 and hk_sorted[t - 1] < kk:
                hk_sorted[t] = hk_sorted[t - 1]
                hs_prefix[t + 1] = hs_prefix[t]
                t -= 1
            hk_sorted[t] = kk
            hs_prefix[t + 1] = ss
        hs_prefix[0] = 0
        for j in range(nh):
            hs_prefix[j + 1] += hs_prefix[j]
        cap = vrow[v, _CAP]
        r = last[v]
        while r >= 0:
            x = np.int64(lg[r, 1])
            if x >= 0:
                u = x >> kp[2]
                i = x & ((np.int64(1) << kp[2]) - 1)
                key = np.int64(vs[U[u, _U_LO] + i]) * n_units + U[u, _U_TIE]
                a, b = 0, nh  # holders ranked above u: hk_sorted[:a]
                while a < b:
                    mid = (a + b) // 2
                    if hk_sorted[mid] > key:
                        a = mid + 1
                    else:
                        b = mid
                room = cap - hs_prefix[a]
                if room >= 1 and _blocks(u, i, room, U, bits, vac, ws, v_tb, kp):
                    _flag(bits, U[u, _U_LO] + i)
                    U[u, _U_AVAIL] += 1
                    lg[r, 1] = -1
                    if not mark[u]:
                        mark[u] = 1
                        stack[pushed] = u
                        pushed += 1
            r = lg[r, 0]
    for d in range(nd):
        dirty[dlist[d]] = 0
    # ascending unit order (as the reference scan over all units pushes them)
    if pushed * pushed <= len(mark):
        for j in range(1, pushed):  # few units: insertion sort
            x = stack[j]
            t = j
            while t > 0 and stack[t - 1] > x:
                stack[t] = stack[t - 1]
                t -= 1
            stack[t] = x
    else:  # many: collect the marks in order
        j = 0
        for u in range(len(mark)):
            if mark[u]:
                stack[j] = u
                j += 1
    for j in range(pushed):
        mark[stack[j]] = 0
        on_stack[stack[j]] = True
    return pushed


@njit(cache=True)
def _stable_kernel(
    u_ptr, vac, ws, vs, v_tb, kp, U, hpk, hoff, cap, max_rounds, has_big, vrow, hv, thr, bits, lg,
    order,
):  # pragma: no cover - compiled  # fmt: skip
    """Deferred acceptance, then the group repair rounds; return (match_edge, proposals,
    rounds, converged). The caller allocates the big work arrays (see ``work_array``):
    vrow (n_vac, 8), hv (sum of cap, 3), thr (n_vac), bits (zeroed) and lg (the log)."""
    n_units = len(u_ptr) - 1
    n_vac = len(cap)
    total = 0
    max_cap = 0
    for v in range(n_vac):
        for c in range(8):
            vrow[v, c] = 0
        vrow[v, _BASE] = total
        vrow[v, _CAP] = cap[v]
        total += cap[v]
        max_cap = max(max_cap, cap[v])
    for v in range(n_vac):
        _set_threshold(v, vrow, hv, thr)
    dirty = np.zeros(n_vac, dtype=np.uint8)
    dlist = np.empty(n_vac, dtype=np.int64)
    nd = np.int64(0)  # (not a literal: one compiled specialisation)
    stack = np.empty(n_units, dtype=np.int64)
    on_stack = np.zeros(n_units, dtype=np.bool_)
    n_log = np.int64(0)
    # a vacancy's holders while it chooses (keys, units, sizes), and the row of its last
    # logged rejection (the head of its chain in the log)
    last = np.full(n_vac if has_big else 0, -1, dtype=np.int64)
    sc = (
        np.empty(max_cap + 1, dtype=np.int64),
        np.empty(max_cap + 1, dtype=np.int64),
        np.empty(max_cap + 1, dtype=np.int64),
        last,
        # the matching's fingerprint for the repair's cycle check: the sum of
        # _mix(unit << 24 ^ seat) over seated units, kept up to date by _run_da when tracking
        # (instead of a pass over every unit's row after each repair round)
        np.zeros(1, dtype=np.int64),
    )
    top = np.int64(0)
    for j in range(len(order) - 1, -1, -1):
        u = order[j]
        if u_ptr[u + 1] > u_ptr[u] and not on_stack[u]:  # _push, written out (see _run_da)
            on_stack[u] = True
            stack[top] = u
            top += 1
    proposals = np.int64(0)
    while True:
        more, top, nd, n_log, full = _run_da(
            stack, top, on_stack, U, hpk, hoff, bits, u_ptr, vac, ws, vs, v_tb, kp, n_units, vrow,
            hv, thr, dirty, dlist, nd, has_big, lg, n_log, sc,
        )  # fmt: skip
        proposals += more
        if not full:
            break
        lg = _grow(lg, n_log)
    rounds = np.int64(0)
    converged = True
    if has_big:
        mark = np.zeros(n_units, dtype=np.uint8)
        hk_sorted = np.empty(max_cap + 1, dtype=np.int64)
        hs_prefix = np.empty(max_cap + 2, dtype=np.int64)
        seen = np.zeros(max_rounds + 1, dtype=np.int64)  # matching fingerprint per round
        blocking = np.zeros(max_rounds + 1, dtype=np.int64)  # blocking units per round
        stop_at = max_rounds
        while True:
            top = _repair_round(
                U, bits, vac, ws, vs, v_tb, kp, vrow, hv, dirty, dlist, nd, stack, on_stack, n_units,
                lg, last, mark, hk_sorted, hs_prefix,
            )  # fmt: skip
            nd = np.int64(0)
            if top == 0:
                break
            if rounds >= stop_at:
                converged = False
                for j in range(top):
                    on_stack[stack[j]] = False
                break
            if stop_at == max_rounds:
                # The same matching as after an earlier round: the rounds cycle (with travel
                # groups a stable matching need not exist, and re-proposals can go round in
                # circles), so more rounds cannot converge. Stop at the round of the cycle
                # that leaves the fewest blocking units (the first such round).
                h = sc[4][0]  # the fingerprint, kept up to date by _run_da
                seen[rounds] = h
                blocking[rounds] = top
                for j in range(rounds):
                    if seen[j] == h:
                        best = j
                        for k in range(j, rounds):
                            if blocking[k] < blocking[best]:
                                best = k
                        stop_at = min(max_rounds, rounds + best - j)
                        break
                if rounds >= stop_at:
                    converged = False
                    for j in range(top):
                        on_stack[stack[j]] = False
                    break
            rounds += 1
            while True:
                more, top, nd, n_log, full = _run_da(
                    stack, top, on_stack, U, hpk, hoff, bits, u_ptr, vac, ws, vs, v_tb, kp,
                    n_units, vrow, hv, thr, dirty, dlist, nd, has_big, lg, n_log, sc,
                )  # fmt: skip
                proposals += more
                if not full:
                    break
                lg = _grow(lg, n_log)
    match_edge = np.full(n_units, -1, dtype=np.int64)
    for u in range(n_units):
        if U[u, _U_SEAT] >= 0:
            match_edge[u] = u_ptr[u] + U[u, _U_SEAT]
    return match_edge, proposals, rounds, converged


@njit(cache=True)
def _list_span(ptr, ws):  # pragma: no cover - compiled
    """Return (the longest list's length, min and max of ``ws``) in one pass over the scores.

    (NumPy's diff, min and max took 3.4 ms at 100k workers, reading the 23 MB of scores
    twice; this 1.4 ms.)
    """
    longest = np.int64(0)
    for u in range(len(ptr) - 1):
        longest = max(longest, ptr[u + 1] - ptr[u])
    lo = np.iinfo(np.int64).max
    hi = np.iinfo(np.int64).min
    for e in range(len(ws)):
        x = np.int64(ws[e])
        lo = min(lo, x)
        hi = max(hi, x)
    return longest, lo, hi


def _key_layout(units: Units, n_vacancies: int) -> tuple[np.ndarray, int, int, int]:
    """Return (scores, ws_min, tb_bits, off_bits) for the one-int64 preference keys.

    Scores are rank-compressed if their range does not fit the bits left.
    """
    tb_bits = max(1, int(max(n_vacancies, 1) - 1).bit_length())
    ws = units.worker_score
    longest, lo, hi = _list_span(units.ptr, ws)
    off_bits = max(1, int(max(longest, 1) - 1).bit_length())
    if len(ws) == 0:
        return ws, 0, tb_bits, off_bits
    lo, hi = int(lo), int(hi)
    room = 62 - tb_bits - off_bits
    if room <= 0:
        raise ValueError("market too large for one-word preference keys")
    if (hi - lo).bit_length() > room:
        _, ranks = np.unique(ws, return_inverse=True)
        return ranks.astype(np.int32), 0, tb_bits, off_bits
    return ws, lo, tb_bits, off_bits


def _log_dtype(units: Units, off_bits: int) -> type:
    """Return the rejection log's integer type: int32 when its row links and packed
    (unit, offset) fit (the log's first size is the number of entries), else int64.

    A row is 8 bytes (the vacancy score is read from the unit's list when the repair needs it)
    instead of the 16 of four int32 columns: with travel groups at 1M workers deferred
    acceptance logs ~18 M rows, 144 MB fewer fresh pages to write.
    """
    fits = (units.n_units << off_bits) < 2**31 and len(units.vacancy) + 1024 < 2**30
    return np.int32 if fits else np.int64


def _proposal_order(hpk: np.ndarray, u_ptr: np.ndarray, n_units: int) -> np.ndarray:
    """Return the order in which units first propose: by their first choice's priority, best first.

    Deferred acceptance gives the same matching whatever the order (the set of proposals each
    worker makes is the same too), but the order decides how many tentative acceptances are
    later undone. When employers rank workers alike (the realistic, correlated case), units
    that propose first are mostly the ones every vacancy ranks high: they are accepted for
    good, and the rest meet full vacancies and are refused by one look at ``thr``. At a million
    workers this takes the deferred acceptance from ~3.9 s to ~1.4 s.
    """
    first = hpk[::_K][:n_units] >> np.int64(32)  # the vacancy score of each unit's first choice
    lo, hi = _score_range(first, u_ptr)
    if hi - lo <= 4 * n_units + 1024:
        # scores span a modest range (as they do): a counting sort, ~10× faster than argsort
        # (1M units: 0.08 s), in the same order for every unit with a list
        return _counting_order(first, u_ptr, lo, hi)
    return np.argsort(-first, kind="stable").astype(np.int64)


@njit(cache=True)
def _score_range(first, u_ptr):  # pragma: no cover - compiled
    """Return (min, max) of ``first`` over the units with a list (0, -1 when none has one)."""
    lo = np.iinfo(np.int64).max
    hi = np.iinfo(np.int64).min
    for u in range(len(first)):
        if u_ptr[u + 1] > u_ptr[u]:
            lo = min(lo, first[u])
            hi = max(hi, first[u])
    if hi < lo:
        return np.int64(0), np.int64(-1)
    return lo, hi


@njit(cache=True)
def _counting_order(first, u_ptr, lo, hi):  # pragma: no cover - compiled
    """Return the units by ``first`` descending, ties in unit order (a stable counting sort);
    units without a list (``first`` is not set for them) come last."""
    n = len(first)
    start = np.zeros(hi - lo + 2, dtype=np.int64)
    for u in range(n):
        if u_ptr[u + 1] > u_ptr[u]:
            start[hi - first[u] + 1] += 1
    for b in range(1, len(start)):
        start[b] += start[b - 1]
    order = np.empty(n, dtype=np.int64)
    tail = start[len(start) - 1]
    for u in range(n):
        if u_ptr[u + 1] > u_ptr[u]:
            b = hi - first[u]
            order[start[b]] = u
            start[b] += 1
        else:
            order[tail] = u
            tail += 1
    return order


def assign_stable(
    market: Market,
    *,
    seed: int = 0,
    units: Units | None = None,
    max_rounds: int = 100,
) -> Assignment:
    """Return the stable assignment of ``market`` (see the module docstring for the guarantee)."""
    units = units if units is not None else build_units(market)
    match_edge, proposals, rounds, converged = _stable_kernel(
        *kernel_args(market, units, seed=seed, max_rounds=max_rounds)
    )
    return _assignment(units, match_edge, int(proposals), int(rounds), bool(converged))


def kernel_args(market: Market, units: Units, *, seed: int = 0, max_rounds: int = 100) -> tuple:
    """Return the arguments of ``_stable_kernel`` for ``units`` of ``market``, in its order.

    This is the parallel part of :func:`assign_stable`: the keys' layout, every unit's state row
    and head (``_init_units``), the work arrays and the proposal order. Split out so that
    ``bench/bench_reference_da.py`` can time it apart from the proposal loop.
    """
    u_tb, v_tb = market_tie_breaks(seed, market, units)
    # looked up for every entry a scan reads: int32 keeps twice as many vacancies in cache
    v_tb = v_tb.astype(np.int32)
    ws, ws_min, tb_bits, off_bits = _key_layout(units, market.n_vacancies)
    kp = (np.int64(ws_min), np.int64(tb_bits), np.int64(off_bits), np.int64((1 << tb_bits) - 1))
    n_units = units.n_units
    U = work_array((n_units, _U_COLS), np.int64)
    hpk = work_array(n_units * _K, np.int64)
    hoff = work_array(n_units * _K, np.int32)
    with threads_for(n_units):
        _init_units(
            units.ptr, units.vacancy, ws, units.vacancy_score, v_tb, kp,
            units.size.astype(np.int64), u_tb, U, hpk, hoff,
        )  # fmt: skip
    has_big = bool((units.size > 1).any())
    cap = market.capacity.astype(np.int64)
    n_vac = market.n_vacancies
    return (
        units.ptr, units.vacancy, ws, units.vacancy_score, v_tb, kp, U, hpk, hoff, cap,
        max_rounds, has_big, work_array((n_vac, 8), np.int64),
        work_array((int(cap.sum()), 3), np.int64), work_array(n_vac, np.int64),
        work_array(len(units.vacancy) // 64 + 1, np.uint64, zeroed=True),
        # every entry is proposed to at most once before the repair: room for all of them
        work_array((len(units.vacancy) + 1024 if has_big else 1, 2), _log_dtype(units, off_bits)),
        _proposal_order(hpk, units.ptr, n_units),
    )  # fmt: skip


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
