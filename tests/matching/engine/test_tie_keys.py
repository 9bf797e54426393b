"""Ties broken by keys (a round's worker and vacancy ids): the same two workers or vacancies
compare the same way whoever else is in the market, so a rolling re-solve with newcomers keeps
the round's tie order; by position (no keys) one more worker reshuffles every tie."""

import numpy as np

from matching.engine import Params
from matching.engine.market import Market, tie_breaks
from matching.engine.solve import solve_market


def _tied_market(n_workers: int, keys=None) -> Market:
    """Every worker finds the same 6 of 10 vacancies acceptable, every score equal: ties only.
    Worker ``n_workers - 1`` may be a newcomer with an empty list (``keys`` then include it)."""
    rng = np.random.default_rng(7)
    lists = [np.sort(rng.choice(10, size=6, replace=False)) for _ in range(n_workers)]
    ptr = np.zeros(n_workers + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=ptr[1:])
    vacancy = np.concatenate(lists).astype(np.int32)
    same = np.full(len(vacancy), 10, dtype=np.int32)
    return Market(
        ptr=ptr,
        vacancy=vacancy,
        worker_score=same,
        vacancy_score=same,
        capacity=np.full(10, 3, dtype=np.int32),
        group=np.full(n_workers, -1, dtype=np.int64),
        keys=keys,
    )


def _with_newcomer(market: Market, keys=None) -> Market:
    """The same market and one more worker, registered later, who finds nothing acceptable."""
    return Market(
        ptr=np.append(market.ptr, market.ptr[-1]),
        vacancy=market.vacancy,
        worker_score=market.worker_score,
        vacancy_score=market.vacancy_score,
        capacity=market.capacity,
        group=np.append(market.group, -1),
        keys=keys,
    )


def test_keyed_ranks_order_the_same_keys_the_same_way_whoever_else_is_there():
    keys = np.array([901, 17, 4_000_123, 55, 56, 2], dtype=np.int64)
    units, vacancies = tie_breaks(3, 6, 6, keys=(keys, keys))
    more_units, more_vacancies = tie_breaks(
        3, 8, 8, keys=(np.append(keys, [7, 10**12]), np.append(keys, [7, 10**12]))
    )
    assert sorted(units.tolist()) == list(range(6))
    assert np.array_equal(np.argsort(units), np.argsort(more_units[:6]))
    assert np.array_equal(np.argsort(vacancies), np.argsort(more_vacancies[:6]))
    # units and vacancies are hashed apart, and another seed orders them otherwise
    assert not np.array_equal(units, vacancies)
    assert not np.array_equal(units, tie_breaks(4, 6, 6, keys=(keys, keys))[0])


def test_a_newcomer_leaves_the_others_ties_alone_with_keys():
    n = 40
    worker_ids = np.arange(1000, 1000 + 3 * n, 3, dtype=np.int64)
    vacancy_ids = np.arange(500, 510, dtype=np.int64)
    market = _tied_market(n, keys=(worker_ids, vacancy_ids))
    grown = _with_newcomer(market, keys=(np.append(worker_ids, 5000), vacancy_ids))
    before = solve_market(market, Params(seed=11)).assignment
    after = solve_market(grown, Params(seed=11)).assignment
    assert (before >= 0).sum() == 30  # 10 vacancies × 3 places, 40 wanting them
    assert np.array_equal(after[:n], before) and after[n] == -1


def test_without_keys_a_newcomer_reshuffles_the_ties():
    """The behaviour keys fix: positions' seeded permutation changes with the market's size."""
    market = _tied_market(40)
    before = solve_market(market, Params(seed=11)).assignment
    after = solve_market(_with_newcomer(market), Params(seed=11)).assignment
    assert not np.array_equal(after[:40], before)
