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

import datetime as dt

import _support  # starts Django: first of the project's imports

ANDING = "621102"
MONTH = dt.date(2026, 11, 1)
# Rows per INSERT while seeding: 2,000 workers take ~0.3 s on PostgreSQL.
BATCH = 2000


def _build(rows: int) -> None:
    """Write the county's workers and their approved applications in bulk."""
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
    workers = [
        _support.worker_new(
            index,
            ANDING,
            f"139{index:08d}",
            poverty_status=PovertyStatus.POVERTY_ALLEVIATED,
        )
        for index in range(rows)
    ]
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
    args = _support.arguments(__doc__, rows=10_000, target=5.0)
    ok = True
    with _support.throwaway_database():
        from subsidies import payments

        _support.built(lambda: _build(args.rows), f"{args.rows:,} approved applications")
        official = _support.county_official(ANDING)
        with _support.timed() as created:
            batch = payments.payment_batch_create(
                actor=official, county=official.county, month=MONTH
            )
        _accounts(batch)
        exports = {}
        for label, full in (("masked", False), ("full numbers", True)):
            with _support.timed() as took:
                content = payments.payment_batch_export(
                    actor=official, batch=batch, full=full, reason="基准测试导出"
                )
            exports[label] = (took, len(content))
        print(f"payment_batch_create: {batch.lines.count():,} lines in {created}")
        for label, (took, size) in exports.items():
            print(f"export ({label}): {took}, {size:,} bytes")
            ok &= _support.target_met(took.wall, args.target, f"target, export ({label})")
        print(f"peak RSS {_support.peak_rss_mb():.0f} MB")
    _support.finish(ok)


if __name__ == "__main__":
    main()
