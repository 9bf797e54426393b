"""The scored two-sided market the assignment works on, and its proposing units.

A :class:`Market` is what both assignment modes take: every worker's acceptable vacancies with
the worker's score (preference) and the vacancy's score (priority) for each pair, the
vacancies' headcounts and the workers' travel groups. It is built from an instance's
candidates and scores, or directly from classic hospital–resident preference lists
(:meth:`Market.from_preferences`), which is how the engine is checked against reference
implementations.

**Strict preferences.** Scores can tie; ties are broken by the seed: a seeded random order of
vacancies breaks ties in every worker's (unit's) preference, a seeded random order of units
breaks ties in every vacancy's priority. All stability statements are about these strict
orders (hence also weak stability for the raw scores).

**Units.** A worker travelling alone is a unit of size 1. A travel group is one unit whose size
is its member count. A unit's acceptable vacancies are those eligible for *every* member with
headcount >= size; its preference score for a vacancy is the *sum* of its members' worker
scores; a vacancy's priority score for it is the *minimum* of its members' vacancy scores (a
group is as strong as its weakest member, so a group can never carry a weak member past a
single worker the vacancy ranks higher).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
from numba import njit, prange

from matching.engine.candidates import Candidates
from matching.engine.prepared import threads_for, work_array
from matching.engine.scoring import Scores


@dataclass(frozen=True, eq=False)
class Market:
    """Scored acceptable pairs (CSR per worker), headcounts and travel groups."""

    ptr: np.ndarray  # int64, n_workers + 1
    vacancy: np.ndarray  # int32
    worker_score: np.ndarray  # int32
    vacancy_score: np.ndarray  # int32
    capacity: np.ndarray  # int32 per vacancy
    group: np.ndarray  # int64 per worker, -1 = alone
    # (worker keys, vacancy keys): stable identities for tie-breaking (``tie_breaks``), or None
    keys: tuple[np.ndarray, np.ndarray] | None = None

    def __post_init__(self) -> None:
        for name, dtype in (
            ("ptr", np.int64),
            ("vacancy", np.int32),
            ("worker_score", np.int32),
            ("vacancy_score", np.int32),
            ("capacity", np.int32),
            ("group", np.int64),
        ):
            object.__setattr__(self, name, np.ascontiguousarray(getattr(self, name), dtype=dtype))
        if self.group.shape != (self.n_workers,):
            raise ValueError("group must have one entry per worker")

    @property
    def n_workers(self) -> int:
        return len(self.ptr) - 1

    @property
    def n_vacancies(self) -> int:
        return len(self.capacity)

    @property
    def n_pairs(self) -> int:
        return int(self.ptr[-1])

    @classmethod
    def from_scores(
        cls,
        candidates: Candidates,
        scores: Scores,
        capacity: np.ndarray,
        group: np.ndarray | None = None,
        keys: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> Market:
        """Return the market of scored candidate pairs (arrays are shared, not copied)."""
        n = len(candidates.ptr) - 1
        return cls(
            ptr=candidates.ptr,
            vacancy=candidates.vacancy,
            worker_score=scores.worker,
            vacancy_score=scores.vacancy,
            capacity=capacity,
            group=np.full(n, -1, dtype=np.int64) if group is None else group,
            keys=keys,
        )

    @classmethod
    def from_preferences(
        cls,
        worker_prefs: Sequence[Sequence[int]],
        vacancy_prefs: Sequence[Sequence[int]],
        capacities: Sequence[int] | np.ndarray,
        groups: Sequence[int] | np.ndarray | None = None,
    ) -> Market:
        """Return the market of classic hospital–resident input.

        ``worker_prefs[i]`` lists vacancy indexes, most preferred first; ``vacancy_prefs[j]``
        lists worker indexes, highest priority first. A pair is acceptable only when each
        lists the other. Scores encode the ranks (strict, so the seed plays no role).
        """
        n, m = len(worker_prefs), len(vacancy_prefs)
        wl = np.fromiter((len(p) for p in worker_prefs), dtype=np.int64, count=n)
        w_of = np.repeat(np.arange(n, dtype=np.int64), wl)
        v_flat = np.fromiter(chain.from_iterable(worker_prefs), dtype=np.int64, count=int(wl.sum()))
        w_rank = np.arange(len(v_flat), dtype=np.int64) - np.repeat(np.cumsum(wl) - wl, wl)
        vl = np.fromiter((len(p) for p in vacancy_prefs), dtype=np.int64, count=m)
        v_of = np.repeat(np.arange(m, dtype=np.int64), vl)
        w_flat = np.fromiter(
            chain.from_iterable(vacancy_prefs), dtype=np.int64, count=int(vl.sum())
        )
        v_rank = np.arange(len(w_flat), dtype=np.int64) - np.repeat(np.cumsum(vl) - vl, vl)
        key_w = w_of * m + v_flat
        key_v = w_flat * m + v_of
        by_key = np.argsort(key_v, kind="stable")
        sorted_v = key_v[by_key]
        if _has_duplicates(key_w) or bool((sorted_v[1:] == sorted_v[:-1]).any()):
            raise ValueError("a preference list names the same partner twice")
        # a worker's entry is acceptable when the vacancy lists the worker too
        at = np.minimum(np.searchsorted(sorted_v, key_w), max(len(sorted_v) - 1, 0))
        both = sorted_v[at] == key_w if len(sorted_v) else np.zeros(len(key_w), dtype=bool)
        iw_sorted = np.flatnonzero(both)  # each worker's list stays in preference order
        iv = by_key[at[iw_sorted]]
        keep_w = w_of[iw_sorted]
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(keep_w, minlength=n), out=ptr[1:])
        return cls(
            ptr=ptr,
            vacancy=v_flat[iw_sorted],
            worker_score=(m - w_rank[iw_sorted]),
            vacancy_score=(n - v_rank[iv]),
            capacity=np.asarray(capacities),
            group=np.full(n, -1) if groups is None else np.asarray(groups),
        )


def _has_duplicates(a: np.ndarray) -> bool:
    """Whether ``a`` holds a value twice (a sort: NumPy's hashing ``unique`` is ~10× slower)."""
    s = np.sort(a)
    return bool((s[1:] == s[:-1]).any())


@dataclass(frozen=True, eq=False)
class Units:
    """Proposing units: single workers and whole travel groups (see the module docstring)."""

    of_worker: np.ndarray  # int32 unit of each worker
    size: np.ndarray  # int32
    member_ptr: np.ndarray  # int64, members of unit u = members[member_ptr[u]:member_ptr[u+1]]
    members: np.ndarray  # int32, ascending within a unit
    ptr: np.ndarray  # int64 CSR over units
    vacancy: np.ndarray  # int32
    worker_score: np.ndarray  # int32 (sum over members)
    vacancy_score: np.ndarray  # int32 (min over members)
    common_any: np.ndarray  # int32: vacancies eligible for every member ignoring headcount
    has_groups: bool

    @property
    def n_units(self) -> int:
        return len(self.size)


@njit(cache=True, parallel=True)
def _group_edges(
    group_units, member_ptr, members, ptr, vac, ws, vs, cap, m, out_ptr, out_vac, out_ws, out_vs,
    common_any,
):  # pragma: no cover - compiled  # fmt: skip
    """Write every group's scored list (vacancies eligible for every member with room for all,
    in its first member's order) into out_* at out_ptr; out_* hold the first members' lists.

    A group's list is part of its first member's, so the groups are done in parallel, each
    written at its first member's offset in out_*, then moved down (1M workers with 10 % in
    groups: ~0.11 s on one thread before).
    """
    ng = len(group_units)
    start = np.zeros(ng + 1, dtype=np.int64)
    for gi in range(ng):
        first = members[member_ptr[group_units[gi]]]
        start[gi + 1] = start[gi] + ptr[first + 1] - ptr[first]
    length = np.zeros(ng, dtype=np.int64)
    blocks = min(4, ng)
    for b in prange(blocks):
        cnt = np.zeros(m, dtype=np.int32)
        sws = np.zeros(m, dtype=np.int64)
        mvs = np.zeros(m, dtype=np.int64)
        for gi in range(b * ng // blocks, (b + 1) * ng // blocks):
            u = group_units[gi]
            a, z = member_ptr[u], member_ptr[u + 1]
            size = z - a
            first = members[a]
            for i in range(a, z):
                w = members[i]
                for e in range(ptr[w], ptr[w + 1]):
                    v = vac[e]
                    if i == a:
                        cnt[v] = 1
                        sws[v] = ws[e]
                        mvs[v] = vs[e]
                    elif cnt[v] == i - a:
                        cnt[v] += 1
                        sws[v] += ws[e]
                        if vs[e] < mvs[v]:
                            mvs[v] = vs[e]
            pos = start[gi]
            n_common = 0
            for e in range(ptr[first], ptr[first + 1]):
                v = vac[e]
                if cnt[v] == size:
                    n_common += 1
                    if cap[v] >= size:
                        out_vac[pos] = v
                        out_ws[pos] = sws[v]
                        out_vs[pos] = mvs[v]
                        pos += 1
            length[gi] = pos - start[gi]
            common_any[gi] = n_common
            for e in range(ptr[first], ptr[first + 1]):
                cnt[vac[e]] = 0
    pos = 0
    for gi in range(ng):  # move the lists down (pos <= start[gi]: nothing is overwritten)
        out_ptr[gi] = pos
        for e in range(start[gi], start[gi] + length[gi]):
            out_vac[pos] = out_vac[e]
            out_ws[pos] = out_ws[e]
            out_vs[pos] = out_vs[e]
            pos += 1
    out_ptr[ng] = pos


@njit(cache=True, parallel=True)
def _assemble(
    u_ptr, is_group, single_worker, group_slot, ptr, vac, ws, vs, g_ptr, g_vac, g_ws, g_vs, o_vac,
    o_ws, o_vs,
):  # pragma: no cover - compiled  # fmt: skip
    """Copy every unit's scored list into the unit CSR (o_* at u_ptr, allocated by the caller)."""
    n_units = len(u_ptr) - 1
    for u in prange(n_units):
        p = u_ptr[u]
        if is_group[u]:
            gi = group_slot[u]
            for e in range(g_ptr[gi], g_ptr[gi + 1]):
                o_vac[p] = g_vac[e]
                o_ws[p] = g_ws[e]
                o_vs[p] = g_vs[e]
                p += 1
        else:
            w = single_worker[u]
            for e in range(ptr[w], ptr[w + 1]):
                o_vac[p] = vac[e]
                o_ws[p] = ws[e]
                o_vs[p] = vs[e]
                p += 1


@njit(cache=True)
def _number_units(gi, n_groups):  # pragma: no cover - compiled
    """Number the units in order of their first member: a worker alone (gi = -1) is a unit, the
    workers of group index g one unit. Return (of_worker, size, member_ptr, members), members
    ascending within a unit. (One pass instead of sorting every worker's key: 1M workers
    ~0.09 -> ~0.01 s.)"""
    n = len(gi)
    of_worker = np.empty(n, dtype=np.int32)
    unit_of_group = np.full(n_groups, -1, dtype=np.int64)
    n_units = 0
    for w in range(n):
        g = gi[w]
        if g < 0:
            of_worker[w] = n_units
            n_units += 1
        else:
            if unit_of_group[g] < 0:
                unit_of_group[g] = n_units
                n_units += 1
            of_worker[w] = unit_of_group[g]
    size = np.zeros(n_units, dtype=np.int32)
    for w in range(n):
        size[of_worker[w]] += 1
    member_ptr = np.zeros(n_units + 1, dtype=np.int64)
    for u in range(n_units):
        member_ptr[u + 1] = member_ptr[u] + size[u]
    fill = member_ptr[:-1].copy()
    members = np.empty(n, dtype=np.int32)
    for w in range(n):
        u = of_worker[w]
        members[fill[u]] = w
        fill[u] += 1
    return of_worker, size, member_ptr, members


def build_units(market: Market) -> Units:
    """Return the proposing units of ``market`` (units ordered by their first member)."""
    n = market.n_workers
    group = market.group
    grouped = group >= 0
    if not grouped.any():
        idx = np.arange(n, dtype=np.int32)
        return Units(
            of_worker=idx,
            size=np.ones(n, dtype=np.int32),
            member_ptr=np.arange(n + 1, dtype=np.int64),
            members=idx,
            ptr=market.ptr,
            vacancy=market.vacancy,
            worker_score=market.worker_score,
            vacancy_score=market.vacancy_score,
            common_any=np.diff(market.ptr).astype(np.int32),
            has_groups=False,
        )
    # Units are numbered in order of their first (lowest-index) member.
    group_ids, group_index = np.unique(group[grouped], return_inverse=True)
    gi = np.full(n, -1, dtype=np.int64)
    gi[grouped] = group_index
    of_worker, size, member_ptr, members = _number_units(gi, len(group_ids))
    n_units = len(size)
    is_group = grouped[members[member_ptr[:-1]]]
    group_units = np.flatnonzero(is_group).astype(np.int64)
    first_members = members[member_ptr[group_units]]
    bound = int(np.diff(market.ptr)[first_members].sum())
    g_ptr = np.zeros(len(group_units) + 1, dtype=np.int64)
    g_vac = np.empty(bound, dtype=np.int32)
    g_ws = np.empty(bound, dtype=np.int64)  # sums, checked below before narrowing to int32
    g_vs = np.empty(bound, dtype=np.int64)
    g_common = np.zeros(len(group_units), dtype=np.int32)
    with threads_for(n_units):
        _group_edges(
            group_units, member_ptr, members, market.ptr, market.vacancy, market.worker_score,
            market.vacancy_score, market.capacity, market.n_vacancies, g_ptr, g_vac, g_ws, g_vs,
            g_common,
        )  # fmt: skip
    filled = int(g_ptr[-1])
    if filled and max(np.abs(g_ws[:filled]).max(), np.abs(g_vs[:filled]).max()) >= 2**31:
        raise OverflowError("travel-group score sums exceed the int32 range")
    group_slot = np.full(n_units, -1, dtype=np.int64)
    group_slot[group_units] = np.arange(len(group_units))
    single_worker = members[member_ptr[:-1]].astype(np.int64)
    lengths = np.where(
        is_group,
        np.diff(g_ptr)[np.maximum(group_slot, 0)],
        np.diff(market.ptr)[single_worker],
    )
    u_ptr = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(lengths, out=u_ptr[1:])
    total = int(u_ptr[-1])
    u_vac = work_array(total, np.int32)
    u_ws = work_array(total, np.int32)
    u_vs = work_array(total, np.int32)
    with threads_for(n_units):
        _assemble(
            u_ptr, is_group, single_worker, group_slot, market.ptr, market.vacancy,
            market.worker_score, market.vacancy_score, g_ptr, g_vac, g_ws, g_vs, u_vac, u_ws, u_vs,
        )  # fmt: skip
    common_any = np.diff(u_ptr).astype(np.int32)
    common_any[group_units] = g_common
    return Units(
        of_worker=of_worker,
        size=size,
        member_ptr=member_ptr,
        members=members,
        ptr=u_ptr,
        vacancy=u_vac,
        worker_score=u_ws,
        vacancy_score=u_vs,
        common_any=common_any,
        has_groups=True,
    )


def tie_breaks(
    seed: int, n_units: int, n_vacancies: int, *, keys: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Return (unit_rank, vacancy_rank): seeded random ranks, 0 wins a tie.

    Without ``keys`` the ranks are seeded permutations of the positions, so adding one unit
    reshuffles every unit's rank. With ``keys`` (a stable identity of each unit and of each
    vacancy: the database ids of a unit's first worker and of the vacancy) a rank is the order
    of a seeded hash of the key: two workers or two vacancies compare the same way whoever else
    is in the market, so a rolling re-solve after newcomers keeps the round's tie order.
    """
    if keys is not None:
        unit_keys, vacancy_keys = keys
        return _keyed_ranks(seed, unit_keys, UNIT_SALT), _keyed_ranks(seed, vacancy_keys, 1)
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    vacancy_rank = rng.permutation(n_vacancies).astype(np.int64)
    unit_rank = rng.permutation(n_units).astype(np.int64)
    return unit_rank, vacancy_rank


def market_tie_breaks(seed: int, market: Market, units: Units) -> tuple[np.ndarray, np.ndarray]:
    """Return :func:`tie_breaks` for ``units`` of ``market``, keyed when the market has keys."""
    if market.keys is None:
        return tie_breaks(seed, units.n_units, market.n_vacancies)
    worker_keys, vacancy_keys = market.keys
    first = units.members[units.member_ptr[:-1]]
    return tie_breaks(
        seed, units.n_units, market.n_vacancies, keys=(worker_keys[first], vacancy_keys)
    )


def _splitmix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser on uint64 (wrapping arithmetic): a well-mixed hash of each value."""
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


UNIT_SALT = 2  # units' (workers') keys are hashed apart from vacancies' (salt 1)


def key_hashes(seed: int, keys, salt: int = UNIT_SALT) -> np.ndarray:
    """Return the seeded uint64 hash of each key that keyed tie-breaking orders by (the smaller
    wins a tie): rolling extensions compare workers by it as a full solve does."""
    keys = np.asarray(keys, dtype=np.int64)
    mix = _splitmix(np.array([(seed * 4 + salt) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
    with np.errstate(over="ignore"):
        return _splitmix(keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) + mix)


def _keyed_ranks(seed: int, keys: np.ndarray, salt: int) -> np.ndarray:
    """Rank 0..n-1 of each key in the order of its hash (``key_hashes``); equal hashes (never
    seen: 64 bits) fall back to the key's order."""
    keys = np.asarray(keys, dtype=np.int64)
    hashed = key_hashes(seed, keys, salt)
    order = np.lexsort((keys, hashed))
    rank = np.empty(len(keys), dtype=np.int64)
    rank[order] = np.arange(len(keys), dtype=np.int64)
    return rank
