"""Benchmark batch explanations (``explain_pairs``) against per-pair ``score_pair``.

A round stores the reason breakdown of every match. This measures, for the matched pairs of a
solved correlated instance, the cost per pair of

* ``score_pair`` (a sample of pairs, extrapolated) and the round's former loop around it
  (``score_pair`` + ``dict(r.as_dict(), side=...)`` per reason);
* ``explain_pairs`` (Reason objects) and ``explain_pairs_as_dicts`` (the dicts a round stores),

wall-clock and process CPU, and checks that both give exactly ``score_pair``'s reasons.

    .venv/bin/python bench/bench_engine_explain.py                # 100,000 pairs
    .venv/bin/python bench/bench_engine_explain.py --pairs 1000000
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bench/ first on sys.path would shadow the project's `matching`


def _timed(fn, repeat: int) -> tuple[float, float, object]:
    """Return the best (wall, cpu) seconds of ``repeat`` calls and the last result."""
    best_wall = best_cpu = float("inf")
    out = None
    for _ in range(repeat):
        out = None  # drop the previous result first (its memory, its GC cost)
        gc.collect()
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        gc.collect(0)  # the young-generation collection the new objects cause, counted here
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=20_000, help="pairs timed with score_pair")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    import numpy as np

    from matching.engine import Params, explain_pairs, explain_pairs_as_dicts, score_pair, solve
    from matching.engine.synthetic import generate

    n = int(args.pairs * 1.35)
    instance = generate(n, max(10, n // 10), seed=args.seed)
    result = solve(instance, Params(seed=args.seed))
    workers = np.flatnonzero(result.assignment >= 0)[: args.pairs]
    vacancies = result.assignment[workers].astype(np.int64)
    k = len(workers)
    explain_pairs(instance, workers[:10], vacancies[:10])  # load the compiled kernel
    sample = min(args.sample, k)
    print(f"{k:,} matched pairs of a {n:,}-worker correlated instance; score_pair on {sample:,}")

    def per_pair() -> list:
        return [score_pair(instance, int(workers[i]), int(vacancies[i])) for i in range(sample)]

    def round_loop() -> list:
        out = []
        for i in range(sample):
            pair = score_pair(instance, int(workers[i]), int(vacancies[i]))
            out.append(
                [dict(r.as_dict(), side="worker") for r in pair.worker_reasons]
                + [dict(r.as_dict(), side="vacancy") for r in pair.vacancy_reasons]
            )
        return out

    for i in range(1000):  # warm up
        score_pair(instance, int(workers[i % k]), int(vacancies[i % k]))
    rows = []
    w, c, pairs = _timed(per_pair, 1)
    rows.append(("score_pair", w / sample, c / sample))
    w, c, loop = _timed(round_loop, 1)
    rows.append(("score_pair + dicts (former round loop)", w / sample, c / sample))
    w, c, batch = _timed(lambda: explain_pairs(instance, workers, vacancies), args.repeat)
    rows.append(("explain_pairs", w / k, c / k))
    w, c, dicts = _timed(lambda: explain_pairs_as_dicts(instance, workers, vacancies), args.repeat)
    rows.append(("explain_pairs_as_dicts", w / k, c / k))

    for name, wall, cpu in rows:
        print(
            f"  {name:40s} {wall * 1e6:7.2f} µs/pair wall {cpu * 1e6:7.2f} µs/pair CPU"
            f"   -> {wall * k:6.2f} s wall / {cpu * k:6.2f} s CPU for {k:,} pairs"
        )
    print(
        f"  speed-up explain_pairs vs score_pair: {rows[0][1] / rows[2][1]:.0f}x wall, "
        f"{rows[0][2] / rows[2][2]:.0f}x CPU; as_dicts vs round loop: "
        f"{rows[1][1] / rows[3][1]:.0f}x wall, {rows[1][2] / rows[3][2]:.0f}x CPU"
    )
    assert isinstance(batch, list) and isinstance(dicts, list)
    for i, pair in enumerate(pairs):
        assert tuple(batch[i][0]) == pair.worker_reasons
        assert tuple(batch[i][1]) == pair.vacancy_reasons
        assert dicts[i] == loop[i]
    print(f"  identical to score_pair on all {sample:,} sampled pairs")


if __name__ == "__main__":
    main()
