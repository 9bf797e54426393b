"""Compile the matching engine's Numba kernels once, into their on-disk cache.

Every kernel of ``matching/engine`` is ``@njit(cache=True)``: Numba compiles it at its first
call and writes the machine code beside the source (``matching/engine/__pycache__/*.nbi`` and
``*.nbc``, ignored by git). A process that finds that cache loads the code in a fraction of a
second; one that does not pays ~25 s of compilation in the first stable and optimal solve —
the first round of a new install. ``make install`` runs this script after the dependencies
(again only when an engine source file changed, since Numba keys its cache on each source
file), and a deployment runs it when it builds its image, so no round ever compiles.

It needs no database: ``matching.engine.warm`` solves a small synthetic instance (travel
groups included) in stable and in optimal mode and explains the matched pairs, which is every
compiled path a round takes; matching workers run the same at start. The transport planner has no compiled kernels (it is NumPy and OR-Tools'
CP-SAT), so there is nothing of it to warm.

    .venv/bin/python scripts/warm_engine.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    started = time.perf_counter()
    cpu = time.process_time()
    from matching.engine.warm import warm

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
