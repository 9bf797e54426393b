"""Synthetic instances for tests and benchmarks: Gansu workers, Shandong vacancies.

Two flavours:

* ``"correlated"`` — everyone wants the same well-paid vacancies (a common vacancy quality
  drives wage and benefits) and every vacancy ranks the same skilled workers first (a common
  worker skill factor drives levels, years and certificates). The hard case for deferred
  acceptance: many rejections before workers settle.
* ``"independent"`` — wages and benefits barely differ between vacancies, so preferences are
  driven by each worker's own wishes; close to independent random preferences.

:func:`random_market` makes a scored :class:`~matching.engine.market.Market` directly (random
scores, optionally with a common quality term), for assignment-only work.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np

from matching.engine.inputs import Instance, VacancyArrays, WorkerArrays
from matching.engine.market import Market

Flavour = Literal["correlated", "independent"]

# Shandong prefecture-level cities: (code, lat, lng, share of vacancies).
CITIES = np.array(
    [
        (370100, 36.65, 117.12, 10),  # Jinan
        (370200, 36.07, 120.38, 16),  # Qingdao
        (370300, 36.81, 118.05, 6),  # Zibo
        (370400, 34.81, 117.32, 3),  # Zaozhuang
        (370500, 37.43, 118.67, 4),  # Dongying
        (370600, 37.46, 121.45, 9),  # Yantai
        (370700, 36.71, 119.16, 9),  # Weifang
        (370800, 35.41, 116.59, 6),  # Jining
        (370900, 36.20, 117.09, 4),  # Tai'an
        (371000, 37.51, 122.12, 5),  # Weihai
        (371100, 35.42, 119.53, 4),  # Rizhao
        (371300, 35.10, 118.36, 8),  # Linyi
        (371400, 37.44, 116.36, 4),  # Dezhou
        (371500, 36.46, 115.99, 4),  # Liaocheng
        (371600, 37.38, 117.97, 4),  # Binzhou
        (371700, 35.23, 115.48, 4),  # Heze
    ]
)
# Gansu counties workers come from: (code, lat, lng).
COUNTIES = np.array(
    [
        (621102, 35.58, 104.62),  # Anding, Dingxi
        (621121, 35.21, 105.24),  # Tongwei
        (621122, 35.00, 104.63),  # Longxi
        (621123, 35.14, 104.21),  # Weiyuan
        (621124, 35.39, 103.86),  # Lintao
        (621125, 34.85, 104.47),  # Zhangxian
        (621126, 34.44, 104.04),  # Minxian
        (621202, 33.39, 104.93),  # Wudu, Longnan
        (620502, 34.58, 105.72),  # Qinzhou, Tianshui
        (622901, 35.60, 103.21),  # Linxia
        (620802, 35.54, 106.67),  # Kongtong, Pingliang
        (621002, 35.73, 107.64),  # Xifeng, Qingyang
    ]
)
BASE_DAY = date(2026, 2, 23).toordinal()  # after the Spring Festival: the Spring Breeze campaign
N_CERTS = 8
N_BRANDS = 6
CLUSTER = 4  # occupations per relatedness cluster


def _csr_from_counts(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, np.repeat(np.arange(len(counts)), counts)


def _pick_cities(
    rng: np.random.Generator, n: int, counts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    weights = CITIES[:, 3] / CITIES[:, 3].sum()
    gumbel = np.log(weights)[None, :] - np.log(-np.log(rng.random((n, len(CITIES)))))
    order = np.argsort(-gumbel, axis=1)
    keep = np.arange(len(CITIES))[None, :] < counts[:, None]
    ptr, _ = _csr_from_counts(counts)
    return ptr, CITIES[order[keep], 0].astype(np.int64)


def _gather(ptr: np.ndarray, flat: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Return the concatenated CSR rows ``src[0], src[1], ...`` of (ptr, flat)."""
    counts = ptr[src + 1] - ptr[src]
    out_starts = np.cumsum(counts) - counts
    idx = np.repeat(ptr[src], counts) + np.arange(int(counts.sum())) - np.repeat(out_starts, counts)
    return flat[idx]


def default_occupations(n_vacancies: int, eligible_target: int) -> int:
    """Return an occupation count giving about ``eligible_target`` eligible vacancies per worker."""
    n = round(n_vacancies * 0.42 / max(eligible_target, 1) / CLUSTER) * CLUSTER
    return max(CLUSTER * 2, n)


def generate(
    n_workers: int,
    n_vacancies: int,
    *,
    flavour: Flavour = "correlated",
    seed: int = 0,
    eligible_target: int = 50,
    n_occupations: int | None = None,
    group_share: float = 0.1,
    max_group: int = 6,
) -> Instance:
    """Return a synthetic instance; total headcount is about ``n_workers``."""
    rng = np.random.default_rng(seed)
    n, m = n_workers, n_vacancies
    corr = flavour == "correlated"
    n_occ = n_occupations or default_occupations(m, eligible_target)
    occ_ids = 10_000 + np.arange(n_occ, dtype=np.int64)  # arbitrary ids, not 0-based
    related = {
        int(occ_ids[i]): [
            int(occ_ids[j]) for j in range(i - i % CLUSTER, i - i % CLUSTER + CLUSTER) if j != i
        ]
        for i in range(n_occ)
    }

    # ---- vacancies
    quality = rng.standard_normal(m) if corr else 0.15 * rng.standard_normal(m)
    v_occ = rng.integers(0, n_occ, m)
    city_w = CITIES[:, 3] / CITIES[:, 3].sum()
    v_city_i = rng.choice(len(CITIES), size=m, p=city_w)
    wage_min = (
        (4200 + 900 * quality + rng.normal(0, 150, m)).clip(2500, 12000).astype(np.int64)
        // 100
        * 100
    )
    wage_max = wage_min + rng.integers(5, 26, m) * 100
    mean_head = max(n / max(m, 1), 1.0)
    headcount = 1 + rng.poisson(mean_head - 1, m)
    q = 1 / (1 + np.exp(-quality)) if corr else np.full(m, 0.5)
    req_has = rng.random(m) < 0.12
    req_ptr, _ = _csr_from_counts(req_has.astype(np.int64))
    req_ids = (v_occ[req_has] % N_CERTS + 1).astype(np.int64)
    pref_has = rng.random(m) < 0.25
    pref_ptr, _ = _csr_from_counts(pref_has.astype(np.int64))
    pref_ids = ((v_occ[pref_has] + 3) % N_CERTS + 1).astype(np.int64)
    brand_has = rng.random(m) < 0.15
    brand_ptr, _ = _csr_from_counts(brand_has.astype(np.int64))
    brand_ids = rng.integers(1, N_BRANDS + 1, int(brand_has.sum())).astype(np.int64)
    vacancies = VacancyArrays(
        occupation=occ_ids[v_occ],
        headcount=headcount,
        wage_min=wage_min,
        wage_max=wage_max,
        city=CITIES[v_city_i, 0].astype(np.int64),
        district=CITIES[v_city_i, 0].astype(np.int64) + rng.integers(2, 15, m),
        lat=CITIES[v_city_i, 1] + rng.normal(0, 0.15, m),
        lng=CITIES[v_city_i, 2] + rng.normal(0, 0.15, m),
        age_min=np.full(m, 18),
        age_max=rng.choice([40, 45, 50, 55, 60], size=m, p=[0.15, 0.25, 0.3, 0.2, 0.1]),
        req_cert_ptr=req_ptr,
        req_cert_ids=req_ids,
        pref_cert_ptr=pref_ptr,
        pref_cert_ids=pref_ids,
        min_skill_level=rng.choice([0, 2, 3], size=m, p=[0.8, 0.14, 0.06]),
        dormitory=rng.random(m) < 0.4 + 0.5 * q,
        meals=rng.random(m) < 0.3 + 0.5 * q,
        travel_reimbursement=rng.random(m) < 0.2 + 0.6 * q,
        social_insurance=rng.random(m) < 0.5 + 0.45 * q,
        shift_work=rng.random(m) < 0.35,
        start_date=BASE_DAY + rng.integers(-5, 45, m),
        brand_ptr=brand_ptr,
        brand_ids=brand_ids,
        # (its own stream, so that adding the rule left every other figure of a seed unchanged)
        min_education=np.random.default_rng([seed, 1]).choice(
            [0, 2, 3], size=m, p=[0.85, 0.1, 0.05]
        ),
    )

    # ---- workers (travel-group members share home, wishes and departure with their leader)
    leader = np.arange(n)
    group = np.full(n, -1, dtype=np.int64)
    if group_share > 0 and n > 1:
        sizes = []
        covered = 0
        target = int(n * group_share)
        while covered < target:
            s = int(rng.integers(2, max_group + 1))
            sizes.append(s)
            covered += s
        starts = np.sort(rng.choice(n // 1, size=len(sizes), replace=False))
        taken = np.zeros(n, dtype=bool)
        for gid, (s0, s) in enumerate(zip(starts, sizes, strict=True)):
            members = [i for i in range(s0, min(n, s0 + s)) if not taken[i]]
            if len(members) < 2:
                continue
            taken[members] = True
            group[members] = gid
            leader[members] = members[0]
    skill_f = rng.standard_normal(n) if corr else 0.3 * rng.standard_normal(n)
    county = rng.integers(0, len(COUNTIES), n)[leader]
    main_occ = rng.integers(0, n_occ, n)[leader]
    n_skills = rng.choice([0, 1, 2], size=n, p=[0.25, 0.5, 0.25])
    skill_ptr, skill_row = _csr_from_counts(n_skills)
    second = (skill_ptr[skill_row] != np.arange(len(skill_row))).astype(bool)
    in_cluster = (
        main_occ[skill_row]
        - main_occ[skill_row] % CLUSTER
        + rng.integers(0, CLUSTER, len(skill_row))
    )
    skill_occ = np.where(
        second,
        np.where(
            rng.random(len(skill_row)) < 0.6, in_cluster, rng.integers(0, n_occ, len(skill_row))
        ),
        main_occ[skill_row],
    )  # noqa: E501
    skill_level = np.clip(
        np.round(2 + 1.1 * skill_f[skill_row] + rng.normal(0, 0.7, len(skill_row))), 1, 5
    )
    skill_years = np.clip(
        np.round(4 + 3 * skill_f[skill_row] + rng.normal(0, 2, len(skill_row))), 0, 30
    )
    n_wo = rng.choice([1, 2], size=n, p=[0.6, 0.4])[leader]
    wo_ptr, wo_row = _csr_from_counts(n_wo)
    first_wo = wo_ptr[wo_row] == np.arange(len(wo_row))
    wish_occ = np.where(
        first_wo,
        main_occ[wo_row],
        main_occ[wo_row] - main_occ[wo_row] % CLUSTER + rng.integers(0, CLUSTER, len(wo_row)),
    )
    n_wc = rng.choice([0, 1, 2, 3], size=n, p=[0.2, 0.4, 0.25, 0.15])[leader]
    wc_ptr, wc = _pick_cities(rng, n, n_wc)
    # members copy their leader's wishes (counts were already copied, so pointers agree)
    wc = _gather(wc_ptr, wc, leader)
    wish_occ = _gather(wo_ptr, wish_occ, leader)
    held = rng.random((n, N_CERTS)) < (0.08 + 0.12 * (skill_f[:, None] > 0.5))
    cert_ptr, _ = _csr_from_counts(held.sum(axis=1))
    cert_ids = (np.nonzero(held)[1] + 1).astype(np.int64)
    brand = np.where(rng.random(n) < 0.2, (county % N_BRANDS) + 1, -1)
    workers = WorkerArrays(
        age=np.clip(np.round(rng.triangular(18, 33, 58, n)), 18, 60),
        home_region=COUNTIES[county, 0].astype(np.int64),
        lat=COUNTIES[county, 1] + rng.normal(0, 0.2, n),
        lng=COUNTIES[county, 2] + rng.normal(0, 0.2, n),
        skill_ptr=skill_ptr,
        skill_occupation=occ_ids[skill_occ],
        skill_level=skill_level,
        skill_years=skill_years,
        cert_ptr=cert_ptr,
        cert_ids=cert_ids,
        poverty=rng.choice([0, 1, 2], size=n, p=[0.6, 0.3, 0.1]),
        labor_brand=brand,
        wish_city_ptr=wc_ptr,
        wish_city=wc,
        wish_occupation_ptr=wo_ptr,
        wish_occupation=occ_ids[wish_occ],
        min_wage=(rng.integers(30, 56, n) * 100),
        earliest_departure=(BASE_DAY + rng.integers(0, 21, n))[leader],
        accepts_dormitory=rng.random(n) < 0.85,
        accepts_shift_work=rng.random(n) < 0.8,
        travel_group=group,
        education=np.random.default_rng([seed, 2]).choice(
            [-1, 0, 1, 2, 3, 4, 5], size=n, p=[0.03, 0.03, 0.12, 0.5, 0.24, 0.06, 0.02]
        ),
    )
    return Instance(workers, vacancies, related)


def random_market(
    n_workers: int,
    n_vacancies: int,
    *,
    per_worker: int = 50,
    correlated: bool = True,
    seed: int = 0,
) -> Market:
    """Return a market with ``per_worker`` random acceptable vacancies per worker.

    Scores are random integers; with ``correlated`` a common vacancy quality dominates the
    worker scores and a common worker skill dominates the vacancy scores.
    """
    rng = np.random.default_rng(seed)
    n, m = n_workers, n_vacancies
    k = min(per_worker, m)
    vac = np.empty((n, k), dtype=np.int32)
    for lo in range(0, n, 1 << 16):
        hi = min(n, lo + (1 << 16))
        # k distinct vacancies per worker: random keys, take the k smallest
        keys = rng.random((hi - lo, m)) if m <= 256 else None
        if keys is not None:
            vac[lo:hi] = (
                np.argpartition(keys, k - 1, axis=1)[:, :k] if k < m else np.argsort(keys, axis=1)
            )
        else:
            draw = rng.integers(0, m, (hi - lo, k + k // 2 + 8))
            for i in range(hi - lo):
                u = np.unique(draw[i])
                if len(u) < k:
                    u = np.unique(np.concatenate([u, rng.choice(m, size=k, replace=False)]))
                vac[lo + i] = rng.permutation(u)[:k]
    flat_vac = vac.reshape(-1)
    quality = rng.normal(0, 1, m)
    skill = rng.normal(0, 1, n)
    rows = np.repeat(np.arange(n), k)
    if correlated:
        ws: np.ndarray = np.round(100 * quality[flat_vac] + 20 * rng.standard_normal(n * k))
        vs: np.ndarray = np.round(100 * skill[rows] + 20 * rng.standard_normal(n * k))
    else:
        ws = rng.integers(0, 1000, n * k)
        vs = rng.integers(0, 1000, n * k)
    capacity = np.full(m, n // m)
    capacity[: n - capacity.sum()] += 1
    return Market(
        ptr=np.arange(0, n * k + 1, k, dtype=np.int64),
        vacancy=flat_vac,
        worker_score=ws,
        vacancy_score=vs,
        capacity=capacity,
        group=np.full(n, -1),
    )
