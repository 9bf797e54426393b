"""Compile the matching engine's Numba kernels once, into their on-disk cache.

Every kernel of ``matching/engine`` is ``@njit(cache=True)``: Numba compiles it at its first
call and writes the machine code beside the source (``matching/engine/__pycache__/*.nbi`` and
``*.nbc``, ignored by git). A process that finds that cache loads the code in a fraction of a
second; one that does not pays ~25 s of compilation in the first stable and optimal solve —
the first round of a new install. ``make install`` runs this script after the dependencies
(again only when an engine source file changed, since Numba keys its cache on each source
file), and a deployment runs it when it builds its image, so no round ever compiles.

It needs no database: it solves a small synthetic instance (travel groups included) in
stable and in optimal mode and explains the matched pairs, which is every compiled path a
round takes. The transport planner has no compiled kernels (it is NumPy and OR-Tools'
CP-SAT), so there is nothing of it to warm.

    .venv/bin/python scripts/warm_engine.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def warm() -> dict[str, float]:
    """Run every compiled path once; return the seconds each step took."""
    from matching import engine
    from matching.engine import synthetic

    seconds: dict[str, float] = {}
    instance = synthetic.generate(300, 30, seed=0)
    for mode in ("stable", "optimal"):
        started = time.perf_counter()
        params = engine.Params(mode=mode, seed=0)
        result = engine.solve(instance, params)
        matched = (result.assignment >= 0).nonzero()[0]
        engine.explain_pairs_as_dicts(instance, matched, result.assignment[matched], params.weights)
        seconds[mode] = time.perf_counter() - started
    return seconds


def main() -> int:
    started = time.perf_counter()
    cpu = time.process_time()
    seconds = warm()
    print(
        "Matching engine compiled cache warm: "
        + ", ".join(f"{mode} {value:.1f} s" for mode, value in seconds.items())
        + f" (total {time.perf_counter() - started:.1f} s wall, {time.process_time() - cpu:.1f} s CPU;"
        " a few tenths when the cache was already warm)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
