"""Compare the engine with the PyPI ``matching`` library on the same instance; prints figures.

The library's ``HospitalResident`` (resident-optimal) and the engine's stable mode must give
the identical matching; the engine should be at least 300× faster. The instance is a
correlated synthetic one without travel groups (the library has no groups); both solvers get
the engine's seed-tie-broken strict preferences. The library runs in a child process
(``tests/matching/engine/library_harness.py``): its import name is also this project's app's.

    .venv/bin/python bench/bench_engine_vs_matching.py                # 10,000 workers
    .venv/bin/python bench/bench_engine_vs_matching.py --workers 2000 # quick
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, bench/ would come first on sys.path and `import matching` would find the
# PyPI library of that name instead of this project's app.
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=10_000)
    parser.add_argument("--vacancies", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="engine runs (best is reported)")
    args = parser.parse_args()

    import numpy as np

    from matching.engine import Market, Params, assign_stable, build_market, solve, solve_market
    from matching.engine.reference import strict_preferences, vacancy_preference_lists
    from matching.engine.synthetic import generate
    from tests.matching.engine.library_harness import solve_with_library

    instance = generate(args.workers, args.vacancies, seed=args.seed, group_share=0.0)
    params = Params(seed=args.seed)
    solve(generate(500, 50, seed=2, group_share=0.0), params)  # load kernels (cached or compiled)

    engine_solve = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        result = solve(instance, params)
        engine_solve.append(time.perf_counter() - t)
    market = build_market(instance, params)
    prefs, keys = strict_preferences(market, args.seed)
    vacancy_prefs = vacancy_preference_lists(prefs, keys)
    capacities = market.capacity.tolist()
    engine_assign = []
    engine_prefs = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        assign_stable(market, seed=args.seed)
        engine_assign.append(time.perf_counter() - t)
        t = time.perf_counter()
        from_prefs = solve_market(Market.from_preferences(prefs, vacancy_prefs, capacities), params)
        engine_prefs.append(time.perf_counter() - t)
    print(
        f"instance: {args.workers:,} workers × {args.vacancies:,} vacancies, {market.n_pairs:,} acceptable pairs"
    )

    library = solve_with_library(prefs, vacancy_prefs, capacities, timeout=3600)
    theirs = np.array(library.matching)

    same = np.array_equal(theirs, result.assignment) and np.array_equal(
        theirs, from_prefs.assignment
    )
    lib_solve, lib_total = library.solve_s, library.build_s + library.solve_s
    best = min(engine_solve)
    print(f"identical matching: {same}  (matched {int((theirs >= 0).sum()):,})")
    print(f"library: build {library.build_s:.2f} s + solve {lib_solve:.2f} s = {lib_total:.2f} s")
    print(
        f"engine, whole solve from the instance (candidates, scores, DA, checks, reasons): {best * 1000:.1f} ms"
    )
    print(
        f"engine, solve from explicit preference lists (same input as the library): {min(engine_prefs) * 1000:.1f} ms"
    )
    print(f"engine, deferred acceptance alone: {min(engine_assign) * 1000:.1f} ms")
    # The "the library needs about a minute there" is the library's whole run (building
    # its players from the lists, then solving); the engine's whole run from the instance also
    # builds its lists (candidates and scores), which the library is handed ready-made.
    print(
        f"speed-up, library whole run / engine whole solve from the instance: {lib_total / best:,.0f}×  (target ≥ 300×)"
    )
    print(
        f"speed-up, library whole run / engine from the same preference lists: {lib_total / min(engine_prefs):,.0f}×"
    )
    print(
        f"speed-up, library solve step / engine from the same preference lists: {lib_solve / min(engine_prefs):,.0f}×"
    )
    print(
        f"speed-up, library solve step / engine deferred acceptance: {lib_solve / min(engine_assign):,.0f}×"
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
