"""Run every compiled path of the engine once on a small synthetic instance. No Django.

Every kernel is ``@njit(cache=True)``: the first call in a process either compiles it (~25 s
on a new install, once) or loads it from Numba's on-disk cache (a few tenths of a second, plus
importing NumPy, Numba and OR-Tools). ``scripts/warm_engine.py`` calls :func:`warm` at install
time to fill the cache; a matching worker calls it as it starts (``matching.tasks``), so the
first round or rolling update it takes does not pay the loading either.
"""

from __future__ import annotations

import time


def warm() -> dict[str, float]:
    """Run a stable and an optimal solve with explanations; return the seconds each took."""
    from matching import engine
    from matching.engine import synthetic

    seconds: dict[str, float] = {}
    instance = synthetic.generate(300, 30, seed=0)  # travel groups included
    for mode in ("stable", "optimal"):
        started = time.perf_counter()
        params = engine.Params(mode=mode, seed=0)
        result = engine.solve(instance, params)
        matched = (result.assignment >= 0).nonzero()[0]
        engine.explain_pairs_as_dicts(instance, matched, result.assignment[matched], params.weights)
        seconds[mode] = time.perf_counter() - started
    return seconds
