"""Benchmark: two campaigns' rounds on two matching workers finish in about the time of one.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/laborbridge REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/bench_two_rounds.py [--workers 50000 --vacancies 5000]

It builds a throwaway database with two campaigns of the same size and no worker in common
(安定区 → 青岛市南区 and 通渭 → 胶州), then starts the Procfile's ``matching`` process twice
under honcho (``honcho start -c matching=2 matching``, as ``make up UP_ARGS="-c matching=2"``
does or as two machines would) and times, from enqueue to the last "succeeded":

0. both rounds once, not counted (each process's first round loads the compiled engine);
1. each campaign's round alone (one worker busy, the other idle);
2. both rounds enqueued together (the proposals of each step are deleted after it, so every
   round sees the same free market).

It prints wall time, the two workers' CPU time over each step (read from /proc) and the load
average, and exits 1 when the pair takes more than ``--ratio`` (default 1.5) times the mean of
a single round. On a shared machine the load decides what two processes get: a ratio read at
a load above the number of cores says little about the design.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"  # the rounds run in the workers, not here

import _support  # noqa: E402, F401 - starts Django
from bench_round import _generate  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

CAMPAIGNS = {
    "2026-chunfeng-anding-shinan": (["621102"], ["370202"]),
    "2026-chunfeng-tongwei-jiaozhou": (["621121"], ["370281"]),
}
TICK = os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of the processes (still alive) so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def _honcho() -> subprocess.Popen:
    db = connection.settings_dict
    env = dict(
        os.environ,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "honcho"),
            "start",
            "-f",
            "Procfile",
            "-c",
            "matching=2",
            "matching",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait_ready(expected: int, timeout: float = 120) -> None:
    from laborbridge.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        names = [name for reply in replies for name in reply if name.startswith("matching-")]
        if len(names) >= expected:
            return
        time.sleep(1)
    raise SystemExit(f"bench_two_rounds: {expected} matching workers did not answer in {timeout} s")


def _run(codes: list[str], pids: list[int]) -> tuple[float, float, list]:
    """Enqueue one round per campaign code at once; return (wall s, workers' CPU s, rounds)."""
    from laborbridge.models import Campaign
    from matching.models import MatchRound
    from matching.tasks import match_round_run

    rounds = [
        MatchRound.objects.create(campaign=Campaign.objects.get(code=code), mode="stable", seed=1)
        for code in codes
    ]
    cpu = _cpu_seconds(pids)
    started = time.perf_counter()
    for round_ in rounds:
        match_round_run.delay(round_.pk)
    pks = [r.pk for r in rounds]
    while MatchRound.objects.filter(pk__in=pks, status__in=["queued", "running"]).exists():
        time.sleep(0.05)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(pids) - cpu
    for round_ in rounds:
        round_.refresh_from_db()
    return wall, cpu, rounds


def _release(rounds: list) -> None:
    """Delete the rounds' proposals and put their workers back, so the market is free again."""
    from matching.models import Match
    from workers.models import Worker

    for round_ in rounds:
        worker_ids = list(Match.objects.filter(round=round_).values_list("worker_id", flat=True))
        Match.objects.filter(round=round_).delete()
        Worker.objects.filter(pk__in=worker_ids).update(status="registered")


# The round's stages printed beside its total (MatchRound.timings, seconds).
STAGES = ("load", "candidates", "assign_stable", "write")


def _line(label: str, wall: float, cpu: float, rounds: list) -> str:
    load = os.getloadavg()[0]
    parts = ", ".join(
        f"#{r.pk} {r.campaign.code} {r.status} {r.statistics.get('matched', 0):,} matched "
        f"(round {r.timings.get('total', 0):.2f} s: "
        + " · ".join(f"{k} {r.timings.get(k, 0):.2f}" for k in STAGES)
        + ")"
        for r in rounds
    )
    return f"{label}: wall {wall:.2f} s, workers' CPU {cpu:.2f} s, load {load:.2f} — {parts}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=50_000, help="per campaign")
    parser.add_argument("--vacancies", type=int, default=5_000, help="per campaign")
    parser.add_argument("--ratio", type=float, default=1.5)
    args = parser.parse_args()
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        print("bench_two_rounds: skipped — set DATABASE_URL (PostgreSQL) and REDIS_URL.")
        return 0
    import redis

    print(_support.load_line() + f"; cores {os.cpu_count()}")
    honcho = None
    with _support.throwaway_database():
        started = time.perf_counter()
        for offset, (code, (counties, districts)) in enumerate(CAMPAIGNS.items()):
            _generate(
                args.workers,
                args.vacancies,
                seed=1 + offset,
                campaign_code=code,
                counties=counties,
                districts=districts,
                offset=offset * args.workers,
            )
        print(f"data generation: {time.perf_counter() - started:.1f} s (not measured)")
        connection.close()  # the workers' processes open their own
        redis.from_url(settings.REDIS_URL).delete("matching")
        try:
            honcho = _honcho()
            _wait_ready(2)
            pids = _descendants(honcho.pid)
            codes = list(CAMPAIGNS)
            # each worker process's first round loads the compiled engine (~1 s): not measured
            wall, cpu, rounds = _run(codes, pids)
            print(_line("warm-up, both      ", wall, cpu, rounds))
            _release(rounds)
            solo = []
            for code in codes:
                wall, cpu, rounds = _run([code], pids)
                print(_line("one round alone    ", wall, cpu, rounds))
                solo.append(wall)
                _release(rounds)
            wall, cpu, rounds = _run(codes, pids)
            print(_line("two rounds together", wall, cpu, rounds))
        finally:
            if honcho is not None:
                os.killpg(honcho.pid, signal.SIGINT)
                honcho.wait(timeout=60)
            connection.close()
    mean_solo = sum(solo) / len(solo)
    ratio = wall / mean_solo
    ok = all(r.status == "succeeded" for r in rounds) and ratio <= args.ratio
    print(
        f"two together / one alone = {wall:.2f} / {mean_solo:.2f} s = {ratio:.2f} "
        f"(target ≤ {args.ratio}): {'met' if ok else 'NOT met'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
