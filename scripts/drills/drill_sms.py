"""Reliability drill (issue 15): kill a Celery worker mid-drain; no message goes out twice.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lb_drill REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python scripts/drills/drill_sms.py [--trials 3] [--messages 2000]

Each trial queues ``--messages`` departure-day reminders (essential, so quiet hours do not
hold them), starts one worker sending through the real Alibaba SDK to a stub provider in
this process (tests/outreach/stub_provider.py), SIGKILLs the worker's pool child and then
the worker itself once a few hundred have gone, starts a second worker and drains the rest.
The rows the killed worker had claimed stay ``sending``; the reaper (run here with its
clock moved past INTERRUPTED_AFTER) fails them as "interrupted — check and resend", never
sends them again. Prints: provider requests per OutId (must be ≤ 1), sent, interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts" / "drills"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")

from tests.outreach.stub_provider import StubProvider  # noqa: E402

STUB = StubProvider()
os.environ.update(
    LABORBRIDGE_SMS_BACKEND="aliyun",
    LABORBRIDGE_SMS_ACCESS_KEY_ID="drill",
    LABORBRIDGE_SMS_ACCESS_KEY_SECRET="drill-secret",
    LABORBRIDGE_SMS_ENDPOINT=STUB.endpoint,
    LABORBRIDGE_SMS_DAILY_LIMIT="100",
)


def _worker(name: str):
    from tests.celery_support import _celery, process_env

    env = process_env(**{k: v for k, v in os.environ.items() if k.startswith("LABORBRIDGE_SMS")})
    return _celery(
        "worker", "-Q", "celery", "--pool=prefork", "--concurrency=1", "--without-gossip",
        "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h", env=env,
    )  # fmt: skip


def _queue(n: int, trial: int) -> None:
    from django.utils import timezone

    from outreach import catalogue
    from outreach.services import Draft, sms_queue_many
    from tests.factories import WorkerFactory
    from workers.models import ConsentStatus

    workers = [
        WorkerFactory(phone=f"137{trial:02d}{i:06d}", consent_status=ConsentStatus.GIVEN)
        for i in range(n)
    ]
    params = {name: "X" for name in catalogue.template_for(catalogue.DEPARTURE_REMINDER).params}
    sms_queue_many(
        drafts=[
            Draft(
                worker=w,
                key=catalogue.DEPARTURE_REMINDER,
                params={k: v for k, v in params.items() if k != "name"},
                idempotency_key=f"drill:{trial}:{w.pk}",
                departure_on=timezone.localdate(),
            )
            for w in workers
        ]
    )


def _count(status: str, trial: int) -> int:
    from outreach.models import SmsMessage

    return SmsMessage.objects.filter(
        status=status, idempotency_key__startswith=f"drill:{trial}:"
    ).count()


def _requests(trial: int) -> int:
    return sum(1 for r in list(STUB.requests) if r["OutId"].startswith(f"drill:{trial}:"))


def trial_run(trial: int, messages: int) -> dict:
    import redis
    from django.conf import settings
    from django.utils import timezone

    from outreach.drain import INTERRUPTED_AFTER, sms_interrupted_fail
    from outreach.tasks import sms_drain_task
    from tests.celery_support import child_pids, stop_worker

    redis.from_url(settings.REDIS_URL).delete("celery")
    _queue(messages, trial)
    first = _worker(f"drill-sms-a{trial}")
    try:
        time.sleep(4)
        sms_drain_task.delay()
        deadline = time.monotonic() + 120
        # Kill when it hurts most: some sent, and some calls already answered by the provider
        # whose outcome the worker has not written yet (requests > rows marked sent).
        while time.monotonic() < deadline:
            sent = _count("sent", trial)
            if sent >= messages // 5 and _requests(trial) > sent:
                break
            time.sleep(0.005)
        for child in child_pids(first.pid):
            os.kill(child, signal.SIGKILL)
        first.kill()
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()
    stranded = _count("sending", trial)
    # The reaper, its clock past the limit (a real one runs at the next drain, 10 min on).
    interrupted = sms_interrupted_fail(
        now=timezone.now() + INTERRUPTED_AFTER + dt.timedelta(seconds=1)
    )
    second = _worker(f"drill-sms-b{trial}")
    try:
        time.sleep(4)
        sms_drain_task.delay()
        deadline = time.monotonic() + 300
        while (_count("queued", trial) or _count("sending", trial)) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop_worker(second)
    out_ids = [r["OutId"] for r in STUB.requests if r["OutId"].startswith(f"drill:{trial}:")]
    sent = _count("sent", trial)
    return {
        "requests": len(out_ids),
        "reached_provider_unrecorded": len(set(out_ids)) - sent,
        "duplicates": len(out_ids) - len(set(out_ids)),
        "sent": sent,
        "stranded": stranded,
        "interrupted": interrupted,
        "unsent_or_unknown": messages - _count("sent", trial),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    from drill import test_database

    with STUB, test_database():
        results = [trial_run(t, args.messages) for t in range(args.trials)]
    duplicates = sum(r["duplicates"] for r in results)
    print(
        f"sms-kill-mid-drain: {args.trials} trials × {args.messages} messages, worker SIGKILLed "
        f"with calls in flight after ≥{args.messages // 5} sent; duplicates {duplicates}; "
        + "; ".join(
            f"trial {i + 1}: {r['sent']} sent, {r['interrupted']} interrupted (failed for a "
            f"person to check; {r['reached_provider_unrecorded']} of them had reached the "
            f"provider), {r['requests']} provider requests"
            for i, r in enumerate(results)
        )
    )
    sys.exit(1 if duplicates else 0)


if __name__ == "__main__":
    main()
