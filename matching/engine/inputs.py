"""Engine inputs: records for small callers, struct-of-arrays for scale, weights and parameters.

Callers (the Django layer) pass integer indexes: worker ``i`` is row ``i`` of
:class:`WorkerArrays`, vacancy ``j`` row ``j`` of :class:`VacancyArrays`; ids inside (occupation,
certificate type, city, labor brand, travel group) are whatever integers the caller uses.
Dates are ``date.toordinal()`` days in the arrays and ``datetime.date`` in the records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:
    from matching.engine.prepared import Prepared

NO_LIMIT_AGE = 200
NO_START = np.iinfo(np.int32).max  # vacancy with no fixed start date: open to any departure date

# Schooling, ordered so that a higher level meets a lower requirement. A worker whose schooling
# was not recorded has EDUCATION_UNKNOWN and meets no requirement (only "none required").
EDUCATION_LEVELS = (
    "none",
    "primary",
    "junior_middle",
    "senior_or_vocational",
    "college",
    "bachelor",
)
EDUCATION_UNKNOWN = -1
_NOT_GIVEN = np.empty(0, dtype=np.int8)  # marks an optional array field the caller left out


class PovertyStatus(enum.IntEnum):
    """Household poverty status; the two non-zero values carry policy priority."""

    NONE = 0
    POVERTY_ALLEVIATED = 1  # 脱贫人口
    MONITORED = 2  # 防止返贫监测对象


@dataclass(frozen=True, slots=True)
class Skill:
    """A worker's skill: occupation id, vocational level 1-5 and years of experience."""

    occupation_id: int
    level: int = 1
    years: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Worker:
    """One worker as a record (convenient for tests and small rounds)."""

    age: int
    home_region: int = 0
    lat: float = 0.0
    lng: float = 0.0
    skills: tuple[Skill, ...] = ()
    certificates: frozenset[int] = frozenset()
    poverty: PovertyStatus = PovertyStatus.NONE
    labor_brand: int | None = None
    wish_cities: tuple[int, ...] = ()  # in order of preference
    wish_occupations: tuple[int, ...] = ()  # in order of preference
    min_wage: int = 0  # yuan per month
    earliest_departure: date | None = None
    accepts_dormitory: bool = True
    accepts_shift_work: bool = True
    travel_group: int | None = None
    education: int = EDUCATION_UNKNOWN  # 0 none, 1 primary … 5 bachelor (see EDUCATION_LEVELS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Vacancy:
    """One vacancy as a record."""

    occupation_id: int
    headcount: int
    wage_min: int
    wage_max: int
    city: int
    district: int = 0
    lat: float = 0.0
    lng: float = 0.0
    age_min: int = 0
    age_max: int = NO_LIMIT_AGE
    required_certificates: frozenset[int] = frozenset()
    preferred_certificates: frozenset[int] = frozenset()
    min_skill_level: int = 0  # 0 = no requirement
    dormitory: bool = False
    meals: bool = False
    travel_reimbursement: bool = False
    social_insurance: bool = False
    shift_work: bool = False
    start_date: date | None = None  # None = open start
    preferred_labor_brands: frozenset[int] = frozenset()
    min_education: int = 0  # 0 = no requirement; else the lowest level of EDUCATION_LEVELS


def _csr(rows: Sequence[Sequence[int]], dtype: type = np.int64) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    flat: np.ndarray = np.fromiter((x for r in rows for x in r), dtype=dtype, count=int(ptr[-1]))
    return ptr, flat


def _as(a: Iterable[object] | np.ndarray, dtype: type, n: int | None = None) -> np.ndarray:
    arr: np.ndarray = np.ascontiguousarray(np.asarray(a, dtype=dtype))
    if n is not None and arr.shape != (n,):
        raise ValueError(f"expected shape ({n},), got {arr.shape}")
    return arr


def _check_ptr(ptr: np.ndarray, n: int, flat: np.ndarray, name: str) -> None:
    if ptr.shape != (n + 1,) or ptr[0] != 0 or ptr[-1] != flat.shape[0] or np.any(np.diff(ptr) < 0):
        raise ValueError(f"{name}: malformed CSR pointer array")


def _set_arrays(obj: object, n: int, fields: Mapping[str, type]) -> None:
    """Convert the fields of the frozen ``obj`` named in ``fields`` (name -> dtype) in place to
    contiguous arrays of length ``n``."""
    for name, dtype in fields.items():
        object.__setattr__(obj, name, _as(getattr(obj, name), dtype, n))


def _set_csr(obj: object, n: int, ptr_name: str, flats: Mapping[str, type]) -> None:
    """Convert the CSR field ``ptr_name`` of the frozen ``obj`` and its flat arrays ``flats``
    (name -> dtype) in place, and check the pointer array against each of them."""
    ptr = _as(getattr(obj, ptr_name), np.int64)
    object.__setattr__(obj, ptr_name, ptr)
    for name, dtype in flats.items():
        flat = _as(getattr(obj, name), dtype)
        object.__setattr__(obj, name, flat)
        _check_ptr(ptr, n, flat, ptr_name)


@dataclass(frozen=True, eq=False)
class WorkerArrays:
    """Workers as struct-of-arrays; variable-length fields are CSR (``*_ptr`` has n+1 entries)."""

    age: np.ndarray
    home_region: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    skill_ptr: np.ndarray
    skill_occupation: np.ndarray
    skill_level: np.ndarray
    skill_years: np.ndarray
    cert_ptr: np.ndarray
    cert_ids: np.ndarray
    poverty: np.ndarray  # PovertyStatus values
    labor_brand: np.ndarray  # -1 = none
    wish_city_ptr: np.ndarray
    wish_city: np.ndarray
    wish_occupation_ptr: np.ndarray
    wish_occupation: np.ndarray
    min_wage: np.ndarray
    earliest_departure: np.ndarray  # ordinal days
    accepts_dormitory: np.ndarray
    accepts_shift_work: np.ndarray
    travel_group: np.ndarray  # -1 = travels alone
    # int8 schooling level per worker; left out = not recorded for anyone (EDUCATION_UNKNOWN)
    education: np.ndarray = field(default_factory=lambda: _NOT_GIVEN)

    def __post_init__(self) -> None:
        n = len(self.age)
        if self.education is _NOT_GIVEN:
            object.__setattr__(self, "education", np.full(n, EDUCATION_UNKNOWN, dtype=np.int8))
        conv = {
            "age": np.int32,
            "home_region": np.int64,
            "lat": np.float64,
            "lng": np.float64,
            "poverty": np.int8,
            "labor_brand": np.int64,
            "min_wage": np.int32,
            "earliest_departure": np.int32,
            "accepts_dormitory": np.bool_,
            "accepts_shift_work": np.bool_,
            "travel_group": np.int64,
            "education": np.int8,
        }
        _set_arrays(self, n, conv)
        for ptr_name, flats in (
            (
                "skill_ptr",
                {"skill_occupation": np.int64, "skill_level": np.int32, "skill_years": np.int32},
            ),
            ("cert_ptr", {"cert_ids": np.int64}),
            ("wish_city_ptr", {"wish_city": np.int64}),
            ("wish_occupation_ptr", {"wish_occupation": np.int64}),
        ):
            _set_csr(self, n, ptr_name, flats)

    def __len__(self) -> int:
        return len(self.age)

    @classmethod
    def from_records(cls, workers: Sequence[Worker]) -> WorkerArrays:
        """Return the struct-of-arrays form of ``workers`` (row i = ``workers[i]``)."""
        skill_ptr, skill_occ = _csr([[s.occupation_id for s in w.skills] for w in workers])
        cert_ptr, cert_ids = _csr([sorted(w.certificates) for w in workers])
        wc_ptr, wc = _csr([w.wish_cities for w in workers])
        wo_ptr, wo = _csr([w.wish_occupations for w in workers])
        return cls(
            age=np.asarray([w.age for w in workers]),
            home_region=np.asarray([w.home_region for w in workers]),
            lat=np.asarray([w.lat for w in workers]),
            lng=np.asarray([w.lng for w in workers]),
            skill_ptr=skill_ptr,
            skill_occupation=skill_occ,
            skill_level=np.asarray([s.level for w in workers for s in w.skills]),
            skill_years=np.asarray([s.years for w in workers for s in w.skills]),
            cert_ptr=cert_ptr,
            cert_ids=cert_ids,
            poverty=np.asarray([int(w.poverty) for w in workers]),
            labor_brand=np.asarray(
                [-1 if w.labor_brand is None else w.labor_brand for w in workers]
            ),
            wish_city_ptr=wc_ptr,
            wish_city=wc,
            wish_occupation_ptr=wo_ptr,
            wish_occupation=wo,
            min_wage=np.asarray([w.min_wage for w in workers]),
            earliest_departure=np.asarray(
                [
                    0 if w.earliest_departure is None else w.earliest_departure.toordinal()
                    for w in workers
                ]
            ),
            accepts_dormitory=np.asarray([w.accepts_dormitory for w in workers]),
            accepts_shift_work=np.asarray([w.accepts_shift_work for w in workers]),
            travel_group=np.asarray(
                [-1 if w.travel_group is None else w.travel_group for w in workers]
            ),
            education=np.asarray([w.education for w in workers]),
        )


@dataclass(frozen=True, eq=False)
class VacancyArrays:
    """Vacancies as struct-of-arrays; certificate and brand sets are CSR."""

    occupation: np.ndarray
    headcount: np.ndarray
    wage_min: np.ndarray
    wage_max: np.ndarray
    city: np.ndarray
    district: np.ndarray
    lat: np.ndarray
    lng: np.ndarray
    age_min: np.ndarray
    age_max: np.ndarray
    req_cert_ptr: np.ndarray
    req_cert_ids: np.ndarray
    pref_cert_ptr: np.ndarray
    pref_cert_ids: np.ndarray
    min_skill_level: np.ndarray
    dormitory: np.ndarray
    meals: np.ndarray
    travel_reimbursement: np.ndarray
    social_insurance: np.ndarray
    shift_work: np.ndarray
    start_date: np.ndarray  # ordinal days; NO_START = open
    brand_ptr: np.ndarray
    brand_ids: np.ndarray
    # int8 minimum schooling level per vacancy; left out = no requirement anywhere
    min_education: np.ndarray = field(default_factory=lambda: _NOT_GIVEN)

    def __post_init__(self) -> None:
        n = len(self.occupation)
        if self.min_education is _NOT_GIVEN:
            object.__setattr__(self, "min_education", np.zeros(n, dtype=np.int8))
        conv = {
            "occupation": np.int64,
            "headcount": np.int32,
            "wage_min": np.int32,
            "wage_max": np.int32,
            "city": np.int64,
            "district": np.int64,
            "lat": np.float64,
            "lng": np.float64,
            "age_min": np.int32,
            "age_max": np.int32,
            "min_skill_level": np.int32,
            "dormitory": np.bool_,
            "meals": np.bool_,
            "travel_reimbursement": np.bool_,
            "social_insurance": np.bool_,
            "shift_work": np.bool_,
            "start_date": np.int32,
            "min_education": np.int8,
        }
        _set_arrays(self, n, conv)
        if np.any(self.headcount < 0):
            raise ValueError("headcount must be >= 0")
        for ptr_name, flat_name in (
            ("req_cert_ptr", "req_cert_ids"),
            ("pref_cert_ptr", "pref_cert_ids"),
            ("brand_ptr", "brand_ids"),
        ):
            _set_csr(self, n, ptr_name, {flat_name: np.int64})

    def __len__(self) -> int:
        return len(self.occupation)

    @classmethod
    def from_records(cls, vacancies: Sequence[Vacancy]) -> VacancyArrays:
        """Return the struct-of-arrays form of ``vacancies`` (row j = ``vacancies[j]``)."""
        rq_ptr, rq = _csr([sorted(v.required_certificates) for v in vacancies])
        pf_ptr, pf = _csr([sorted(v.preferred_certificates) for v in vacancies])
        br_ptr, br = _csr([sorted(v.preferred_labor_brands) for v in vacancies])
        return cls(
            occupation=np.asarray([v.occupation_id for v in vacancies]),
            headcount=np.asarray([v.headcount for v in vacancies]),
            wage_min=np.asarray([v.wage_min for v in vacancies]),
            wage_max=np.asarray([v.wage_max for v in vacancies]),
            city=np.asarray([v.city for v in vacancies]),
            district=np.asarray([v.district for v in vacancies]),
            lat=np.asarray([v.lat for v in vacancies]),
            lng=np.asarray([v.lng for v in vacancies]),
            age_min=np.asarray([v.age_min for v in vacancies]),
            age_max=np.asarray([v.age_max for v in vacancies]),
            req_cert_ptr=rq_ptr,
            req_cert_ids=rq,
            pref_cert_ptr=pf_ptr,
            pref_cert_ids=pf,
            min_skill_level=np.asarray([v.min_skill_level for v in vacancies]),
            dormitory=np.asarray([v.dormitory for v in vacancies]),
            meals=np.asarray([v.meals for v in vacancies]),
            travel_reimbursement=np.asarray([v.travel_reimbursement for v in vacancies]),
            social_insurance=np.asarray([v.social_insurance for v in vacancies]),
            shift_work=np.asarray([v.shift_work for v in vacancies]),
            start_date=np.asarray(
                [NO_START if v.start_date is None else v.start_date.toordinal() for v in vacancies]
            ),
            brand_ptr=br_ptr,
            brand_ids=br,
            min_education=np.asarray([v.min_education for v in vacancies]),
        )


@dataclass(frozen=True, eq=False)
class Instance:
    """A matching round's input: workers, vacancies and the occupation-relatedness map.

    ``related`` maps an occupation id to related occupation ids; the relation is used
    symmetrically (if a lists b, b is related to a).
    """

    workers: WorkerArrays
    vacancies: VacancyArrays
    related: Mapping[int, Iterable[int]] = field(default_factory=dict)
    # (worker keys, vacancy keys), e.g. database ids: ties are broken by a seeded hash of them,
    # the same whoever else is in the market (``market.tie_breaks``); None: by position.
    keys: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_records(
        cls,
        workers: Sequence[Worker],
        vacancies: Sequence[Vacancy],
        related: Mapping[int, Iterable[int]] | None = None,
    ) -> Instance:
        """Return an instance built from record lists."""
        return cls(
            WorkerArrays.from_records(workers),
            VacancyArrays.from_records(vacancies),
            dict(related or {}),
        )

    @property
    def n_workers(self) -> int:
        return len(self.workers)

    @property
    def n_vacancies(self) -> int:
        return len(self.vacancies)

    @cached_property
    def prepared(self) -> Prepared:
        """Return the dense, kernel-ready encoding (built once, then cached)."""
        from matching.engine.prepared import prepare

        return prepare(self)


@dataclass(frozen=True, kw_only=True)
class Weights:
    """Score weights in integer points (scores are exact integers, so breakdowns add up).

    Worker side: ``wage_per_100`` points per 100 yuan of expected wage above (or below) the
    worker's minimum, the difference clipped to +-``wage_cap``; ``destination`` and
    ``occupation_wish`` give points by wish rank (ranks past the end use the last value);
    benefits; ``distance_per_100km`` points lost per 100 km.
    Vacancy side: ``skill_per_level`` per skill level, ``skill_per_year`` per year up to
    ``skill_year_cap``; per held certificate; policy priorities; labor-brand fit.
    """

    wage_per_100: int = 2
    wage_cap: int = 3000
    destination: tuple[int, ...] = (30, 20, 12, 6)
    occupation_wish: tuple[int, ...] = (24, 16, 10, 6)
    occupation_related_to_wish: int = 6
    dormitory: int = 10
    meals: int = 5
    travel_reimbursement: int = 8
    social_insurance: int = 12
    distance_per_100km: int = 1
    skill_per_level: int = 8
    skill_per_year: int = 2
    skill_year_cap: int = 10
    certificate: int = 6
    poverty_alleviated: int = 15
    monitored: int = 20
    labor_brand: int = 10

    def __post_init__(self) -> None:
        if not self.destination or not self.occupation_wish:
            raise ValueError("destination and occupation_wish need at least one value")


Mode = Literal["stable", "optimal"]


@dataclass(frozen=True, kw_only=True)
class Params:
    """Run parameters. ``seed`` fixes tie-breaking; everything else is deterministic."""

    weights: Weights = field(default_factory=Weights)
    mode: Mode = "stable"
    seed: int = 0
    # Stable mode with travel groups: rounds of re-proposal that repair group blocking pairs.
    group_repair_rounds: int = 100
    # Optimal mode: weight of a placed pair = worker_weight*worker score + vacancy_weight*priority.
    optimal_worker_weight: int = 1
    optimal_vacancy_weight: int = 1
    # Also run the stable assignment in optimal mode, for the comparison statistics.
    compare_with_stable: bool = True

    def __post_init__(self) -> None:
        if self.mode not in ("stable", "optimal"):
            raise ValueError(f"mode must be 'stable' or 'optimal', not {self.mode!r}")
