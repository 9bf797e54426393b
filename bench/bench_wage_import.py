"""Benchmark: a 10,000-row monthly wage roster (工资花名册) from one employer, preview then
commit, against its placed workers (target ≤ 30 s from upload to committed).

Runs against a throwaway test database on whatever ``DATABASE_URL`` points to (SQLite by
default), with Celery eager. Builds one Qingdao employer with ``--rows`` placed workers
(arrived 1–6 months ago), writes their pay for last month as an .xlsx — one row in ten paid
more than the threshold below the promise (a wage-gap flag and a coordinator notice each),
one in a hundred with an ID number the employer never placed (rejected in the preview) —
then times the shared import machinery: upload → preview → commit as the employer's HR.
Prints the figures with the load average; exits 1 when the target is missed:

    .venv/bin/python bench/bench_wage_import.py [--rows 10000] [--target 30]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_wage_import.py
"""

from __future__ import annotations

import datetime as dt
import io
import random

import _support  # starts Django: first of the project's imports
from django.db import connection
from django.utils import timezone
from openpyxl import Workbook

ANDING = "621102"
CHENGYANG = "370214"
WAGE_MIN = 5000
BATCH = 2000


_SYLLABLES = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"


def _name(index: int) -> str:
    """Return a name without digits for worker ``index`` (the roster's name cleaner refuses
    digits): 王 followed by ``index`` written in 20 syllables."""
    letters = ""
    while True:
        index, digit = divmod(index, len(_SYLLABLES))
        letters = _SYLLABLES[digit] + letters
        if index == 0:
            return "王" + letters


def _id_number(index: int, county: str = ANDING) -> str:
    """Return the resident ID number ``_support.worker_new`` gives worker ``index``."""
    from laborbridge.identifiers import id_number_check_char

    born = dt.date(1970, 1, 1) + dt.timedelta(days=index % 12000)
    body = f"{county}{born:%Y%m%d}{index // 12000:03d}"
    return body + id_number_check_char(body)


def _build(rows: int, month: dt.date, seed: int = 17):
    """Write one employer's placed workers in bulk; return the employer."""
    from workers.models import Worker

    rng = random.Random(seed)
    (vacancy,) = _support.qingdao_vacancies(
        [CHENGYANG], headcount=rows, start_date=month, wage_min=lambda: WAGE_MIN
    )
    workers = [
        _support.worker_new(index, ANDING, f"139{rng.randrange(0, 10**8):08d}")
        for index in range(rows)
    ]
    for index, worker in enumerate(workers):
        worker.name = _name(index)
    Worker.objects.bulk_create(workers, batch_size=BATCH)
    _support.workers_place(
        workers,
        [vacancy],
        rng,
        started_on=lambda: month - dt.timedelta(days=rng.randrange(0, 150)),
        batch_size=BATCH,
    )
    return vacancy.employer


def _roster(rows: int, month: dt.date, seed: int = 19) -> tuple[bytes, int, int]:
    """Return the .xlsx and how many rows are short and unknown."""
    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号", "月份", "应发工资", "发放日期"])
    short = unknown = 0
    paid_on = month.replace(day=28)  # paid at the end of the month (not after today)
    for index in range(rows):
        if index % 100 == 99:  # someone the employer never placed
            number, unknown = _id_number(rows + 50_000 + index), unknown + 1
        else:
            number = _id_number(index)
        if index % 10 == 3:
            gross, short = rng.randrange(3000, 4400), short + 1
        else:
            gross = rng.randrange(WAGE_MIN, WAGE_MIN + 1500)
        sheet.append([_name(index), number, f"{month:%Y-%m}", gross, paid_on.isoformat()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), short, unknown


def main() -> None:
    args = _support.arguments(__doc__, rows=10_000, target=30.0)
    ok = False
    with _support.throwaway_database():
        from laborbridge.imports import services
        from laborbridge.imports.models import ImportJob
        from laborbridge.models import Role, User
        from placement.models import MonthlyWage, WageGapFlag

        today = timezone.localdate()
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        employer, (data, short, unknown) = _support.built(
            lambda: (_build(args.rows, month), _roster(args.rows, month)),
            f"{args.rows:,} placed workers and their .xlsx",
        )
        hr = User.objects.create(username="bench_hr", role=Role.EMPLOYER_HR, employer=employer)

        with _support.timed() as preview:
            job = services.import_job_create(
                actor=hr, kind="placement.wage_roster", file_name="wages.xlsx", data=data
            )
            job.refresh_from_db()  # on_commit ran the eager preview task already
        assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
        queries = []  # counted by a wrapper: Django's query log keeps only the last 9,000

        def count(execute, sql, params, many, context):
            queries.append(1)
            return execute(sql, params, many, context)

        with _support.timed() as commit, connection.execute_wrapper(count):
            services.import_job_confirm(actor=hr, job=job)
            job.refresh_from_db()
        total = preview.wall + commit.wall
        stored = MonthlyWage.objects.count()
        flags = WageGapFlag.objects.count()
        print(
            f"preview {preview}   commit {commit} ({len(queries):,} queries)   total {total:.2f} s"
        )
        print(
            f"job {job.status}: {job.result}; stored {stored:,} wages "
            f"(expected {args.rows - unknown:,}), {flags:,} wage-gap flags (expected {short:,}), "
            f"{unknown} unknown rows rejected; peak RSS {_support.peak_rss_mb():.0f} MB"
        )
        reasons = sorted({str(error) for error in job.errors[:200]})[:3]
        print(f"sample rejection reasons: {reasons}")
        met = _support.target_met(total, args.target)
        ok = (
            job.status == ImportJob.Status.COMMITTED
            and stored == args.rows - unknown
            and flags == short
            and met
        )
    _support.finish(ok)


if __name__ == "__main__":
    main()
