"""Batch score breakdowns: the reasons of many (worker, vacancy) pairs at once.

:func:`~matching.engine.scoring.score_pair` explains one pair in plain Python (tens of
microseconds per pair). A round stores the breakdown of every match, so it needs the same
reasons for up to a million pairs; :func:`explain_pairs` produces them, identical to
``score_pair`` reason for reason (tests check this on random instances), in three steps:

1. one compiled pass writes, for every pair, its reasons as ``(slot, key)`` integers in
   ``score_pair``'s order (a slot is a reason kind: wage, destination, ..., labor brand; the key
   holds the reason's parameters, e.g. the wage difference or the distance in km);
2. per slot, the distinct keys (few: a few hundred wage differences, a few thousand distances)
   become :class:`~matching.engine.reasons.Reason` objects once, and NumPy spreads them over
   the pairs;
3. each pair's two lists are slices of that flat list.

Reasons are immutable, so pairs with the same reason share one object.
:func:`explain_pairs_as_dicts` returns the JSON-ready dicts a round stores
(``dict(reason.as_dict(), side="worker"|"vacancy")``), a fresh dict per reason.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from numba import njit

from matching.engine import reasons as R
from matching.engine.inputs import Instance, Weights
from matching.engine.prepared import chord_km
from matching.engine.reasons import Reason

# Reason slots, in the order score_pair emits them (worker side first).
_WAGE = 0  # key: amount (offer - minimum wage)
_DEST = 1  # key: rank * n_cities + dense city
_OCC_WISHED = 2  # key: rank * n_occupations + dense occupation
_OCC_RELATED = 3  # key: dense occupation
_DORM = 4
_MEALS = 5
_TRAVEL = 6
_INSURANCE = 7
_DISTANCE = 8  # key: km
_SKILL = 9  # key: (level * n_occupations + dense occupation) * 2 + exact
_YEARS = 10  # key: years
_CERT = 11  # key: dense certificate (dense order = id order)
_POVERTY = 12
_MONITORED = 13
_BRAND = 14  # key: brand id
_N_SLOTS = 15
_MAX_FIXED = 12  # reasons per pair besides certificates: 8 worker side, 4 vacancy side
_FIRST_VACANCY_SLOT = _SKILL

_CHUNK = 1 << 17  # pairs per compiled call (bounds the temporary arrays)


@njit(cache=True)
def _explain_kernel(
    pw, pv, out_ptr, out_mid, out_slot, out_key, n_occ, n_city, A
):  # pragma: no cover - compiled  # noqa: E501
    """Write every pair's reasons as (slot, key) in score_pair's order; return their count.

    Pair i's worker reasons are entries out_ptr[i]:out_mid[i], its vacancy reasons
    out_mid[i]:out_ptr[i+1]. ``pv`` holds internal vacancy ids. The output arrays must have
    room for 12 entries per pair plus the vacancy's scoring certificates. ``A`` is the
    :class:`~matching.engine.prepared.KernelArrays`.
    """
    rel_mat = A.rel_mat
    words = A.w_cert.shape[1]
    pos = 0
    for i in range(len(pw)):
        w = pw[i]
        v = pv[i]
        out_ptr[i] = pos
        # --- worker side
        out_slot[pos] = _WAGE
        offer = (np.int64(A.v_wage_min[v]) + np.int64(A.v_wage_max[v])) // 2
        out_key[pos] = offer - np.int64(A.w_min_wage[w])
        pos += 1
        vc = A.v_city[v]
        for c in range(A.w_city_ptr[w], A.w_city_ptr[w + 1]):
            if A.w_city[c] == vc:
                out_slot[pos] = _DEST
                out_key[pos] = (c - A.w_city_ptr[w]) * n_city + vc
                pos += 1
                break
        vo = A.v_occ[v]
        found = False
        for c in range(A.w_occ_ptr[w], A.w_occ_ptr[w + 1]):
            if A.w_occ[c] == vo:
                out_slot[pos] = _OCC_WISHED
                out_key[pos] = (c - A.w_occ_ptr[w]) * n_occ + vo
                pos += 1
                found = True
                break
        if not found:
            for c in range(A.w_occ_ptr[w], A.w_occ_ptr[w + 1]):
                if A.w_occ[c] >= 0 and rel_mat[A.w_occ[c], vo]:
                    out_slot[pos] = _OCC_RELATED
                    out_key[pos] = vo
                    pos += 1
                    break
        for b in range(4):  # dormitory (if the worker accepts one), meals, travel, insurance
            if A.v_benefits[v, b] and (b != 0 or A.w_dorm[w]):
                out_slot[pos] = _DORM + b
                out_key[pos] = 0
                pos += 1
        out_slot[pos] = _DISTANCE
        out_key[pos] = chord_km(
            A.w_unit[w, 0],
            A.w_unit[w, 1],
            A.w_unit[w, 2],
            A.v_unit[v, 0],
            A.v_unit[v, 1],
            A.v_unit[v, 2],
        )
        pos += 1
        out_mid[i] = pos
        # --- vacancy side: best skill by (level, exact, years), the first one on ties
        best_l = np.int64(0)
        best_e = -1
        best_y = np.int64(0)
        best_o = -1
        for k in range(A.w_skill_ptr[w], A.w_skill_ptr[w + 1]):
            a = A.w_skill_occ[k]
            if a == vo:
                lv = np.int64(A.w_skill_level[k])
                ex = 1
            elif a >= 0 and rel_mat[a, vo]:
                lv = max(np.int64(A.w_skill_level[k]) - 1, np.int64(0))
                ex = 0
            else:
                continue
            y = np.int64(A.w_skill_years[k])
            if best_e < 0 or (
                lv > best_l or (lv == best_l and (ex > best_e or (ex == best_e and y > best_y)))
            ):
                best_l = lv
                best_e = ex
                best_y = y
                best_o = a
        if best_e >= 0:
            out_slot[pos] = _SKILL
            out_key[pos] = (best_l * n_occ + best_o) * 2 + best_e
            out_slot[pos + 1] = _YEARS
            out_key[pos + 1] = best_y
            pos += 2
        for q in range(words):
            m = A.w_cert[w, q] & A.v_scoring_certs[v, q]
            bit = 0
            while m:
                if m & np.uint64(1):
                    out_slot[pos] = _CERT
                    out_key[pos] = q * 64 + bit
                    pos += 1
                m >>= np.uint64(1)
                bit += 1
        p = A.w_poverty[w]
        if p == 1 or p == 2:
            out_slot[pos] = _POVERTY if p == 1 else _MONITORED
            out_key[pos] = 0
            pos += 1
        if A.w_brand_raw[w] >= 0 and A.w_brand[w] >= 0:
            for c in range(A.v_brand_ptr[v], A.v_brand_ptr[v + 1]):
                if A.v_brand[c] == A.w_brand[w]:
                    out_slot[pos] = _BRAND
                    out_key[pos] = A.w_brand_raw[w]
                    pos += 1
                    break
    out_ptr[len(pw)] = pos
    return pos


@njit(cache=True)
def _codes_kernel(slot, key, n_slots):  # pragma: no cover - compiled
    """Number the distinct (slot, key) items of slots whose keys span a small range.

    Returns (codes, uniq, uniq_ptr, wide): the distinct keys of slot s, ascending, are
    ``uniq[uniq_ptr[s]:uniq_ptr[s+1]]`` and entry i is item ``codes[i]`` of that
    concatenation. Keys of one slot mostly span a small range (distances, wage differences,
    ranks), where a presence table beats sorting; slots with ``wide[s]`` are left to the caller
    (their entries have code -1).
    """
    n = len(slot)
    lo = np.zeros(n_slots, dtype=np.int64)
    hi = np.zeros(n_slots, dtype=np.int64)
    count = np.zeros(n_slots, dtype=np.int64)
    for i in range(n):
        s = slot[i]
        if count[s] == 0 or key[i] < lo[s]:
            lo[s] = key[i]
        if count[s] == 0 or key[i] > hi[s]:
            hi[s] = key[i]
        count[s] += 1
    toff = np.full(n_slots, -1, dtype=np.int64)  # presence table offset per slot
    wide = np.zeros(n_slots, dtype=np.bool_)
    size = 0
    for s in range(n_slots):
        if count[s] and hi[s] - lo[s] <= 4 * count[s] + 4096:
            toff[s] = size
            size += hi[s] - lo[s] + 1
        elif count[s]:
            wide[s] = True
    table = np.zeros(size, dtype=np.int64)
    for i in range(n):
        s = slot[i]
        if toff[s] >= 0:
            table[toff[s] + key[i] - lo[s]] = 1
    uniq_ptr = np.zeros(n_slots + 1, dtype=np.int64)
    for s in range(n_slots):
        m = 0
        if toff[s] >= 0:
            for j in range(toff[s], toff[s] + hi[s] - lo[s] + 1):
                m += table[j]
        uniq_ptr[s + 1] = uniq_ptr[s] + m
    uniq = np.empty(uniq_ptr[n_slots], dtype=np.int64)
    for s in range(n_slots):
        pos = uniq_ptr[s]
        if toff[s] >= 0:
            for j in range(hi[s] - lo[s] + 1):
                if table[toff[s] + j]:
                    table[toff[s] + j] = pos
                    uniq[pos] = lo[s] + j
                    pos += 1
    codes = np.empty(n, dtype=np.int64)
    for i in range(n):
        s = slot[i]
        codes[i] = table[toff[s] + key[i] - lo[s]] if toff[s] >= 0 else -1
    return codes, uniq, uniq_ptr, wide


def _rank_points(table: tuple[int, ...], rank: int) -> int:
    return table[min(rank, len(table) - 1)]


def _reason_maker(instance: Instance, wt: Weights) -> Callable[[int, int], Reason]:
    """Return make(slot, key) -> the Reason score_pair gives for that slot and key."""
    P = instance.prepared
    n_occ, n_city = P.n_occupations, P.n_cities
    occ_ids, city_ids, cert_ids = P.occupation_ids, P.city_ids, P.cert_ids

    def make(slot: int, key: int) -> Reason:
        if slot == _WAGE:
            clipped = min(max(key, -wt.wage_cap), wt.wage_cap)
            code = R.WAGE_ABOVE_EXPECTATION if key >= 0 else R.WAGE_BELOW_EXPECTATION
            return Reason(code, points=(wt.wage_per_100 * clipped) // 100, amount=key)
        if slot == _DEST:
            rank, c = divmod(key, n_city)
            return Reason(
                R.DESTINATION_WISHED,
                points=_rank_points(wt.destination, rank),
                city=int(city_ids[c]),
                rank=rank,
            )
        if slot == _OCC_WISHED:
            rank, o = divmod(key, n_occ)
            return Reason(
                R.OCCUPATION_WISHED,
                points=_rank_points(wt.occupation_wish, rank),
                occupation_id=int(occ_ids[o]),
                rank=rank,
            )
        if slot == _OCC_RELATED:
            return Reason(
                R.OCCUPATION_RELATED_TO_WISH,
                points=wt.occupation_related_to_wish,
                occupation_id=int(occ_ids[key]),
            )
        if slot == _DORM:
            return Reason(R.DORMITORY_PROVIDED, points=wt.dormitory)
        if slot == _MEALS:
            return Reason(R.MEALS_PROVIDED, points=wt.meals)
        if slot == _TRAVEL:
            return Reason(R.TRAVEL_REIMBURSED, points=wt.travel_reimbursement)
        if slot == _INSURANCE:
            return Reason(R.SOCIAL_INSURANCE, points=wt.social_insurance)
        if slot == _DISTANCE:
            return Reason(R.TRAVEL_DISTANCE, points=-((key * wt.distance_per_100km) // 100), km=key)
        if slot == _SKILL:
            rest, exact = divmod(key, 2)
            level, o = divmod(rest, n_occ)
            return Reason(
                R.SKILL_LEVEL if exact else R.RELATED_SKILL_LEVEL,
                points=wt.skill_per_level * level,
                occupation_id=int(occ_ids[o]),
                level=level,
            )
        if slot == _YEARS:
            return Reason(
                R.SKILL_YEARS, points=wt.skill_per_year * min(key, wt.skill_year_cap), years=key
            )
        if slot == _CERT:
            return Reason(R.HOLDS_CERTIFICATE, points=wt.certificate, cert_id=int(cert_ids[key]))
        if slot == _POVERTY:
            return Reason(R.POVERTY_PRIORITY, points=wt.poverty_alleviated)
        if slot == _MONITORED:
            return Reason(R.MONITORING_PRIORITY, points=wt.monitored)
        if slot == _BRAND:
            return Reason(R.LABOR_BRAND_FIT, points=wt.labor_brand, brand_id=key)
        raise AssertionError(slot)

    return make


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small lists.

    Creating a million lists would otherwise trigger hundreds of collections that traverse
    every live container (several times the cost of the work itself). Nothing built here
    forms reference cycles.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _pair_arrays(
    instance: Instance, workers: Sequence[int] | np.ndarray, vacancies: Sequence[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    pw = np.ascontiguousarray(np.asarray(workers, dtype=np.int64).reshape(-1))
    pv = np.ascontiguousarray(np.asarray(vacancies, dtype=np.int64).reshape(-1))
    if pw.shape != pv.shape:
        raise ValueError("workers and vacancies must have the same length")
    for name, a, n in (("worker", pw, instance.n_workers), ("vacancy", pv, instance.n_vacancies)):
        if len(a) and (a.min() < 0 or a.max() >= n):
            raise IndexError(f"{name} index out of range")
    return pw, pv


def _explain_flat(
    instance: Instance,
    pw: np.ndarray,
    pv: np.ndarray,
    make: Callable[[int, int], Any],
) -> tuple[list[Any], list[int], list[int]]:
    """Return (flat items, mid, ptr): pair i's worker items are flat[ptr[i]:mid[i]], its
    vacancy items flat[mid[i]:ptr[i+1]]; ``make(slot, key)`` builds an item (once per key)."""
    P = instance.prepared
    n = len(pw)
    ptr = np.zeros(n + 1, dtype=np.int64)
    mid = np.zeros(n, dtype=np.int64)
    cert_count = np.unpackbits(P.v_scoring_certs.view(np.uint8), axis=1).sum(axis=1)
    n_occ, n_city = P.n_occupations, P.n_cities
    caches: list[dict[int, Any]] = [{} for _ in range(_N_SLOTS)]
    flat: list[Any] = []
    table: list[Any] = []
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        cw, cv = pw[lo:hi], P.v_internal[pv[lo:hi]].astype(np.int64)
        cptr = np.empty(hi - lo + 1, dtype=np.int64)
        cmid = np.empty(hi - lo, dtype=np.int64)
        room = _MAX_FIXED * (hi - lo) + int(cert_count[cv].sum())
        slot = np.empty(room, dtype=np.int8)
        key = np.empty(room, dtype=np.int64)
        total = _explain_kernel(
            pw=cw,
            pv=cv,
            out_ptr=cptr,
            out_mid=cmid,
            out_slot=slot,
            out_key=key,
            n_occ=n_occ,
            n_city=n_city,
            A=P.arrays,
        )
        slot, key = slot[:total], key[:total]
        codes, uniq, uniq_ptr, wide = _codes_kernel(slot, key, _N_SLOTS)
        slots = np.repeat(np.arange(_N_SLOTS), np.diff(uniq_ptr)).tolist()
        keys = uniq.tolist()
        for s in np.flatnonzero(wide).tolist():  # keys spread wide: number them by sorting
            idx = np.flatnonzero(slot == s)
            u, inv = np.unique(key[idx], return_inverse=True)
            codes[idx] = len(keys) + inv.reshape(-1)
            slots += [s] * len(u)
            keys += u.tolist()
        for s, k in zip(slots, keys, strict=True):
            obj = caches[s].get(k)
            if obj is None:
                obj = caches[s][k] = make(s, k)
            table.append(obj)
        table_arr = np.empty(len(table), dtype=object)
        for j, obj in enumerate(table):
            table_arr[j] = obj
        table.clear()
        items = table_arr.take(codes)
        base = len(flat)
        flat.extend(items.tolist())
        ptr[lo + 1 : hi + 1] = cptr[1:] + base
        mid[lo:hi] = cmid + base
    return flat, mid.tolist(), ptr.tolist()


def explain_pairs(
    instance: Instance,
    workers: Sequence[int] | np.ndarray,
    vacancies: Sequence[int] | np.ndarray,
    weights: Weights | None = None,
) -> list[tuple[list[Reason], list[Reason]]]:
    """Return ``(worker reasons, vacancy reasons)`` of every pair ``(workers[i], vacancies[i])``.

    The reasons are exactly those of :func:`~matching.engine.scoring.score_pair` (same codes,
    points, parameters and order; their points add up to the pair's scores), for any pair,
    eligible or not. Equal reasons are shared objects (reasons are immutable).
    """
    wt = weights or Weights()
    pw, pv = _pair_arrays(instance, workers, vacancies)
    with _gc_paused():
        flat, mid, ptr = _explain_flat(instance, pw, pv, _reason_maker(instance, wt))
        return [(flat[a:m], flat[m:b]) for a, m, b in zip(ptr, mid, ptr[1:], strict=False)]


def explain_pairs_as_dicts(
    instance: Instance,
    workers: Sequence[int] | np.ndarray,
    vacancies: Sequence[int] | np.ndarray,
    weights: Weights | None = None,
) -> list[list[dict[str, Any]]]:
    """Return each pair's reasons as JSON-ready dicts, worker side first.

    Pair i gets ``[dict(r.as_dict(), side="worker") for r in worker reasons] +
    [dict(r.as_dict(), side="vacancy") for r in vacancy reasons]`` with the reasons of
    :func:`explain_pairs`; every dict is a fresh object (callers may modify them).
    """
    wt = weights or Weights()
    make_reason = _reason_maker(instance, wt)

    def make(slot: int, key: int) -> dict[str, Any]:
        side = "worker" if slot < _FIRST_VACANCY_SLOT else "vacancy"
        return dict(make_reason(slot, key).as_dict(), side=side)

    pw, pv = _pair_arrays(instance, workers, vacancies)
    with _gc_paused():
        flat, _, ptr = _explain_flat(instance, pw, pv, make)
        fresh = list(map(dict.copy, flat))
        return [fresh[a:b] for a, b in zip(ptr, ptr[1:], strict=False)]
