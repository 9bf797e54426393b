"""Set-up shared by the benchmarks that build placed workers in a throwaway database.

Importing it puts the project on the path and starts Django (Celery eager unless a broker is
configured), so a benchmark imports it before anything of the project. The builders write
in bulk and draw from the caller's ``random.Random`` in a fixed order, so a seed gives the
same population every time.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)

T = TypeVar("T")


@contextmanager
def throwaway_database() -> Iterator[None]:
    """Create the test database of ``DATABASE_URL`` with the reference data; drop it after."""
    old = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=[])
    try:
        from laborbridge.reference import reference_load

        reference_load()
        yield
    finally:
        teardown_databases(old, verbosity=0)


def load_line() -> str:
    """Return the database vendor and the load average now (figures are read against it)."""
    load = os.getloadavg()
    return f"database: {connection.vendor}; load average before: {load[0]:.2f} {load[1]:.2f}"


def peak_rss_mb() -> float:
    """Return the process's peak resident memory in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def arguments(doc: str | None, **defaults: int | float | bool) -> argparse.Namespace:
    """Parse the command line of a benchmark: one ``--flag`` per keyword (``rows=10_000``
    gives ``--rows``, an int; ``target=30.0`` a float; ``profile=False`` a switch), with
    the first line of the module's docstring as the description."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    for name, default in defaults.items():
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            parser.add_argument(flag, action="store_true", default=default)
        else:
            parser.add_argument(flag, type=type(default), default=default)
    return parser.parse_args()


@dataclass
class Timing:
    """Seconds a ``timed`` block took: wall clock and this process's CPU. On a loaded
    machine they part (waiting for a core or for the database is wall, not CPU), so the
    benchmarks print both."""

    wall: float = 0.0
    cpu: float = 0.0

    def __str__(self) -> str:
        return f"{self.wall:.2f} s (CPU {self.cpu:.2f} s)"


@contextmanager
def timed() -> Iterator[Timing]:
    """Time the block: ``with timed() as took: …`` then ``took.wall`` / ``took.cpu``."""
    timing = Timing()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield timing
    finally:
        timing.wall = time.perf_counter() - wall
        timing.cpu = time.process_time() - cpu


def built(builder: Callable[[], T], what: str) -> T:
    """Run ``builder`` (a benchmark's data), then print the load average and how long
    building ``what`` took; return what the builder returned."""
    with timed() as took:
        result = builder()
    print(load_line())
    print(f"built {what} in {took.wall:.1f} s")
    return result


def target_met(seconds: float, target: float, what: str = "target") -> bool:
    """Print whether ``seconds`` is within ``target`` seconds; return it."""
    met = seconds <= target
    print(f"{what}: ≤ {target:g} s — {'met' if met else 'MISSED'}")
    return met


def finish(ok: bool) -> NoReturn:
    """Leave with the benchmarks' exit code: 0 when every target was met, else 1."""
    sys.exit(0 if ok else 1)


def county_official(county: str):
    """Create and return the county official a benchmark acts as."""
    from laborbridge.models import Role, User

    return User.objects.create(
        username=f"bench_official_{county}", role=Role.COUNTY_OFFICIAL, county_id=county
    )


# Rows per COPY statement: 10,000 rows of a few hundred bytes, a few MB of CSV at a time.
COPY_BATCH = 10_000


def _copy_value(value) -> str:
    if value is None:
        return "\\N"  # NULL; an empty field stays an empty string
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def next_pk(model) -> int:
    """Return the first free primary key of ``model`` (for rows ``copy_rows`` will write)."""
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def copy_rows(model, instances, *, batch: int = COPY_BATCH) -> int:
    """COPY the unsaved ``instances`` of ``model`` (``pk`` set, e.g. from ``next_pk``) into its
    table on PostgreSQL, ``batch`` rows per statement, then move the sequence past them;
    defaults and ``auto_now`` stamps are filled as ``save()`` would. Return how many."""
    from django.core.management.color import no_style
    from django.utils import timezone

    now = timezone.now()
    fields = list(model._meta.concrete_fields)
    stamped = {
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = (
        f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    )
    total = 0
    iterator = iter(instances)
    while chunk := list(itertools.islice(iterator, batch)):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for instance in chunk:
            row = []
            for f in fields:
                value = getattr(instance, f.attname)
                if value is None and f.attname in stamped:
                    value = now
                elif value is None and f.has_default():
                    value = f.get_default()
                row.append(_copy_value(value))
            writer.writerow(row)
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(sql, buffer)
        total += len(chunk)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(statement)
    return total


def timed_get(client, url: str, repeat: int) -> tuple[float, int, int]:
    """Return (median ms, status, queries) of ``repeat`` GETs of ``url`` by ``client``."""
    times = []
    status = queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        status, queries = response.status_code, len(captured)
    return statistics.median(times), status, queries


def qingdao_vacancies(
    districts: Sequence[str],
    *,
    headcount: int,
    start_date: dt.date,
    wage_min: Callable[[], int],
) -> list:
    """Create one verified Qingdao employer per entry of ``districts`` with one open 普工
    vacancy of ``headcount`` places each; return the vacancies."""
    from jobs.models import Employer, Industry, Vacancy, VacancyStatus, VerificationStatus
    from laborbridge.identifiers import credit_code_check_char
    from laborbridge.models import Occupation

    occupation = Occupation.objects.order_by("code").first()
    vacancies = []
    for index, district in enumerate(districts):
        body = f"91{district}{index:09d}"
        employer = Employer.objects.create(
            name=f"青岛基准{index}制造有限公司",
            credit_code=body + credit_code_check_char(body),
            city_id="370200",
            district_id=district,
            industry=Industry.MANUFACTURING,
            verification_status=VerificationStatus.VERIFIED,
        )
        vacancies.append(
            Vacancy.objects.create(
                employer=employer,
                occupation=occupation,
                title="普工",
                headcount=headcount,
                wage_min=wage_min(),
                wage_max=7000,
                district_id=district,
                start_date=start_date,
                status=VacancyStatus.OPEN,
            )
        )
    return vacancies


def worker_new(index: int, county: str, phone: str, **fields):
    """Return unsaved worker number ``index`` of ``county``: a valid resident ID number
    (encrypted, indexed, masked) whose birth date and serial follow from ``index``."""
    from laborbridge import crypto
    from laborbridge.identifiers import id_number_check_char, mask_id_number
    from workers.models import Worker

    born = dt.date(1970, 1, 1) + dt.timedelta(days=index % 12000)
    body = f"{county}{born:%Y%m%d}{index // 12000:03d}"
    number = body + id_number_check_char(body)
    worker = Worker(name=f"基准{index}", home_county_id=county, **fields)
    worker.id_number_encrypted = crypto.id_number_encrypt(number)
    worker.id_number_index = crypto.id_number_blind_index(number)
    worker.id_number_masked = mask_id_number(number)
    worker.birth_date, worker.sex = born, "male" if index % 2 else "female"
    worker.set_phone(phone)
    return worker


def workers_place(
    workers: Sequence,
    vacancies: Sequence,
    rng: random.Random,
    *,
    started_on: Callable[[], dt.date],
    batch_size: int | None = None,
    fields: Callable[[int, dt.date], dict] | None = None,
) -> list:
    """Hire each saved worker on a random vacancy (a hired match) and write the employment
    record the gate check-in opens, starting ``started_on()``; return the records.
    ``fields(index, started)`` adds fields to worker number ``index``'s record."""
    from matching.models import Match, MatchStatus
    from workers.models import Employment

    matches = [
        Match(worker=w, vacancy=rng.choice(vacancies), status=MatchStatus.HIRED) for w in workers
    ]
    Match.objects.bulk_create(matches, batch_size=batch_size)
    employments = []
    for index, m in enumerate(matches):
        started = started_on()
        employments.append(
            Employment(
                worker_id=m.worker_id,
                employer_id=m.vacancy.employer_id,
                vacancy=m.vacancy,
                match=m,
                started_on=started,
                **(fields(index, started) if fields is not None else {}),
            )
        )
    Employment.objects.bulk_create(employments, batch_size=batch_size)
    return employments


# --- matching rounds through a real Celery worker (bench_round.py, bench_round_1m.py)

DINGXI_COUNTIES = ["621102", "621121", "621122", "621123", "621124", "621125", "621126"]
ROUND_CAMPAIGN = "2026-chunfeng-dingxi-qingdao"


def round_parser(doc: str | None, *, workers: int, vacancies: int) -> argparse.ArgumentParser:
    """Return the command line of a round benchmark: ``--workers``, ``--vacancies``,
    ``--mode`` (stable / optimal) and ``--seed``; the caller may add its own flags."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=workers)
    parser.add_argument("--vacancies", type=int, default=vacancies)
    parser.add_argument("--mode", default="stable", choices=["stable", "optimal"])
    parser.add_argument("--seed", type=int, default=1)
    return parser


def database_url() -> str:
    """Return the URL of the database this process uses (the throwaway one), for children."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def celery_worker(queue: str = "matching", *, nice: int = 0) -> subprocess.Popen:
    """Start one Celery worker process (``--pool=solo``: the task runs in the process whose
    memory and CPU the benchmark reads) on ``queue`` against this process's database;
    ``nice`` as the Procfile's matching worker (``nice`` runs the worker in its own process)."""
    env = dict(os.environ, DATABASE_URL=database_url(), CELERY_TASK_ALWAYS_EAGER="false")
    command = ["nice", "-n", str(nice)] if nice else []
    command += [sys.executable, "-m", "celery", "-A", "laborbridge", "worker", "-Q", queue]
    command += ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen([*command, "-l", "warning"], cwd=ROOT, env=env)


def process_stop(process: subprocess.Popen | None, timeout: float = 60) -> None:
    """Ask a child process to stop (SIGTERM) and wait for it."""
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=timeout)


def round_run_through_celery(round_id: int) -> float:
    """Enqueue round ``round_id`` to the ``matching`` queue and wait until it has finished;
    return the seconds from enqueue to finished (succeeded or failed)."""
    from matching.models import MatchRound
    from matching.tasks import match_round_run

    started = time.perf_counter()
    match_round_run.delay(round_id)
    while MatchRound.objects.filter(pk=round_id, status__in=["queued", "running"]).exists():
        time.sleep(0.1)
    return time.perf_counter() - started


def round_report(round_id: int, elapsed: float, how: str) -> bool:
    """Print a finished round's figures and stage timings; return whether it succeeded."""
    from matching.models import MatchRound

    round_ = MatchRound.objects.get(pk=round_id)
    stats = round_.statistics
    engine_stats = stats.get("engine", {})
    pairs = engine_stats.get("candidate_pairs", 0)
    print(f"round #{round_.pk} {round_.status} {how}")
    if round_.failure_reason:
        print("  failure:", round_.failure_reason)
    print(
        f"  workers {stats.get('workers', 0):,}  vacancies {stats.get('vacancies', 0):,}  "
        f"headcount {stats.get('headcount', 0):,}  matched {stats.get('matched', 0):,}  "
        f"fill rate {stats.get('fill_rate')}"
    )
    print(
        f"  candidate pairs {pairs:,} ({pairs / max(1, stats.get('workers') or 1):.0f} per "
        f"worker), proposals {engine_stats.get('proposals', 0):,}"
    )
    print(f"  enqueue → {round_.status}: {elapsed:.2f} s")
    print("  stage timings (s): " + ", ".join(f"{k} {v}" for k, v in round_.timings.items()))
    return round_.status == "succeeded"
