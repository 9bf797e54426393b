"""Reliability drills (hardening issue #10): break something on purpose, print the figure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lb_drill REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python scripts/drills/drill.py <drill> [--trials N]

Drills: ``child-kill``, ``main-kill``, ``redis-stop``, ``postgres-restart``, ``accepts``,
``rounds``. Each builds a throwaway test database (``test_<name>``) and prints one line of
figures (docs/RELIABILITY.md collects them). ``redis-stop`` and ``postgres-restart`` start a
private Redis / PostgreSQL on another port and stop it; they never touch the shared servers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")

PRIVATE_REDIS_PORT = 6395
PRIVATE_POSTGRES_PORT = 5440
GUNICORN_PORT = 8795


# --- private servers ---------------------------------------------------------------------


@contextmanager
def private_redis(port: int = PRIVATE_REDIS_PORT):
    """A Redis of our own (AOF on, as in production), stopped and removed afterwards."""
    workdir = Path(tempfile.mkdtemp(prefix="drill-redis-"))
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(workdir),
        "--appendonly",
        "yes",
        "--save",
        "",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    handle = {"process": process, "command": command}
    _wait_port(port)
    try:
        yield handle
    finally:
        handle["process"].terminate()
        handle["process"].wait()
        shutil.rmtree(workdir, ignore_errors=True)


def redis_stop(handle) -> None:
    handle["process"].terminate()
    handle["process"].wait()


def redis_start(handle, port: int = PRIVATE_REDIS_PORT) -> None:
    handle["process"] = subprocess.Popen(
        handle["command"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_port(port)


def _as_postgres(command: list[str]) -> list[str]:
    return command if os.geteuid() != 0 else ["runuser", "-u", "postgres", "--", *command]


def _pg_bin(name: str) -> str:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1])


@contextmanager
def private_postgres(port: int = PRIVATE_POSTGRES_PORT):
    """A PostgreSQL cluster of our own on ``port`` (trust auth), removed afterwards."""
    datadir = Path(tempfile.mkdtemp(prefix="drill-pg-"))
    if os.geteuid() == 0:
        shutil.chown(datadir, "postgres", "postgres")
    subprocess.run(
        _as_postgres([_pg_bin("initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust"]),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    ctl = [_pg_bin("pg_ctl"), "-D", str(datadir), "-w", "-l", str(datadir / "log")]
    options = f"-p {port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres([*ctl, "-o", options, "start"]), check=True, stdout=subprocess.DEVNULL
    )
    try:
        yield lambda: subprocess.run(
            _as_postgres([*ctl, "-o", options, "-m", "fast", "restart"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    finally:
        subprocess.run(_as_postgres([*ctl, "-m", "immediate", "stop"]), stdout=subprocess.DEVNULL)
        shutil.rmtree(datadir, ignore_errors=True)


def _wait_port(port: int, timeout: float = 15) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


# --- the database and the world -----------------------------------------------------------


@contextmanager
def test_database():
    import logging

    import django

    django.setup()
    # 409s and 503s are what the drills provoke: not worth a log line each.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    logging.getLogger("laborbridge").setLevel(logging.ERROR)
    from django.test.utils import setup_databases, teardown_databases

    from laborbridge.reference import reference_load

    old = setup_databases(verbosity=0, interactive=False)
    try:
        reference_load()
        yield
    finally:
        from django.db import connections

        connections.close_all()
        teardown_databases(old, verbosity=0)


def _coordinator():
    from laborbridge.models import Pairing, Role
    from tests.factories import make_user

    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621100")
    return make_user("drill_coordinator", Role.COORDINATOR, pairing=pairing, is_staff=True)


# A drill's round may wait for a reaper and a second worker: minutes, not the tests' 90 s.
ROUND_TIMEOUT = 300


def _finished(r) -> bool:
    return r.status in ("succeeded", "failed")


def _running_past_15(r) -> bool:
    return r.status == "running" and r.progress_percent >= 15


# --- drills ----------------------------------------------------------------------------------


def drill_child_kill(trials: int) -> str:
    """Kill the pool child mid-round (as the OOM killer would): redone once, nothing doubled."""
    from matching import services
    from matching.models import Match, MatchRound
    from tests.celery_support import child_pids, round_wait, start_worker, stop_worker
    from tests.matching import scenario

    coordinator = _coordinator()
    world = scenario.build(workers=6, headcounts=(2, 2))
    redone = doubled = 0
    for _ in range(trials):
        process = start_worker(pause=3)
        try:
            round_ = services.match_round_create(actor=coordinator, campaign=world.campaign, seed=1)
            round_wait(round_.pk, _running_past_15, timeout=ROUND_TIMEOUT)
            for child in child_pids(process.pid):
                os.kill(child, signal.SIGKILL)
            round_ = round_wait(round_.pk, _finished, timeout=ROUND_TIMEOUT)
        finally:
            stop_worker(process)
        workers = list(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
        redone += round_.status == "succeeded" and round_.attempt == 2 and len(workers) == 4
        doubled += len(workers) != len(set(workers))
        Match.objects.filter(round=round_).delete()
        from workers.models import Worker

        Worker.objects.filter(pk__in=workers).update(status="registered")
        MatchRound.objects.filter(pk=round_.pk).update(status="failed")
    return f"child-kill: {trials} trials, redone once (attempt 2, 4 matches) {redone}/{trials}, doubled {doubled}"


def drill_main_kill(trials: int) -> str:
    """Kill the whole worker (main process and pool) mid-round, with celery beat running:
    the reaper requeues the round, a second worker redoes it. Time from kill to succeeded."""
    from matching import services
    from matching.models import Match
    from tests.celery_support import (
        child_pids,
        round_wait,
        start_beat,
        start_worker,
        stop_worker,
    )
    from tests.matching import scenario
    from workers.models import Worker

    coordinator = _coordinator()
    world = scenario.build(workers=6, headcounts=(2, 2))
    beat = start_beat(Path(tempfile.mkdtemp(prefix="drill-beat-")) / "schedule")
    recovered = []
    try:
        for _ in range(trials):
            doomed = start_worker(queues="celery,matching", pause=30)
            round_ = services.match_round_create(actor=coordinator, campaign=world.campaign, seed=1)
            round_wait(round_.pk, _running_past_15, timeout=ROUND_TIMEOUT)
            rescuer = start_worker(queues="celery", pause=0)  # runs the reaper
            rescuer_m = None
            for pid in [*child_pids(doomed.pid), doomed.pid]:
                os.kill(pid, signal.SIGKILL)
            doomed.wait()
            killed_at = time.monotonic()
            # the redo needs a matching-queue worker; started without purging the queue
            rescuer_m = start_worker(queues="matching", purge=False, name="drill")
            round_ = round_wait(round_.pk, _finished, timeout=ROUND_TIMEOUT)
            seconds = time.monotonic() - killed_at
            workers = list(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
            ok = round_.status == "succeeded" and len(workers) == len(set(workers)) == 4
            recovered.append((seconds, ok, round_.recoveries))
            for process in (rescuer, rescuer_m):
                stop_worker(process)
            Match.objects.filter(round=round_).delete()
            Worker.objects.filter(pk__in=workers).update(status="registered")
    finally:
        beat.terminate()
        beat.wait()
    times = ", ".join(f"{s:.0f} s" for s, _, _ in recovered)
    good = sum(ok for _, ok, _ in recovered)
    return f"main-kill: {trials} trials, recovered {good}/{trials} (kill → succeeded: {times}), max {max(s for s, _, _ in recovered):.0f} s"


def drill_redis_stop(trials: int) -> str:
    """Stop the private Redis (broker + cache): a round request gets a clear 503 fast, the
    round is failed (not stuck), the board still answers; Redis back: the next round runs."""
    from django.test import Client
    from rest_framework.test import APIClient

    from matching.models import MatchRound
    from tests.celery_support import round_wait, start_worker, stop_worker
    from tests.factories import VacancyFactory
    from tests.matching import scenario

    coordinator = _coordinator()
    world = scenario.build(workers=6, headcounts=(2, 2))
    VacancyFactory(employer=world.vacancies[0].employer, campaign=world.campaign)
    api = APIClient()
    api.force_authenticate(coordinator)
    board = Client()
    board_url = f"/c/{world.campaign.code}/"
    assert board.get(board_url).status_code == 200
    handle = _redis_handle
    worker = start_worker(queues="matching")
    lines = []
    try:
        for _ in range(trials):
            redis_stop(handle)
            started = time.monotonic()
            response = api.post("/api/v1/rounds/", {"campaign": world.campaign.code}, format="json")
            post_seconds = time.monotonic() - started
            round_ = MatchRound.objects.order_by("-pk").first()
            started = time.monotonic()
            board_status = [board.get(board_url).status_code for _ in range(5)]
            board_seconds = (time.monotonic() - started) / 5
            lines.append(
                f"POST {response.status_code} in {post_seconds:.2f} s "
                f"({response.json().get('message', '')[:24]}…), round {round_.status}; "
                f"board {set(board_status)} in {board_seconds:.2f} s each"
            )
            redis_start(handle)
            time.sleep(1)
            response = api.post("/api/v1/rounds/", {"campaign": world.campaign.code}, format="json")
            round_ = round_wait(response.json()["id"], _finished, timeout=120)
            lines.append(f"Redis back: POST {response.status_code}, round {round_.status}")
            MatchRound.objects.filter(pk=round_.pk).update(status="failed")
            from matching.models import Match
            from workers.models import Worker

            Worker.objects.filter(matches__round=round_).update(status="registered")
            Match.objects.filter(round=round_).delete()
    finally:
        stop_worker(worker)
    return "redis-stop: " + " | ".join(lines)


def _http_status(url: str) -> int | str:
    """GET ``url``: its status, or "no answer"."""
    import urllib.error
    import urllib.request

    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return "no answer"


def drill_postgres_restart(trials: int) -> str:
    """Restart the private PostgreSQL under load through gunicorn (persistent connections):
    5xx after it is back, with and without CONN_HEALTH_CHECKS; then once more with no request
    in flight, and the 5xx among the next 40 requests."""
    import urllib.request

    from django.db import connection

    from laborbridge.models import Campaign
    from tests.celery_support import process_env
    from tests.factories import EmployerFactory, VacancyFactory

    campaign = Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")
    VacancyFactory(
        employer=EmployerFactory(district_id="370214", city_id="370200"), campaign=campaign
    )
    url = f"http://127.0.0.1:{GUNICORN_PORT}/c/{campaign.code}/"
    results = []
    for checks in ("false", "true"):
        env = process_env(
            DATABASE_CONN_HEALTH_CHECKS=checks,
            DATABASE_CONN_MAX_AGE="600",
            REDIS_URL="",
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "laborbridge.wsgi",
                "-w",
                "4",
                "-b",
                f"127.0.0.1:{GUNICORN_PORT}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(GUNICORN_PORT)
        # Warm up: every gunicorn worker loaded and holding its persistent connection.
        deadline = time.monotonic() + 60
        ok = 0
        while ok < 40 and time.monotonic() < deadline:
            try:
                ok += urllib.request.urlopen(url, timeout=10).status == 200
            except OSError:
                time.sleep(0.2)
        samples: list[tuple[float, object]] = []  # (request start, status)
        stop = threading.Event()

        def load(stop=stop, samples=samples) -> None:
            while not stop.is_set():
                started = time.monotonic()
                samples.append((started, _http_status(url)))

        threads = [threading.Thread(target=load) for _ in range(8)]
        for thread in threads:
            thread.start()
        windows = []
        for _ in range(trials):
            time.sleep(5)
            down_at = time.monotonic()
            connection.close()
            _pg_restart()  # returns once PostgreSQL accepts connections again
            windows.append((down_at, time.monotonic()))
            time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join()
        counts = {"before": {}, "during restart": {}, "after it is back": {}}
        for started, status in samples:
            if started < windows[0][0]:
                phase = "before"
            elif any(down <= started < back for down, back in windows):
                phase = "during restart"
            else:
                phase = "after it is back"
            counts[phase][status] = counts[phase].get(status, 0) + 1
        # Idle through a restart: no request in flight, so every gunicorn worker still holds
        # its dead connection when the next requests come (one at a time, spread over them).
        connection.close()
        _pg_restart()
        idle = counts["idle through a restart, next 40"] = {}
        for _ in range(40):
            status = _http_status(url)
            idle[status] = idle.get(status, 0) + 1
        server.terminate()
        server.wait()
        results.append(f"CONN_HEALTH_CHECKS={checks}: {counts}")
    return "postgres-restart: " + " | ".join(results)


def drill_accepts(trials: int) -> str:
    """60 county officials accept 60 offers of a 10-place vacancy at once, ``trials`` times."""
    from django.db import connection

    from jobs.models import Vacancy
    from laborbridge.models import Campaign
    from matching import services
    from matching.models import HOLDING_STATUSES, Match
    from tests.factories import EmployerFactory, VacancyFactory, WorkerFactory

    campaign = Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")
    employer = EmployerFactory(district_id="370214", city_id="370200")
    workers = [WorkerFactory(home_county_id="621102") for _ in range(60)]
    overfills, accepted_counts = 0, []
    for _ in range(trials):
        vacancy = VacancyFactory(employer=employer, campaign=campaign, headcount=10)
        Match.objects.filter(worker__in=workers).update(status="cancelled")
        matches = Match.objects.bulk_create(
            [Match(worker=w, vacancy=vacancy, status="offered") for w in workers]
        )
        barrier = threading.Barrier(len(matches))

        def accept(match, barrier=barrier) -> None:
            barrier.wait()
            try:
                services.match_worker_respond(actor=None, match=match, accept=True)
            except Exception:  # noqa: BLE001 - VacancyFull is the expected refusal
                pass
            finally:
                connection.close()

        threads = [threading.Thread(target=accept, args=(m,)) for m in matches]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        holding = Match.objects.filter(vacancy=vacancy, status__in=HOLDING_STATUSES).count()
        filled = Vacancy.objects.get(pk=vacancy.pk).filled_count
        accepted_counts.append(holding)
        overfills += holding > 10 or filled > 10 or filled != holding
    return f"accepts: {trials} trials × 60 concurrent accepts on 10 places, accepted {sorted(set(accepted_counts))}, overfills {overfills}"


def drill_rounds(trials: int) -> str:
    """2 and 6 identical round requests at once, ``trials`` times each: rounds created."""
    from django.db import connection
    from rest_framework.test import APIClient

    from matching.models import MatchRound
    from tests.matching import scenario

    coordinator = _coordinator()
    world = scenario.build(workers=4, headcounts=(2,))
    out = []
    for n in (2, 6):
        created, statuses = [], {}
        for _ in range(trials):
            barrier = threading.Barrier(n)

            def post(barrier=barrier, statuses=statuses) -> None:
                client = APIClient()
                client.force_authenticate(coordinator)
                barrier.wait()
                try:
                    status = client.post(
                        "/api/v1/rounds/", {"campaign": world.campaign.code}
                    ).status_code
                    statuses[status] = statuses.get(status, 0) + 1
                finally:
                    connection.close()

            before = MatchRound.objects.count()
            threads = [threading.Thread(target=post) for _ in range(n)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            created.append(MatchRound.objects.count() - before)
            MatchRound.objects.filter(status__in=["queued", "running"]).update(status="failed")
        out.append(
            f"{n} at once × {trials}: rounds per trial {sorted(set(created))}, answers {statuses}"
        )
    return "rounds: " + " | ".join(out)


DRILLS = {
    "child-kill": drill_child_kill,
    "main-kill": drill_main_kill,
    "redis-stop": drill_redis_stop,
    "postgres-restart": drill_postgres_restart,
    "accepts": drill_accepts,
    "rounds": drill_rounds,
}
_redis_handle = None
_pg_restart = None


def main() -> None:
    global _redis_handle, _pg_restart
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("drill", choices=sorted(DRILLS))
    parser.add_argument("--trials", type=int, default=None)
    args = parser.parse_args()
    defaults = {
        "child-kill": 5,
        "main-kill": 2,
        "redis-stop": 2,
        "postgres-restart": 2,
        "accepts": 20,
        "rounds": 10,
    }
    trials = args.trials or defaults[args.drill]
    if args.drill == "redis-stop":
        # Broker, result backend and cache all on a private Redis that this drill stops.
        with private_redis() as handle:
            os.environ["REDIS_URL"] = f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
            _redis_handle = handle
            with test_database():
                print(DRILLS[args.drill](trials))
        return
    if args.drill == "postgres-restart":
        with private_postgres() as restart:
            os.environ["DATABASE_URL"] = (
                f"postgres://postgres@127.0.0.1:{PRIVATE_POSTGRES_PORT}/lb_drill"
            )
            os.environ["REDIS_URL"] = ""
            _pg_restart = restart
            with test_database():
                print(DRILLS[args.drill](trials))
        return
    with test_database():
        print(DRILLS[args.drill](trials))


if __name__ == "__main__":
    main()
