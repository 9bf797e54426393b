"""Benchmark: render the public job board of a campaign with 5,000 open vacancies.

Creates a throw-away test database (SQLite in memory by default; PostgreSQL when
``DATABASE_URL`` points at one, as ``test_<name>``), loads the reference data, adds 250
verified employers and 5,000 open vacancies to the Qingdao campaign, then requests
``/c/<campaign>/`` through Django's test client:

* warm-up — the process's first request (login page): imports, URL conf; not the board's cost;
* cold  — cache emptied first: one query for all 5,000 rows, filter counts, first page render;
* warm  — the same page again (served from the cache);
* filter — an occupation filter on a warm board (rows cached, this page rendered once);
* API   — the board's JSON endpoint, warm.

Usage: ``.venv/bin/python bench/bench_board.py [--vacancies N] [--repeat R]``.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

CAMPAIGN = "2026-chunfeng-dingxi-qingdao"
EMPLOYERS = 250
# Rows per INSERT while seeding: 1,000 vacancies take ~40 ms on SQLite.
SEED_BATCH = 1000


def _seed(vacancies: int) -> None:
    from jobs.models import Employer, Industry, Vacancy, VacancyStatus, VerificationStatus
    from laborbridge.identifiers import credit_code_check_char
    from laborbridge.models import Campaign, Occupation, Region

    rng = random.Random(2026)
    campaign = Campaign.objects.get(code=CAMPAIGN)
    districts = list(Region.objects.filter(parent_id="370200", level="county"))
    occupations = list(Occupation.objects.filter(code__startswith="6-")[:60])
    employers = []
    for index in range(EMPLOYERS):
        district = rng.choice(districts)
        body = f"91{district.code}{index:09d}"
        employers.append(
            Employer(
                name=f"青岛基准{index:03d}制造有限公司",
                credit_code=body + credit_code_check_char(body),
                city_id="370200",
                district=district,
                industry=Industry.MANUFACTURING,
                verification_status=VerificationStatus.VERIFIED,
                has_dormitory=rng.random() < 0.8,
            )
        )
    Employer.objects.bulk_create(employers, batch_size=SEED_BATCH)
    employers = list(Employer.objects.all())
    now = django.utils.timezone.now()
    rows = []
    for index in range(vacancies):
        employer = employers[index % len(employers)]
        low = rng.randrange(40, 75) * 100
        rows.append(
            Vacancy(
                employer=employer,
                occupation=rng.choice(occupations),
                title=f"岗位{index:05d}",
                headcount=rng.randrange(2, 60),
                filled_count=0,
                wage_min=low,
                wage_max=low + rng.randrange(5, 30) * 100,
                district=employer.district,
                start_date=dt.date(2026, 2, 20) + dt.timedelta(days=rng.randrange(60)),
                dormitory=employer.has_dormitory,
                meals=rng.random() < 0.6,
                travel_reimbursement=rng.random() < 0.4,
                campaign=campaign,
                status=VacancyStatus.OPEN,
                published_at=now - dt.timedelta(minutes=index),
            )
        )
    Vacancy.objects.bulk_create(rows, batch_size=SEED_BATCH)


def _timed(client: Client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    return elapsed * 1000, len(queries.captured_queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vacancies", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    setup_test_environment()
    started = time.perf_counter()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from laborbridge.reference import reference_load

        reference_load()
        _seed(args.vacancies)
        setup = time.perf_counter() - started
        vendor = connection.vendor
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        from laborbridge.models import Occupation

        occupation = Occupation.objects.filter(vacancies__isnull=False).first()
        client = Client()
        board = f"/c/{CAMPAIGN}/"
        filtered = f"{board}?occupation={occupation.code}"
        api = f"/api/v1/board/{CAMPAIGN}/vacancies/"

        # The process's first request imports and compiles what every page needs; measured
        # apart so that "cold" means "board cache empty", not "server just started".
        first = _timed(client, "/accounts/login/")
        client.get(f"/api/v1/board/{CAMPAIGN}-none/vacancies/")  # imports DRF; answers 404
        cold = []
        for _ in range(args.repeat):
            cache.clear()
            cold.append(_timed(client, board))
        warm = [_timed(client, board) for _ in range(args.repeat * 4)]
        cache.clear()
        client.get(board)  # rows cached
        filter_first = _timed(client, filtered)
        client.get(api)
        api_warm = [_timed(client, api) for _ in range(args.repeat * 4)]

        def line(label: str, samples: list[tuple[float, int, int]]) -> str:
            times = [s[0] for s in samples]
            p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
            return (
                f"{label:<34} median {statistics.median(times):7.1f} ms   "
                f"p90 {p90:7.1f} ms   n={len(times):<3} queries {samples[-1][1]}   "
                f"{samples[-1][2] / 1024:.0f} kB"
            )

        print(
            f"LaborBridge board benchmark: {args.vacancies} open vacancies, {EMPLOYERS} employers"
        )
        print(
            f"database={vendor} cache={backend} python={sys.version.split()[0]} "
            f"(setup incl. reference data {setup:.1f} s)"
        )
        print(line("process warm-up (login page)", [first]))
        print(line("board page, cold (cache empty)", cold))
        print(line("board page, warm", warm))
        print(line("board page, occupation filter", [filter_first]))
        print(line("board API page, warm", api_warm))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
