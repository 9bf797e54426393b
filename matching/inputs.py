"""Load a round's inputs from the database into the engine's struct-of-arrays form.

Who takes part: the campaign's pairing decides the sides — workers registered in its western
region who hold no active match and have given consent, and the open vacancies of verified
employers in the campaign with places not yet taken by an active match. A later round thus
only ever sees the workers and headcount still free; accepted matches are never disturbed.

The loaders read flat ``values_list`` rows (no model instances) in a handful of queries, so
100,000 workers load in a few seconds on PostgreSQL (bench/bench_round.py).
"""

import hashlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import connection
from django.db.models import BigIntegerField, Case, Count, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear

from jobs.models import Vacancy
from laborbridge import access
from laborbridge.models import Occupation, Region
from matching import engine
from matching.engine.inputs import EDUCATION_UNKNOWN, NO_LIMIT_AGE, NO_START
from matching.models import ACTIVE_STATUSES, Match, MatchRound, MatchStatus
from workers.models import (
    EDUCATION_LEVEL,
    ConsentStatus,
    WishCity,
    WishOccupation,
    Worker,
    WorkerCertificate,
    WorkerSkill,
    WorkerStatus,
)

_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()


@dataclass
class RoundInputs:
    instance: engine.Instance
    worker_ids: list[int]
    vacancy_ids: list[int]
    vacancy_occupations: list[str]
    snapshot: dict


def _region_prefix_q(field: str, region: Region) -> Q:
    return Q(**{f"{field}__startswith": region.prefix})


def _active_counts(round_: MatchRound, *, proposed_free: bool = False) -> dict[int, int]:
    """Return the active matches of each of the campaign's vacancies (with ``proposed_free``,
    proposals not counted: a rolling re-solve may move them).

    A separate GROUP BY over the matches alone: counting them in the vacancy query (an
    annotate) grouped 10,000 wide vacancy rows joined to 65,000 matches, ~5 s under load at
    100,000 workers (bench/bench_rolling.py), against tens of milliseconds this way.
    """
    statuses = [s for s in ACTIVE_STATUSES if not (proposed_free and s == MatchStatus.PROPOSED)]
    return dict(
        Match.objects.filter(vacancy__campaign_id=round_.campaign_id, status__in=statuses)
        .order_by()
        .values_list("vacancy_id")
        .annotate(n=Count("id"))
        .values_list("vacancy_id", "n")
    )


# What the engine reads of a vacancy (``_load_vacancies`` reads exactly these; keep the two
# together: rolling matching watches these fields).
VACANCY_COLUMNS = (
    "pk",
    "occupation_id",
    "occupation__code",
    "headcount",
    "wage_min",
    "wage_max",
    "district_id",
    "district__latitude",
    "district__longitude",
    "age_min",
    "age_max",
    "min_skill_level",
    "dormitory",
    "meals",
    "travel_reimbursement",
    "social_insurance",
    "shift_pattern",
    "start_date",
    "min_education",
)
# The vacancy's own fields among them, with what puts it in a campaign's market: a change of
# one may give the free market room or another order (matching.apps re-solves the round).
VACANCY_TERMS = ("status", "campaign_id", *(c for c in VACANCY_COLUMNS[1:] if "__" not in c))


def _load_vacancies(
    round_: MatchRound, *, proposed_free: bool = False
) -> tuple[engine.VacancyArrays, list[int], list[str]]:
    """The campaign's matchable vacancies (``access.vacancies_matchable``: open, of a verified
    employer) with places left after their active matches, in pk order."""
    active = _active_counts(round_, proposed_free=proposed_free)
    day_shifts = Q(shift_pattern__in=("day", "flexible", ""))
    rows = _numbers(
        access.vacancies_matchable(round_.campaign).order_by("pk"),
        pk=F("pk"),
        occupation_id=F("occupation_id"),
        headcount=F("headcount"),
        wage_min=F("wage_min"),
        wage_max=F("wage_max"),
        district_id=_number("district_id"),
        lat=_number("district__latitude", default=0.0),
        lng=_number("district__longitude", default=0.0),
        age_min=_number("age_min", default=0),
        age_max=_number("age_max", default=NO_LIMIT_AGE),
        min_skill_level=_number("min_skill_level", default=0),
        **{flag: _flag(Q(**{flag: True})) for flag in _VACANCY_FLAGS},
        shift_work=_flag(~day_shifts),
        **_date_parts("start_date"),
        min_education=_number("min_education", default=0),
    )
    pks = rows[:, 0].astype(np.int64)
    taken = np.array([active.get(pk, 0) for pk in pks.tolist()], dtype=np.int64)
    left = rows[:, 2].astype(np.int64) - taken
    rows, left = rows[left > 0], left[left > 0]
    (
        pks, occupation, _headcount, wage_min, wage_max, district, lat, lng, age_min, age_max,
        min_skill, dormitory, meals, travel, insurance, shift_work, start_y, start_m, start_d,
        min_education,
    ) = rows.T  # fmt: skip
    ids = pks.astype(np.int64).tolist()
    certificates: dict[int, list[int]] = defaultdict(list)
    for vacancy_id, certificate_id in Vacancy.required_certificates.through.objects.filter(
        vacancy_id__in=ids
    ).values_list("vacancy_id", "certificatetype_id"):
        certificates[vacancy_id].append(certificate_id)
    cert_rows = [sorted(certificates[pk]) for pk in ids]
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in cert_rows], out=ptr[1:])
    flat = np.array([c for cs in cert_rows for c in cs], dtype=np.int64)
    empty_ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    district = district.astype(np.int64)
    arrays = engine.VacancyArrays(
        occupation=occupation.astype(np.int64),
        headcount=left,
        wage_min=wage_min.astype(np.int64),
        wage_max=wage_max.astype(np.int64),
        city=district // 100 * 100,  # the prefecture-level city: 370281 → 370200
        district=district,
        lat=lat,
        lng=lng,
        age_min=age_min.astype(np.int64),
        age_max=age_max.astype(np.int64),
        req_cert_ptr=ptr,
        req_cert_ids=flat,
        pref_cert_ptr=empty_ptr,
        pref_cert_ids=np.zeros(0, dtype=np.int64),
        min_skill_level=min_skill.astype(np.int64),
        dormitory=dormitory != 0,
        meals=meals != 0,
        travel_reimbursement=travel != 0,
        social_insurance=insurance != 0,
        shift_work=shift_work != 0,
        start_date=np.where(start_y > 0, _ordinals(start_y, start_m, start_d), NO_START),
        brand_ptr=empty_ptr,
        brand_ids=np.zeros(0, dtype=np.int64),
        min_education=min_education.astype(np.int64),
    )
    codes = dict(Occupation.objects.values_list("pk", "code"))
    return arrays, ids, [codes[o] for o in arrays.occupation.tolist()]


_VACANCY_FLAGS = ("dormitory", "meals", "travel_reimbursement", "social_insurance")


def _flag(condition: Q):
    """1 where ``condition`` holds, else 0."""
    return Case(When(condition, then=Value(1)), default=0)


def _numbers(queryset, **columns) -> np.ndarray:
    """Return ``queryset``'s rows as an (n, k) float64 matrix of the numeric ``columns``
    (field names or expressions, none of them NULL), in the queryset's order.

    On PostgreSQL the rows come as one ``COPY (…) TO STDOUT`` in CSV, parsed by numpy's C
    reader: a million workers' rows in a few seconds, where ``values_list`` built a million
    tuples of Python objects and took most of the round's load (bench/RESULTS.md, issue 17).
    Elsewhere (SQLite) ``values_list``. Every value fits float64 exactly (ids, codes, days).
    """
    names = list(columns)
    rows = queryset.annotate(
        **{f"n_{name}": expression for name, expression in columns.items()}
    ).values_list(*(f"n_{name}" for name in names))
    if connection.vendor != "postgresql":
        return np.array(list(rows), dtype=np.float64).reshape(-1, len(names))
    sql, params = rows.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        statement = cursor.cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
        cursor.cursor.copy_expert(statement, buffer, size=1 << 20)
    if not buffer.tell():
        return np.zeros((0, len(names)), dtype=np.float64)
    buffer.seek(0)
    return np.loadtxt(buffer, delimiter=",", dtype=np.float64, ndmin=2)


def _number(field: str, *, default: int | float | None = None):
    """A numeric column of ``field``: cast to a number (codes are strings of digits), NULL
    replaced by ``default``."""
    output = FloatField() if isinstance(default, float) else BigIntegerField()
    value = Cast(field, output)
    return value if default is None else Coalesce(value, Value(default, output_field=output))


def _ordinals(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Return ``date.toordinal()`` of each (year, month, day), vectorised."""
    days = (
        (year.astype(np.int64) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
        + (month.astype(np.int64) - 1).astype("timedelta64[M]")
    ).astype("datetime64[D]") + (day.astype(np.int64) - 1).astype("timedelta64[D]")
    return days.astype(np.int64) + _EPOCH_ORDINAL


def _date_parts(field: str) -> dict:
    """Year, month and day of a date column (0, 0, 0 where it is NULL)."""
    return {
        f"{field}_{part}": Coalesce(extract(field), Value(0))
        for part, extract in (("y", ExtractYear), ("m", ExtractMonth), ("d", ExtractDay))
    }


def _csr(ids: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group ``rows`` (first column the worker id, ordered by it) into CSR columns over the
    sorted ``ids``; rows of workers not in ``ids`` are dropped."""
    owner_ids = rows[:, 0].astype(np.int64)
    owners = np.searchsorted(ids, owner_ids)
    if len(ids):
        kept = ids[np.minimum(owners, len(ids) - 1)] == owner_ids
    else:
        kept = np.zeros(len(owner_ids), dtype=bool)
    rows, owners = rows[kept], owners[kept]
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(np.bincount(owners, minlength=len(ids)), out=ptr[1:])
    return ptr, [rows[:, k].astype(np.int64) for k in range(1, rows.shape[1])]


def free_workers(region: Region):
    """Return the workers of ``region`` who may take part in a round: registered, consenting,
    holding no active match."""
    busy = Match.objects.filter(status__in=ACTIVE_STATUSES).values("worker_id")
    return (
        Worker.objects.filter(
            _region_prefix_q("home_county__code", region),
            status=WorkerStatus.REGISTERED,
            consent_status=ConsentStatus.GIVEN,
        )
        .exclude(pk__in=busy)
        .order_by("pk")
    )


def _load_workers(
    round_: MatchRound, region: Region, workers=None
) -> tuple[engine.WorkerArrays, list[int]]:
    """Return the arrays of ``workers`` (default: the region's free workers), in pk order."""
    workers = free_workers(region) if workers is None else workers.order_by("pk")
    poverty = {"poverty_alleviated": 1, "monitored": 2}
    rows = _numbers(
        workers,
        pk=F("pk"),
        **_date_parts("birth_date"),
        home_region=_number("home_county_id"),
        lat=_number("home_county__latitude", default=0.0),
        lng=_number("home_county__longitude", default=0.0),
        poverty=Case(
            *(When(poverty_status=key, then=Value(v)) for key, v in poverty.items()), default=0
        ),
        labor_brand=_number("labor_brand_id", default=-1),
        min_wage=_number("min_wage", default=0),
        **_date_parts("earliest_departure"),
        accepts_dormitory=_flag(Q(accepts_dormitory=True)),
        accepts_shift_work=_flag(Q(accepts_shift_work=True)),
        travel_group=_number("travel_group_id", default=-1),
        education=Case(
            *(When(education=key, then=Value(v)) for key, v in EDUCATION_LEVEL.items()),
            default=EDUCATION_UNKNOWN,
        ),
    )
    (
        pks, born_y, born_m, born_d, home_region, lat, lng, poverty_level, labor_brand,
        min_wage, leave_y, leave_m, leave_d, dormitory, shift_work, travel_group, education,
    ) = rows.T  # fmt: skip
    ids = pks.astype(np.int64)
    day = round_.campaign.starts_on
    # Child rows are read by worker id range rather than a giant IN list: one indexed scan each.
    low, high = (int(ids[0]), int(ids[-1])) if len(ids) else (0, -1)
    span = {"worker_id__gte": low, "worker_id__lte": high}
    skill_ptr, (skill_occ, skill_level, skill_years) = _csr(
        ids,
        _numbers(
            WorkerSkill.objects.filter(**span).order_by("worker_id", "pk"),
            worker=F("worker_id"),
            occupation=F("occupation_id"),
            level=F("level"),
            years=F("years"),
        ),
    )
    cert_ptr, (cert_ids,) = _csr(
        ids,
        _numbers(
            WorkerCertificate.objects.filter(**span)
            .exclude(expires_on__lt=day)
            .order_by("worker_id", "certificate_type_id"),
            worker=F("worker_id"),
            certificate=F("certificate_type_id"),
        ),
    )
    city_ptr, (city_codes,) = _csr(
        ids,
        _numbers(
            WishCity.objects.filter(**span).order_by("worker_id", "rank"),
            worker=F("worker_id"),
            city=_number("region_id"),
        ),
    )
    occ_ptr, (occ_ids,) = _csr(
        ids,
        _numbers(
            WishOccupation.objects.filter(**span).order_by("worker_id", "rank"),
            worker=F("worker_id"),
            occupation=F("occupation_id"),
        ),
    )
    # Whole years on the campaign's first day (one fewer before this year's birthday).
    before_birthday = (day.month < born_m) | ((day.month == born_m) & (day.day < born_d))
    departure = np.where(leave_y > 0, _ordinals(leave_y, leave_m, leave_d), 0)
    arrays = engine.WorkerArrays(
        age=day.year - born_y - before_birthday,
        home_region=home_region.astype(np.int64),
        lat=lat,
        lng=lng,
        skill_ptr=skill_ptr,
        skill_occupation=skill_occ,
        skill_level=skill_level,
        skill_years=skill_years,
        cert_ptr=cert_ptr,
        cert_ids=cert_ids,
        poverty=poverty_level,
        labor_brand=labor_brand.astype(np.int64),
        wish_city_ptr=city_ptr,
        wish_city=city_codes,
        wish_occupation_ptr=occ_ptr,
        wish_occupation=occ_ids,
        min_wage=min_wage,
        earliest_departure=departure,
        accepts_dormitory=dormitory != 0,
        accepts_shift_work=shift_work != 0,
        travel_group=travel_group.astype(np.int64),
        education=education.astype(np.int8),
    )
    return arrays, ids.tolist()


def _related() -> dict[int, list[int]]:
    related: dict[int, list[int]] = defaultdict(list)
    for a, b in Occupation.related.through.objects.values_list(
        "from_occupation_id", "to_occupation_id"
    ):
        related[a].append(b)
    return dict(related)


def round_inputs_load(
    *, round_: MatchRound, workers=None, proposed_free: bool = False
) -> RoundInputs:
    """Return the engine instance of ``round_`` with the id maps back to the database.

    ``workers`` and ``proposed_free`` are a rolling update's free market (``matching.rolling``).
    """
    west = round_.campaign.pairing.west_region
    vacancies, vacancy_ids, vacancy_occupations = _load_vacancies(
        round_, proposed_free=proposed_free
    )
    workers, worker_ids = _load_workers(round_, west, workers)
    # Ties broken by the rows' ids (not their positions): a later re-solve of the campaign's
    # free market, with newcomers in it, breaks the same ties the same way.
    keys = (np.asarray(worker_ids, dtype=np.int64), np.asarray(vacancy_ids, dtype=np.int64))
    instance = engine.Instance(workers, vacancies, _related(), keys=keys)
    digest = hashlib.sha256(
        json.dumps(
            {
                "workers": worker_ids,
                "vacancies": vacancy_ids,
                "headcount": vacancies.headcount.tolist(),
                "worker_fingerprint": _fingerprint(workers),
            },
            separators=(",", ":"),
        ).encode()
    ).hexdigest()
    snapshot = {
        "sha256": digest,
        "workers": len(worker_ids),
        "vacancies": len(vacancy_ids),
        "headcount": int(vacancies.headcount.sum()) if len(vacancy_ids) else 0,
        "west_region": west.code,
        "campaign": round_.campaign.code,
    }
    return RoundInputs(instance, worker_ids, vacancy_ids, vacancy_occupations, snapshot)


def _fingerprint(workers: engine.WorkerArrays) -> str:
    """Return a digest of every worker input array, so a changed wish changes the snapshot."""
    digest = hashlib.sha256()
    for name in sorted(workers.__dataclass_fields__):
        digest.update(name.encode())
        digest.update(np.ascontiguousarray(getattr(workers, name)).tobytes())
    return digest.hexdigest()
