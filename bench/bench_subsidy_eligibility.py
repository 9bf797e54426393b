"""Benchmark: a county's subsidy eligibility for 50,000 placed workers (target ≤ 10 s).

Runs against a throwaway test database on whatever ``DATABASE_URL`` points to (SQLite by
default), with Celery eager: one county of ``--people`` placed workers (a third each 脱贫,
监测, other rural; arrivals 10–400 days ago; workplaces in Qingdao, Lanzhou, another Dingxi
county or Anding itself; one in ten not at work), the Gansu 2024 transport rule loaded; times
``eligibility_run_create`` through the run kit to the finished run with its 50,000 stored
results, then a second run over the stored ones (the delete-and-write path). Prints the
figures with the load average; exits 1 when the target is missed:

    .venv/bin/python bench/bench_subsidy_eligibility.py [--people 50000] [--target 10]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_subsidy_eligibility.py
"""

from __future__ import annotations

import datetime as dt
import random
import time

import _support  # starts Django: first of the project's imports
from django.db import transaction
from django.utils import timezone

ANDING = "621102"
DISTRICTS = ["370214", "370211", "370281"]  # Chengyang, Huangdao, Jiaozhou
WORKPLACES = DISTRICTS * 3 + ["620102", "621122", ANDING, "610102"]  # + Lanzhou, Longxi, Xi'an
BATCH = 2000


def _build(people: int, seed: int = 14) -> None:
    """Write the county's workers, hired matches and employment records in bulk."""
    from workers.models import PovertyStatus, Worker

    rng = random.Random(seed)
    today = timezone.localdate()
    vacancies = _support.qingdao_vacancies(
        DISTRICTS * 4,
        headcount=people,
        start_date=today - dt.timedelta(days=400),
        wage_min=lambda: 5200,
    )
    statuses = [PovertyStatus.POVERTY_ALLEVIATED, PovertyStatus.MONITORED, PovertyStatus.NONE]
    workers = [
        _support.worker_new(
            index, ANDING, f"139{rng.randrange(0, 10**8):08d}", poverty_status=statuses[index % 3]
        )
        for index in range(people)
    ]
    Worker.objects.bulk_create(workers, batch_size=BATCH)

    def at_work_or_home(index: int, started: dt.date) -> dict:
        if index % 10 == 0:  # went home after five days
            return {"status": "home", "ended_on": started + dt.timedelta(days=5)}
        return {
            "working_since": started,
            "current_workplace_id": rng.choice(WORKPLACES),
            "status": "employed",
        }

    _support.workers_place(
        workers,
        vacancies,
        rng,
        started_on=lambda: today - dt.timedelta(days=rng.randrange(10, 400)),
        batch_size=BATCH,
        fields=at_work_or_home,
    )


def _timed_run(official, policy, county):
    from subsidies import services
    from subsidies.models import EligibilityRun

    with _support.timed() as took, transaction.atomic():  # the task runs (eager) on commit
        run = services.eligibility_run_create(actor=official, policy=policy, county=county)
    return EligibilityRun.objects.get(pk=run.pk), took


def main() -> None:
    args = _support.arguments(__doc__, people=50_000, target=10.0)
    ok = False
    with _support.throwaway_database():
        from subsidies import services
        from subsidies.models import EligibilityResult, Policy

        services.policies_load_reference()
        policy = Policy.objects.get(code="gansu-2024-transport")
        _support.built(lambda: _build(args.people), f"{args.people:,} placed workers")
        official = _support.county_official(ANDING)
        county = official.county
        first, took = _timed_run(official, policy, county)
        second, again = _timed_run(official, policy, county)
        stages: dict[str, float] = {}
        mark = time.perf_counter()

        def progress(stage: str, fraction: float) -> None:
            stages.setdefault(stage, time.perf_counter() - mark)

        services.eligibility_compute(
            policy=policy, county_id=ANDING, today=first.as_of, progress=progress
        )
        total = time.perf_counter() - mark
        stored = EligibilityResult.objects.filter(policy=policy, county=county).count()
        print(f"run: {first.status}, counts {first.counts}, {stored:,} results stored")
        print(f"first run: {took} in the process")
        print(f"second run (replacing the stored results): {again}")
        order = sorted(stages.items(), key=lambda item: item[1])
        spans = [
            f"{name} {(order[i + 1][1] if i + 1 < len(order) else total) - at:.2f} s"
            for i, (name, at) in enumerate(order)
        ]
        print(f"direct compute {total:.2f} s: " + ", ".join(spans))
        print(f"peak RSS {_support.peak_rss_mb():.0f} MB")
        met = _support.target_met(max(took.wall, again.wall), args.target)
        ok = first.status == second.status == "done" and met
    _support.finish(ok)


if __name__ == "__main__":
    main()
