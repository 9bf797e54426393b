"""Run the PyPI ``matching`` library's hospital–resident solver in a child process.

The library's import name is ``matching``, which is also this project's app, so it cannot be
imported next to the engine without setting our modules aside. Instead this file, run as a
script with ``python -I`` (no script directory, no PYTHONPATH, no user site: only the
virtualenv's site-packages, where the library lives), solves one instance read as JSON on
stdin and writes the matching as JSON on stdout. :func:`solve_with_library` is the caller's
side; the test and ``bench/bench_engine_vs_matching.py`` both use it.

    stdin:  {"resident_prefs": [[v, …] per worker], "hospital_prefs": [[w, …] per vacancy],
             "capacities": [c per vacancy]}
    stdout: {"matching": [v or -1 per worker], "build_s": float, "solve_s": float}
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LIBRARY = "matching"


@dataclass(frozen=True)
class LibraryResult:
    """The library's resident-optimal matching and how long it took inside the child."""

    matching: list[int]  # worker -> vacancy or -1
    build_s: float  # building the library's players from the lists
    solve_s: float  # the library's solve step


def library_installed() -> bool:
    """Return whether the PyPI ``matching`` distribution is installed."""
    import importlib.metadata

    try:
        importlib.metadata.distribution(LIBRARY)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def solve_with_library(
    prefs: Sequence[Sequence[int]],
    vacancy_prefs: Sequence[Sequence[int]],
    capacities: Sequence[int],
    *,
    timeout: float = 600,
) -> LibraryResult:
    """Return the library's resident-optimal matching of the lists, solved in a child process."""
    payload = json.dumps(
        {
            "resident_prefs": [list(map(int, p)) for p in prefs],
            "hospital_prefs": [list(map(int, p)) for p in vacancy_prefs],
            "capacities": [int(c) for c in capacities],
        }
    )
    done = subprocess.run(
        [sys.executable, "-I", str(Path(__file__).resolve())],
        input=payload,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the matching-library harness failed:\n{done.stderr}")
    out = json.loads(done.stdout)
    return LibraryResult(matching=out["matching"], build_s=out["build_s"], solve_s=out["solve_s"])


def _with_deep_recursion(fn: Any) -> Any:
    """Return ``fn()`` run in a thread with a large stack and recursion limit.

    The library deep-copies its players, whose preference lists reference each other, so the
    copy recurses about as deep as the market is large.
    """
    import threading

    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the main thread
            box["error"] = exc

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _main() -> None:
    import importlib.metadata
    import time
    import warnings

    from matching.games import HospitalResident  # the library: this child never sees our app

    origin = Path(importlib.metadata.distribution(LIBRARY).locate_file("")).resolve()
    if origin not in Path(sys.modules[LIBRARY].__file__ or "").resolve().parents:
        raise SystemExit(f"imported {sys.modules[LIBRARY].__file__}, not the library in {origin}")
    spec = json.load(sys.stdin)
    stamps: dict[str, float] = {}

    def run() -> Any:
        warnings.simplefilter("ignore")  # one warning per worker with an empty list
        stamps["start"] = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(
            {w: p for w, p in enumerate(spec["resident_prefs"]) if p},
            dict(enumerate(spec["hospital_prefs"])),
            dict(enumerate(spec["capacities"])),
        )
        stamps["built"] = time.perf_counter()
        solved = game.solve(optimal="resident")
        stamps["done"] = time.perf_counter()
        return solved

    solved = _with_deep_recursion(run)
    matching = [-1] * len(spec["resident_prefs"])
    for hospital, residents in solved.items():
        for resident in residents:
            matching[resident.name] = hospital.name
    json.dump(
        {
            "matching": matching,
            "build_s": stamps["built"] - stamps["start"],
            "solve_s": stamps["done"] - stamps["built"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    _main()
