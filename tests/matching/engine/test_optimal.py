"""Optimal mode: most workers placed, then maximum total weight; groups never split."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from scipy.optimize import linear_sum_assignment

from matching.engine import Market, assign_optimal, assign_stable, check_assignment
from matching.engine.optimal import unit_weights

from .strategies import markets


def _oracle(market: Market) -> tuple[int, int]:
    """Return (placed, total weight) by linear_sum_assignment on seats plus 'unplaced' columns."""
    n = market.n_workers
    seats = np.repeat(np.arange(market.n_vacancies), market.capacity)
    weight = market.worker_score.astype(np.int64) + market.vacancy_score.astype(np.int64)
    big = 1 + 2 * n * (
        int(np.abs(weight).max(initial=0)) + 1
    )  # one more placement beats any weight
    profit = np.zeros((n, len(seats) + n), dtype=np.int64)
    profit[:, : len(seats)] = -(10**12)  # not acceptable
    for w in range(n):
        for e in range(market.ptr[w], market.ptr[w + 1]):
            profit[w, : len(seats)][seats == market.vacancy[e]] = big + weight[e]
    rows, cols = linear_sum_assignment(profit, maximize=True)
    placed = [
        (r, c) for r, c in zip(rows, cols, strict=True) if c < len(seats) and profit[r, c] > 0
    ]
    return len(placed), int(sum(profit[r, c] - big for r, c in placed))


@settings(max_examples=120, deadline=None)
@given(markets(max_workers=10, max_vacancies=5, max_score=20))
def test_optimum_equals_linear_sum_assignment(market: Market) -> None:
    result, info = assign_optimal(market)
    assert check_assignment(market, result.worker_vacancy).ok
    placed, total = _oracle(market)
    assert int((result.worker_vacancy >= 0).sum()) == placed
    assert info.total_weight == total
    assert info.exact
    stable = assign_stable(market).worker_vacancy
    assert placed >= int((stable >= 0).sum())


@settings(max_examples=100, deadline=None)
@given(markets(max_workers=12, max_vacancies=5, groups=True, max_score=20))
def test_groups_are_never_split(market: Market) -> None:
    result, info = assign_optimal(market)
    assert check_assignment(market, result.worker_vacancy).ok
    if not info.exact:
        assert info.repaired_groups > 0


def test_unit_weights_count_a_group_at_its_weakest_member() -> None:
    market = Market(
        ptr=np.array([0, 1, 2]),
        vacancy=np.array([0, 0]),
        worker_score=np.array([3, 4]),
        vacancy_score=np.array([10, 2]),
        capacity=np.array([2]),
        group=np.array([5, 5]),
    )
    from matching.engine import build_units

    units = build_units(market)
    assert unit_weights(units).tolist() == [3 + 4 + 2 * 2]
    result, info = assign_optimal(market)
    assert result.worker_vacancy.tolist() == [0, 0]
    assert info.total_weight == 11
