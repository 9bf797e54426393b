"""A matching round through a real Celery worker process on Redis and PostgreSQL — including
a worker killed in the middle of the round, whose round must be redone, not lost or doubled."""

import os
import signal

import pytest

from matching import services
from matching.models import Match, RoundStatus
from tests.celery_support import child_pids, round_wait
from tests.matching import scenario

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]


def test_round_runs_on_a_real_worker(celery_worker_process, coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2))
    celery_worker_process()
    round_ = services.match_round_create(actor=coordinator, campaign=world.campaign, seed=1)
    round_ = round_wait(
        round_.pk, lambda r: r.status in (RoundStatus.SUCCEEDED, RoundStatus.FAILED)
    )
    assert round_.status == RoundStatus.SUCCEEDED, round_.failure_reason
    assert Match.objects.filter(round=round_).count() == 4
    assert round_.attempt == 1 and round_.timings["total"] > 0


def test_a_worker_killed_mid_round_has_its_round_redone_once(celery_worker_process, coordinator):
    world = scenario.build(workers=6, headcounts=(2, 2))
    process = celery_worker_process(pause=4)
    round_ = services.match_round_create(actor=coordinator, campaign=world.campaign, seed=1)
    round_wait(
        round_.pk,
        lambda r: r.status == RoundStatus.RUNNING and r.attempt == 1 and r.progress_percent >= 15,
    )
    children = child_pids(process.pid)
    assert children, "the prefork pool should have a child process"
    for child in children:
        os.kill(child, signal.SIGKILL)  # as the kernel's OOM killer would
    round_ = round_wait(
        round_.pk, lambda r: r.status in (RoundStatus.SUCCEEDED, RoundStatus.FAILED)
    )
    assert round_.status == RoundStatus.SUCCEEDED, round_.failure_reason
    assert round_.attempt == 2
    workers = list(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
    assert len(workers) == len(set(workers)) == 4


def test_rounds_of_two_campaigns_run_in_parallel_on_two_workers(celery_worker_process, admin_user):
    dingxi = scenario.build(workers=6, headcounts=(2, 2))
    # Linxia city -> Jinan Shizhong: another pairing, so other workers and vacancies
    linxia = scenario.build(
        workers=4,
        headcounts=(3,),
        campaign="2026-chunfeng-linxia-jinan-shizhong",
        counties=("622901", "622901"),
        district=("370103", "370100"),
    )
    celery_worker_process(pause=3)
    celery_worker_process(pause=3)
    first = services.match_round_create(actor=admin_user, campaign=dingxi.campaign, seed=1)
    second = services.match_round_create(actor=admin_user, campaign=linxia.campaign, seed=1)
    done = [
        round_wait(r.pk, lambda r: r.status in (RoundStatus.SUCCEEDED, RoundStatus.FAILED))
        for r in (first, second)
    ]
    assert [r.status for r in done] == [RoundStatus.SUCCEEDED] * 2, [r.failure_reason for r in done]
    # each round sleeps 3 s while running: on one worker they would run one after the other
    a, b = done
    assert a.started_at < b.finished_at and b.started_at < a.finished_at, "ran one after the other"
    assert Match.objects.filter(round=a).count() == 4
    assert Match.objects.filter(round=b).count() == 3
    assert not Match.objects.filter(round=a, worker__in=linxia.workers).exists()
