"""Locust users of ``bench_web.py``: each requests one path, again and again, with no pause.

The path and the session cookie come from the environment (``LB_BENCH_PATH``,
``LB_BENCH_SESSION``), so one run of locust measures one endpoint; ``bench_web.py`` starts one
run per endpoint against the gunicorn it started on 127.0.0.1.
"""

from __future__ import annotations

import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser


class PathUser(FastHttpUser):
    """One connection that requests ``LB_BENCH_PATH`` back to back."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.path = os.environ["LB_BENCH_PATH"]
        session = os.environ.get("LB_BENCH_SESSION", "")
        self.headers = {"Cookie": f"sessionid={session}"} if session else {}

    @task
    def get(self) -> None:
        with self.client.get(
            self.path, headers=self.headers, name=self.path[:40], catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
