"""Load a round's inputs from the database into the engine's struct-of-arrays form.

Who takes part: the campaign's pairing decides the sides — workers registered in its western
region who hold no active match and have given consent, and the open vacancies of verified
employers in the campaign with places not yet taken by an active match. A later round thus
only ever sees the workers and headcount still free; accepted matches are never disturbed.

The loaders read flat ``values_list`` rows (no model instances) in a handful of queries, so
100,000 workers load in a few seconds on PostgreSQL (bench/bench_round.py).
"""

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q

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


@dataclass
class RoundInputs:
    instance: engine.Instance
    worker_ids: list[int]
    vacancy_ids: list[int]
    vacancy_occupations: list[str]
    snapshot: dict


def _city_code(district_code: str) -> int:
    """Return the prefecture-level city of a county-level code (370281 → 370200)."""
    return int(district_code[:4] + "00")


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


# What the engine reads of a vacancy, in the order of the loader's rows.
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
    rows = [
        (row[0], row[1], row[2], row[3], active.get(row[0], 0), *row[4:])
        for row in access.vacancies_matchable(round_.campaign)
        .order_by("pk")
        .values_list(*VACANCY_COLUMNS)
    ]
    rows = [row for row in rows if row[3] - row[4] > 0]
    certificates: dict[int, list[int]] = defaultdict(list)
    for vacancy_id, certificate_id in Vacancy.required_certificates.through.objects.filter(
        vacancy_id__in=[row[0] for row in rows]
    ).values_list("vacancy_id", "certificatetype_id"):
        certificates[vacancy_id].append(certificate_id)
    cert_rows = [sorted(certificates[row[0]]) for row in rows]
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in cert_rows], out=ptr[1:])
    flat = np.array([c for cs in cert_rows for c in cs], dtype=np.int64)
    empty_ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    arrays = engine.VacancyArrays(
        occupation=[row[1] for row in rows],
        headcount=[row[3] - row[4] for row in rows],
        wage_min=[row[5] for row in rows],
        wage_max=[row[6] for row in rows],
        city=[_city_code(row[7]) for row in rows],
        district=[int(row[7]) for row in rows],
        lat=[row[8] or 0.0 for row in rows],
        lng=[row[9] or 0.0 for row in rows],
        age_min=[row[10] or 0 for row in rows],
        age_max=[row[11] or NO_LIMIT_AGE for row in rows],
        req_cert_ptr=ptr,
        req_cert_ids=flat,
        pref_cert_ptr=empty_ptr,
        pref_cert_ids=np.zeros(0, dtype=np.int64),
        min_skill_level=[row[12] or 0 for row in rows],
        dormitory=[row[13] for row in rows],
        meals=[row[14] for row in rows],
        travel_reimbursement=[row[15] for row in rows],
        social_insurance=[row[16] for row in rows],
        shift_work=[row[17] not in ("day", "flexible", "") for row in rows],
        start_date=[row[18].toordinal() if row[18] else NO_START for row in rows],
        brand_ptr=empty_ptr,
        brand_ids=np.zeros(0, dtype=np.int64),
        min_education=[row[19] or 0 for row in rows],
    )
    return arrays, [row[0] for row in rows], [row[2] for row in rows]


def _csr(worker_ids: list[int], pairs, width: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Group ``(worker_id, *values)`` rows (already ordered) into CSR columns per worker."""
    position = {pk: i for i, pk in enumerate(worker_ids)}
    buckets: list[list[tuple]] = [[] for _ in worker_ids]
    for row in pairs:
        index = position.get(row[0])
        if index is not None:
            buckets[index].append(row[1:])
    ptr = np.zeros(len(worker_ids) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in buckets], out=ptr[1:])
    columns = [
        np.array([item[k] for b in buckets for item in b], dtype=np.int64) for k in range(width)
    ]
    return ptr, columns


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
    rows = list(
        workers.values_list(
            "pk",
            "birth_date",
            "home_county_id",
            "home_county__latitude",
            "home_county__longitude",
            "poverty_status",
            "labor_brand_id",
            "min_wage",
            "earliest_departure",
            "accepts_dormitory",
            "accepts_shift_work",
            "travel_group_id",
            "education",
        )
    )
    ids = [row[0] for row in rows]
    day = round_.campaign.starts_on
    # Child rows are read by worker id range rather than a giant IN list: one indexed scan each.
    low, high = (ids[0], ids[-1]) if ids else (0, -1)
    skills = WorkerSkill.objects.filter(worker_id__gte=low, worker_id__lte=high).order_by(
        "worker_id", "pk"
    )
    skill_ptr, (skill_occ, skill_level, skill_years) = _csr(
        ids, skills.values_list("worker_id", "occupation_id", "level", "years"), 3
    )
    certs = WorkerCertificate.objects.filter(worker_id__gte=low, worker_id__lte=high).exclude(
        expires_on__lt=day
    )
    cert_ptr, (cert_ids,) = _csr(
        ids,
        certs.order_by("worker_id", "certificate_type_id").values_list(
            "worker_id", "certificate_type_id"
        ),
        1,
    )
    cities = WishCity.objects.filter(worker_id__gte=low, worker_id__lte=high).order_by(
        "worker_id", "rank"
    )
    city_ptr, (city_codes,) = _csr(
        ids, ((w, int(code)) for w, code in cities.values_list("worker_id", "region_id")), 1
    )
    occupations = WishOccupation.objects.filter(worker_id__gte=low, worker_id__lte=high).order_by(
        "worker_id", "rank"
    )
    occ_ptr, (occ_ids,) = _csr(ids, occupations.values_list("worker_id", "occupation_id"), 1)
    poverty = {"none": 0, "poverty_alleviated": 1, "monitored": 2}

    def age(born) -> int:
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    arrays = engine.WorkerArrays(
        age=[age(row[1]) for row in rows],
        home_region=[int(row[2]) for row in rows],
        lat=[row[3] or 0.0 for row in rows],
        lng=[row[4] or 0.0 for row in rows],
        skill_ptr=skill_ptr,
        skill_occupation=skill_occ,
        skill_level=skill_level,
        skill_years=skill_years,
        cert_ptr=cert_ptr,
        cert_ids=cert_ids,
        poverty=[poverty.get(row[5], 0) for row in rows],
        labor_brand=[row[6] if row[6] is not None else -1 for row in rows],
        wish_city_ptr=city_ptr,
        wish_city=city_codes,
        wish_occupation_ptr=occ_ptr,
        wish_occupation=occ_ids,
        min_wage=[row[7] or 0 for row in rows],
        earliest_departure=[row[8].toordinal() if row[8] else 0 for row in rows],
        accepts_dormitory=[row[9] for row in rows],
        accepts_shift_work=[row[10] for row in rows],
        travel_group=[row[11] if row[11] is not None else -1 for row in rows],
        education=[EDUCATION_LEVEL.get(row[12], EDUCATION_UNKNOWN) for row in rows],
    )
    return arrays, ids


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
    instance = engine.Instance(workers, vacancies, _related())
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
