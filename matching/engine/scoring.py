"""Two-sided scores with reasons.

Each eligible pair gets two integer scores:

* the **worker score** — how much the worker wants the vacancy (wage against expectation,
  destination and occupation wishes, benefits, travel distance);
* the **vacancy score** — the vacancy's priority for the worker (skill level and years,
  certificates, policy priority for poverty-alleviated and monitored households, labor-brand
  fit).

Scores are sums of integer points so that a breakdown adds up exactly. The batch path
(:func:`score_candidates`) computes both score arrays for all candidate pairs in one compiled
pass; :func:`score_pair` computes one pair's breakdown on demand in plain Python (sharing only
the compiled haversine rounding), and tests check that the two agree. Codes are documented in
:mod:`matching.engine.reasons`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from numba import njit, prange

from matching.engine import reasons as R
from matching.engine.inputs import Instance, PovertyStatus, Weights
from matching.engine.prepared import CHUNK, chord_km, threads_for

if TYPE_CHECKING:
    from matching.engine.candidates import Candidates
    from matching.engine.prepared import Prepared
from matching.engine.reasons import Reason

Progress = Callable[[str, float], None]


@dataclass(frozen=True, eq=False)
class Scores:
    """Score arrays aligned with a :class:`Candidates` CSR (int32, one entry per pair)."""

    worker: np.ndarray
    vacancy: np.ndarray


@dataclass(frozen=True)
class PairScore:
    """One pair's scores and their breakdowns (the points of the reasons add up to the scores)."""

    worker_score: int
    vacancy_score: int
    worker_reasons: tuple[Reason, ...]
    vacancy_reasons: tuple[Reason, ...]


class WeightArrays(NamedTuple):
    """:class:`Weights` as the int64 arrays the kernels take (three, so by name)."""

    points: np.ndarray  # the scalar weights, indexed as in weight_vectors
    destination: np.ndarray  # points by rank of the wished city
    occupation_wish: np.ndarray  # points by rank of the wished occupation


def weight_vectors(wt: Weights) -> WeightArrays:
    """Return the kernels' form of ``wt``."""
    vec = np.array(
        [
            wt.wage_per_100,
            wt.wage_cap,
            wt.occupation_related_to_wish,
            wt.dormitory,
            wt.meals,
            wt.travel_reimbursement,
            wt.social_insurance,
            wt.distance_per_100km,
            wt.skill_per_level,
            wt.skill_per_year,
            wt.skill_year_cap,
            wt.certificate,
            wt.poverty_alleviated,
            wt.monitored,
            wt.labor_brand,
        ],
        dtype=np.int64,
    )
    return WeightArrays(
        points=vec,
        destination=np.array(wt.destination, dtype=np.int64),
        occupation_wish=np.array(wt.occupation_wish, dtype=np.int64),
    )


@njit(cache=True, inline="always")
def _popcount(x):  # pragma: no cover - compiled
    c = 0
    while x:
        x &= x - np.uint64(1)
        c += 1
    return c


@njit(cache=True, inline="always")
def pair_scores(
    w, v, wv, dest, occw, rel_mat,
    w_unit, w_cert, w_skill_ptr, w_skill_occ, w_skill_level, w_skill_years, w_city_ptr, w_city,
    w_occ_ptr, w_occ, w_min_wage, w_dorm, w_poverty, w_brand,
    v_occ, v_city, v_wage_min, v_wage_max, v_scoring_certs, v_unit, v_benefits, v_brand_ptr,
    v_brand,
):  # pragma: no cover - compiled  # fmt: skip
    """Return (worker score, vacancy score) of worker w and internal vacancy v.

    Called once per pair inside parallel loops, so it takes the arrays themselves: ``wv``,
    ``dest``, ``occw`` are the :class:`WeightArrays` fields, the rest the same-named
    :class:`~matching.engine.prepared.KernelArrays` fields. Callers pass them by keyword
    after unpacking ``A`` and ``wt`` to locals once,
    before the loop: reading a field of a named tuple inside a ``prange`` body made the
    100k candidates stage ~20 % slower in CPU time (the kernel reloads each array per pair).
    """
    # --- worker side
    offer = (v_wage_min[v] + v_wage_max[v]) // 2
    amount = offer - w_min_wage[w]
    cap = wv[1]
    clipped = min(max(amount, -cap), cap)
    ws = (wv[0] * clipped) // 100
    vc = v_city[v]
    for i in range(w_city_ptr[w], w_city_ptr[w + 1]):
        if w_city[i] == vc:
            ws += dest[min(i - w_city_ptr[w], len(dest) - 1)]
            break
    vo = v_occ[v]
    found = False
    for i in range(w_occ_ptr[w], w_occ_ptr[w + 1]):
        if w_occ[i] == vo:
            ws += occw[min(i - w_occ_ptr[w], len(occw) - 1)]
            found = True
            break
    if not found:
        for i in range(w_occ_ptr[w], w_occ_ptr[w + 1]):
            if w_occ[i] >= 0 and rel_mat[w_occ[i], vo]:
                ws += wv[2]
                break
    if v_benefits[v, 0] and w_dorm[w]:
        ws += wv[3]
    if v_benefits[v, 1]:
        ws += wv[4]
    if v_benefits[v, 2]:
        ws += wv[5]
    if v_benefits[v, 3]:
        ws += wv[6]
    km = chord_km(
        w_unit[w, 0],
        w_unit[w, 1],
        w_unit[w, 2],
        v_unit[v, 0],
        v_unit[v, 1],
        v_unit[v, 2],
    )
    ws -= (km * wv[7]) // 100
    # --- vacancy side
    best_l = -1
    best_e = -1
    best_y = -1
    for k in range(w_skill_ptr[w], w_skill_ptr[w + 1]):
        a = w_skill_occ[k]
        if a == vo:
            lv = w_skill_level[k]
            ex = 1
        elif rel_mat[a, vo]:
            lv = max(w_skill_level[k] - 1, 0)
            ex = 0
        else:
            continue
        y = w_skill_years[k]
        if lv > best_l or (lv == best_l and (ex > best_e or (ex == best_e and y > best_y))):
            best_l = lv
            best_e = ex
            best_y = y
    vs = 0
    if best_l >= 0:
        vs += wv[8] * best_l + wv[9] * min(best_y, wv[10])
    nc = 0
    for q in range(w_cert.shape[1]):
        nc += _popcount(w_cert[w, q] & v_scoring_certs[v, q])
    vs += wv[11] * nc
    if w_poverty[w] == 1:
        vs += wv[12]
    elif w_poverty[w] == 2:
        vs += wv[13]
    b = w_brand[w]
    if b >= 0:
        for i in range(v_brand_ptr[v], v_brand_ptr[v + 1]):
            if v_brand[i] == b:
                vs += wv[14]
                break
    return ws, vs


@njit(cache=True, parallel=True)
def _score_kernel(lo, hi, ptr, cand, out_ws, out_vs, wt, A):  # pragma: no cover - compiled
    wv, dest, occw, v_internal = wt.points, wt.destination, wt.occupation_wish, A.v_internal
    w_unit, w_cert, w_skill_ptr, w_skill_occ = A.w_unit, A.w_cert, A.w_skill_ptr, A.w_skill_occ
    w_skill_level, w_skill_years, w_city_ptr = A.w_skill_level, A.w_skill_years, A.w_city_ptr
    w_city, w_occ_ptr, w_occ, w_min_wage = A.w_city, A.w_occ_ptr, A.w_occ, A.w_min_wage
    w_dorm, w_poverty, w_brand, rel_mat = A.w_dorm, A.w_poverty, A.w_brand, A.rel_mat
    v_occ, v_city, v_wage_min, v_wage_max = A.v_occ, A.v_city, A.v_wage_min, A.v_wage_max
    v_scoring_certs, v_unit, v_benefits = A.v_scoring_certs, A.v_unit, A.v_benefits
    v_brand_ptr, v_brand = A.v_brand_ptr, A.v_brand
    for w in prange(lo, hi):
        for e in range(ptr[w], ptr[w + 1]):
            ws, vs = pair_scores(
                w, v_internal[cand[e]], wv=wv, dest=dest, occw=occw, rel_mat=rel_mat,
                w_unit=w_unit, w_cert=w_cert, w_skill_ptr=w_skill_ptr, w_skill_occ=w_skill_occ,
                w_skill_level=w_skill_level, w_skill_years=w_skill_years, w_city_ptr=w_city_ptr,
                w_city=w_city, w_occ_ptr=w_occ_ptr, w_occ=w_occ, w_min_wage=w_min_wage,
                w_dorm=w_dorm, w_poverty=w_poverty, w_brand=w_brand, v_occ=v_occ, v_city=v_city,
                v_wage_min=v_wage_min, v_wage_max=v_wage_max, v_scoring_certs=v_scoring_certs,
                v_unit=v_unit, v_benefits=v_benefits, v_brand_ptr=v_brand_ptr, v_brand=v_brand,
            )  # fmt: skip
            out_ws[e] = ws
            out_vs[e] = vs


def score_candidates(
    instance: Instance,
    candidates: Candidates,
    weights: Weights | None = None,
    *,
    progress: Progress | None = None,
) -> Scores:
    """Return worker and vacancy score arrays for every candidate pair."""
    P = instance.prepared
    weight_arrays = weight_vectors(weights or Weights())
    ws = np.empty(candidates.n_pairs, dtype=np.int32)
    vs = np.empty(candidates.n_pairs, dtype=np.int32)
    n = P.n_workers
    with threads_for(n):
        _score_chunks(P, candidates, ws, vs, weight_arrays, progress)
    return Scores(worker=ws, vacancy=vs)


def _score_chunks(
    P: Prepared,
    candidates: Candidates,
    ws: np.ndarray,
    vs: np.ndarray,
    weight_arrays: WeightArrays,
    progress: Progress | None,
) -> None:
    n = P.n_workers
    for lo in range(0, n, CHUNK):
        _score_kernel(
            lo=lo,
            hi=min(n, lo + CHUNK),
            ptr=candidates.ptr,
            cand=candidates.vacancy,
            out_ws=ws,
            out_vs=vs,
            wt=weight_arrays,
            A=P.arrays,
        )
        if progress:
            progress("scores", min(n, lo + CHUNK) / max(n, 1))


def _rank_points(table: tuple[int, ...], rank: int) -> int:
    return table[min(rank, len(table) - 1)]


def score_pair(
    instance: Instance, worker: int, vacancy: int, weights: Weights | None = None
) -> PairScore:
    """Return the scores of one (worker, vacancy) pair with their reason breakdowns.

    Works for any pair, eligible or not; for a candidate pair the scores equal the batch
    arrays of :func:`score_candidates`.
    """
    wt = weights or Weights()
    W, V, P = instance.workers, instance.vacancies, instance.prepared
    w, v = worker, vacancy
    related = P.related_sets.get(int(V.occupation[v]), frozenset())

    wr: list[Reason] = []
    offer = (int(V.wage_min[v]) + int(V.wage_max[v])) // 2
    amount = offer - int(W.min_wage[w])
    clipped = min(max(amount, -wt.wage_cap), wt.wage_cap)
    code = R.WAGE_ABOVE_EXPECTATION if amount >= 0 else R.WAGE_BELOW_EXPECTATION
    wr.append(Reason(code, points=(wt.wage_per_100 * clipped) // 100, amount=amount))
    city = int(V.city[v])
    cities = [int(c) for c in W.wish_city[W.wish_city_ptr[w] : W.wish_city_ptr[w + 1]]]
    if city in cities:
        rank = cities.index(city)
        wr.append(
            Reason(
                R.DESTINATION_WISHED,
                points=_rank_points(wt.destination, rank),
                city=city,
                rank=rank,
            )
        )
    occ = int(V.occupation[v])
    wished = [
        int(o) for o in W.wish_occupation[W.wish_occupation_ptr[w] : W.wish_occupation_ptr[w + 1]]
    ]
    if occ in wished:
        rank = wished.index(occ)
        wr.append(
            Reason(
                R.OCCUPATION_WISHED,
                points=_rank_points(wt.occupation_wish, rank),
                occupation_id=occ,
                rank=rank,
            )
        )
    elif any(o in related for o in wished):
        wr.append(
            Reason(
                R.OCCUPATION_RELATED_TO_WISH,
                points=wt.occupation_related_to_wish,
                occupation_id=occ,
            )
        )
    if V.dormitory[v] and W.accepts_dormitory[w]:
        wr.append(Reason(R.DORMITORY_PROVIDED, points=wt.dormitory))
    if V.meals[v]:
        wr.append(Reason(R.MEALS_PROVIDED, points=wt.meals))
    if V.travel_reimbursement[v]:
        wr.append(Reason(R.TRAVEL_REIMBURSED, points=wt.travel_reimbursement))
    if V.social_insurance[v]:
        wr.append(Reason(R.SOCIAL_INSURANCE, points=wt.social_insurance))
    km = int(chord_km(*P.w_unit[w], *P.v_unit[P.v_internal[v]]))
    wr.append(Reason(R.TRAVEL_DISTANCE, points=-((km * wt.distance_per_100km) // 100), km=km))

    vr: list[Reason] = []
    best: tuple[int, int, int] | None = None
    best_occ = occ
    for k in range(W.skill_ptr[w], W.skill_ptr[w + 1]):
        a = int(W.skill_occupation[k])
        if a == occ:
            cand = (int(W.skill_level[k]), 1, int(W.skill_years[k]))
        elif a in related:
            cand = (max(int(W.skill_level[k]) - 1, 0), 0, int(W.skill_years[k]))
        else:
            continue
        if best is None or cand > best:
            best, best_occ = cand, a
    if best is not None:
        level, exact, years = best
        code = R.SKILL_LEVEL if exact else R.RELATED_SKILL_LEVEL
        vr.append(
            Reason(code, points=wt.skill_per_level * level, occupation_id=best_occ, level=level)
        )
        vr.append(
            Reason(
                R.SKILL_YEARS, points=wt.skill_per_year * min(years, wt.skill_year_cap), years=years
            )
        )
    held = {int(c) for c in W.cert_ids[W.cert_ptr[w] : W.cert_ptr[w + 1]]}
    wanted = {int(c) for c in V.req_cert_ids[V.req_cert_ptr[v] : V.req_cert_ptr[v + 1]]}
    wanted |= {int(c) for c in V.pref_cert_ids[V.pref_cert_ptr[v] : V.pref_cert_ptr[v + 1]]}
    for cert in sorted(held & wanted):
        vr.append(Reason(R.HOLDS_CERTIFICATE, points=wt.certificate, cert_id=cert))
    poverty = int(W.poverty[w])
    if poverty == PovertyStatus.POVERTY_ALLEVIATED:
        vr.append(Reason(R.POVERTY_PRIORITY, points=wt.poverty_alleviated))
    elif poverty == PovertyStatus.MONITORED:
        vr.append(Reason(R.MONITORING_PRIORITY, points=wt.monitored))
    brand = int(W.labor_brand[w])
    if brand >= 0 and brand in {int(b) for b in V.brand_ids[V.brand_ptr[v] : V.brand_ptr[v + 1]]}:
        vr.append(Reason(R.LABOR_BRAND_FIT, points=wt.labor_brand, brand_id=brand))

    return PairScore(
        worker_score=sum(r.points for r in wr),
        vacancy_score=sum(r.points for r in vr),
        worker_reasons=tuple(wr),
        vacancy_reasons=tuple(vr),
    )
