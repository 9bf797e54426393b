"""Benchmark: one matching round end to end on PostgreSQL — load from the database, run the
engine, write the proposed matches — through a real Celery worker when Redis is configured.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laborbridge REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/bench_round.py [--workers 100000 --vacancies 10000] [--mode optimal]

It builds a throwaway test database (``test_<name>``), generates a realistic Dingxi → Qingdao
campaign (workers with one or two skills, wishes and consent; vacancies of verified Qingdao
employers with headcount summing to about the number of workers), enqueues the round and
times it from enqueue to "succeeded", then prints the round's own stage timings.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The round runs in the Celery worker when Redis is configured, not in this process.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")

import _support  # noqa: E402 - starts Django
from _support import DINGXI_COUNTIES, ROUND_CAMPAIGN  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

# Rows per INSERT while generating: 5,000 keeps each statement under PostgreSQL's parameter
# limit and loads 100,000 workers (with their skills and wishes) in about half a minute.
BATCH = 5000
QINGDAO_DISTRICTS = [
    "370202",
    "370203",
    "370211",
    "370212",
    "370213",
    "370214",
    "370215",
    "370281",
    "370283",
    "370285",
]


def _generate(
    workers: int,
    vacancies: int,
    seed: int,
    *,
    campaign_code: str = ROUND_CAMPAIGN,
    counties: list[str] = DINGXI_COUNTIES,
    districts: list[str] = QINGDAO_DISTRICTS,
    offset: int = 0,
) -> None:
    """Generate ``workers`` workers of ``counties`` and ``vacancies`` vacancies of employers in
    ``districts`` (Qingdao) for the campaign; ``offset`` numbers the workers and employers after
    those of an earlier call (unique phones, ID numbers and credit codes)."""
    from jobs.models import Employer, Vacancy
    from laborbridge.identifiers import credit_code_check_char, id_number_check_char
    from laborbridge.models import Campaign, Occupation
    from workers.models import WishCity, WishOccupation, Worker, WorkerSkill

    rng = random.Random(seed)
    campaign = Campaign.objects.get(code=campaign_code)
    # Every occupation of the service, farming and production groups. A worker's skills and
    # their related occupations reach about one vacancy in eight; the vacancies' own
    # requirements (start date, pay floor, skill level, schooling, age, shifts) then leave ~50
    # eligible vacancies per worker, the density the engine targets assume.
    occupations = list(
        Occupation.objects.filter(group__code__in=["4", "5", "6"]).values_list("pk", flat=True)
    )
    # Correlated demand: some occupations are more popular, as in real rosters.
    weights = [1.0 / (1 + i) ** 0.15 for i in range(len(occupations))]
    shift_patterns = ["day", "two_shifts", "three_shifts", "rotating"]
    employers = []
    for index in range(offset, offset + max(1, vacancies // 8)):
        district = rng.choice(districts)
        body = f"91{district}{index:08d}0"
        employers.append(
            Employer(
                name=f"青岛基准{index}有限公司",
                credit_code=body + credit_code_check_char(body),
                city_id="370200",
                district_id=district,
                industry="C",
                verification_status="verified",
            )
        )
    Employer.objects.bulk_create(employers, batch_size=BATCH)
    employers = list(Employer.objects.filter(district_id__in=districts).order_by("pk"))
    headcount_total = 0
    rows = []
    for index in range(vacancies):
        employer = employers[index % len(employers)]
        headcount = max(1, int(rng.expovariate(1 / (workers / vacancies))))
        headcount_total += headcount
        low = rng.randrange(40, 75) * 100
        skill = rng.choices([0, 1, 2, 3], [0.1, 0.2, 0.4, 0.3])[0]
        rows.append(
            Vacancy(
                employer=employer,
                occupation_id=rng.choices(occupations, weights)[0],
                title="普工",
                headcount=headcount,
                wage_min=low,
                wage_max=low + rng.randrange(5, 25) * 100,
                district_id=employer.district_id,
                start_date=dt.date(2026, 2, 20) + dt.timedelta(days=rng.randrange(60)),
                min_skill_level=skill,
                min_education=rng.choices([0, 2, 3], [0.4, 0.4, 0.2])[0],
                age_min=18,
                age_max=rng.choice([35, 40, 45, 50, 55]),
                shift_pattern=rng.choices(shift_patterns, [0.4, 0.3, 0.1, 0.2])[0],
                campaign=campaign,
                status="open",
                dormitory=rng.random() < 0.7,
                meals=rng.random() < 0.6,
                social_insurance=True,
            )
        )
    Vacancy.objects.bulk_create(rows, batch_size=BATCH)
    last_pk = Worker.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(offset, offset + workers, BATCH):
        batch = []
        for index in range(start, min(offset + workers, start + BATCH)):
            county = counties[index % len(counties)]
            # (county, birth date, serial) is unique for every index below 84 million.
            step = index // len(counties)
            # ages 22-54 spread evenly (7,919 is prime to 12,000: a permutation of each block)
            born = dt.date(1972, 1, 1) + dt.timedelta(days=step * 7919 % 12000)
            body = f"{county}{born:%Y%m%d}{step // 12000:03d}"
            worker = Worker(
                name=f"工人{index}",
                phone=f"139{index:08d}",
                home_county_id=county,
                poverty_status="poverty_alleviated" if rng.random() < 0.6 else "none",
                consent_status="given",
                min_wage=rng.randrange(50, 78) * 100,
                earliest_departure=dt.date(2026, 2, 20) + dt.timedelta(days=rng.randrange(45)),
                accepts_shift_work=rng.random() < 0.5,
                education=rng.choices(
                    ["primary", "junior", "senior", "vocational", "college"],
                    [0.15, 0.5, 0.15, 0.15, 0.05],
                )[0],
            )
            worker.set_id_number(body + id_number_check_char(body))
            batch.append(worker)
        Worker.objects.bulk_create(batch, batch_size=BATCH)
    ids = list(Worker.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True))
    skills, wishes, cities = [], [], []
    for worker_id in ids:
        chosen = rng.choices(occupations, weights, k=2)
        skills.append(
            WorkerSkill(
                worker_id=worker_id,
                occupation_id=chosen[0],
                level=rng.randint(1, 4),
                years=rng.randint(0, 12),
            )
        )
        if chosen[1] != chosen[0] and rng.random() < 0.2:
            skills.append(
                WorkerSkill(
                    worker_id=worker_id,
                    occupation_id=chosen[1],
                    level=rng.randint(1, 3),
                    years=rng.randint(0, 6),
                )
            )
        wishes.append(WishOccupation(worker_id=worker_id, occupation_id=chosen[0], rank=1))
        cities.append(WishCity(worker_id=worker_id, region_id="370200", rank=1))
    WorkerSkill.objects.bulk_create(skills, batch_size=BATCH)
    WishOccupation.objects.bulk_create(wishes, batch_size=BATCH)
    WishCity.objects.bulk_create(cities, batch_size=BATCH)
    print(f"generated {workers:,} workers, {vacancies:,} vacancies, headcount {headcount_total:,}")


def main() -> None:
    args = _support.round_parser(__doc__, workers=100_000, vacancies=10_000).parse_args()
    if connection.vendor != "postgresql":
        print(
            "bench_round: skipped — set DATABASE_URL to a PostgreSQL server (and REDIS_URL for a real worker)."
        )
        return
    from django.core.management import call_command

    old = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    worker = None
    try:
        call_command("load_reference", stdout=open(os.devnull, "w"))
        started = time.perf_counter()
        _generate(args.workers, args.vacancies, args.seed)
        print(f"data generation: {time.perf_counter() - started:.1f} s (not part of the round)")
        from laborbridge.models import Campaign
        from matching.models import MatchRound
        from matching.rounds import round_execute

        round_ = MatchRound.objects.create(
            campaign=Campaign.objects.get(code=ROUND_CAMPAIGN),
            mode=args.mode,
            seed=args.seed,
        )
        if settings.REDIS_URL:
            import redis

            redis.from_url(settings.REDIS_URL).delete("matching")
            worker = _support.celery_worker()
            time.sleep(6)  # let the worker boot (imports Django, NumPy, Numba) before timing
            elapsed = _support.round_run_through_celery(round_.pk)
            how = "through a Celery worker"
        else:
            with _support.timed() as took:
                round_execute(round_id=round_.pk, task_id="bench")
            elapsed, how = took.wall, "in-process"
        _support.round_report(round_.pk, elapsed, how)
    finally:
        _support.process_stop(worker)
        connection.close()
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
