"""Benchmark: the web tier keeps up (issue 17, item 3).

Target: with 50,000 workers of one county on PostgreSQL behind gunicorn, the county
official's worker list — the page and the API, first page and page 100 — answers at least
40 % of the requests per second of the login page measured in the same run, with a p99 of at
most 100 ms, at 10 connections.

Builds ``--workers`` workers of Anding (COPY) in a throwaway test database of
``DATABASE_URL`` (PostgreSQL only), signs the official in, follows the "next" links of the page
and of the API 99 times to reach page 100 as a user does, starts gunicorn on a free port of
127.0.0.1 and runs locust headless against each list endpoint in turn, alternating with the
login page: ``--rounds`` slices of ``--seconds`` each (``--users`` connections; traffic to
127.0.0.1 only), each list compared with the login slices around it, as the machine's speed
drifts by tens of percent within a minute. Prints per endpoint the requests per second, the
p50 and the worst slice's p99, the login page's requests per second beside it, the ratio and
the server CPU per request (the gunicorn processes' CPU time over the requests served), with
the load average. Exits 1 when a target is missed:

    DATABASE_URL=postgres://… .venv/bin/python bench/bench_web.py [--workers 50000]
        [--seconds 8] [--rounds 3] [--users 10] [--gunicorn-workers 2]
"""

from __future__ import annotations

import argparse
import csv
import html
import io
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _support  # starts Django: first of the project's imports
from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parent.parent
ANDING = "621102"
RATIO_TARGET = 0.40
P99_TARGET_MS = 100
# Workers per COPY: 10,000 rows of ~400 bytes, a few MB of CSV in memory at a time.
COPY_BATCH = 10_000
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "小大明华建国伟芳娟敏静丽强磊军洋勇艳杰娜涛超秀兰霞平刚桂英文辉鹏飞红玉梅春"


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _copy_value(value) -> str:
    if value is None:
        return "\\N"  # NULL; an empty field stays an empty string
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, bytes | memoryview):
        return "\\x" + bytes(value).hex()
    return str(value)


def _build(total: int, seed: int = 17) -> None:
    """COPY ``total`` workers of Anding with varied names, townships and a few travel groups."""
    from django.utils import timezone

    from laborbridge.models import Region
    from workers.models import TravelGroup, Worker

    rng = random.Random(seed)
    townships = list(Region.objects.filter(parent_id=ANDING).values_list("pk", flat=True))
    villages = {
        t: list(Region.objects.filter(parent_id=t).values_list("pk", flat=True)[:20])
        for t in townships
    }
    # One worker in ten travels with a group of three (the row shows the companions' names).
    groups = TravelGroup.objects.bulk_create(
        [TravelGroup(home_county_id=ANDING, name=f"621102-{i}") for i in range(total // 30)]
    )
    fields = [
        f
        for f in Worker._meta.concrete_fields
        if f.column != "id"  # the sequence numbers them
    ]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    now = timezone.now()
    for start in range(0, total, COPY_BATCH):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for index in range(start, min(start + COPY_BATCH, total)):
            township = rng.choice(townships) if townships else None
            village = rng.choice(villages[township]) if township and villages[township] else None
            worker = _support.worker_new(
                index,
                ANDING,
                f"139{index:08d}",
                home_township_id=township,
                home_village_id=village,
                poverty_status="poverty_alleviated" if index % 3 == 0 else "none",
                consent_status="given" if index % 2 else "none",
                travel_group_id=groups[index // 3 % len(groups)].pk if index % 10 < 3 else None,
            )
            worker.name = _name(rng)
            worker.created_at = worker.updated_at = now
            writer.writerow(
                [
                    _copy_value(f.get_default() if v is None and f.has_default() else v)
                    for f, v in ((f, getattr(worker, f.attname)) for f in fields)
                ]
            )
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {Worker._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                buffer,
            )
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Worker._meta.db_table}")
    # COPY sends no signal: announce the new workers, or a count kept in Redis by an earlier
    # run (workers.counts) would be shown for up to a minute.
    from workers.counts import workers_changed

    workers_changed()


def _official_session() -> tuple[Client, str]:
    from laborbridge.models import Role, User

    official = User.objects.create_user(
        "bench_official", password="bench-password-17", role=Role.COUNTY_OFFICIAL, county_id=ANDING
    )
    client = Client()
    client.force_login(official)
    return client, client.cookies["sessionid"].value


_NEXT_LINK = re.compile(r'<a href="([^"]+)"[^>]*>[^<]*(?:下一页|Next)')


def _page_100(client: Client) -> tuple[str, str]:
    """Follow "next" 99 times on the page and on the API; return both page-100 paths."""
    path = "/workers/"
    for _ in range(99):
        body = client.get(path).content.decode()
        found = _NEXT_LINK.search(body)
        if not found:
            raise SystemExit(f"no next link on {path}")
        href = html.unescape(found.group(1))
        path = "/workers/" + href if href.startswith("?") else href
    api = "/api/v1/workers/"
    for _ in range(99):
        following = client.get(api).json()["next"]
        api = following[following.index("/api/") :]
    return path, api


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(port: int, workers: int, seconds: float = 120) -> None:
    """Wait until gunicorn answers the login page (its workers load Django after it listens)."""
    import urllib.request

    deadline = time.monotonic() + seconds
    answered = 0
    while time.monotonic() < deadline and answered < 4 * workers:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10):
                answered += 1
        except OSError:
            time.sleep(0.5)
    if answered < 4 * workers:
        raise SystemExit(f"gunicorn on 127.0.0.1:{port} did not answer")


def _warm(port: int, path: str, session: str, times: int) -> None:
    """Request ``path`` a few times first: every gunicorn worker connected and its caches full."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    for _ in range(times):
        with urllib.request.urlopen(request, timeout=60) as response:
            if response.status != 200:
                raise SystemExit(f"{path} answered {response.status}")


def _server_cpu(server: subprocess.Popen) -> float:
    """Return the CPU seconds of gunicorn's master and workers so far."""
    import psutil

    master = psutil.Process(server.pid)
    processes = [master, *master.children(recursive=True)]
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total


def _merged(slices: list[dict]) -> dict:
    """Return the figures of ``slices`` of one endpoint taken together: requests over the
    time they took, the worst slice's p99, server CPU per request."""
    requests = sum(f["requests"] for f in slices)
    seconds = sum(f["requests"] / f["rps"] for f in slices if f["rps"])
    return {
        "rps": requests / seconds if seconds else 0.0,
        "p99": max(f["p99"] for f in slices),
        "p50": sorted(f["p50"] for f in slices)[len(slices) // 2],
        "requests": requests,
        "failures": sum(f["failures"] for f in slices),
        "cpu_ms": sum(f["cpu"] for f in slices) * 1000 / max(requests, 1),
        "slices": [f["rps"] for f in slices],
    }


def _locust(port: int, path: str, session: str, users: int, seconds: int) -> dict:
    """Run locust headless against ``path``; return req/s, p99, requests and failures."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = os.path.join(folder, "run")
        subprocess.run(
            [
                str(ROOT / ".venv/bin/locust"),
                "-f",
                str(ROOT / "bench/locustfile_web.py"),
                "--headless",
                "--only-summary",
                "-u",
                str(users),
                "-r",
                str(users * 10),  # every connection at once: a slice is seconds long
                "-t",
                f"{seconds}s",
                "--host",
                f"http://127.0.0.1:{port}",
                "--csv",
                prefix,
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "LB_BENCH_PATH": path, "LB_BENCH_SESSION": session},
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=seconds + 120,
        )
        with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
            row = next(r for r in csv.DictReader(stats) if r["Name"] == "Aggregated")
    if not int(row["Request Count"]):
        return {"rps": 0.0, "p99": float("inf"), "p50": float("inf"), "requests": 0, "failures": 0}
    return {
        "rps": float(row["Requests/s"]),
        "p99": float(row["99%"]),
        "p50": float(row["50%"]),
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=50_000)
    parser.add_argument("--seconds", type=int, default=8, help="seconds of one slice")
    parser.add_argument("--rounds", type=int, default=3, help="slices per endpoint")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        # Not a miss: gunicorn must share the database, which an in-memory test database
        # of SQLite cannot; `make bench` without PostgreSQL goes on to the next benchmark.
        print("skipped: bench_web needs DATABASE_URL=postgres://… (gunicorn shares the database)")
        return 0

    with _support.throwaway_database():
        started = time.perf_counter()
        _build(args.workers)
        print(f"built {args.workers:,} workers in {time.perf_counter() - started:.1f} s")
        client, session = _official_session()
        page_100, api_100 = _page_100(client)
        login = ("login page", "/accounts/login/", "")
        lists = [
            ("worker list, page 1", "/workers/", session),
            ("worker list, page 100", page_100, session),
            ("worker API, page 1", "/api/v1/workers/", session),
            ("worker API, page 100", api_100, session),
        ]
        settings = connection.settings_dict
        port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@"
                f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
            ),
            "DATABASE_CONN_MAX_AGE": "600",
            "DJANGO_DEBUG": "false",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "laborbridge.wsgi",
                "-w",
                str(args.gunicorn_workers),
                "-b",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        results = []
        try:
            _wait_ready(port, args.gunicorn_workers)
            print(_support.load_line())
            # Each list alternates with the login page, ``--rounds`` slices of ``--seconds``
            # each, and is compared with the login slices around it: the machine's speed
            # drifts by tens of percent within a minute (one login run at the start of a
            # run favoured no endpoint reliably).
            for label, path, cookie in lists:
                slices: dict[str, list[dict]] = {"login": [], "list": []}
                for _round in range(args.rounds):
                    for which, (_label, run_path, run_cookie) in (
                        ("login", login),
                        ("list", (label, path, cookie)),
                    ):
                        _warm(port, run_path, run_cookie, 4 * args.gunicorn_workers)
                        cpu_before = _server_cpu(server)
                        figures = _locust(port, run_path, run_cookie, args.users, args.seconds)
                        figures["cpu"] = _server_cpu(server) - cpu_before
                        slices[which].append(figures)
                results.append((label, path, _merged(slices["list"]), _merged(slices["login"])))
        finally:
            server.terminate()
            server.wait(timeout=30)
        load = os.getloadavg()

    missed = []
    print(
        f"{args.users} connections, {args.rounds} slices of {args.seconds} s per endpoint "
        f"alternating with the login page, gunicorn -w {args.gunicorn_workers}"
    )
    for label, path, f, login in results:
        ratio = f["rps"] / login["rps"] if login["rps"] else 0.0
        print(
            f"{label:22} {f['rps']:6.1f} req/s  p50 {f['p50']:3.0f} ms  p99 {f['p99']:3.0f} ms  "
            f"server CPU {f['cpu_ms']:4.1f} ms/req  | login {login['rps']:6.1f} req/s "
            f"(slices {'/'.join(f'{r:.0f}' for r in login['slices'])})  "
            f"CPU {login['cpu_ms']:4.1f} ms/req  | {ratio:4.0%} of login  "
            f"({f['requests']} requests, {f['failures'] + login['failures']} failed)  {path[:40]}"
        )
        if f["failures"] or login["failures"]:
            missed.append(f"{label}: {f['failures'] + login['failures']} failed requests")
        if ratio < RATIO_TARGET:
            missed.append(f"{label}: {ratio:.0%} of the login page's req/s")
        if f["p99"] > P99_TARGET_MS:
            missed.append(f"{label}: p99 {f['p99']:.0f} ms")
    print(f"load average after: {load[0]:.2f} {load[1]:.2f}")
    if missed:
        print("target NOT met: " + "; ".join(missed))
        return 1
    print(f"target met: every list ≥ {RATIO_TARGET:.0%} of login, p99 ≤ {P99_TARGET_MS} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
