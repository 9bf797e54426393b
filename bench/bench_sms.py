"""Benchmark: SMS outreach (issue 15).

Targets: 10,000 departure reminders rendered and queued ≤ 5 s; drained through the stub
provider (the real Alibaba SDK against a local HTTP server answering like the provider) at
≥ 200 messages/s with two Celery workers.

Runs against a throwaway test database on ``DATABASE_URL``. Builds ``--travellers``
consenting workers with confirmed seats on one special train three days out, then

* queue — ``outreach.triggers.reminders_schedule`` of every seat (what confirming the plan
  does): two reminders each, rendered, phones decrypted, normalised and re-encrypted, and
  inserted; timed in one transaction;
* drain — the queued rows made due (departure day, so quiet hours do not hold them) and
  drained by two Celery worker processes (``-c 1`` each) through the stub provider, when
  ``REDIS_URL`` is set; without a broker, by two drains in threads of this process.

Prints the figures with the load average; exits 1 when a target is missed:

    DATABASE_URL=postgres://… REDIS_URL=redis://…/N .venv/bin/python bench/bench_sms.py
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The stub provider of the tests; the worker processes read these when they start.
from tests.outreach.stub_provider import StubProvider  # noqa: E402

STUB = StubProvider()
os.environ.update(
    LABORBRIDGE_SMS_BACKEND="aliyun",
    LABORBRIDGE_SMS_ACCESS_KEY_ID="bench",
    LABORBRIDGE_SMS_ACCESS_KEY_SECRET="bench-secret",
    LABORBRIDGE_SMS_ENDPOINT=STUB.endpoint,
    LABORBRIDGE_SMS_DAILY_LIMIT="100",
)
if os.environ.get("REDIS_URL"):
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # the drain runs on the Celery workers

import _support  # noqa: E402  (starts Django)
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

QUEUE_TARGET_S = 5.0
DRAIN_TARGET_PER_S = 200
SEED_BATCH = 2000
COUNTIES = ["621102", "621121", "621122", "621123"]


def _build(travellers: int):
    """Write consenting workers, hired matches and confirmed seats on one train; return the
    seats (with what the reminder reads) and the plan."""
    from laborbridge.models import Campaign, Pairing, Station
    from transport.models import PlanStatus, RunStatus, Seat, TransportPlan, Trip, TripCar, TripMode
    from workers.models import ConsentStatus, Worker

    rng = random.Random(15)
    vacancies = _support.qingdao_vacancies(
        ["370214"] * 4, headcount=travellers, start_date=timezone.localdate(), wage_min=lambda: 5000
    )
    campaign = Campaign.objects.create(
        code="bench-sms",
        name_zh="基准行动",
        pairing=Pairing.objects.get(east_region_id="370200", west_region_id="621100"),
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2027, 12, 31),
    )
    departure = timezone.now() + dt.timedelta(days=3)
    per_car = 100
    cars = -(-travellers // per_car)
    trip = Trip.objects.create(
        campaign=campaign,
        mode=TripMode.SPECIAL_TRAIN,
        service_number="Y501",
        origin=Station.objects.get(code="lanzhou"),
        destination=Station.objects.get(code="qingdao"),
        departure_at=departure,
        arrival_at=departure + dt.timedelta(hours=20),
        cars=cars,
        seats_per_car=per_car,
        escort_phone="13800138000",
    )
    car_rows = TripCar.objects.bulk_create(
        [TripCar(trip=trip, car_no=n + 1, seats=per_car, occupied=0) for n in range(cars)]
    )
    plan = TransportPlan.objects.create(
        campaign=campaign, version=1, run_status=RunStatus.SUCCEEDED, status=PlanStatus.CONFIRMED
    )
    for start in range(0, travellers, SEED_BATCH):
        workers = [
            _support.worker_new(
                i, COUNTIES[i % len(COUNTIES)], f"137{i:08d}", consent_status=ConsentStatus.GIVEN
            )
            for i in range(start, min(start + SEED_BATCH, travellers))
        ]
        Worker.objects.bulk_create(workers)
        from matching.models import Match, MatchStatus

        matches = [
            Match(worker=w, vacancy=rng.choice(vacancies), status=MatchStatus.CONFIRMED)
            for w in workers
        ]
        Match.objects.bulk_create(matches)
        Seat.objects.bulk_create(
            [
                Seat(
                    plan=plan,
                    trip=trip,
                    car=car_rows[(start + k) // per_car],
                    row=(start + k) % per_car // 5 + 1,
                    letter="ABCDF"[(start + k) % 5],
                    match=m,
                    worker_id=m.worker_id,
                    confirmed=True,
                )
                for k, m in enumerate(matches)
            ]
        )
    return plan


def _drain_with_celery(workers: int) -> float:
    """Drain with ``workers`` Celery processes; return the seconds from enqueue to empty."""
    import redis
    from django.conf import settings

    from outreach.tasks import sms_drain_task
    from tests.celery_support import _celery, process_env, stop_worker

    redis.from_url(settings.REDIS_URL).delete("celery")
    env = process_env(**{k: v for k, v in os.environ.items() if k.startswith("LABORBRIDGE_SMS")})
    processes = [
        _celery(
            "worker",
            "-Q",
            "celery",
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"bench-sms-{n}@%h",
            env=env,
        )
        for n in range(workers)
    ]
    try:
        time.sleep(4)  # workers up (their start is not part of the drain)
        started = time.perf_counter()
        for _ in range(workers):
            sms_drain_task.delay()
        _wait_drained()
        return time.perf_counter() - started
    finally:
        for process in processes:
            stop_worker(process)


def _wait_drained(timeout: float = 600) -> None:
    from outreach.models import SmsMessage, SmsStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not SmsMessage.objects.filter(status__in=[SmsStatus.QUEUED, SmsStatus.SENDING]).exists():
            return
        time.sleep(0.05)
    raise SystemExit("drain did not finish")


def main() -> None:
    # --travellers (two reminders each), --workers, --profile (cProfile the queue step only)
    args = _support.arguments(__doc__, travellers=5000, workers=2, profile=False)
    ok = True
    with STUB, _support.throwaway_database():
        from django.db import connection

        from outreach import triggers
        from outreach.models import SmsMessage, SmsStatus
        from transport.models import Seat

        plan = _support.built(lambda: _build(args.travellers), f"{args.travellers:,} travellers")

        seats = Seat.objects.filter(plan=plan).select_related("trip__origin", "car", "worker")
        if args.profile:
            import cProfile
            import pstats

            with cProfile.Profile() as profile, transaction.atomic():
                triggers.reminders_schedule(seats.order_by("pk"))
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            return
        with _support.timed() as queued, transaction.atomic():
            written = triggers.reminders_schedule(seats.order_by("pk"))
        print(f"queue: {written:,} reminders rendered and queued in {queued}")
        ok &= _support.target_met(queued.wall, QUEUE_TARGET_S, "target, queue")

        SmsMessage.objects.update(scheduled_for=timezone.now(), departure_on=timezone.localdate())
        total = SmsMessage.objects.count()
        if os.environ.get("REDIS_URL"):
            how = f"{args.workers} Celery workers"
            elapsed = _drain_with_celery(args.workers)
        else:
            from outreach.drain import drain

            how = f"{args.workers} threads (no broker)"

            def run():
                drain(budget_seconds=600)
                connection.close()

            started = time.perf_counter()
            threads = [threading.Thread(target=run) for _ in range(args.workers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - started
        sent = SmsMessage.objects.filter(status=SmsStatus.SENT).count()
        out_ids = [r["OutId"] for r in STUB.requests]
        duplicates = len(out_ids) - len(set(out_ids))
        rate = sent / elapsed
        print(
            f"drain: {sent:,}/{total:,} sent through the stub by {how} in {elapsed:.2f} s = "
            f"{rate:.0f}/s (target ≥ {DRAIN_TARGET_PER_S}/s); provider requests "
            f"{len(out_ids):,}, duplicates {duplicates}"
        )
        ok &= rate >= DRAIN_TARGET_PER_S and duplicates == 0 and sent == total
    _support.finish(ok)


if __name__ == "__main__":
    main()
