"""Benchmark: the targets dashboards at scale (issue 16).

Target: every dashboard ≤ 500 ms server time (the issue's scale: 1,000,000 workers and
200,000 employment records).

Runs against a throwaway test database on whatever ``DATABASE_URL`` points to (SQLite by
default), builds ``--placed`` placed workers of Dingxi's seven counties at Qingdao employers
(arrivals spread over the last year, working since arrival) plus ``--waiting`` registered
workers not placed, an agreement with targets, then requests — ``--repeat`` times through the
test client — the coordinator's pairing dashboard, the Anding official's county dashboard,
the pairing's two lists and the report API; the median server time and query count are
printed with the load average. Exits 1 when a target is missed:

    .venv/bin/python bench/bench_dashboards.py [--placed 200000] [--waiting 0] [--repeat 3]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_dashboards.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time

import _support  # starts Django: first of the project's imports
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

COUNTIES = ["621102", "621121", "621122", "621123", "621124", "621125", "621126"]
DISTRICTS = ["370214", "370211", "370281", "370212", "370213"]
# Rows per INSERT while seeding: 100,000 workers in 50 statements.
SEED_BATCH = 2000
DASHBOARD_TARGET_MS = 500


def _build(placed: int, waiting: int, seed: int = 16) -> None:
    from workers.models import Employment, Worker, WorkerStatus

    rng = random.Random(seed)
    today = timezone.localdate()
    vacancies = _support.qingdao_vacancies(
        DISTRICTS * 8,
        headcount=placed + 1,
        start_date=today - dt.timedelta(days=400),
        wage_min=lambda: 5000,
    )
    for start in range(0, placed + waiting, SEED_BATCH):
        end = min(start + SEED_BATCH, placed + waiting)
        workers = [
            _support.worker_new(
                index,
                COUNTIES[index % len(COUNTIES)],
                f"139{index:08d}",
                status=WorkerStatus.EMPLOYED if index < placed else WorkerStatus.REGISTERED,
                poverty_status="poverty_alleviated" if index % 3 == 0 else "none",
            )
            for index in range(start, end)
        ]
        Worker.objects.bulk_create(workers)
        hired = [w for i, w in zip(range(start, end), workers, strict=True) if i < placed]
        if hired:
            _support.workers_place(
                hired,
                vacancies,
                rng,
                started_on=lambda: today - dt.timedelta(days=rng.randrange(0, 365)),
            )
    Employment.objects.update(working_since=F("started_on"), current_monthly_wage=5600)


def _timed_get(client: Client, url: str, repeat: int) -> tuple[float, int, int]:
    """Return (median ms, status, queries) of ``repeat`` GETs of ``url``."""
    times = []
    status = queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        status, queries = response.status_code, len(captured)
    return statistics.median(times), status, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--placed", type=int, default=200_000)
    parser.add_argument("--waiting", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_test_environment()
    ok = False
    with _support.throwaway_database():
        from laborbridge.models import Pairing, Role, User
        from targets import services
        from targets.models import Bucket

        started = time.perf_counter()
        _build(args.placed, args.waiting)
        built = time.perf_counter() - started
        pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621100")
        coordinator = User.objects.create(
            username="coordinator", role=Role.COORDINATOR, pairing=pairing
        )
        official = User.objects.create(
            username="official", role=Role.COUNTY_OFFICIAL, county_id=COUNTIES[0]
        )
        year = timezone.localdate().year
        agreement = services.agreement_save(
            actor=coordinator, pairing=pairing, year=year, title="基准协议"
        )
        services.target_set(
            actor=coordinator,
            agreement=agreement,
            county=None,
            bucket=Bucket.CROSS_PROVINCE,
            placed=args.placed,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(_support.load_line())
        print(f"built {args.placed:,} placed + {args.waiting:,} waiting workers in {built:.1f} s")
        worst = 0.0
        for user, urls in (
            (
                coordinator,
                (
                    f"/targets/pairing/{pairing.pk}/",
                    f"/targets/pairing/{pairing.pk}/lists/",
                    f"/targets/pairing/{pairing.pk}/monthly/",
                    f"/api/v1/targets/reports/placements/?pairing={pairing.pk}&by=month",
                ),
            ),
            (official, (f"/targets/county/{COUNTIES[0]}/",)),
        ):
            client = Client()
            client.force_login(user)
            client.get("/")  # warm-up: imports, URL conf, templates
            for url in urls:
                median, status, queries = _timed_get(client, url, args.repeat)
                worst = max(worst, median)
                print(f"GET {url}: {median:.0f} ms median, HTTP {status}, {queries} queries")
        ok = worst <= DASHBOARD_TARGET_MS
        print(
            f"target: dashboards ≤ {DASHBOARD_TARGET_MS} ms — {'met' if ok else 'MISSED'} "
            f"(worst {worst:.0f} ms); peak RSS {_support.peak_rss_mb():.0f} MB"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
