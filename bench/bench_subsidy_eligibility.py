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

import argparse
import datetime as dt
import random
import sys
import time

import _support  # starts Django: first of the project's imports
from django.db import transaction

ANDING = "621102"
DISTRICTS = ["370214", "370211", "370281"]  # Chengyang, Huangdao, Jiaozhou
WORKPLACES = DISTRICTS * 3 + ["620102", "621122", ANDING, "610102"]  # + Lanzhou, Longxi, Xi'an
BATCH = 2000


def _build(people: int, seed: int = 14) -> None:
    """Write the county's workers, hired matches and employment records in bulk."""
    from django.utils import timezone

    from matching.models import Match, MatchStatus
    from workers.models import Employment, PovertyStatus, Worker

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
    matches = [
        Match(worker=w, vacancy=rng.choice(vacancies), status=MatchStatus.HIRED) for w in workers
    ]
    Match.objects.bulk_create(matches, batch_size=BATCH)
    employments = []
    for index, match in enumerate(matches):
        started = today - dt.timedelta(days=rng.randrange(10, 400))
        at_work = index % 10 != 0
        employments.append(
            Employment(
                worker_id=match.worker_id,
                employer_id=match.vacancy.employer_id,
                vacancy=match.vacancy,
                match=match,
                started_on=started,
                working_since=started if at_work else None,
                current_workplace_id=rng.choice(WORKPLACES) if at_work else None,
                status="employed" if at_work else "home",
                ended_on=None if at_work else started + dt.timedelta(days=5),
            )
        )
    Employment.objects.bulk_create(employments, batch_size=BATCH)


def _timed_run(official, policy, county):
    from subsidies import services
    from subsidies.models import EligibilityRun

    started = time.perf_counter()
    with transaction.atomic():  # the task is published (eager: run) on commit
        run = services.eligibility_run_create(actor=official, policy=policy, county=county)
    elapsed = time.perf_counter() - started
    return EligibilityRun.objects.get(pk=run.pk), elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50_000)
    parser.add_argument("--target", type=float, default=10.0)
    args = parser.parse_args()
    ok = False
    with _support.throwaway_database():
        from laborbridge.models import Region, Role, User
        from subsidies import services
        from subsidies.models import EligibilityResult, Policy

        services.policies_load_reference()
        policy = Policy.objects.get(code="gansu-2024-transport")
        started = time.perf_counter()
        _build(args.people)
        built = time.perf_counter() - started
        official = User.objects.create(
            username="bench_official", role=Role.COUNTY_OFFICIAL, county_id=ANDING
        )
        county = Region.objects.get(pk=ANDING)
        load_line = _support.load_line()
        cpu0 = time.process_time()
        first, elapsed = _timed_run(official, policy, county)
        cpu = time.process_time() - cpu0
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
        print(load_line)
        print(f"built {args.people:,} placed workers in {built:.1f} s")
        print(f"run: {first.status}, counts {first.counts}, {stored:,} results stored")
        print(f"first run: {elapsed:.2f} s (CPU in the process {cpu:.2f} s)")
        print(f"second run (replacing the stored results): {again:.2f} s")
        order = sorted(stages.items(), key=lambda item: item[1])
        spans = [
            f"{name} {(order[i + 1][1] if i + 1 < len(order) else total) - at:.2f} s"
            for i, (name, at) in enumerate(order)
        ]
        print(f"direct compute {total:.2f} s: " + ", ".join(spans))
        print(f"peak RSS {_support.peak_rss_mb():.0f} MB")
        worst = max(elapsed, again)
        print(f"target: ≤ {args.target:.0f} s — {'met' if worst <= args.target else 'MISSED'}")
        ok = first.status == second.status == "done" and worst <= args.target
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
