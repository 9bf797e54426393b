"""Benchmark: the targets dashboards at scale (issue 16).

Targets: every dashboard ≤ 500 ms server time with 1,000,000 workers and 200,000 employment
records; a report snapshot (the monthly report frozen, its placements rebuilt first) ≤ 30 s.

Builds in a throwaway test database of ``DATABASE_URL`` (PostgreSQL: rows are COPYed) ``--workers``
workers of Dingxi's seven counties, ``--placed`` of them placed at Qingdao employers (hired
match + employment record, arrivals spread over the last year, working since arrival, a third
脱贫) and the rest registered and waiting, one in ten with a wished occupation and city; an
agreement with targets. Then rebuilds the pre-aggregated tables (``targets.aggregates``,
timed), and requests ``--repeat`` times through the test client the coordinator's pairing
dashboard, two lists, monthly report and report API and the Anding official's county
dashboard; prints per page the median wall and CPU time of this process and the query
count, with the load average before and after; freezes a monthly report with the
aggregates dirty (timed). Exits 1 when a target is missed:

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_dashboards.py
        [--workers 1000000] [--placed 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

import _support  # starts Django: first of the project's imports
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment
from django.utils import timezone

COUNTIES = ["621102", "621121", "621122", "621123", "621124", "621125", "621126"]
DISTRICTS = ["370214", "370211", "370281", "370212", "370213"]
DASHBOARD_TARGET_MS = 500
SNAPSHOT_TARGET_S = 30


def _build(workers: int, placed: int, seed: int = 16) -> None:
    """COPY the workers, the placed ones' hired matches and employment records, and the
    waiting ones' wishes."""
    from laborbridge.models import Occupation, Region
    from matching.models import Match, MatchStatus
    from workers.models import Employment, WishCity, WishOccupation, Worker, WorkerStatus

    rng = random.Random(seed)
    today = timezone.localdate()
    vacancies = _support.qingdao_vacancies(
        DISTRICTS * 8,
        headcount=placed + 1,
        start_date=today - dt.timedelta(days=400),
        wage_min=lambda: 5000,
    )
    occupations = list(Occupation.objects.order_by("code").values_list("pk", flat=True)[:20])
    cities = list(Region.objects.filter(level="city").values_list("pk", flat=True)[:10])
    first_worker = _support.next_pk(Worker)

    def people():
        for index in range(workers):
            worker = _support.worker_new(
                index,
                COUNTIES[index % len(COUNTIES)],
                f"139{index:08d}",
                status=WorkerStatus.EMPLOYED if index < placed else WorkerStatus.REGISTERED,
                poverty_status="poverty_alleviated" if index % 3 == 0 else "none",
                earliest_departure=today + dt.timedelta(days=index % 180),
                min_wage=4000 + 100 * (index % 30),
            )
            worker.pk = first_worker + index
            yield worker

    _support.copy_rows(Worker, people())
    first_match = _support.next_pk(Match)
    hired = [rng.choice(vacancies) for _ in range(placed)]
    _support.copy_rows(
        Match,
        (
            Match(
                pk=first_match + i,
                worker_id=first_worker + i,
                vacancy_id=vacancy.pk,
                status=MatchStatus.HIRED,
            )
            for i, vacancy in enumerate(hired)
        ),
    )

    def employments():
        first = _support.next_pk(Employment)
        for i, vacancy in enumerate(hired):
            started = today - dt.timedelta(days=rng.randrange(0, 365))
            yield Employment(
                pk=first + i,
                worker_id=first_worker + i,
                employer_id=vacancy.employer_id,
                vacancy_id=vacancy.pk,
                match_id=first_match + i,
                started_on=started,
                working_since=started,
                current_monthly_wage=5600,
            )

    _support.copy_rows(Employment, employments())
    waiting = range(placed, workers, 10)
    first_wish = _support.next_pk(WishOccupation)
    _support.copy_rows(
        WishOccupation,
        (
            WishOccupation(
                pk=first_wish + n,
                worker_id=first_worker + i,
                occupation_id=occupations[i % len(occupations)],
                rank=1,
            )
            for n, i in enumerate(waiting)
        ),
    )
    first_city = _support.next_pk(WishCity)
    _support.copy_rows(
        WishCity,
        (
            WishCity(
                pk=first_city + n,
                worker_id=first_worker + i,
                region_id=cities[i % len(cities)],
                rank=1,
            )
            for n, i in enumerate(waiting)
        ),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _timed_get(client: Client, url: str, repeat: int) -> tuple[float, float, int, int]:
    """Return (median wall ms, median CPU ms, status, queries) of ``repeat`` GETs of ``url``."""
    walls, cpus = [], []
    status = queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        status, queries = response.status_code, len(captured)
    return statistics.median(walls), statistics.median(cpus), status, queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=1_000_000)
    parser.add_argument("--placed", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_dashboards COPYs its rows: set DATABASE_URL to a PostgreSQL database")
    setup_test_environment()
    ok = False
    with _support.throwaway_database():
        from laborbridge.models import Pairing, Role, User
        from targets import aggregates, services
        from targets.models import Bucket

        print(_support.load_line())
        started, cpu = time.perf_counter(), time.process_time()
        _build(args.workers, args.placed)
        print(
            f"built {args.workers:,} workers, {args.placed:,} placed, in "
            f"{time.perf_counter() - started:.1f} s (CPU {time.process_time() - cpu:.1f} s)"
        )
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
        started = time.perf_counter()
        state = aggregates.aggregates_refresh()
        print(f"aggregates rebuilt in {time.perf_counter() - started:.1f} s ({state.rows:,} rows)")
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
            (
                official,
                (f"/targets/county/{COUNTIES[0]}/", f"/targets/county/{COUNTIES[0]}/lists/"),
            ),
        ):
            client = Client()
            client.force_login(user)
            client.get("/")  # warm-up: imports, URL conf, templates
            for url in urls:
                wall, cpu, status, queries = _timed_get(client, url, args.repeat)
                worst = max(worst, wall)
                print(
                    f"GET {url}: {wall:.0f} ms median (CPU {cpu:.0f} ms), HTTP {status}, "
                    f"{queries} queries"
                )
        # A report snapshot: the monthly report frozen while the aggregates are dirty, so
        # the freeze rebuilds the placements' first.
        aggregates.AggregateState.objects.update(dirty_since=timezone.now())
        client = Client()
        client.force_login(coordinator)
        started, cpu = time.perf_counter(), time.process_time()
        today = timezone.localdate()
        response = client.post(
            f"/targets/pairing/{pairing.pk}/monthly/", {"year": today.year, "month": today.month}
        )
        snapshot = time.perf_counter() - started
        print(
            f"POST monthly report freeze (placements rebuilt first): {snapshot:.1f} s "
            f"(CPU {time.process_time() - cpu:.1f} s), HTTP {response.status_code}"
        )
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f}")
        dashboards_ok = worst <= DASHBOARD_TARGET_MS
        snapshot_ok = snapshot <= SNAPSHOT_TARGET_S
        print(
            f"target: dashboards ≤ {DASHBOARD_TARGET_MS} ms — "
            f"{'met' if dashboards_ok else 'MISSED'} (worst {worst:.0f} ms); "
            f"snapshot ≤ {SNAPSHOT_TARGET_S} s — {'met' if snapshot_ok else 'MISSED'}; "
            f"peak RSS {_support.peak_rss_mb():.0f} MB"
        )
        ok = dashboards_ok and snapshot_ok
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
