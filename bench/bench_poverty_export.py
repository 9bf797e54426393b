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

import argparse
import datetime as dt
import os
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

ANDING = "621102"
DISTRICTS = ["370214", "370211", "370281"]  # Chengyang, Huangdao, Jiaozhou
AS_OF = dt.date(2026, 12, 5)
BATCH = 2000


def _build(people: int, seed: int = 13) -> None:
    """Write the county's workers, matches, employments and events in bulk."""
    from jobs.models import Employer, Industry, Vacancy, VacancyStatus, VerificationStatus
    from laborbridge import crypto
    from laborbridge.identifiers import credit_code_check_char, id_number_check_char, mask_id_number
    from laborbridge.models import Occupation
    from matching.models import Match, MatchStatus
    from placement.models import EmploymentEvent, EventKind
    from workers.models import Employment, PovertyStatus, Worker

    rng = random.Random(seed)
    occupation = Occupation.objects.order_by("code").first()
    vacancies = []
    for index, district in enumerate(DISTRICTS * 4):
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
                headcount=people,
                wage_min=rng.choice([300, 4500, 5200, 6000]),
                wage_max=7000,
                district_id=district,
                start_date=dt.date(2026, 3, 1),
                status=VacancyStatus.OPEN,
            )
        )
    statuses = [PovertyStatus.POVERTY_ALLEVIATED, PovertyStatus.NONE, PovertyStatus.MONITORED]
    workers = []
    for index in range(people):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=index % 12000)
        body = f"{ANDING}{born:%Y%m%d}{index // 12000:03d}"
        number = body + id_number_check_char(body)
        phone = f"139{rng.randrange(0, 10**8):08d}" if index % 50 else f"1380000{index % 1000:04d}"
        worker = Worker(
            name=f"基准{index}",
            home_county_id=ANDING,
            poverty_status=statuses[index % 3],
            home_village_name=f"{index % 40}村",
        )
        worker.id_number_encrypted = crypto.id_number_encrypt(number)
        worker.id_number_index = crypto.id_number_blind_index(number)
        worker.id_number_masked = mask_id_number(number)
        worker.birth_date, worker.sex = born, "male" if index % 2 else "female"
        worker.set_phone(phone)
        workers.append(worker)
    Worker.objects.bulk_create(workers, batch_size=BATCH)
    placed = [w for i, w in enumerate(workers) if i % 5]
    matches = [
        Match(worker=w, vacancy=rng.choice(vacancies), status=MatchStatus.HIRED) for w in placed
    ]
    Match.objects.bulk_create(matches, batch_size=BATCH)
    employments = [
        Employment(
            worker_id=m.worker_id,
            employer_id=m.vacancy.employer_id,
            vacancy=m.vacancy,
            match=m,
            started_on=AS_OF - dt.timedelta(days=rng.randrange(30, 500)),
        )
        for m in matches
    ]
    Employment.objects.bulk_create(employments, batch_size=BATCH)
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--target", type=float, default=10.0)
    args = parser.parse_args()
    old = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=[])
    try:
        from laborbridge.models import Region, Role, User
        from laborbridge.reference import reference_load
        from placement import poverty_export
        from placement.export_models import PovertyExport

        reference_load()
        started = time.perf_counter()
        _build(args.people)
        built = time.perf_counter() - started
        official = User.objects.create(
            username="bench_official", role=Role.COUNTY_OFFICIAL, county_id=ANDING
        )
        county = Region.objects.get(pk=ANDING)
        load = os.getloadavg()
        cpu0 = time.process_time()
        started = time.perf_counter()
        with transaction.atomic():
            export = poverty_export.poverty_export_create(
                actor=official, county=county, as_of=AS_OF
            )
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        export = PovertyExport.objects.get(pk=export.pk)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"database: {connection.vendor}; load average before: {load[0]:.2f} {load[1]:.2f}")
        print(f"built {args.people:,} people in {built:.1f} s")
        print(
            f"export: {export.status}, {export.row_count:,} rows, "
            f"{len(export.findings):,} findings {dict(export.counts)}, "
            f"file {len(export.file_data or b''):,} bytes (encrypted)"
        )
        print(
            f"export time: {elapsed:.2f} s (CPU in the process {cpu:.2f} s), peak RSS {peak:.0f} MB"
        )
        print(f"target: ≤ {args.target:.0f} s — {'met' if elapsed <= args.target else 'MISSED'}")
        ok = export.status == PovertyExport.Status.DONE and elapsed <= args.target
    finally:
        teardown_databases(old, verbosity=0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
