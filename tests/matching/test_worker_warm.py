"""A worker of the "matching" queue loads the engine's compiled code in its pool child as it
starts (matching.tasks.engine_warm_on_matching_workers), and still runs rounds (the engine's
thread pool is started after the fork, never inherited); a worker of other queues does not."""

import subprocess
import sys
import time

import pytest

from tests.celery_support import ROOT, process_env

pytestmark = pytest.mark.redis

LOADED = "matching engine loaded"


def _worker_log(queue: str, tmp_path, *, until: str, grace: float = 0) -> str:
    """Start a prefork worker on ``queue``; return its log once it shows ``until`` (≤ 90 s)
    and ``grace`` seconds more have passed."""
    log = tmp_path / f"{queue}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "laborbridge", "worker", "-Q", queue]
            + ["--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle"]
            + ["-n", f"warm-{queue}@%h", "-l", "info"],
            cwd=ROOT,
            env=process_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and until not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        time.sleep(grace)
        text = log.read_text()
        assert until in text, text
        return text
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_matching_worker_loads_the_engine_as_it_starts(tmp_path):
    text = _worker_log("matching", tmp_path, until=LOADED)
    assert "'stable'" in text and "'optimal'" in text


def test_a_default_queue_worker_does_not(tmp_path):
    assert LOADED not in _worker_log("celery", tmp_path, until=" ready.", grace=5)
