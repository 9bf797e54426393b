"""Benchmark: a 1,000,000-worker matching round end to end through Celery on PostgreSQL
(issue 17, item 1).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laborbridge REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/bench_round_1m.py [--workers 1000000 --vacancies 100000] [--keepdb]

Targets: ≤ 60 s from enqueue to "succeeded"; the Celery worker's peak resident memory
≤ 4 GB; and the site answering normally while the round runs — the county official's
worker list, fetched by another process, has a p99 during the round of at most twice its
idle p99.

It builds the campaign in a throwaway test database (``test_<name>``) with set-based SQL
(``INSERT … SELECT generate_series``: a million workers with skills and wishes in well under
a minute; the same distributions as ``bench_round.py``'s generator, so ~60 eligible vacancies
a worker). ``--keepdb`` keeps that database for the next run, which then only clears the
previous round's matches; ``--build-only`` builds it and stops. A real Celery worker (``--pool=solo``, the ``matching`` queue)
runs the round; its peak RSS is the kernel's high-water mark (``VmHWM``) of that process.
A sampler process signs the official in with Django's test client and fetches the list
page every 50 ms: first ``--idle-seconds`` before the round, then until the round ends.
Prints the round's stage timings, the worker's CPU time and the load average; exits 1 on
any miss.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The round runs in the Celery worker, not in this process.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "false")

import _support  # noqa: E402 - starts Django
from _support import DINGXI_COUNTIES, ROUND_CAMPAIGN  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

# A million workers of Dingxi go to ten Shandong cities (Jinan 370100 … Weihai 371000); each
# worker wishes for one of them. With bench_round.py's single city, 100,000 vacancies would
# give ~640 eligible a worker; over ten cities it is the issue's ~60.
SHANDONG_CITIES = [f"37{n:02d}00" for n in range(1, 11)]
SECONDS_TARGET = 60.0
RSS_TARGET_MB = 4096.0
P99_RATIO_TARGET = 2.0
SAMPLE_PAUSE = 0.05  # seconds between the sampler's requests: a user, not a load generator
TICK = os.sysconf("SC_CLK_TCK")
MATCHING_NICE = 10  # as the Procfile's matching worker

# Workers: one row per generate_series value g. The county cycles; (county, birth date,
# serial) follow g as in bench_round.py; the ID number and phone are placeholders (the round
# never reads them) with unique blind indexes.
WORKERS_SQL = """
INSERT INTO workers_worker (
    name, id_number_encrypted, id_number_index, id_number_masked, birth_date, sex,
    poverty_status, status, created_at, updated_at, home_county_id, accepts_dormitory,
    accepts_shift_work, consent_status, consent_given_on, earliest_departure, education,
    home_village_name, min_wage, note, source, skill_unclassified, wishes_unclassified,
    phone_encrypted, phone_index, phone_last4, phone_masked)
SELECT '工人' || g, '\\x00'::bytea, md5('id' || g), c.code || '********' || right(g::text, 4),
    date '1972-01-01' + ((g - 1) / 7 * 7919 %% 12000)::int,
    CASE WHEN g %% 2 = 0 THEN 'female' ELSE 'male' END,
    CASE WHEN random() < 0.6 THEN 'poverty_alleviated' ELSE 'none' END,
    'registered', now(), now(), c.code, true, random() < 0.5, 'given', date '2026-01-10',
    date '2026-02-20' + floor(random() * 45)::int,
    (ARRAY['primary', 'junior', 'senior', 'vocational', 'college'])[
        CASE WHEN e < 0.15 THEN 1 WHEN e < 0.65 THEN 2 WHEN e < 0.8 THEN 3
             WHEN e < 0.95 THEN 4 ELSE 5 END],
    '', (50 + floor(random() * 28)::int) * 100, '', 'import', '', '',
    '\\x00'::bytea, md5('phone' || g), lpad(right(g::text, 4), 4, '0'),
    '139****' || lpad(right(g::text, 4), 4, '0')
FROM (SELECT g, random() AS e FROM generate_series(%(first)s, %(last)s) AS g) AS s
JOIN (SELECT code, ordinality - 1 AS slot
      FROM unnest(%(counties)s::text[]) WITH ORDINALITY AS code) AS c
  ON c.slot = (s.g - 1) %% %(county_count)s
ORDER BY g
"""
# Each worker's first skill (level 1-4) is also their one wished occupation; a fifth of them
# hold a second skill; everyone wishes for one of the ten cities.
PICKS_SQL = """
CREATE TEMP TABLE bench_picks AS
SELECT id AS worker_id,
    (%(occupations)s::bigint[])[1 + floor(random() * %(n)s)::int] AS first,
    (%(occupations)s::bigint[])[1 + floor(random() * %(n)s)::int] AS second,
    random() AS r, random() AS r2
FROM workers_worker
"""
CHILDREN_SQL = [
    "INSERT INTO workers_workerskill (worker_id, occupation_id, level, years) "
    "SELECT worker_id, first, 1 + floor(random() * 4)::int, floor(random() * 13)::int "
    "FROM bench_picks ORDER BY worker_id",
    "INSERT INTO workers_workerskill (worker_id, occupation_id, level, years) "
    "SELECT worker_id, second, 1 + floor(random() * 3)::int, floor(random() * 7)::int "
    "FROM bench_picks WHERE second <> first AND r < 0.2 ORDER BY worker_id",
    "INSERT INTO workers_wishoccupation (worker_id, occupation_id, rank) "
    "SELECT worker_id, first, 1 FROM bench_picks ORDER BY worker_id",
    "INSERT INTO workers_wishcity (worker_id, region_id, rank) "
    "SELECT worker_id, (%(cities)s::text[])[1 + floor(r2 * %(city_count)s)::int], 1 "
    "FROM bench_picks ORDER BY worker_id",
    "DROP TABLE bench_picks",
]
# Vacancies: headcount exponential around workers / vacancies, pay floors 4,000-7,400, start
# dates over 60 days, skill level, schooling, age limits and shifts as in bench_round.py.
VACANCIES_SQL = """
INSERT INTO jobs_vacancy (
    title, description, headcount, filled_count, wage_min, wage_max, start_date, status,
    created_at, updated_at, campaign_id, district_id, employer_id, occupation_id, address,
    age_max, age_min, benefits_note, contract_months, dormitory, meals, min_education,
    min_skill_level, pay_type, physical_requirements, published_at, shift_pattern,
    social_insurance, travel_reimbursement, working_hours)
SELECT '普工', '', greatest(1, floor(-ln(1 - random()) * %(mean)s)::int), 0, low,
    low + (5 + floor(random() * 20)::int) * 100,
    date '2026-02-20' + floor(random() * 60)::int, 'open', now(), now(), %(campaign)s,
    e.district_id, e.id, (%(occupations)s::bigint[])[1 + floor(random() * %(n)s)::int], '',
    (ARRAY[35, 40, 45, 50, 55])[1 + floor(random() * 5)::int], 18, '', 12,
    random() < 0.7, random() < 0.6,
    CASE WHEN r1 < 0.4 THEN 0 WHEN r1 < 0.8 THEN 2 ELSE 3 END,
    CASE WHEN r2 < 0.1 THEN 0 WHEN r2 < 0.3 THEN 1 WHEN r2 < 0.7 THEN 2 ELSE 3 END,
    'monthly', '', now(),
    CASE WHEN r3 < 0.4 THEN 'day' WHEN r3 < 0.7 THEN 'two_shifts'
         WHEN r3 < 0.8 THEN 'three_shifts' ELSE 'rotating' END,
    true, false, ''
FROM (SELECT g, (40 + floor(random() * 35)::int) * 100 AS low, random() AS r1,
             random() AS r2, random() AS r3
      FROM generate_series(0, %(count)s - 1) AS g) AS s
JOIN (SELECT id, district_id, row_number() OVER (ORDER BY id) - 1 AS slot
      FROM jobs_employer WHERE credit_code LIKE '91%%') AS e
  ON e.slot = s.g %% %(employers)s
ORDER BY g
"""


def _generate(workers: int, vacancies: int, seed: int) -> None:
    """Write the campaign's ``workers`` and ``vacancies`` with set-based SQL."""
    from jobs.models import Employer
    from laborbridge.identifiers import credit_code_check_char
    from laborbridge.models import Campaign, Occupation, Region

    districts = list(
        Region.objects.filter(
            level=Region.Level.COUNTY, code__regex=r"^37(0[1-9]|10)", latitude__isnull=False
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    campaign = Campaign.objects.get(code=ROUND_CAMPAIGN)
    occupations = list(
        Occupation.objects.filter(group__code__in=["4", "5", "6"])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    employers = []
    for index in range(max(1, vacancies // 8)):
        district = districts[index % len(districts)]
        body = f"91{district}{index:08d}0"
        employers.append(
            Employer(
                name=f"青岛基准{index}有限公司",
                credit_code=body + credit_code_check_char(body),
                city_id=district[:4] + "00",
                district_id=district,
                industry="C",
                verification_status="verified",
            )
        )
    Employer.objects.bulk_create(employers, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(
            VACANCIES_SQL,
            {
                "mean": workers / vacancies,
                "campaign": campaign.pk,
                "occupations": occupations,
                "n": len(occupations),
                "count": vacancies,
                "employers": len(employers),
            },
        )
        # 100,000 workers a statement: each INSERT stays a few seconds.
        for first in range(1, workers + 1, 100_000):
            cursor.execute(
                WORKERS_SQL,
                {
                    "first": first,
                    "last": min(workers, first + 99_999),
                    "counties": DINGXI_COUNTIES,
                    "county_count": len(DINGXI_COUNTIES),
                },
            )
        cursor.execute(PICKS_SQL, {"occupations": occupations, "n": len(occupations)})
        for statement in CHILDREN_SQL:
            cursor.execute(
                statement, {"cities": SHANDONG_CITIES, "city_count": len(SHANDONG_CITIES)}
            )
        cursor.execute(
            "SELECT sum(headcount) FROM jobs_vacancy WHERE campaign_id = %s", [campaign.pk]
        )
        headcount = cursor.fetchone()[0]
        for table in (
            "workers_worker",
            "workers_workerskill",
            "workers_wishoccupation",
            "workers_wishcity",
            "jobs_vacancy",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"generated {workers:,} workers, {vacancies:,} vacancies, headcount {headcount:,}")


def _reset_previous_rounds() -> None:
    """Forget earlier rounds of a kept database: their matches go, their workers are free."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workers_worker SET status = 'registered' WHERE status <> 'registered'"
        )
        cursor.execute("DELETE FROM matching_match")
        cursor.execute("DELETE FROM matching_matchround")
        cursor.execute("VACUUM ANALYZE matching_match")
        cursor.execute("VACUUM ANALYZE workers_worker")


def _server_settings() -> str:
    """PostgreSQL's memory and checkpoint settings: at a million workers the write path is
    bound by them (the default 128 MB of shared buffers holds a fraction of the worker table
    and its indexes; README, "Deployment")."""
    names = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "synchronous_commit")
    with connection.cursor() as cursor:
        shown = []
        for name in names:
            cursor.execute(f"SHOW {name}")
            shown.append(f"{name}={cursor.fetchone()[0]}")
    return "PostgreSQL: " + ", ".join(shown)


def _proc_status(pid: int, key: str) -> float:
    """Return a ``/proc/<pid>/status`` figure in MB (``VmHWM``: peak RSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def sample(out: str) -> None:
    """Sampler process: fetch the official's worker list until SIGTERM, one
    ``time latency_ms status`` line per request in ``out``."""
    from django.test import Client
    from django.urls import reverse

    from laborbridge.models import User

    official = User.objects.get(username="bench_round_official")
    client = Client()
    client.force_login(official)
    url = reverse("workers:list")
    client.get(url)  # warm: imports, templates, the session
    stop = False

    def _stop(*_args) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    with open(out, "w") as handle:
        while not stop:
            started = time.perf_counter()
            response = client.get(url)
            took = (time.perf_counter() - started) * 1000
            handle.write(f"{time.time():.3f} {took:.2f} {response.status_code}\n")
            handle.flush()
            time.sleep(SAMPLE_PAUSE)


def _sampler(out: str) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=_support.database_url(), CELERY_TASK_ALWAYS_EAGER="true")
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--sample", out], cwd=_support.ROOT, env=env
    )


def _samples(out: str, start: float, end: float) -> tuple[list[float], int]:
    """Return the latencies (ms) of the requests that started in [start, end], and how many
    answered other than 200."""
    latencies, bad = [], 0
    for line in Path(out).read_text().splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        finished, took, status = float(parts[0]), float(parts[1]), parts[2]
        if start <= finished - took / 1000 <= end:
            latencies.append(took)
            bad += status != "200"
    return latencies, bad


def _wait_for_samples(out: str, timeout: float = 120.0) -> None:
    """Wait until the sampler has answered a few requests (it signs in and warms up first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Path(out).exists() and len(Path(out).read_text().splitlines()) >= 3:
            return
        time.sleep(0.5)
    raise SystemExit(f"bench_round_1m: the sampler answered nothing in {timeout:g} s")


def _official():
    from laborbridge.models import Role, User

    User.objects.get_or_create(
        username="bench_round_official",
        defaults={"role": Role.COUNTY_OFFICIAL, "county_id": DINGXI_COUNTIES[0]},
    )


def _page_verdict(out: str, idle_window: tuple[float, float], busy_window) -> bool:
    """Print the list page's idle and during-the-round latencies; return whether its p99
    during the round is within P99_RATIO_TARGET of the idle p99 (and every answer was 200)."""
    idle, idle_bad = _samples(out, *idle_window)
    busy, busy_bad = _samples(out, *busy_window)
    idle_p99, busy_p99 = _p99(idle), _p99(busy)
    ratio = busy_p99 / idle_p99 if idle_p99 else float("inf")
    met = ratio <= P99_RATIO_TARGET and not idle_bad and not busy_bad and len(busy) > 1
    print(
        f"  worker list page: idle p99 {idle_p99:.1f} ms (median "
        f"{statistics.median(idle or [0]):.1f}, {len(idle)} requests); during the round p99 "
        f"{busy_p99:.1f} ms (median {statistics.median(busy or [0]):.1f}, {len(busy)} "
        f"requests, {idle_bad + busy_bad} not 200): ratio {ratio:.2f} "
        f"(≤ {P99_RATIO_TARGET:g}: {'met' if met else 'MISSED'})"
    )
    return met


def main() -> None:
    parser = _support.round_parser(__doc__, workers=1_000_000, vacancies=100_000)
    parser.add_argument("--idle-seconds", type=float, default=20.0)
    parser.add_argument("--keepdb", action="store_true", help="keep (and reuse) the database")
    parser.add_argument(
        "--build-only", action="store_true", help="build the kept database (--keepdb) and stop"
    )
    parser.add_argument("--sample", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sample:
        sample(args.sample)
        return
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        print("bench_round_1m: skipped — set DATABASE_URL (PostgreSQL) and REDIS_URL.")
        return
    from django.core.management import call_command

    args.keepdb |= args.build_only
    old = setup_databases(
        verbosity=0, interactive=False, keepdb=args.keepdb, serialized_aliases=set()
    )
    worker = sampler = None
    ok = True
    try:
        from laborbridge.models import Campaign
        from matching.models import MatchRound
        from workers.models import Worker

        if not Campaign.objects.filter(code=ROUND_CAMPAIGN).exists():
            call_command("load_reference", stdout=open(os.devnull, "w"))
        if Worker.objects.count() != args.workers:
            if Worker.objects.exists():
                raise SystemExit("bench_round_1m: the kept database has another size; drop it")
            _support.built(
                lambda: _generate(args.workers, args.vacancies, args.seed), "the campaign"
            )
        else:
            _reset_previous_rounds()
        if args.build_only:
            return
        _official()
        round_ = MatchRound.objects.create(
            campaign=Campaign.objects.get(code=ROUND_CAMPAIGN), mode=args.mode, seed=args.seed
        )
        import redis

        redis.from_url(settings.REDIS_URL).delete("matching")
        worker = _support.celery_worker(nice=MATCHING_NICE)
        out = str(Path(os.environ.get("TMPDIR", "/tmp")) / f"bench_round_1m_{os.getpid()}.txt")
        sampler = _sampler(out)
        time.sleep(6)  # let the worker boot (Django, NumPy, Numba) before anything is timed
        _wait_for_samples(out)
        idle_start = time.time()
        time.sleep(args.idle_seconds)
        idle_end = time.time()
        print(_support.load_line())
        print(_server_settings())
        cpu_before = _cpu_seconds(worker.pid)
        round_start = time.time()
        elapsed = _support.round_run_through_celery(round_.pk)
        round_end = time.time()
        worker_cpu = _cpu_seconds(worker.pid) - cpu_before
        peak_mb = _proc_status(worker.pid, "VmHWM")
        load = os.getloadavg()
        _support.process_stop(sampler, timeout=30)
        sampler = None
        ok &= _support.round_report(round_.pk, elapsed, "through a Celery worker (--pool=solo)")
        print(f"  load average after: {load[0]:.2f} {load[1]:.2f}")
        print(f"  worker CPU during the round: {worker_cpu:.2f} s; peak RSS {peak_mb:,.0f} MB")
        ok &= _support.target_met(elapsed, SECONDS_TARGET, "  enqueue → succeeded")
        met = peak_mb <= RSS_TARGET_MB
        print(f"  worker peak RSS ≤ {RSS_TARGET_MB:,.0f} MB — {'met' if met else 'MISSED'}")
        ok &= met
        ok &= _page_verdict(out, (idle_start, idle_end), (round_start, round_end))
        os.unlink(out)
    finally:
        _support.process_stop(sampler, timeout=30)
        _support.process_stop(worker)
        connection.close()
        if not args.keepdb:
            teardown_databases(old, verbosity=0)
    _support.finish(ok)


if __name__ == "__main__":
    main()
