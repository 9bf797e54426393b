"""A real Celery worker process for integration and browser tests.

It consumes the ``matching`` queue from the test Redis and works on the test database, so a
transactional test that enqueues a round sees it run exactly as in production.
"""

import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def start_worker(*, queues: str = "matching", pause: int = 0) -> subprocess.Popen:
    for queue in queues.split(","):
        redis.from_url(settings.REDIS_URL).delete(queue)
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        LABORBRIDGE_TEST_ROUND_PAUSE=str(pause),
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "laborbridge",
            "worker",
            "-Q",
            queues,
            "--pool=prefork",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
            "-n",
            f"test-{uuid.uuid4().hex[:8]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_worker(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker_process(reference_data):
    """Return ``start(pause=0)``; every worker started is stopped after the test."""
    started: list[subprocess.Popen] = []

    def start(pause: int = 0, queues: str = "matching") -> subprocess.Popen:
        process = start_worker(queues=queues, pause=pause)
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)
