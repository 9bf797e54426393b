"""Benchmark: follow-ups at 100,000 placed workers (issue 13).

Targets: an officer's follow-up list ≤ 300 ms server time; the monthly census of everyone
placed generated ≤ 30 s through Celery (the run kit's task, eager here unless a broker is
configured).

Runs against a throwaway test database on whatever ``DATABASE_URL`` points to (SQLite by
default), builds ``--placed`` placed workers from Dingxi's seven counties at Qingdao
employers (arrivals spread over the last year), one county official per county and one
Qingdao liaison, then

* census — ``followup_run_create`` through the run kit to the finished run: this month's
  census for everyone at work plus the scheduled points due now;
* again — the same run a second time (idempotent: creates nothing);
* lists — the Anding official's "my follow-ups" page (due, overdue, all in the county, a
  later page) and the API list, each requested ``--repeat`` times through the test client;
  the median server time is reported.

Prints the figures with the load average; exits 1 when a target is missed:

    .venv/bin/python bench/bench_followups.py [--placed 100000] [--repeat 5]
    DATABASE_URL=postgres://… .venv/bin/python bench/bench_followups.py
"""

from __future__ import annotations

import datetime as dt
import random

import _support  # starts Django: first of the project's imports
from django.db import transaction
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone

COUNTIES = ["621102", "621121", "621122", "621123", "621124", "621125", "621126"]
DISTRICTS = ["370214", "370211", "370281", "370212", "370213"]
# Rows per INSERT while seeding: 100,000 workers in 50 statements.
SEED_BATCH = 2000
LIST_TARGET_MS = 300
CENSUS_TARGET_S = 30


def _build(placed: int, seed: int = 13) -> None:
    """Write the placed workers, their hired matches and employment records in bulk."""
    from workers.models import Worker

    rng = random.Random(seed)
    today = timezone.localdate()
    vacancies = _support.qingdao_vacancies(
        DISTRICTS * 8,
        headcount=placed,
        start_date=today - dt.timedelta(days=400),
        wage_min=lambda: 5000,
    )
    for start in range(0, placed, SEED_BATCH):
        workers = [
            _support.worker_new(index, COUNTIES[index % len(COUNTIES)], f"139{index:08d}")
            for index in range(start, min(start + SEED_BATCH, placed))
        ]
        Worker.objects.bulk_create(workers)
        _support.workers_place(
            workers,
            vacancies,
            rng,
            started_on=lambda: today - dt.timedelta(days=rng.randrange(3, 365)),
        )


def main() -> None:
    args = _support.arguments(__doc__, placed=100_000, repeat=5)
    setup_test_environment()
    ok = False
    with _support.throwaway_database():
        from followups import services
        from followups.models import FollowUp, FollowUpRun
        from laborbridge.models import Pairing, Role, User

        _support.built(lambda: _build(args.placed), f"{args.placed:,} placed workers")
        officials = [
            User.objects.create(username=f"official_{c}", role=Role.COUNTY_OFFICIAL, county_id=c)
            for c in COUNTIES
        ]
        pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621100")
        User.objects.create(username="liaison", role=Role.LIAISON, pairing=pairing)

        runs = []
        for label in ("census", "again"):
            with _support.timed() as took, transaction.atomic():
                run = services.followup_run_create()
            run = FollowUpRun.objects.get(pk=run.pk)
            runs.append(took.wall)
            print(
                f"{label}: {run.status}, {run.census_created:,} census + "
                f"{run.scheduled_created:,} scheduled created, {run.reminders_sent} reminders "
                f"in {took}"
            )
        total = FollowUp.objects.count()
        print(f"follow-ups in the table: {total:,}; peak RSS {_support.peak_rss_mb():.0f} MB")

        client = Client()
        client.force_login(officials[0])
        client.get("/")  # warm-up: imports, URL conf, templates
        worst = 0.0
        for url in (
            "/followups/",
            "/followups/?state=overdue",
            "/followups/?who=all",
            "/followups/?who=all&page=40",
            "/api/v1/followups/",
        ):
            median, status, queries = _support.timed_get(client, url, args.repeat)
            worst = max(worst, median)
            print(f"GET {url}: {median:.0f} ms median, HTTP {status}, {queries} queries")
        census_ok = _support.target_met(runs[0], CENSUS_TARGET_S, "target, census")
        list_ok = _support.target_met(worst / 1000, LIST_TARGET_MS / 1000, "target, lists")
        ok = census_ok and list_ok
    _support.finish(ok)


if __name__ == "__main__":
    main()
