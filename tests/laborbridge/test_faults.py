"""Faults of the ground floor (hardening issue #10): the cache when Redis is down, imports
when the broker is down or their worker died, and the settings that bound both."""

import datetime as dt
import time

import pytest
import redis
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from laborbridge.background import HEARTBEAT_STALE_AFTER, REAP_EVERY_SECONDS, background_runs_reap
from laborbridge.cache import ResilientRedisCache
from laborbridge.celery import app
from laborbridge.imports import services as imports
from laborbridge.imports.models import ImportJob
from laborbridge.models import Campaign
from tests.factories import ANDING, VacancyFactory, make_id_number
from tests.imports.helpers import xlsx_bytes

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: as if Redis had stopped
RESILIENT_DEAD = {
    "default": {
        "BACKEND": "laborbridge.cache.ResilientRedisCache",
        "LOCATION": DEAD_REDIS,
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")


@pytest.fixture
def broker_down():
    before = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = DEAD_REDIS, False
    app._pool = None
    app.amqp._producer_pool = None
    yield
    app.conf.broker_url, app.conf.task_always_eager = before
    app._pool = None
    app.amqp._producer_pool = None


class TestCacheDown:
    @pytest.mark.django_db
    def test_public_board_answers_from_the_database(self, client, campaign, employer_x):
        VacancyFactory(employer=employer_x, campaign=campaign, title="缓存宕机也能看的岗位")
        with override_settings(CACHES=RESILIENT_DEAD):
            started = time.monotonic()
            for _ in range(3):
                response = client.get(reverse("jobs_public:board", args=[campaign.code]))
                assert response.status_code == 200
                assert "缓存宕机也能看的岗位" in response.content.decode()
            # one failed Redis call per process per RETRY_REDIS_AFTER, not one per request
            assert time.monotonic() - started < 3.0

    def test_the_plain_redis_cache_would_fail(self):
        """What the board did before: the error reached the page (a 500)."""
        with override_settings(
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": DEAD_REDIS,
                }
            }
        ):
            with pytest.raises(redis.exceptions.ConnectionError):
                caches["default"].get("x")

    def test_local_fallback_counts_and_redis_is_used_again_when_back(self):
        cache = ResilientRedisCache(DEAD_REDIS, {"OPTIONS": {"socket_connect_timeout": 0.2}})
        assert cache.add("hits", 1) is True
        assert cache.incr("hits") == 2  # rate limits keep counting in the process
        assert cache.redis_down
        if settings.REDIS_URL:
            live = ResilientRedisCache(settings.REDIS_URL, {})
            live.set("faults-cache-probe", 7)
            assert live.get("faults-cache-probe") == 7 and not live.redis_down
            live.delete("faults-cache-probe")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
class TestImportFaults:
    def _upload(self, client):
        data = xlsx_bytes(
            [["姓名", "身份证号", "手机号"], ["甲", make_id_number(ANDING), "13700000001"]]
        )
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            "/api/v1/worker-imports/",
            {"file": SimpleUploadedFile("roster.xlsx", data)},
            format="multipart",
        )

    def test_broker_down_upload_answers_503_and_the_job_is_failed(
        self, broker_down, reference_data, official_a
    ):
        client = APIClient()
        client.force_authenticate(official_a)
        started = time.monotonic()
        response = self._upload(client)
        assert response.status_code == 503, response.content
        assert time.monotonic() - started < 3.0
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.FAILED
        assert "任务队列服务" in job.failure_reason

    def test_a_job_whose_worker_died_is_requeued(self, reference_data, official_a):
        job = imports.import_job_create(
            actor=official_a,
            kind="workers.roster",
            file_name="r.xlsx",
            data=xlsx_bytes([["姓名", "身份证号"], ["甲", make_id_number(ANDING)]]),
        )
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.COMMITTING, heartbeat_at=timezone.now()
        )
        assert background_runs_reap()["ImportJob"]["requeued"] == 0  # alive
        later = timezone.now() + HEARTBEAT_STALE_AFTER + dt.timedelta(seconds=1)
        assert background_runs_reap(now=later)["ImportJob"]["requeued"] == 1
        job.refresh_from_db()
        assert job.status == ImportJob.Status.COMMIT_QUEUED and job.recoveries == 1
        redis.from_url(settings.REDIS_URL).delete("celery")


class TestBounds:
    def test_visibility_timeout_exceeds_the_longest_task(self):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        assert options["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT

    def test_reaper_is_scheduled_and_notices_within_two_minutes(self):
        entry = settings.CELERY_BEAT_SCHEDULE["reap-background-runs"]
        assert entry["task"] == "background.reap" and entry["schedule"] == REAP_EVERY_SECONDS
        assert HEARTBEAT_STALE_AFTER.total_seconds() + REAP_EVERY_SECONDS <= 120

    def test_database_connections_are_checked_before_reuse(self):
        if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
            assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
