"""Candidate generation: the eligible vacancies of every worker, found through indexes.

A vacancy is eligible for a worker when every rule in :data:`~matching.engine.reasons.RULES`
passes (the two group rules apply to travel groups only):

* its occupation is one of the worker's skill or wished occupations, or related to one;
* the worker holds every required certificate;
* the worker's age is within [age_min, age_max];
* it starts on or after the worker's earliest departure date;
* its city is one of the worker's wished cities, if the worker listed any;
* its maximum wage is at least the worker's minimum wage;
* the worker's skill level in its occupation (a related occupation's skill counts one level
  lower) reaches its minimum skill level;
* it does not work shifts, or the worker accepts shift work;
* the worker's schooling reaches its minimum education (if it sets one).

The kernel never scans all pairs: for each worker it builds the (deduplicated) set of candidate
occupations and visits only the (occupation, city) buckets of the vacancy index that the
worker's wishes allow. :func:`ineligibility` is the plain-Python statement of the same rules for
one pair; tests check the two against each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from matching.engine import reasons as R
from matching.engine.inputs import Instance, Weights
from matching.engine.prepared import CHUNK, Prepared, threads_for, work_array
from matching.engine.reasons import Reason
from matching.engine.scoring import Scores, pair_scores, weight_vectors

Progress = Callable[[str, float], None]

_BLOCKS = 64  # parallel blocks per chunk (each allocates its own scratch once)


@dataclass(frozen=True, eq=False)
class Candidates:
    """Eligible pairs in CSR form: worker i's vacancies are ``vacancy[ptr[i]:ptr[i+1]]``."""

    ptr: np.ndarray  # int64, n_workers + 1
    vacancy: np.ndarray  # int32

    @property
    def n_pairs(self) -> int:
        return int(self.ptr[-1])

    def of(self, worker: int) -> np.ndarray:
        """Return worker's eligible vacancy indexes (kernel order, not sorted)."""
        return self.vacancy[self.ptr[worker] : self.ptr[worker + 1]]


@njit(cache=True, inline="always")
def _add_occ(o, lvl, stamp, slot, occs, levels, n, w):  # pragma: no cover - compiled
    if stamp[o] != w:
        stamp[o] = w
        slot[o] = n
        occs[n] = o
        levels[n] = lvl
        return n + 1
    if lvl > levels[slot[o]]:
        levels[slot[o]] = lvl
    return n


@njit(cache=True)
def _candidate_occupations(
    w, w_skill_ptr, w_skill_occ, w_skill_level, w_occ_ptr, w_occ, rel_ptr, rel_idx,
    stamp, slot, occs, levels,
):  # pragma: no cover - compiled  # fmt: skip
    """Fill occs/levels with w's candidate occupations and its skill level in each; return count.

    The arrays are the same-named :class:`~matching.engine.prepared.KernelArrays` fields,
    passed by keyword (see :func:`~matching.engine.scoring.pair_scores` for why not ``A``).
    """
    n = 0
    for k in range(w_skill_ptr[w], w_skill_ptr[w + 1]):
        a = w_skill_occ[k]
        if a < 0:
            continue
        lv = w_skill_level[k]
        n = _add_occ(a, lv, stamp, slot, occs, levels, n, w)
        for r in range(rel_ptr[a], rel_ptr[a + 1]):
            n = _add_occ(rel_idx[r], max(lv - 1, 0), stamp, slot, occs, levels, n, w)
    for k in range(w_occ_ptr[w], w_occ_ptr[w + 1]):
        a = w_occ[k]
        if a < 0:
            continue
        n = _add_occ(a, 0, stamp, slot, occs, levels, n, w)
        for r in range(rel_ptr[a], rel_ptr[a + 1]):
            n = _add_occ(rel_idx[r], 0, stamp, slot, occs, levels, n, w)
    return n


@njit(cache=True, parallel=True)
def _candidates_kernel(
    lo, hi, fill, score, out_count, out_ptr, out_vac, out_ws, out_vs, n_occ, n_city, max_occs,
    wt, A,
):  # pragma: no cover - compiled  # fmt: skip
    """Count (fill=False) or write (fill=True) the eligible vacancies of workers lo..hi-1.

    Vacancy ids inside are internal (bucket order); the output holds the caller's indexes.
    With ``score`` the fill pass also writes both scores of every pair (weights ``wt``, a
    :class:`~matching.engine.scoring.WeightArrays`). ``A`` is the
    :class:`~matching.engine.prepared.KernelArrays`.
    """
    # Every array is unpacked to a local here, before the parallel loop: a named tuple's field
    # read inside the loop costs a reference count per read (the 100k stage took ~20 % more
    # CPU that way). pair_scores and _candidate_occupations take the arrays by keyword.
    rel_ptr, rel_idx, rel_mat, b_ptr = A.rel_ptr, A.rel_idx, A.rel_mat, A.b_ptr
    w_age, w_depart, w_min_wage, w_shift = A.w_age, A.w_depart, A.w_min_wage, A.w_shift
    w_edu, w_poverty, w_brand = A.w_edu, A.w_poverty, A.w_brand
    w_unit, w_cert, w_skill_ptr, w_skill_occ = A.w_unit, A.w_cert, A.w_skill_ptr, A.w_skill_occ
    w_skill_level, w_skill_years, w_city_ptr = A.w_skill_level, A.w_skill_years, A.w_city_ptr
    w_city, w_occ_ptr, w_occ, w_dorm = A.w_city, A.w_occ_ptr, A.w_occ, A.w_dorm
    v_age_min, v_age_max, v_start, v_wage_max = A.v_age_min, A.v_age_max, A.v_start, A.v_wage_max
    v_min_level, v_benefits, v_min_edu, v_req = A.v_min_level, A.v_benefits, A.v_min_edu, A.v_req
    v_occ, v_city, v_wage_min, v_unit = A.v_occ, A.v_city, A.v_wage_min, A.v_unit
    v_scoring_certs, v_brand_ptr, v_brand = A.v_scoring_certs, A.v_brand_ptr, A.v_brand
    v_external = A.v_external
    wv, dest, occw = wt.points, wt.destination, wt.occupation_wish
    words = v_req.shape[1]
    n = hi - lo
    blocks = min(_BLOCKS, n) if n > 0 else 0
    for b in prange(blocks):
        stamp = np.full(n_occ, -1, dtype=np.int64)
        slot = np.empty(n_occ, dtype=np.int32)
        occs = np.empty(max_occs, dtype=np.int32)
        levels = np.empty(max_occs, dtype=np.int32)
        for w in range(lo + b * n // blocks, lo + (b + 1) * n // blocks):
            k = _candidate_occupations(
                w, w_skill_ptr=w_skill_ptr, w_skill_occ=w_skill_occ, w_skill_level=w_skill_level,
                w_occ_ptr=w_occ_ptr, w_occ=w_occ, rel_ptr=rel_ptr, rel_idx=rel_idx, stamp=stamp,
                slot=slot, occs=occs, levels=levels,
            )  # fmt: skip
            c0, c1 = w_city_ptr[w], w_city_ptr[w + 1]
            age, depart, min_wage, shift_ok = w_age[w], w_depart[w], w_min_wage[w], w_shift[w]
            edu = w_edu[w]
            pos = out_ptr[w] if fill else 0
            for i in range(k):
                o = occs[i]
                lvl = levels[i]
                n_ranges = c1 - c0 if c1 > c0 else 1
                for ri in range(n_ranges):
                    if c1 > c0:
                        c = w_city[c0 + ri]
                        dup = c < 0
                        for cj in range(c0, c0 + ri):
                            if w_city[cj] == c:
                                dup = True
                        if dup:
                            continue
                        t0, t1 = b_ptr[o * n_city + c], b_ptr[o * n_city + c + 1]
                    else:
                        t0, t1 = b_ptr[o * n_city], b_ptr[(o + 1) * n_city]
                    for t in range(t0, t1):
                        # eligibility written out here: a call per pair costs more than the checks
                        if age < v_age_min[t] or age > v_age_max[t]:
                            continue
                        if v_start[t] < depart or v_wage_max[t] < min_wage or lvl < v_min_level[t]:
                            continue
                        if (v_benefits[t, 4] and not shift_ok) or (
                            v_min_edu[t] > 0 and edu < v_min_edu[t]
                        ):
                            continue
                        certs_ok = True
                        for q in range(words):
                            if v_req[t, q] & ~w_cert[w, q]:
                                certs_ok = False
                        if not certs_ok:
                            continue
                        if fill:
                            out_vac[pos] = v_external[t]
                            if score:
                                ws, vs = pair_scores(
                                    w, t, wv=wv, dest=dest, occw=occw, rel_mat=rel_mat,
                                    w_unit=w_unit, w_cert=w_cert, w_skill_ptr=w_skill_ptr,
                                    w_skill_occ=w_skill_occ, w_skill_level=w_skill_level,
                                    w_skill_years=w_skill_years, w_city_ptr=w_city_ptr,
                                    w_city=w_city, w_occ_ptr=w_occ_ptr, w_occ=w_occ,
                                    w_min_wage=w_min_wage, w_dorm=w_dorm, w_poverty=w_poverty,
                                    w_brand=w_brand, v_occ=v_occ, v_city=v_city,
                                    v_wage_min=v_wage_min, v_wage_max=v_wage_max,
                                    v_scoring_certs=v_scoring_certs, v_unit=v_unit,
                                    v_benefits=v_benefits, v_brand_ptr=v_brand_ptr,
                                    v_brand=v_brand,
                                )  # fmt: skip
                                out_ws[pos] = ws
                                out_vs[pos] = vs
                        pos += 1
            if not fill:
                out_count[w] = pos


def _max_occs(P: Prepared) -> int:
    deg = np.diff(P.rel_ptr)
    per = np.zeros(P.n_workers, dtype=np.int64)
    for ptr, idx in ((P.w_skill_ptr, P.w_skill_occ), (P.w_occ_ptr, P.w_occ)):
        if len(idx):
            contrib = np.where(idx >= 0, 1 + deg[np.maximum(idx, 0)], 0)
            rows = np.repeat(np.arange(P.n_workers), np.diff(ptr))
            per += np.bincount(rows, weights=contrib, minlength=P.n_workers).astype(np.int64)
    return int(min(max(1, per.max(initial=1)), max(1, P.n_occupations)))


def build_candidates(instance: Instance, *, progress: Progress | None = None) -> Candidates:
    """Return every worker's eligible vacancies (two passes over the index: count, then fill)."""
    return _build(instance, None, False, progress)[0]


def build_scored_candidates(
    instance: Instance, weights: Weights | None = None, *, progress: Progress | None = None
) -> tuple[Candidates, Scores]:
    """Return the candidates and both score arrays in one go.

    The fill pass scores each pair while the vacancy's data is in cache, which is faster than
    :func:`build_candidates` followed by :func:`~matching.engine.scoring.score_candidates`
    (the results are identical).
    """
    candidates, scores = _build(instance, weights, True, progress)
    assert scores is not None
    return candidates, scores


def _build(
    instance: Instance, weights: Weights | None, with_scores: bool, progress: Progress | None
) -> tuple[Candidates, Scores | None]:
    P = instance.prepared
    n = P.n_workers
    max_occs = _max_occs(P)
    weight_arrays = weight_vectors(weights or Weights())
    count = np.zeros(n, dtype=np.int64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    empty32 = np.zeros(0, dtype=np.int32)
    steps = max(1, 2 * ((n + CHUNK - 1) // CHUNK))
    step = 0

    def run(lo: int, fill: bool, vac: np.ndarray, ws: np.ndarray, vs: np.ndarray) -> None:
        nonlocal step
        _candidates_kernel(
            lo=lo,
            hi=min(n, lo + CHUNK),
            fill=fill,
            score=with_scores,
            out_count=count,
            out_ptr=ptr,
            out_vac=vac,
            out_ws=ws,
            out_vs=vs,
            n_occ=P.n_occupations,
            n_city=P.n_cities,
            max_occs=max_occs,
            wt=weight_arrays,
            A=P.arrays,
        )
        step += 1
        if progress:
            progress("candidates", step / steps)

    with threads_for(n):
        for lo in range(0, n, CHUNK):
            run(lo, False, empty32, empty32, empty32)
        np.cumsum(count, out=ptr[1:])
        total = int(ptr[-1])
        vac = work_array(total, np.int32)
        ws = work_array(total if with_scores else 0, np.int32)
        vs = work_array(total if with_scores else 0, np.int32)
        for lo in range(0, n, CHUNK):
            run(lo, True, vac, ws, vs)
    return Candidates(ptr=ptr, vacancy=vac), (
        Scores(worker=ws, vacancy=vs) if with_scores else None
    )


# --- Plain-Python statement of the rules -------------------------------------------------


def _skill_level_for(instance: Instance, w: int, occupation: int) -> int:
    W = instance.workers
    related = instance.prepared.related_sets.get(occupation, frozenset())
    best = 0
    for k in range(W.skill_ptr[w], W.skill_ptr[w + 1]):
        occ, lvl = int(W.skill_occupation[k]), int(W.skill_level[k])
        if occ == occupation:
            best = max(best, lvl)
        elif occ in related:
            best = max(best, lvl - 1)
    return best


def ineligibility(instance: Instance, worker: int, vacancy: int) -> tuple[Reason, ...]:
    """Return the rules (as reasons, in rule order) that make ``vacancy`` ineligible for ``worker``.

    An empty tuple means the pair is eligible. Plain Python; meant for explanations and tests.
    """
    W, V = instance.workers, instance.vacancies
    w, v = worker, vacancy
    out: list[Reason] = []
    occ = int(V.occupation[v])
    own = {int(x) for x in W.skill_occupation[W.skill_ptr[w] : W.skill_ptr[w + 1]]}
    own |= {
        int(x) for x in W.wish_occupation[W.wish_occupation_ptr[w] : W.wish_occupation_ptr[w + 1]]
    }
    related = instance.prepared.related_sets.get(occ, frozenset())
    if occ not in own and not (own & related):
        out.append(Reason(R.OCCUPATION_MISMATCH, occupation_id=occ))
    held = {int(x) for x in W.cert_ids[W.cert_ptr[w] : W.cert_ptr[w + 1]]}
    for cert in V.req_cert_ids[V.req_cert_ptr[v] : V.req_cert_ptr[v + 1]]:
        if int(cert) not in held:
            out.append(Reason(R.CERTIFICATE_MISSING, cert_id=int(cert)))
    age = int(W.age[w])
    if not int(V.age_min[v]) <= age <= int(V.age_max[v]):
        out.append(
            Reason(
                R.AGE_OUT_OF_RANGE, age=age, age_min=int(V.age_min[v]), age_max=int(V.age_max[v])
            )
        )
    if int(V.start_date[v]) < int(W.earliest_departure[w]):
        out.append(
            Reason(
                R.START_BEFORE_DEPARTURE,
                start=int(V.start_date[v]),
                earliest=int(W.earliest_departure[w]),
            )
        )
    cities = [int(x) for x in W.wish_city[W.wish_city_ptr[w] : W.wish_city_ptr[w + 1]]]
    if cities and int(V.city[v]) not in cities:
        out.append(Reason(R.DESTINATION_NOT_WISHED, city=int(V.city[v])))
    if int(V.wage_max[v]) < int(W.min_wage[w]):
        out.append(
            Reason(R.WAGE_BELOW_FLOOR, wage_max=int(V.wage_max[v]), min_wage=int(W.min_wage[w]))
        )
    level = _skill_level_for(instance, w, occ)
    if level < int(V.min_skill_level[v]):
        out.append(Reason(R.SKILL_LEVEL_TOO_LOW, level=level, required=int(V.min_skill_level[v])))
    if bool(V.shift_work[v]) and not bool(W.accepts_shift_work[w]):
        out.append(Reason(R.SHIFT_WORK_NOT_ACCEPTED))
    if int(V.min_education[v]) > 0 and int(W.education[w]) < int(V.min_education[v]):
        out.append(
            Reason(R.EDUCATION_TOO_LOW, level=int(W.education[w]), required=int(V.min_education[v]))
        )
    return tuple(out)


# --- Why a worker has no candidate at all ----------------------------------------------------


@njit(cache=True)
def _exclusion_counts_kernel(workers, n_occ, n_city, max_occs, A):  # pragma: no cover - compiled
    b_ptr, w_cert, w_city_ptr, w_city = A.b_ptr, A.w_cert, A.w_city_ptr, A.w_city
    w_age, w_depart, w_min_wage, w_shift, w_edu = (
        A.w_age,
        A.w_depart,
        A.w_min_wage,
        A.w_shift,
        A.w_edu,
    )
    v_age_min, v_age_max, v_start, v_wage_max = A.v_age_min, A.v_age_max, A.v_start, A.v_wage_max
    v_min_level, v_benefits, v_req, v_city = A.v_min_level, A.v_benefits, A.v_req, A.v_city
    v_min_edu = A.v_min_edu
    out = np.zeros((len(workers), 11), dtype=np.int64)
    considered = np.zeros(len(workers), dtype=np.int64)
    stamp = np.full(n_occ, -1, dtype=np.int64)
    slot = np.empty(n_occ, dtype=np.int32)
    occs = np.empty(max_occs, dtype=np.int32)
    levels = np.empty(max_occs, dtype=np.int32)
    for i in range(len(workers)):
        w = workers[i]
        k = _candidate_occupations(
            w, w_skill_ptr=A.w_skill_ptr, w_skill_occ=A.w_skill_occ, w_skill_level=A.w_skill_level,
            w_occ_ptr=A.w_occ_ptr, w_occ=A.w_occ, rel_ptr=A.rel_ptr, rel_idx=A.rel_idx,
            stamp=stamp, slot=slot, occs=occs, levels=levels,
        )  # fmt: skip
        c0, c1 = w_city_ptr[w], w_city_ptr[w + 1]
        for j in range(k):
            lvl = levels[j]
            for v in range(b_ptr[occs[j] * n_city], b_ptr[(occs[j] + 1) * n_city]):
                considered[i] += 1
                if w_age[w] < v_age_min[v] or w_age[w] > v_age_max[v]:
                    out[i, 2] += 1
                for q in range(v_req.shape[1]):
                    if v_req[v, q] & ~w_cert[w, q]:
                        out[i, 1] += 1
                        break
                if v_start[v] < w_depart[w]:
                    out[i, 3] += 1
                if c1 > c0:
                    hit = False
                    for ci in range(c0, c1):
                        if w_city[ci] == v_city[v]:
                            hit = True
                    if not hit:
                        out[i, 4] += 1
                if v_wage_max[v] < w_min_wage[w]:
                    out[i, 5] += 1
                if lvl < v_min_level[v]:
                    out[i, 6] += 1
                if v_benefits[v, 4] and not w_shift[w]:
                    out[i, 7] += 1
                if v_min_edu[v] > 0 and w_edu[w] < v_min_edu[v]:
                    out[i, 8] += 1
    return out, considered


def exclusion_counts(instance: Instance, workers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, per worker, how many vacancies of its occupations each rule excludes.

    Returns ``(counts, considered)``: ``counts[i, r]`` for rule index ``r`` of
    :data:`~matching.engine.reasons.RULES` (a vacancy failing several rules counts for each),
    ``considered[i]`` = number of vacancies whose occupation matches. Only vacancies of
    matching occupation are visited (through the index), so this is cheap per worker.
    """
    P = instance.prepared
    workers = np.ascontiguousarray(workers, dtype=np.int64)
    counts, considered = _exclusion_counts_kernel(
        workers=workers,
        n_occ=P.n_occupations,
        n_city=P.n_cities,
        max_occs=_max_occs(P),
        A=P.arrays,
    )
    counts[:, R.RULE_INDEX[R.OCCUPATION_MISMATCH]] = P.n_vacancies - considered
    return counts, considered


def main_exclusion(counts_row: np.ndarray, considered: int) -> tuple[str, int]:
    """Return (rule code, excluded count) for one worker with no candidate.

    ``occupation_mismatch`` when no vacancy has a matching occupation; otherwise the rule that
    excluded the most vacancies of matching occupation (first in rule order on ties).
    """
    if considered == 0:
        return R.OCCUPATION_MISMATCH, int(counts_row[0])
    inner = counts_row[1 : 1 + len(R.VACANCY_RULES)]
    r = int(np.argmax(inner)) + 1
    return R.RULES[r], int(inner[r - 1])
