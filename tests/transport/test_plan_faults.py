"""Faults around transport plans (hardening issue #10): a second plan while one runs is a
409 (page and API), the broker down is a fast 503 with the plan failed, a plan whose worker
died is requeued by the reaper."""

import datetime as dt
import time

import pytest
import redis
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from laborbridge.background import HEARTBEAT_STALE_AFTER, background_runs_reap
from laborbridge.celery import app
from transport import runs
from transport.models import RunStatus, TransportPlan
from transport.services.plans import plan_create

API = "/api/v1/transport/plans/"
FORM = {
    "seed": 0,
    "max_wait_days": 5,
    "station_buffer_minutes": 90,
    "feeder_bus_seats": 50,
    "arrival_bus_seats": 50,
    "min_fill_percent": 0,
}


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db
class TestOnePlanAtATime:
    def test_second_plan_is_a_conflict_on_the_api_and_the_page(self, client, coordinator, world):
        first = plan_create(actor=coordinator, campaign=world.campaign)
        response = _api(coordinator).post(API, {"campaign": world.campaign.code}, format="json")
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "conflict"
        assert f"v{first.version}" in response.json()["message"]
        client.force_login(coordinator)
        page = client.post(reverse("transport:plan_run"), {"campaign": world.campaign.pk, **FORM})
        assert page.status_code == 409
        assert "正在规划" in page.content.decode()
        assert TransportPlan.objects.count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
class TestBrokerAndLostWorker:
    @pytest.fixture
    def broker_down(self):
        before = app.conf.broker_url
        app.conf.broker_url = "redis://127.0.0.1:1/0"
        app._pool = None
        app.amqp._producer_pool = None
        yield
        app.conf.broker_url = before
        app._pool = None
        app.amqp._producer_pool = None

    def test_broker_down_answers_503_and_fails_the_plan(
        self, broker_down, reference_data, coordinator, world
    ):
        api = _api(coordinator)
        started = time.monotonic()
        response = api.post(API, {"campaign": world.campaign.code}, format="json")
        assert response.status_code == 503, response.content
        assert time.monotonic() - started < 3.0
        plan = TransportPlan.objects.get()
        assert plan.run_status == RunStatus.FAILED and "任务队列服务" in plan.failure_reason
        # nothing stuck: the next request is not refused as "running"
        assert api.post(API, {"campaign": world.campaign.code}).status_code == 503

    def test_a_plan_whose_worker_died_is_requeued_and_runs(
        self, reference_data, coordinator, world
    ):
        plan = plan_create(
            actor=coordinator, campaign=world.campaign, params={"min_fill_special_train": 0}
        )
        runs.plan_claim(plan_id=plan.pk, task_id="lost")
        later = timezone.now() + HEARTBEAT_STALE_AFTER + dt.timedelta(seconds=1)
        assert background_runs_reap(now=later)["TransportPlan"]["requeued"] == 1
        plan.refresh_from_db()
        assert plan.run_status == RunStatus.QUEUED and plan.recoveries == 1
        assert runs.plan_execute(plan_id=plan.pk, task_id="again")
        plan.refresh_from_db()
        assert plan.run_status == RunStatus.SUCCEEDED and plan.attempt == 2
        redis.from_url(settings.REDIS_URL).delete("celery")
