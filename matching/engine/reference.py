"""Plain-Python reference implementations the compiled engine is checked against.

Nothing here is fast; it is written to be obviously right:

* :func:`strict_preferences` — the seed-tie-broken strict orders the engine uses, as lists;
* :func:`deferred_acceptance` — textbook worker-proposing deferred acceptance with capacities;
* :func:`brute_force_worker_optimal` — enumerates every matching of a tiny market;
* :func:`vacancy_preference_lists` — the vacancies' side as lists, for the PyPI ``matching``
  library, which runs in a child process (``tests/matching/engine/library_harness.py``)
  because its import name is this project's ``matching`` app.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from matching.engine.market import Market, build_units, market_tie_breaks


def strict_preferences(
    market: Market, seed: int = 0
) -> tuple[list[list[int]], list[dict[int, int]]]:
    """Return (unit preference lists, vacancy priority keys) for a market of single workers.

    ``prefs[u]`` lists vacancies best first; ``keys[v][u]`` is v's priority for u (higher is
    better). Ties are broken exactly as the engine breaks them for ``seed``.
    """
    units = build_units(market)
    if units.has_groups:
        raise ValueError("the reference handles single workers only")
    u_tb, v_tb = market_tie_breaks(seed, market, units)
    n_units = units.n_units
    prefs: list[list[int]] = []
    keys: list[dict[int, int]] = [{} for _ in range(market.n_vacancies)]
    for u in range(n_units):
        lo, hi = int(units.ptr[u]), int(units.ptr[u + 1])
        entries = []
        for e in range(lo, hi):
            v = int(units.vacancy[e])
            entries.append((-int(units.worker_score[e]), int(v_tb[v]), v))
            keys[v][u] = int(units.vacancy_score[e]) * n_units + (n_units - 1 - int(u_tb[u]))
        prefs.append([v for _, _, v in sorted(entries)])
    return prefs, keys


def deferred_acceptance(
    prefs: Sequence[Sequence[int]], keys: Sequence[dict[int, int]], capacities: Sequence[int]
) -> list[int]:
    """Return the worker-optimal stable matching (worker -> vacancy or -1), textbook style."""
    n = len(prefs)
    nxt = [0] * n
    held: list[list[int]] = [[] for _ in capacities]
    match = [-1] * n
    free = list(range(n - 1, -1, -1))
    while free:
        w = free.pop()
        while nxt[w] < len(prefs[w]):
            v = prefs[w][nxt[w]]
            nxt[w] += 1
            if w not in keys[v]:
                continue
            held[v].append(w)
            priority = keys[v]
            held[v].sort(key=lambda x: -priority[x])
            if len(held[v]) > capacities[v]:
                out = held[v].pop()
                if out == w:
                    continue
                match[out] = -1
                free.append(out)
            match[w] = v
            break
    return match


def blocking_pairs_reference(
    prefs: Sequence[Sequence[int]],
    keys: Sequence[dict[int, int]],
    capacities: Sequence[int],
    match: Sequence[int],
) -> list[tuple[int, int]]:
    """Return every classic blocking pair (worker, vacancy) of ``match``."""
    out = []
    for w, plist in enumerate(prefs):
        for v in plist:
            if v == match[w]:
                break
            if w not in keys[v]:
                continue
            holders = [x for x, mv in enumerate(match) if mv == v]
            if len(holders) < capacities[v] or any(keys[v][x] < keys[v][w] for x in holders):
                out.append((w, v))
    return out


def brute_force_worker_optimal(
    prefs: Sequence[Sequence[int]], keys: Sequence[dict[int, int]], capacities: Sequence[int]
) -> list[int] | None:
    """Return the worker-optimal stable matching by enumerating all matchings (tiny markets).

    Returns None if no stable matching dominates all others for every worker (never happens
    for single workers — the theorem the test relies on).
    """
    n = len(prefs)
    options = [[-1, *[v for v in p if w in keys[v]]] for w, p in enumerate(prefs)]
    stable: list[tuple[int, ...]] = []
    for combo in itertools.product(*options):
        load = [0] * len(capacities)
        for v in combo:
            if v >= 0:
                load[v] += 1
        if any(load[v] > capacities[v] for v in range(len(capacities))):
            continue
        if not blocking_pairs_reference(prefs, keys, capacities, combo):
            stable.append(combo)

    def rank(w: int, v: int) -> int:
        return len(prefs[w]) if v < 0 else list(prefs[w]).index(v)

    best = [min(rank(w, m[w]) for m in stable) for w in range(n)]
    for m in stable:
        if all(rank(w, m[w]) == best[w] for w in range(n)):
            return list(m)
    return None


def vacancy_preference_lists(
    prefs: Sequence[Sequence[int]], keys: Sequence[dict[int, int]]
) -> list[list[int]]:
    """Return each vacancy's list of the workers that list it, highest priority first."""
    lists: list[list[int]] = [[] for _ in keys]
    for w, plist in enumerate(prefs):
        for v in plist:
            lists[v].append(w)
    return [sorted(lst, key=keys[v].__getitem__, reverse=True) for v, lst in enumerate(lists)]
