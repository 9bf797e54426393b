"""The engine's stable assignment against a plain compiled deferred acceptance (issue 17, item 4).

The reference (``sort_lists`` + ``plain_da`` below, ~60 lines of code) is the textbook algorithm in
Numba: sort every worker's scored list (in parallel), then worker-proposing deferred acceptance
with headcounts — free workers on a stack, a vacancy keeps its holders in a min-heap on
priority and drops the lowest when over its headcount. Ties are broken as the engine breaks
them for the seed, so both must give the same (worker-optimal) matching.

One correlated instance per size (the engine's synthetic generator: everyone wants the same
well-paid vacancies, employers the same skilled workers; headcount ≈ workers), built once;
its travel groups are ignored for the comparison (every worker alone) and kept for the groups
target. Targets, at 100,000 × 10,000 and 1,000,000 × 100,000:

* engine stable assignment from scored lists (units + assign_stable) ≥ 2× faster than
  sort-then-deferred-acceptance;
* the engine's proposal loop (``_stable_kernel``, with its proposal order) no slower than the
  plain loop on presorted lists (run on the same presorted lists);
* identical matchings (asserted);
* at 1M with the instance's 10 % travel groups: units + assign_stable ≤ 3 s.

Wall times and CPU times (process_time, all threads) are printed with the load average; the
script exits 1 when a target is missed. Verdicts read wall time (what a user waits for) unless
``--judge cpu``: on a shared machine wall time mostly measures the other work, CPU time does
not (it sums both threads of the parallel parts, so it is the stricter reading there).

    .venv/bin/python bench/bench_reference_da.py                # 100k and 1M
    .venv/bin/python bench/bench_reference_da.py --skip-large   # 100k only
    .venv/bin/python bench/bench_reference_da.py --judge cpu    # verdicts on CPU time (busy machine)
    .venv/bin/python bench/bench_reference_da.py --repeat 5     # the fastest of 5 runs per stage

Both sides are measured alike: after a warm-up run on a small instance, each stage's fastest
of ``--repeat`` runs (3 by default; the default used to be 1), on the same instance in one
process. The reference's stages include what the engine's include: its seeded tie-breaks and
key layout are timed with its sort (they used to run outside its clock while the engine's ran
inside its heads: ~5 ms at 100k, ~0.07 s at 1M at load 4, in the reference's favour).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np
from numba import njit, prange

# Run as a script, bench/ would come first on sys.path (see bench_engine.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.engine.market import Market, build_units, tie_breaks  # noqa: E402
from matching.engine.prepared import work_array  # noqa: E402
from matching.engine.stable import (  # noqa: E402
    _assignment,
    _stable_kernel,
    assign_stable,
    kernel_args,
)

# --- the plain reference -------------------------------------------------------------------


@njit(cache=True, parallel=True)
def sort_lists(
    ptr, vac, ws, vs, v_tb, ws_min, tb_bits, off_bits, out_vac, out_vs, out_ws
):  # pragma: no cover - compiled
    """Write every worker's list best first: worker score down, then the seeded vacancy order.

    ``out_ws`` (the sorted worker scores) is written when it is not empty.
    """
    n = len(ptr) - 1
    blocks = min(64, n)
    for b in prange(blocks):
        key = np.empty(256, dtype=np.int64)
        for w in range(b * n // blocks, (b + 1) * n // blocks):
            lo, k = ptr[w], ptr[w + 1] - ptr[w]
            if k > len(key):
                key = np.empty(2 * k, dtype=np.int64)
            for j in range(k):  # one int64 per entry: (score, tie-break, offset)
                e = lo + j
                key[j] = ((np.int64(ws[e]) - ws_min) << (tb_bits + off_bits)) | (
                    (((np.int64(1) << tb_bits) - 1 - v_tb[vac[e]]) << off_bits) | j
                )
            s = np.sort(key[:k])
            for j in range(k):
                e = lo + (s[k - 1 - j] & ((np.int64(1) << off_bits) - 1))
                out_vac[lo + j] = vac[e]
                out_vs[lo + j] = vs[e]
                if len(out_ws):
                    out_ws[lo + j] = ws[e]


@njit(cache=True)
def plain_da(ptr, svac, svs, cap, u_tb):  # pragma: no cover - compiled
    """Textbook worker-proposing deferred acceptance on sorted lists; return (match, proposals)."""
    n, m = len(ptr) - 1, len(cap)
    base = np.zeros(m + 1, dtype=np.int64)
    for v in range(m):
        base[v + 1] = base[v] + cap[v]
    hk = np.empty(base[m], dtype=np.int64)  # per vacancy a min-heap of holders' priority keys
    hw = np.empty(base[m], dtype=np.int64)  # and the holders
    held = np.zeros(m, dtype=np.int64)
    nxt = ptr[:-1].copy()
    match = np.full(n, -1, dtype=np.int32)
    free = np.arange(n - 1, -1, -1).astype(np.int64)  # worker 0 proposes first
    top, proposals = n, 0
    while top > 0:
        top -= 1
        w = free[top]
        while nxt[w] < ptr[w + 1]:
            e = nxt[w]
            nxt[w] += 1
            v, key, b = svac[e], np.int64(svs[e]) * n + (n - 1 - u_tb[w]), base[svac[e]]
            proposals += 1
            if held[v] < cap[v]:  # a free seat: sift the new holder up
                c = held[v]
                held[v] += 1
                while c > 0 and hk[b + (c - 1) // 2] > key:
                    hk[b + c], hw[b + c] = hk[b + (c - 1) // 2], hw[b + (c - 1) // 2]
                    c = (c - 1) // 2
            elif cap[v] > 0 and key > hk[b]:  # evict the lowest holder, sift the new one down
                y, c, h = hw[b], 0, held[v]
                match[y] = -1
                free[top] = y
                top += 1
                while 2 * c + 1 < h:
                    d = 2 * c + 1
                    if d + 1 < h and hk[b + d + 1] < hk[b + d]:
                        d += 1
                    if hk[b + d] >= key:
                        break
                    hk[b + c], hw[b + c] = hk[b + d], hw[b + d]
                    c = d
            else:
                continue  # rejected: next choice
            hk[b + c], hw[b + c] = key, w
            match[w] = v
            break
    return match, proposals


# --- measuring -------------------------------------------------------------------------------


class Clock:
    """Wall and CPU (all threads) seconds of a block."""

    def __enter__(self) -> Clock:
        self.t, self.c = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.t
        self.cpu = time.process_time() - self.c

    def __str__(self) -> str:
        return f"{self.wall:6.2f} s (CPU {self.cpu:5.2f} s)"


def fastest(runs: list[dict]) -> dict:
    """Per stage the least wall and the least CPU time over repeated runs (other entries as in
    the first run): on a shared machine the fastest run is the one least disturbed."""
    best = dict(runs[0])
    for key, first in runs[0].items():
        if isinstance(first, Clock):
            best[key] = Clock()
            best[key].wall = min(r[key].wall for r in runs)
            best[key].cpu = min(r[key].cpu for r in runs)
    return best


def engine_stable(market: Market, seed: int) -> tuple[np.ndarray, dict[str, Clock], int]:
    """``build_units`` + ``assign_stable`` split as assign_stable runs them: units, heads
    (``kernel_args``: the heads, the work arrays and the proposal order), loop."""
    clocks = {k: Clock() for k in ("units", "heads", "loop")}
    with clocks["units"]:
        units = build_units(market)
    with clocks["heads"]:
        args = kernel_args(market, units, seed=seed)
    with clocks["loop"]:
        match_edge, proposals, rounds, converged = _stable_kernel(*args)
    a = _assignment(units, match_edge, int(proposals), int(rounds), bool(converged))
    return a.worker_vacancy, clocks, a.proposals


def reference(market: Market, seed: int) -> tuple[np.ndarray, Market, dict]:
    """Sort-then-DA; return (match, the market with presorted lists, clocks)."""
    clocks = {k: Clock() for k in ("sort", "loop")}
    n = market.n_workers
    svac = work_array(market.n_pairs, np.int32)
    svs = work_array(market.n_pairs, np.int32)
    with clocks["sort"]:
        # the seeded tie-breaks and the key layout are part of the sort, as they are part of
        # the engine's heads (kernel_args)
        u_tb, v_tb = tie_breaks(seed, n, market.n_vacancies)
        lengths = np.diff(market.ptr)
        off_bits = max(1, int(lengths.max(initial=1) - 1).bit_length())
        tb_bits = max(1, int(max(market.n_vacancies, 1) - 1).bit_length())
        ws_min = int(market.worker_score.min(initial=0))
        ws_max = int(market.worker_score.max(initial=0))
        assert (ws_max - ws_min).bit_length() + tb_bits + off_bits < 63
        sort_lists(
            market.ptr, market.vacancy, market.worker_score, market.vacancy_score, v_tb,
            np.int64(ws_min), np.int64(tb_bits), np.int64(off_bits), svac, svs, svac[:0],
        )  # fmt: skip
    with clocks["loop"]:
        match, proposals = plain_da(market.ptr, svac, svs, market.capacity.astype(np.int64), u_tb)
    clocks["proposals"] = proposals
    # the same lists sorted again with their worker scores: the engine's presorted market
    sws = work_array(market.n_pairs, np.int32)
    sort_lists(
        market.ptr, market.vacancy, market.worker_score, market.vacancy_score, v_tb,
        np.int64(ws_min), np.int64(tb_bits), np.int64(off_bits), svac, svs, sws,
    )  # fmt: skip
    return match, Market(market.ptr, svac, sws, svs, market.capacity, market.group), clocks


def run_size(
    n_workers: int,
    n_vacancies: int,
    seed: int,
    groups_target: float | None,
    judge: str = "wall",
    repeat: int = 1,
) -> bool:
    from matching.engine.solve import build_market
    from matching.engine.synthetic import generate

    print(f"\n== {n_workers:,} workers × {n_vacancies:,} vacancies (seed {seed})")
    with Clock() as c:
        instance = generate(n_workers, n_vacancies, seed=seed, group_share=0.1)
        grouped = build_market(instance)
    alone = Market(grouped.ptr, grouped.vacancy, grouped.worker_score, grouped.vacancy_score,
                   grouped.capacity, np.full(grouped.n_workers, -1))  # fmt: skip
    print(
        f"  instance and scored lists built once: {c}; {alone.n_pairs:,} pairs "
        f"({alone.n_pairs / n_workers:.1f} per worker), headcount {int(alone.capacity.sum()):,}; "
        f"load {os.getloadavg()[0]:.2f}"
    )
    ok = True

    def verdict(label: str, met: bool) -> None:
        nonlocal ok
        ok &= met
        print(f"  {label}: {'met' if met else 'MISSED'}")

    engine_match, e, e_prop = engine_stable(alone, seed)
    check = assign_stable(alone, seed=seed).worker_vacancy  # the bench's split runs the same code
    assert np.array_equal(engine_match, check)
    ref_match, sorted_market, r = reference(alone, seed)
    if repeat > 1:
        e = fastest([e] + [engine_stable(alone, seed)[1] for _ in range(repeat - 1)])
        r = fastest([r] + [reference(alone, seed)[2] for _ in range(repeat - 1)])
    same = bool(np.array_equal(engine_match, ref_match))
    e_total = e["units"].wall + e["heads"].wall + e["loop"].wall
    e_cpu = e["units"].cpu + e["heads"].cpu + e["loop"].cpu
    r_total, r_cpu = r["sort"].wall + r["loop"].wall, r["sort"].cpu + r["loop"].cpu
    print(
        f"  engine  units {e['units']}, heads {e['heads']}, loop {e['loop']}; {e_prop:,} proposals"
    )
    print(f"  plain   sort {r['sort']}, loop {r['loop']}; {r['proposals']:,} proposals")
    print(
        f"  matched {int((engine_match >= 0).sum()):,}; identical matching: {same}; "
        f"identical proposals: {e_prop == r['proposals']}"
    )
    if repeat > 1:
        print(f"  (times: the fastest of {repeat} runs per stage)")
    pre_match, p, _ = engine_stable(sorted_market, seed)
    if repeat > 1:
        p = fastest([p] + [engine_stable(sorted_market, seed)[1] for _ in range(repeat - 1)])
    same_pre = bool(np.array_equal(pre_match, ref_match))
    print(
        f"  engine on the presorted lists: heads {p['heads']}, loop {p['loop']}; identical: {same_pre}"
    )
    print(
        f"  assignment from scored lists: engine {e_total:.2f} s (CPU {e_cpu:.2f}) vs "
        f"sort-then-DA {r_total:.2f} s (CPU {r_cpu:.2f}) -> {r_total / e_total:.2f}× "
        f"(CPU {r_cpu / e_cpu:.2f}×)"
    )
    print(
        f"  proposal loop on presorted lists: engine {p['loop'].wall:.2f} s "
        f"(CPU {p['loop'].cpu:.2f}) vs plain {r['loop'].wall:.2f} s (CPU {r['loop'].cpu:.2f})"
    )
    verdict("identical matchings and proposals", same and same_pre and e_prop == r["proposals"])
    if judge == "cpu":
        e_total, r_total = e_cpu, r_cpu
    verdict(f"engine assignment ≥ 2× sort-then-DA ({judge})", r_total >= 2 * e_total)
    verdict(
        f"engine loop no slower than the plain loop ({judge})",
        getattr(p["loop"], judge) <= getattr(r["loop"], judge),
    )
    del sorted_market
    if groups_target is not None:
        groups_runs = []
        for _ in range(repeat):
            with Clock() as g:
                units = build_units(grouped)
                a = assign_stable(grouped, seed=seed, units=units)
            groups_runs.append({"g": g})
            del units
        g = fastest(groups_runs)["g"]
        print(
            f"  with the instance's travel groups ({int((grouped.group >= 0).sum()):,} workers "
            f"in groups): units + assign_stable {g}; {a.repair_rounds} repair rounds, "
            f"converged {a.converged}"
        )
        verdict(
            f"assignment with 10 % travel groups ≤ {groups_target:g} s ({judge})",
            getattr(g, judge) <= groups_target,
        )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the sizes")
    parser.add_argument("--skip-large", action="store_true", help="skip the 1,000,000-worker run")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="run each timed stage this many times (both sides alike) and report the fastest",
    )
    parser.add_argument(
        "--judge",
        choices=["wall", "cpu"],
        default="wall",
        help="the time the verdicts read: wall on a quiet machine; cpu (all threads, so"
        " stricter for the parallel parts) when other work shares the cores",
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} at start")
    # compile (or load from the cache) every kernel on a small instance first
    run_size(2000, 200, 99, None)
    print("\n(the run above warms the compiled kernels; its figures are not the benchmark)")
    big, small = int(1_000_000 * args.scale), int(100_000 * args.scale)
    ok = run_size(small, small // 10, args.seed, None, args.judge, args.repeat)
    if not args.skip_large:
        ok &= run_size(big, big // 10, args.seed, 3.0, args.judge, args.repeat)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"\npeak RSS {peak:.2f} GB; load average at end {os.getloadavg()[0]:.2f}")
    print(f"all targets {'met' if ok else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
