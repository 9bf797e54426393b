"""Benchmark: the poverty-monitoring export of a 20,000-person county (target ≤ 10 s).

Runs against a throwaway test database on whatever ``DATABASE_URL`` points to (SQLite by
default), with Celery eager, builds one county of ``--people`` registered workers — four in
five placed (arrival this year or last), one placed worker in five with a 换岗 (some off the
platform), one in ten back home — and times ``poverty_export_create`` through the run kit to
the finished, encrypted file. Prints the figures with the load average; exits 1 when the
target is missed:

    .venv/bin/python bench/bench_poverty_export.py [--people 20000] [--target 10]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_poverty_export.py
"""

from __future__ import annotations

import datetime as dt
import random

import _support  # starts Django: first of the project's imports
from django.db import transaction

ANDING = "621102"
DISTRICTS = ["370214", "370211", "370281"]  # Chengyang, Huangdao, Jiaozhou
AS_OF = dt.date(2026, 12, 5)
BATCH = 2000


def _build(people: int, seed: int = 13) -> None:
    """Write the county's workers, matches, employments and events in bulk."""
    from placement.models import EmploymentEvent, EventKind
    from workers.models import PovertyStatus, Worker

    rng = random.Random(seed)
    vacancies = _support.qingdao_vacancies(
        DISTRICTS * 4,
        headcount=people,
        start_date=dt.date(2026, 3, 1),
        wage_min=lambda: rng.choice([300, 4500, 5200, 6000]),
    )
    statuses = [PovertyStatus.POVERTY_ALLEVIATED, PovertyStatus.NONE, PovertyStatus.MONITORED]
    workers = []
    for index in range(people):
        phone = f"139{rng.randrange(0, 10**8):08d}" if index % 50 else f"1380000{index % 1000:04d}"
        workers.append(
            _support.worker_new(
                index,
                ANDING,
                phone,
                poverty_status=statuses[index % 3],
                home_village_name=f"{index % 40}村",
            )
        )
    Worker.objects.bulk_create(workers, batch_size=BATCH)
    placed = [w for i, w in enumerate(workers) if i % 5]
    employments = _support.workers_place(
        placed,
        vacancies,
        rng,
        started_on=lambda: AS_OF - dt.timedelta(days=rng.randrange(30, 500)),
        batch_size=BATCH,
    )
    events = []
    for index, employment in enumerate(employments):
        start = employment.started_on
        if index % 5 == 0:
            events.append(
                EmploymentEvent(
                    employment=employment,
                    kind=EventKind.JOB_CHANGE,
                    occurred_on=start + dt.timedelta(days=20),
                    employer_name="平台外企业" if index % 2 else "",
                    employer=None if index % 2 else employment.employer,
                    workplace_id=rng.choice(DISTRICTS),
                    monthly_wage=5000,
                )
            )
        if index % 10 == 3:
            events.append(
                EmploymentEvent(
                    employment=employment,
                    kind=EventKind.RETURNED_HOME,
                    occurred_on=start + dt.timedelta(days=25),
                    reason="family",
                )
            )
        events.append(
            EmploymentEvent(
                employment=employment,
                kind=EventKind.CONFIRMED,
                occurred_on=min(start + dt.timedelta(days=10), AS_OF),
            )
        )
    EmploymentEvent.objects.bulk_create(events, batch_size=BATCH)


def main() -> None:
    args = _support.arguments(__doc__, people=20_000, target=10.0)
    ok = False
    with _support.throwaway_database():
        from placement import poverty_export
        from placement.export_models import PovertyExport

        _support.built(lambda: _build(args.people), f"{args.people:,} people")
        official = _support.county_official(ANDING)
        with _support.timed() as took, transaction.atomic():
            export = poverty_export.poverty_export_create(
                actor=official, county=official.county, as_of=AS_OF
            )
        export = PovertyExport.objects.get(pk=export.pk)
        peak = _support.peak_rss_mb()
        print(
            f"export: {export.status}, {export.row_count:,} rows, "
            f"{len(export.findings):,} findings {dict(export.counts)}, "
            f"file {len(export.file_data or b''):,} bytes (encrypted)"
        )
        print(f"export time: {took}, peak RSS {peak:.0f} MB")
        met = _support.target_met(took.wall, args.target)
        ok = export.status == PovertyExport.Status.DONE and met
    _support.finish(ok)


if __name__ == "__main__":
    main()
