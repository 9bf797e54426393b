"""A worker of the "matching" queue loads the engine's compiled code before it takes a task
(matching.tasks.engine_warm_on_matching_workers); a worker of other queues does not."""

import subprocess
import sys
import time

import pytest

from tests.celery_support import ROOT, process_env

pytestmark = pytest.mark.redis

LOADED = "matching engine loaded"


def _worker_log(queue: str, tmp_path) -> str:
    """Start a worker on ``queue``, return its log once it says it is ready (≤ 90 s)."""
    log = tmp_path / f"{queue}.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "laborbridge", "worker", "-Q", queue]
            + ["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"]
            + ["-n", f"warm-{queue}@%h", "-l", "info"],
            cwd=ROOT,
            env=process_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and " ready." not in log.read_text():
            assert process.poll() is None, log.read_text()
            time.sleep(0.2)
        text = log.read_text()
        assert " ready." in text, text
        return text
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_matching_worker_loads_the_engine_before_it_is_ready(tmp_path):
    text = _worker_log("matching", tmp_path)
    assert text.index(LOADED) < text.index(" ready.")
    assert "'stable'" in text and "'optimal'" in text


def test_a_default_queue_worker_does_not(tmp_path):
    assert LOADED not in _worker_log("celery", tmp_path)
