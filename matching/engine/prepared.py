"""Dense, kernel-ready encoding of an :class:`~matching.engine.inputs.Instance`.

Ids are mapped to dense indices (occupations, cities, certificate types, labor brands),
certificate sets become bitmasks (64 types per word) and coordinates unit vectors.

Vacancies are stored in *internal order*, sorted by (occupation, city): the vacancies of bucket
``b = occupation * n_cities + city`` are the internal ids ``b_ptr[b] .. b_ptr[b+1]-1``, so
candidate generation scans contiguous memory and only the buckets a worker's occupations and
wished cities allow. ``v_external[i]`` is the caller's index of internal vacancy ``i`` and
``v_internal`` the inverse; every ``v_*`` array is in internal order.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numba
import numpy as np
from numba import njit

if TYPE_CHECKING:
    from matching.engine.inputs import Instance

EARTH_RADIUS_KM = 6371.0088
CHUNK = 1 << 16  # workers per kernel call; progress is reported between chunks
# Below this many workers the parallel kernels run on one thread: the work takes milliseconds,
# and waking a second thread (on a busy machine: waiting for a free core) costs more.
PARALLEL_MIN_WORKERS = 50_000


@contextmanager
def threads_for(n_workers: int) -> Iterator[None]:
    """Run the enclosed parallel kernels on one thread when the input is small."""
    if n_workers >= PARALLEL_MIN_WORKERS:
        yield
        return
    old = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(old)


@njit(cache=True)
def _empty_int32(n):  # pragma: no cover - compiled
    return np.empty(n, dtype=np.int32)


@njit(cache=True)
def _empty_int64(n):  # pragma: no cover - compiled
    return np.empty(n, dtype=np.int64)


@njit(cache=True)
def _zeros_uint64(n):  # pragma: no cover - compiled
    return np.zeros(n, dtype=np.uint64)


def work_array(shape: int | tuple[int, ...], dtype: type, *, zeroed: bool = False) -> np.ndarray:
    """Return a big uninitialised (or zeroed uint64) work array, allocated by Numba.

    NumPy asks the kernel for transparent huge pages on large arrays; where the kernel then
    compacts memory on the first touch of each page (``defrag = madvise``, as on the benchmark
    machine) writing a fresh multi-hundred-megabyte array costs several times more than with
    ordinary pages (1M workers: about 1.8 s in all). Numba's allocator makes no such request.
    """
    dims = (shape,) if isinstance(shape, int) else shape
    n = int(np.prod(dims, dtype=np.int64))
    if zeroed and dtype is np.uint64:
        flat = _zeros_uint64(n)
    elif not zeroed and dtype is np.int32:
        flat = _empty_int32(n)
    elif not zeroed and dtype is np.int64:
        flat = _empty_int64(n)
    else:
        raise TypeError(f"work_array: unsupported dtype {dtype} (zeroed={zeroed})")
    return flat.reshape(dims)


@njit(cache=True)
def chord_km(
    ax: float, ay: float, az: float, bx: float, by: float, bz: float
) -> int:  # pragma: no cover - compiled
    """Return the haversine distance in whole km between two unit vectors.

    The haversine term a = sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) equals |p − q|²/4 for the unit
    vectors p, q of the two points, so it is computed from precomputed vectors (no trigonometry
    per pair); distance = 2R·asin(√a). The same compiled function serves the batch kernel and
    the per-pair breakdown, so both round identically.
    """
    dx = ax - bx
    dy = ay - by
    dz = az - bz
    a = (dx * dx + dy * dy + dz * dz) * 0.25
    if a > 1.0:
        a = 1.0
    d = 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
    return int(math.floor(d + 0.5))


def unit_vectors(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """Return (n, 3) unit vectors for latitudes/longitudes in degrees."""
    phi = np.radians(lat)
    lam = np.radians(lng)
    out = np.empty((len(lat), 3), dtype=np.float64)
    c = np.cos(phi)
    out[:, 0] = c * np.cos(lam)
    out[:, 1] = c * np.sin(lam)
    out[:, 2] = np.sin(phi)
    return out


def _dense(raw: np.ndarray, universe: np.ndarray, missing: int = -1) -> np.ndarray:
    """Map raw ids to their index in the sorted ``universe`` (``missing`` where absent)."""
    if len(universe) == 0:
        return np.full(len(raw), missing, dtype=np.int32)
    pos = np.searchsorted(universe, raw)
    pos_c = np.minimum(pos, len(universe) - 1)
    found = universe[pos_c] == raw
    return np.where(found, pos_c, missing).astype(np.int32)


def _masks(ptr: np.ndarray, dense_ids: np.ndarray, n: int, words: int) -> np.ndarray:
    masks = np.zeros((n, words), dtype=np.uint64)
    rows = np.repeat(np.arange(n), np.diff(ptr))
    keep = dense_ids >= 0
    rows, ids = rows[keep], dense_ids[keep].astype(np.int64)
    bits = np.left_shift(np.uint64(1), (ids % 64).astype(np.uint64))
    np.bitwise_or.at(masks, (rows, ids // 64), bits)
    return masks


class KernelArrays(NamedTuple):
    """The :class:`Prepared` arrays the compiled kernels take, as one Numba-typed argument.

    Numba passes a named tuple of arrays to a compiled function as one value and resolves
    ``A.field`` at compile time. Each field read still takes a reference on the array, so hot
    loops read their arrays into locals once, before the loop (per-pair reads inside a
    ``prange`` body cost ~20 % more CPU in the 100k candidates stage), and per-pair helpers
    such as :func:`~matching.engine.scoring.pair_scores` take the arrays by keyword.
    Fields mean what the same-named :class:`Prepared` fields mean.
    """

    # relatedness and the (occupation, city) vacancy index
    rel_ptr: np.ndarray
    rel_idx: np.ndarray
    rel_mat: np.ndarray
    b_ptr: np.ndarray
    # workers
    w_age: np.ndarray
    w_unit: np.ndarray
    w_cert: np.ndarray
    w_skill_ptr: np.ndarray
    w_skill_occ: np.ndarray
    w_skill_level: np.ndarray
    w_skill_years: np.ndarray
    w_city_ptr: np.ndarray
    w_city: np.ndarray
    w_occ_ptr: np.ndarray
    w_occ: np.ndarray
    w_min_wage: np.ndarray
    w_depart: np.ndarray
    w_dorm: np.ndarray
    w_shift: np.ndarray
    w_edu: np.ndarray
    w_poverty: np.ndarray
    w_brand: np.ndarray
    w_brand_raw: np.ndarray
    # vacancies (internal order)
    v_occ: np.ndarray
    v_city: np.ndarray
    v_wage_min: np.ndarray
    v_wage_max: np.ndarray
    v_age_min: np.ndarray
    v_age_max: np.ndarray
    v_req: np.ndarray
    v_scoring_certs: np.ndarray
    v_min_level: np.ndarray
    v_min_edu: np.ndarray
    v_start: np.ndarray
    v_unit: np.ndarray
    v_benefits: np.ndarray
    v_brand_ptr: np.ndarray
    v_brand: np.ndarray
    v_external: np.ndarray
    v_internal: np.ndarray


@dataclass(frozen=True, eq=False)
class Prepared:
    """Dense arrays used by the kernels. Built by :func:`prepare`; treat as read-only."""

    n_workers: int
    n_vacancies: int
    occupation_ids: np.ndarray  # dense occupation index -> raw id
    city_ids: np.ndarray
    cert_ids: np.ndarray  # certificate types used by vacancies
    brand_ids: np.ndarray  # labor brands preferred by vacancies
    # relatedness (symmetric, no self loops)
    rel_ptr: np.ndarray
    rel_idx: np.ndarray
    rel_mat: np.ndarray  # (n_occ, n_occ) uint8
    related_sets: dict[int, frozenset[int]]  # raw id -> raw ids, for the Python reference code
    # workers
    w_age: np.ndarray
    w_unit: np.ndarray
    w_cert: np.ndarray  # (n, words) uint64
    w_skill_ptr: np.ndarray
    w_skill_occ: np.ndarray  # dense int32
    w_skill_level: np.ndarray
    w_skill_years: np.ndarray
    w_city_ptr: np.ndarray
    w_city: np.ndarray  # dense int32
    w_occ_ptr: np.ndarray
    w_occ: np.ndarray  # dense int32
    w_min_wage: np.ndarray
    w_depart: np.ndarray
    w_dorm: np.ndarray
    w_shift: np.ndarray
    w_edu: np.ndarray  # int8 schooling level, -1 = not recorded
    w_poverty: np.ndarray
    w_brand: np.ndarray  # dense or -1
    w_brand_raw: np.ndarray  # the caller's labor brand id or -1 (reasons name the raw id)
    # vacancies
    v_occ: np.ndarray
    v_city: np.ndarray
    v_cap: np.ndarray
    v_wage_min: np.ndarray
    v_wage_max: np.ndarray
    v_age_min: np.ndarray
    v_age_max: np.ndarray
    v_req: np.ndarray  # (m, words) uint64 required certificates
    v_scoring_certs: np.ndarray  # (m, words) required | preferred
    v_min_level: np.ndarray
    v_min_edu: np.ndarray  # int8
    v_start: np.ndarray
    v_unit: np.ndarray
    v_benefits: np.ndarray  # (m, 5) bool: dormitory, meals, travel, insurance, shift work
    v_brand_ptr: np.ndarray
    v_brand: np.ndarray  # dense int32
    v_external: np.ndarray  # int32 internal -> caller's index
    v_internal: np.ndarray  # int32 caller's index -> internal
    b_ptr: np.ndarray  # bucket o*n_city+c holds internal ids b_ptr[b]..b_ptr[b+1]-1

    @cached_property
    def arrays(self) -> KernelArrays:
        """Return the arrays the compiled kernels read, in one named tuple.

        Built here and nowhere else: kernels read ``A.w_age``, ``A.v_req`` … by name, so no
        call site can pass two arrays of the same dtype in each other's place.
        """
        return KernelArrays(**{name: getattr(self, name) for name in KernelArrays._fields})

    @property
    def n_occupations(self) -> int:
        return len(self.occupation_ids)

    @property
    def n_cities(self) -> int:
        return len(self.city_ids)


def prepare(instance: Instance) -> Prepared:
    """Return the dense encoding of ``instance``."""
    w, v = instance.workers, instance.vacancies
    n, m = len(w), len(v)

    related_raw: dict[int, set[int]] = {}
    for a, bs in instance.related.items():
        for b in bs:
            if int(a) == int(b):
                continue
            related_raw.setdefault(int(a), set()).add(int(b))
            related_raw.setdefault(int(b), set()).add(int(a))
    rel_keys = np.fromiter(related_raw.keys(), dtype=np.int64, count=len(related_raw))

    occ_universe = np.unique(
        np.concatenate([v.occupation, w.skill_occupation, w.wish_occupation, rel_keys])
    )
    city_universe = np.unique(np.concatenate([v.city, w.wish_city]))
    cert_universe = np.unique(np.concatenate([v.req_cert_ids, v.pref_cert_ids]))
    brand_universe = np.unique(v.brand_ids)
    n_occ, n_city = len(occ_universe), len(city_universe)
    words = max(1, math.ceil(len(cert_universe) / 64))

    # Relatedness in dense form.
    pairs = [(a, b) for a, bs in related_raw.items() for b in bs]
    if pairs:
        pa = _dense(np.array([p[0] for p in pairs], dtype=np.int64), occ_universe)
        pb = _dense(np.array([p[1] for p in pairs], dtype=np.int64), occ_universe)
        order = np.lexsort((pb, pa))
        pa, pb = pa[order], pb[order]
    else:
        pa = pb = np.zeros(0, dtype=np.int32)
    rel_ptr = np.zeros(n_occ + 1, dtype=np.int64)
    np.cumsum(np.bincount(pa, minlength=n_occ), out=rel_ptr[1:])
    rel_mat = np.zeros((n_occ, n_occ), dtype=np.uint8)
    rel_mat[pa, pb] = 1

    # Internal vacancy order: by (occupation, city), stable in the caller's order within a bucket.
    v_occ_ext = _dense(v.occupation, occ_universe)
    v_city_ext = _dense(v.city, city_universe)
    bucket = v_occ_ext.astype(np.int64) * n_city + v_city_ext
    order = np.argsort(bucket, kind="stable")
    inverse = np.empty(m, dtype=np.int32)
    inverse[order] = np.arange(m, dtype=np.int32)
    b_ptr = np.zeros(n_occ * n_city + 1, dtype=np.int64)
    np.cumsum(np.bincount(bucket, minlength=n_occ * n_city), out=b_ptr[1:])

    def internal(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a[order])

    def internal_csr(ptr: np.ndarray, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = np.diff(ptr)[order]
        new_ptr = np.zeros(m + 1, dtype=np.int64)
        np.cumsum(counts, out=new_ptr[1:])
        starts = np.repeat(ptr[:-1][order], counts)
        idx = starts + np.arange(int(new_ptr[-1])) - np.repeat(new_ptr[:-1], counts)
        return new_ptr, flat[idx]

    req = _masks(v.req_cert_ptr, _dense(v.req_cert_ids, cert_universe), m, words)[order]
    pref = _masks(v.pref_cert_ptr, _dense(v.pref_cert_ids, cert_universe), m, words)[order]
    benefits = np.stack(
        [v.dormitory, v.meals, v.travel_reimbursement, v.social_insurance, v.shift_work], axis=1
    )[order]
    brand_ptr, brand_flat = internal_csr(v.brand_ptr, v.brand_ids)

    return Prepared(
        n_workers=n,
        n_vacancies=m,
        occupation_ids=occ_universe,
        city_ids=city_universe,
        cert_ids=cert_universe,
        brand_ids=brand_universe,
        rel_ptr=rel_ptr,
        rel_idx=pb.astype(np.int32),
        rel_mat=rel_mat,
        related_sets={a: frozenset(bs) for a, bs in related_raw.items()},
        w_age=w.age,
        w_unit=unit_vectors(w.lat, w.lng),
        w_cert=_masks(w.cert_ptr, _dense(w.cert_ids, cert_universe), n, words),
        w_skill_ptr=w.skill_ptr,
        w_skill_occ=_dense(w.skill_occupation, occ_universe),
        w_skill_level=w.skill_level,
        w_skill_years=w.skill_years,
        w_city_ptr=w.wish_city_ptr,
        w_city=_dense(w.wish_city, city_universe),
        w_occ_ptr=w.wish_occupation_ptr,
        w_occ=_dense(w.wish_occupation, occ_universe),
        w_min_wage=w.min_wage,
        w_depart=w.earliest_departure,
        w_dorm=w.accepts_dormitory,
        w_shift=w.accepts_shift_work,
        w_edu=w.education,
        w_poverty=w.poverty,
        w_brand=_dense(w.labor_brand, brand_universe),
        w_brand_raw=w.labor_brand,
        v_occ=internal(v_occ_ext),
        v_city=internal(v_city_ext),
        v_cap=internal(v.headcount),
        v_wage_min=internal(v.wage_min),
        v_wage_max=internal(v.wage_max),
        v_age_min=internal(v.age_min),
        v_age_max=internal(v.age_max),
        v_req=np.ascontiguousarray(req),
        v_scoring_certs=np.ascontiguousarray(req | pref),
        v_min_level=internal(v.min_skill_level),
        v_min_edu=internal(v.min_education),
        v_start=internal(v.start_date),
        v_unit=internal(unit_vectors(v.lat, v.lng)),
        v_benefits=np.ascontiguousarray(benefits),
        v_brand_ptr=brand_ptr,
        v_brand=_dense(brand_flat, brand_universe),
        v_external=order.astype(np.int32),
        v_internal=inverse,
        b_ptr=b_ptr,
    )
