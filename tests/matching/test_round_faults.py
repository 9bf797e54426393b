"""Faults around matching rounds (hardening issue #10, findings 3-5): the broker down, two
identical requests at once, a worker lost entirely. Each test failed before the fix."""

import datetime as dt
import os
import signal
import threading
import time

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from laborbridge.background import HEARTBEAT_STALE_AFTER, MAX_RECOVERIES, background_runs_reap
from laborbridge.celery import app
from matching import rounds, services
from matching.models import Match, MatchRound, RoundStatus
from tests.celery_support import child_pids, round_wait
from tests.matching import scenario

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROUNDS_URL = "/api/v1/rounds/"


@pytest.fixture(autouse=True)
def _empty_matching_queue():
    yield
    if settings.REDIS_URL:
        redis.from_url(settings.REDIS_URL).delete("matching")


@pytest.fixture
def broker_down():
    """Point the Celery app at a port where nothing listens, as if Redis had stopped."""
    before = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url = before
    app._pool = None
    app.amqp._producer_pool = None


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


class TestBrokerDown:
    def test_api_answers_503_fast_and_the_round_is_failed_not_stuck(
        self, broker_down, reference_data, coordinator
    ):
        world = scenario.build(workers=4, headcounts=(2,))
        client = _api(coordinator)
        started = time.monotonic()
        response = client.post(ROUNDS_URL, {"campaign": world.campaign.code}, format="json")
        elapsed = time.monotonic() - started
        assert response.status_code == 503, response.content
        assert elapsed < 3.0, f"answered after {elapsed:.1f} s"
        assert response["Retry-After"] == "30"
        body = response.json()
        assert body["code"] == "service_unavailable" and "Redis" in body["message"]
        round_ = MatchRound.objects.get(campaign=world.campaign)
        assert round_.status == RoundStatus.FAILED
        assert "任务队列服务" in round_.failure_reason
        # Not "a round is running": the next attempt is allowed (and fails the same way).
        assert client.post(ROUNDS_URL, {"campaign": world.campaign.code}).status_code == 503
        assert MatchRound.objects.filter(status=RoundStatus.FAILED).count() == 2

    def test_page_shows_the_reason_with_503(self, broker_down, reference_data, coordinator, client):
        world = scenario.build(workers=4, headcounts=(2,))
        client.force_login(coordinator)
        response = client.post(
            reverse("matching:round_list"),
            {"campaign": world.campaign.pk, "mode": "stable", "seed": 0},
        )
        assert response.status_code == 503
        assert "任务队列服务（Redis）暂时无法连接" in response.content.decode()
        assert MatchRound.objects.get().status == RoundStatus.FAILED


class TestConcurrentRequests:
    def _race(self, user, campaign, n: int) -> list[int]:
        barrier = threading.Barrier(n)
        codes: list[int] = []

        def request() -> None:
            client = _api(user)
            barrier.wait()
            try:
                codes.append(client.post(ROUNDS_URL, {"campaign": campaign.code}).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=request) for _ in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return sorted(codes)

    @pytest.mark.parametrize("n", [2, 6])
    def test_identical_requests_make_one_round_and_409s(self, reference_data, coordinator, n):
        world = scenario.build(workers=4, headcounts=(2,))
        for _trial in range(5):
            codes = self._race(coordinator, world.campaign, n)
            assert codes == [201] + [409] * (n - 1), codes
            live = MatchRound.objects.filter(status__in=[RoundStatus.QUEUED, RoundStatus.RUNNING])
            assert live.count() == 1
            live.update(status=RoundStatus.SUCCEEDED)

    def test_conflict_body_names_the_running_round(self, reference_data, coordinator, client):
        world = scenario.build(workers=4, headcounts=(2,))
        api = _api(coordinator)
        first = api.post(ROUNDS_URL, {"campaign": world.campaign.code}).json()["id"]
        response = api.post(ROUNDS_URL, {"campaign": world.campaign.code})
        assert response.status_code == 409
        assert response.json()["code"] == "conflict" and f"#{first}" in response.json()["message"]
        client.force_login(coordinator)
        page = client.post(
            reverse("matching:round_list"),
            {"campaign": world.campaign.pk, "mode": "stable", "seed": 0},
        )
        assert page.status_code == 409 and f"#{first}" in page.content.decode()


class TestLostWorker:
    def test_a_running_round_without_heartbeat_is_requeued_then_failed(
        self, reference_data, coordinator
    ):
        world = scenario.build(workers=4, headcounts=(2,))
        round_ = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
        rounds.round_claim(round_id=round_.pk, task_id="lost")
        # a live one is left alone
        assert background_runs_reap()["MatchRound"]["requeued"] == 0
        later = timezone.now() + HEARTBEAT_STALE_AFTER + dt.timedelta(seconds=1)
        queue = redis.from_url(settings.REDIS_URL)
        queue.delete("matching")
        assert background_runs_reap(now=later)["MatchRound"]["requeued"] == 1
        assert queue.llen("matching") == 1  # the task is published again after commit
        round_.refresh_from_db()
        assert round_.status == RoundStatus.QUEUED and round_.recoveries == 1
        # the requeued round runs normally
        assert rounds.round_execute(round_id=round_.pk, task_id="again")
        assert Match.objects.filter(round=round_).count() == 2
        # a round that kills its worker every time is failed with the reason, not looped
        doomed = MatchRound.objects.create(campaign=world.campaign, created_by=coordinator)
        for _ in range(MAX_RECOVERIES + 1):
            rounds.round_claim(round_id=doomed.pk, task_id="x")
            later = timezone.now() + HEARTBEAT_STALE_AFTER + dt.timedelta(seconds=1)
            background_runs_reap(now=later)
        doomed.refresh_from_db()
        assert doomed.status == RoundStatus.FAILED
        assert f"已中断 {MAX_RECOVERIES + 1} 次" in doomed.failure_reason

    @pytest.mark.slow
    def test_worker_main_process_killed_round_recovered(self, celery_worker_process, coordinator):
        """The whole worker dies (main process and pool): the heartbeat stops, the reaper
        requeues the round, another worker redoes it once."""
        world = scenario.build(workers=6, headcounts=(2, 2))
        process = celery_worker_process(pause=14)
        round_ = services.match_round_create(actor=coordinator, campaign=world.campaign, seed=1)
        running = round_wait(round_.pk, lambda r: r.status == RoundStatus.RUNNING, timeout=60)
        # the heartbeat thread writes while the round pauses (every HEARTBEAT_SECONDS)
        round_wait(
            round_.pk, lambda r: r.heartbeat_at > running.started_at + dt.timedelta(seconds=5)
        )
        for pid in [*child_pids(process.pid), process.pid]:
            os.kill(pid, signal.SIGKILL)
        process.wait()
        celery_worker_process()  # another worker, idle (it empties the queue as it starts)
        # Redis would redeliver only after the visibility timeout (2 h): the reaper acts.
        stale_at = timezone.now() + HEARTBEAT_STALE_AFTER + dt.timedelta(seconds=1)
        assert background_runs_reap(now=stale_at)["MatchRound"]["requeued"] == 1
        round_ = round_wait(
            round_.pk, lambda r: r.status in (RoundStatus.SUCCEEDED, RoundStatus.FAILED)
        )
        assert round_.status == RoundStatus.SUCCEEDED, round_.failure_reason
        assert round_.recoveries == 1 and round_.attempt == 2
        workers = list(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
        assert len(workers) == len(set(workers)) == 4
