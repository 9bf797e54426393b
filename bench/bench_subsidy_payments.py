"""Benchmark: a 10,000-row subsidy payment batch exported as the bank's file (target ≤ 5 s).

Runs against a throwaway test database on whatever ``DATABASE_URL`` points to (SQLite by
default): one county of ``--rows`` approved transport-subsidy applications, each person with a
social-security card number; times ``payment_batch_create`` (the batch from the approved
list), then ``payment_batch_export`` masked and with full numbers (decrypting every ID and
card number), each to the finished .xlsx bytes. Prints the figures with the load average;
exits 1 when an export misses the target:

    .venv/bin/python bench/bench_subsidy_payments.py [--rows 10000] [--target 5]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_subsidy_payments.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402

ANDING = "621102"
MONTH = dt.date(2026, 11, 1)
# Rows per INSERT while seeding: 2,000 workers take ~0.3 s on PostgreSQL.
BATCH = 2000


def _build(rows: int) -> None:
    """Write the county's workers and their approved applications in bulk."""
    from laborbridge import crypto
    from laborbridge.identifiers import id_number_check_char, mask_id_number
    from subsidies.models import (
        Application,
        ApplicationSource,
        ApplicationStatus,
        Policy,
        PolicyBudget,
        PolicyKind,
    )
    from workers.models import PovertyStatus, Worker

    policy = Policy.objects.create(
        code="bench-transport",
        name="基准交通补贴",
        kind=PolicyKind.TRANSPORT,
        issuing_region_id="620000",
        year=2026,
        target_groups=["poverty_alleviated"],
    )
    PolicyBudget.objects.create(policy=policy, county_id=ANDING, amount=rows * 600)
    workers = []
    for index in range(rows):
        born = dt.date(1970, 1, 1) + dt.timedelta(days=index % 12000)
        body = f"{ANDING}{born:%Y%m%d}{index // 12000:03d}"
        number = body + id_number_check_char(body)
        worker = Worker(
            name=f"基准{index}",
            home_county_id=ANDING,
            poverty_status=PovertyStatus.POVERTY_ALLEVIATED,
        )
        worker.id_number_encrypted = crypto.id_number_encrypt(number)
        worker.id_number_index = crypto.id_number_blind_index(number)
        worker.id_number_masked = mask_id_number(number)
        worker.birth_date, worker.sex = born, "male" if index % 2 else "female"
        worker.set_phone(f"139{index:08d}")
        workers.append(worker)
    Worker.objects.bulk_create(workers, batch_size=BATCH)
    Application.objects.bulk_create(
        [
            Application(
                policy=policy,
                policy_kind=policy.kind,
                policy_year=policy.year,
                worker=worker,
                county_id=ANDING,
                amount=600 if index % 3 else 400,
                amount_frozen=600 if index % 3 else 400,
                status=ApplicationStatus.APPROVED,
                source=ApplicationSource.AUTOMATIC,
            )
            for index, worker in enumerate(workers)
        ],
        batch_size=BATCH,
    )


def _accounts(batch) -> None:
    from laborbridge import crypto
    from subsidies.models import PaymentLine
    from subsidies.models.payments import PURPOSE_PAYMENT_ACCOUNT
    from subsidies.payments import mask_account

    lines = list(batch.lines.all())
    for index, line in enumerate(lines):
        account = f"621700{index:013d}"
        line.account_encrypted = crypto.encrypt(account.encode(), purpose=PURPOSE_PAYMENT_ACCOUNT)
        line.account_masked = mask_account(account)
    PaymentLine.objects.bulk_update(
        lines, ["account_encrypted", "account_masked"], batch_size=BATCH
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--target", type=float, default=5.0)
    args = parser.parse_args()
    old = setup_databases(verbosity=0, interactive=False, keepdb=False, serialized_aliases=[])
    try:
        from laborbridge.models import Region, Role, User
        from laborbridge.reference import reference_load
        from subsidies import payments

        reference_load()
        started = time.perf_counter()
        _build(args.rows)
        built = time.perf_counter() - started
        official = User.objects.create(
            username="bench_official", role=Role.COUNTY_OFFICIAL, county_id=ANDING
        )
        county = Region.objects.get(pk=ANDING)
        load = os.getloadavg()
        started = time.perf_counter()
        batch = payments.payment_batch_create(actor=official, county=county, month=MONTH)
        created = time.perf_counter() - started
        _accounts(batch)
        timings = {}
        for label, full in (("masked", False), ("full numbers", True)):
            cpu0 = time.process_time()
            started = time.perf_counter()
            content = payments.payment_batch_export(
                actor=official, batch=batch, full=full, reason="基准测试导出"
            )
            timings[label] = (time.perf_counter() - started, time.process_time() - cpu0)
            timings[label + " size"] = (len(content), 0)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"database: {connection.vendor}; load average before: {load[0]:.2f} {load[1]:.2f}")
        print(f"built {args.rows:,} approved applications in {built:.1f} s")
        print(f"payment_batch_create: {batch.lines.count():,} lines in {created:.2f} s")
        ok = True
        for label in ("masked", "full numbers"):
            elapsed, cpu = timings[label]
            size = timings[label + " size"][0]
            met = elapsed <= args.target
            ok = ok and met
            print(
                f"export ({label}): {elapsed:.2f} s (CPU {cpu:.2f} s), {size:,} bytes — "
                f"{'met' if met else 'MISSED'} (≤ {args.target:.0f} s)"
            )
        print(f"peak RSS {peak:.0f} MB")
    finally:
        teardown_databases(old, verbosity=0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
