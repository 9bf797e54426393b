"""Rolling matching, pure: continuing deferred acceptance from a round's held state gives what a
full round over the same free market gives (the engine's own ``assign_stable``, same seed and
tie-breaks), and matches already accepted are never part of it."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Market, assign_stable
from matching.engine.market import tie_breaks
from matching.engine.rolling import (
    continue_deferred_acceptance,
    continue_on_market,
    resolve_needed,
)


def _random_market(rng: np.random.Generator, n: int, m: int, score_range: int) -> Market:
    """Scored market with many ties (small score ranges), incomplete lists."""
    lists = [
        rng.choice(m, size=int(rng.integers(0, m + 1)), replace=False).astype(np.int32)
        for _ in range(n)
    ]
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=ptr[1:])
    pairs = int(ptr[-1])
    return Market(
        ptr=ptr,
        vacancy=np.concatenate(lists) if pairs else np.zeros(0, dtype=np.int32),
        worker_score=rng.integers(0, score_range, size=pairs),
        vacancy_score=rng.integers(0, score_range, size=pairs),
        capacity=rng.integers(0, 4, size=m),
        group=np.full(n, -1),
    )


def _only(market: Market, workers: np.ndarray) -> Market:
    """The same market with every other worker's list emptied (same indexes, same tie-breaks)."""
    keep = np.zeros(market.n_workers, dtype=bool)
    keep[np.asarray(workers, dtype=np.int64)] = True
    lengths = np.where(keep, np.diff(market.ptr), 0)
    edge_keep = np.repeat(keep, np.diff(market.ptr))
    ptr = np.zeros(market.n_workers + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    return Market(
        ptr=ptr,
        vacancy=market.vacancy[edge_keep],
        worker_score=market.worker_score[edge_keep],
        vacancy_score=market.vacancy_score[edge_keep],
        capacity=market.capacity,
        group=market.group,
    )


def _free_market(market: Market, accepted: dict[int, int]) -> Market:
    """The free market: accepted workers out, their seats taken off the capacities."""
    capacity = market.capacity.copy()
    for v in accepted.values():
        capacity[v] -= 1
    free = np.array([w for w in range(market.n_workers) if w not in accepted], dtype=np.int64)
    base = _only(market, free)
    return Market(
        ptr=base.ptr,
        vacancy=base.vacancy,
        worker_score=base.worker_score,
        vacancy_score=base.vacancy_score,
        capacity=capacity,
        group=base.group,
    )


def _accepted_pairs(rng: np.random.Generator, market: Market, share: float) -> dict[int, int]:
    """Some workers already accepted a place at one of their vacancies (within headcount)."""
    left = market.capacity.copy()
    accepted = {}
    for w in range(market.n_workers):
        lo, hi = int(market.ptr[w]), int(market.ptr[w + 1])
        if hi > lo and rng.random() < share:
            v = int(market.vacancy[rng.integers(lo, hi)])
            if left[v] > 0:
                left[v] -= 1
                accepted[w] = v
    return accepted


@settings(max_examples=400, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 40),
    m=st.integers(1, 12),
    score_range=st.sampled_from([2, 3, 5, 100]),
    arrivals=st.integers(1, 6),
    batches=st.integers(1, 3),
    accepted_share=st.sampled_from([0.0, 0.2]),
)
def test_rolling_equals_a_full_round_over_the_free_market(
    seed, n, m, score_range, arrivals, batches, accepted_share
):
    rng = np.random.default_rng(seed)
    whole = _random_market(rng, n, m, score_range)
    accepted = _accepted_pairs(rng, whole, accepted_share)
    market = _free_market(whole, accepted)
    free = [w for w in range(n) if w not in accepted]
    order = rng.permutation(free)
    arrivals = min(arrivals, len(order))
    # the round saw everyone but the last `arrivals` free workers; they arrive in batches
    round_workers = np.sort(order[: len(order) - arrivals])
    late = [int(w) for w in order[len(order) - arrivals :]]
    unit_tie, vacancy_tie = tie_breaks(seed % 1000, market.n_workers, market.n_vacancies)
    held = assign_stable(_only(market, round_workers), seed=seed % 1000).worker_vacancy
    seen = list(round_workers)
    for batch in np.array_split(np.array(late, dtype=np.int64), batches):
        before = held.copy()
        held, result = continue_on_market(
            market, held, [int(w) for w in batch], vacancy_tie=vacancy_tie, unit_tie=unit_tie
        )
        seen.extend(int(w) for w in batch)
        full = assign_stable(_only(market, np.array(seen, dtype=np.int64)), seed=seed % 1000)
        assert held.tolist() == full.worker_vacancy.tolist()
        # who changed seat is reported; nobody else moved
        moved = {w for w in range(n) if before[w] != held[w]} - set(int(w) for w in batch)
        assert moved == result.displaced
    # accepted workers never took part: none of them holds a proposal
    assert all(held[w] == -1 for w in accepted)
    capacity_left = market.capacity - np.bincount(held[held >= 0], minlength=m)
    assert (capacity_left >= 0).all()


def test_a_newcomer_displaces_the_weakest_held_worker_who_moves_down_their_list():
    lists = {"new": [("A", (9,))], "old": [("A", (5,)), ("B", (5,))]}
    held = {"A": [("old", (5,))], "B": []}
    result = continue_deferred_acceptance(
        proposers=["new"],
        preferences=lambda w: lists[w],
        holding=lambda v: held[v],
        capacity=lambda v: 1,
    )
    assert result.assignment == {"new": "A", "old": "B"}
    assert result.displaced == {"old"}
    assert result.proposals == 2


def test_a_newcomer_ranked_below_every_holder_is_left_unmatched():
    result = continue_deferred_acceptance(
        proposers=["new"],
        preferences=lambda w: [("A", (1,))],
        holding=lambda v: [("old", (5,))],
        capacity=lambda v: 1,
    )
    assert result.assignment == {"new": None}
    assert result.displaced == set()


def test_resolve_is_needed_when_a_vacancy_gains_seats_or_a_proposal_is_withdrawn():
    assert not resolve_needed(capacity_before={1: 2, 2: 1}, capacity_now={1: 1}, withdrawn=0)
    assert resolve_needed(capacity_before={1: 2}, capacity_now={1: 3}, withdrawn=0)
    assert resolve_needed(capacity_before={1: 2}, capacity_now={1: 2, 7: 1}, withdrawn=0)
    assert resolve_needed(capacity_before={1: 2}, capacity_now={1: 2}, withdrawn=1)
