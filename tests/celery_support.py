"""Real Celery processes for integration and browser tests, and for the reliability drills.

A worker consumes the ``matching`` queue (or those named) from the test Redis and works on the
test database, so a transactional test that enqueues a round sees it run exactly as in
production. ``scripts/drills/drill.py`` starts its workers and beat through the same functions
(scripts may import tests; nothing in the apps imports either).
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def process_env(**extra: str) -> dict[str, str]:
    """Return the environment of a child process (a Celery worker or beat, a web server) on
    this process's database and Redis; ``extra`` adds or overrides variables."""
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
    )
    env.update(extra)
    return env


def _celery(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "laborbridge", *args, "-l", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def start_worker(
    *, queues: str = "matching", pause: int = 0, purge: bool = True, name: str = "test"
) -> subprocess.Popen:
    """Start one worker process (prefork, one child) on ``queues``.

    ``purge`` empties the queues first (a test starts clean); a drill that starts a worker to
    pick up a message already waiting passes ``purge=False``. ``pause`` holds a round that
    many seconds in its stages (LABORBRIDGE_TEST_ROUND_PAUSE) so it can be killed mid-way.
    """
    if purge:
        for queue in queues.split(","):
            redis.from_url(settings.REDIS_URL).delete(queue)
    return _celery(
        "worker",
        "-Q",
        queues,
        "--pool=prefork",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{name}-{uuid.uuid4().hex[:8]}@%h",
        env=process_env(LABORBRIDGE_TEST_ROUND_PAUSE=str(pause)),
    )


def start_beat(schedule: Path) -> subprocess.Popen:
    """Start celery beat (stale-run recovery and the other periodic tasks), state in ``schedule``."""
    return _celery("beat", "-s", str(schedule), env=process_env())


def stop_worker(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def child_pids(pid: int) -> list[int]:
    """Return the ids of the processes whose parent is ``pid`` (a worker's pool children)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def round_wait(round_id: int, condition, timeout: float = 90.0):
    """Return the round once ``condition(round)`` holds; fail with its row after ``timeout`` s."""
    from matching.models import MatchRound

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        round_ = MatchRound.objects.get(pk=round_id)
        if condition(round_):
            return round_
        time.sleep(0.2)
    raise AssertionError(
        f"round {round_id} stuck: {MatchRound.objects.filter(pk=round_id).values().first()}"
    )


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
