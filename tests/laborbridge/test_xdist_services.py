"""`make test` runs two pytest-xdist workers: each must have its own databases."""

import os

from django.conf import settings
from django.db import connection

from tests.xdist_services import worker_redis_url


def test_each_worker_moves_to_its_own_redis_database():
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw0") == "redis://127.0.0.1:6379/15"
    assert worker_redis_url("redis://127.0.0.1:6379/15", "gw1") == "redis://127.0.0.1:6379/14"
    # No database in the URL is database 0; the next worker wraps round to the last one.
    assert worker_redis_url("redis://127.0.0.1:6379", "gw1") == "redis://127.0.0.1:6379/15"


def test_this_worker_uses_its_own_databases():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        # One process: nothing to keep apart.
        assert "_gw" not in connection.settings_dict["NAME"]
        return
    assert connection.settings_dict["NAME"].endswith(f"_{worker}")
    given = os.environ.get("TEST_REDIS_URL_GIVEN")
    if given:
        assert settings.REDIS_URL == worker_redis_url(given, worker)
        assert settings.CACHES["default"]["LOCATION"] == settings.REDIS_URL
        assert settings.CELERY_BROKER_URL == settings.REDIS_URL
