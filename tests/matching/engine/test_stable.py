"""Stable mode: deferred acceptance against references, brute force and the PyPI library."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Market, assign_stable, blocking_pairs, build_units, check_assignment
from matching.engine.market import tie_breaks
from matching.engine.reference import (
    blocking_pairs_reference,
    brute_force_worker_optimal,
    deferred_acceptance,
    strict_preferences,
    vacancy_preference_lists,
)
from matching.engine.stable import _K, _proposal_order, _stable_kernel, kernel_args
from matching.engine.synthetic import random_market

from .library_harness import library_installed, solve_with_library
from .strategies import markets


@settings(max_examples=150, deadline=None)
@given(markets(max_workers=14, max_vacancies=6))
def test_compiled_equals_reference_and_is_stable(market: Market) -> None:
    for seed in (0, 1):
        result = assign_stable(market, seed=seed)
        prefs, keys = strict_preferences(market, seed)
        expected = deferred_acceptance(prefs, keys, market.capacity.tolist())
        assert result.worker_vacancy.tolist() == expected
        report = check_assignment(market, result.worker_vacancy, seed=seed)
        assert report.ok
        assert report.blocking_pairs == 0
        assert blocking_pairs_reference(prefs, keys, market.capacity.tolist(), expected) == []


@settings(max_examples=120, deadline=None)
@given(markets(max_workers=5, max_vacancies=3))
def test_equals_brute_force_worker_optimal_stable_matching(market: Market) -> None:
    prefs, keys = strict_preferences(market, seed=3)
    best = brute_force_worker_optimal(prefs, keys, market.capacity.tolist())
    assert best is not None
    assert assign_stable(market, seed=3).worker_vacancy.tolist() == best


@settings(max_examples=40, deadline=None)
@given(markets(max_workers=12, max_vacancies=5))
def test_deterministic_for_a_seed(market: Market) -> None:
    a = assign_stable(market, seed=42).worker_vacancy
    b = assign_stable(market, seed=42).worker_vacancy
    assert np.array_equal(a, b)


def _presorted(market: Market, seed: int, which: np.ndarray) -> Market:
    """Return ``market`` with the lists of the workers in ``which`` (a mask) put best first."""
    _, v_tb = tie_breaks(seed, 1, market.n_vacancies)
    row = np.repeat(np.arange(market.n_workers), np.diff(market.ptr))
    best_first = np.lexsort((v_tb[market.vacancy], -market.worker_score.astype(np.int64), row))
    keep = ~which[row]
    order = np.where(keep, np.arange(len(row)), best_first)
    return Market(
        market.ptr,
        market.vacancy[order],
        market.worker_score[order],
        market.vacancy_score[order],
        market.capacity,
        market.group,
    )


@settings(max_examples=80, deadline=None)
@given(markets(max_workers=14, max_vacancies=12, groups=True), st.integers(0, 2**14 - 1))
def test_lists_already_in_preference_order_give_the_same_result(market: Market, mask: int) -> None:
    # a unit whose list is sorted proposes entry after entry instead of scanning: the same
    # matching, proposals and repair rounds as on the same lists in any other order
    seed = 5
    which = (mask >> np.arange(market.n_workers)) & 1 == 1
    plain = assign_stable(market, seed=seed)
    sorted_ = assign_stable(_presorted(market, seed, which), seed=seed)
    assert sorted_.worker_vacancy.tolist() == plain.worker_vacancy.tolist()
    assert (sorted_.proposals, sorted_.repair_rounds, sorted_.converged) == (
        plain.proposals,
        plain.repair_rounds,
        plain.converged,
    )


@pytest.mark.parametrize("groups", [False, True])
def test_presorted_long_lists_equal_the_reference(groups: bool) -> None:
    market = random_market(1500, 150, per_worker=25, correlated=True, seed=4)
    if groups:  # one worker in ten in a travel group of two or three
        group = np.full(market.n_workers, -1)
        group[: market.n_workers // 10] = np.arange(market.n_workers // 10) // 3
        market = Market(
            market.ptr, market.vacancy, market.worker_score, market.vacancy_score,
            market.capacity, group,
        )  # fmt: skip
    everyone = np.ones(market.n_workers, dtype=bool)
    plain = assign_stable(market, seed=2)
    presorted = _presorted(market, 2, everyone)
    sorted_ = assign_stable(presorted, seed=2)
    assert sorted_.worker_vacancy.tolist() == plain.worker_vacancy.tolist()
    assert (sorted_.proposals, sorted_.repair_rounds) == (plain.proposals, plain.repair_rounds)
    assert check_assignment(presorted, sorted_.worker_vacancy, seed=2).ok
    if not groups:
        prefs, keys = strict_preferences(market, 2)
        assert plain.worker_vacancy.tolist() == deferred_acceptance(
            prefs, keys, market.capacity.tolist()
        )


@pytest.mark.parametrize("dtype", [np.int32, np.int64])
def test_rejection_log_of_either_width_and_grown_gives_the_same_result(dtype: type) -> None:
    # the log is int32 when its packed rows fit, int64 otherwise; one that starts too small
    # is grown while deferred acceptance runs: neither changes the result
    market = random_market(1500, 150, per_worker=25, correlated=True, seed=6)
    group = np.full(market.n_workers, -1)
    group[::7] = np.arange(len(group[::7])) // 2
    market = Market(
        market.ptr, market.vacancy, market.worker_score, market.vacancy_score,
        market.capacity, group,
    )  # fmt: skip
    units = build_units(market)
    expected = _stable_kernel(*kernel_args(market, units, seed=3))
    args = list(kernel_args(market, units, seed=3))
    args[16] = np.zeros((1, 2), dtype=dtype)
    got = _stable_kernel(*args)
    assert expected[1] > 0 and expected[2] > 0  # proposals and repair rounds to compare
    assert np.array_equal(got[0], expected[0])
    assert got[1:] == expected[1:]


@pytest.mark.parametrize("spread", [50, 2**30])
def test_proposal_order_is_the_stable_sort_by_first_choice(spread: int) -> None:
    # a counting sort when the scores span a modest range, argsort otherwise: either way the
    # units with a list in order of their first choice's score descending, ties by unit
    rng = np.random.default_rng(spread)
    n_units = 5000
    lengths = rng.integers(0, 3, n_units)  # a third of the units without a list
    u_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    score = rng.integers(-spread, spread, n_units)
    hpk = np.zeros(n_units * _K, dtype=np.int64)
    hpk[::_K] = (score << 32) | rng.integers(0, 1000, n_units)
    order = _proposal_order(hpk, u_ptr, n_units)
    assert sorted(order.tolist()) == list(range(n_units))
    listed = lengths > 0
    expected = np.flatnonzero(listed)[np.argsort(-score[listed], kind="stable")]
    assert order[listed[order]].tolist() == expected.tolist()


def test_seed_breaks_ties() -> None:
    # two workers, one seat, identical scores: the seed decides, each seed always the same way
    market = Market(
        ptr=np.array([0, 1, 2]),
        vacancy=np.array([0, 0]),
        worker_score=np.array([1, 1]),
        vacancy_score=np.array([5, 5]),
        capacity=np.array([1]),
        group=np.array([-1, -1]),
    )
    winners = {
        int(np.flatnonzero(assign_stable(market, seed=s).worker_vacancy == 0)[0]) for s in range(20)
    }
    assert winners == {0, 1}


def _group_blocking_brute_force(market: Market, assignment: np.ndarray, seed: int) -> int:
    """Count unit-level blocking pairs straight from the definition (see stable.py)."""
    units = build_units(market)
    u_tb, v_tb = tie_breaks(seed, units.n_units, market.n_vacancies)
    n_units = units.n_units
    unit_vac = [int(assignment[units.members[units.member_ptr[u]]]) for u in range(n_units)]

    def entries(u: int) -> dict[int, tuple[int, int]]:
        lo, hi = units.ptr[u], units.ptr[u + 1]
        return {
            int(units.vacancy[e]): (int(units.worker_score[e]), int(units.vacancy_score[e]))
            for e in range(lo, hi)
        }

    table = [entries(u) for u in range(n_units)]

    def pref(u: int, v: int) -> tuple[int, int]:
        return (table[u][v][0], -int(v_tb[v]))

    def prio(u: int, v: int) -> int:
        return table[u][v][1] * n_units + (n_units - 1 - int(u_tb[u]))

    count = 0
    for u in range(n_units):
        for v in table[u]:
            if v == unit_vac[u]:
                continue
            if unit_vac[u] >= 0 and pref(u, v) <= pref(u, unit_vac[u]):
                continue
            higher = sum(
                units.size[x]
                for x in range(n_units)
                if unit_vac[x] == v and prio(x, v) > prio(u, v)
            )
            if market.capacity[v] - higher >= units.size[u]:
                count += 1
    return count


@settings(max_examples=150, deadline=None)
@given(markets(max_workers=12, max_vacancies=5, groups=True))
def test_groups_intact_and_checker_matches_definition(market: Market) -> None:
    result = assign_stable(market, seed=7)
    a = result.worker_vacancy
    report = check_assignment(market, a, seed=7)
    assert report.ok  # headcount, eligibility, groups never split
    for g in np.unique(market.group[market.group >= 0]):
        assert len(set(a[market.group == g].tolist())) == 1
    assert report.blocking_pairs == _group_blocking_brute_force(market, a, 7)
    if result.converged:
        assert report.blocking_pairs == 0


def test_group_repair_fixes_displacement() -> None:
    # v0 (3 seats) ranks: single s1 > group G (size 3) > single s2. G is first held, then s1
    # displaces it; s2 (rejected while G sat there) must be let back in.
    market = Market(
        ptr=np.array([0, 1, 2, 4, 6, 8]),
        vacancy=np.array([0, 0, 0, 1, 0, 1, 0, 1]),
        worker_score=np.array([5, 5, 5, 1, 5, 1, 5, 1]),
        vacancy_score=np.array([9, 1, 5, 0, 5, 0, 5, 0]),
        capacity=np.array([3, 3]),
        group=np.array([-1, -1, 0, 0, 0]),
    )
    result = assign_stable(market, seed=0)
    assert check_assignment(market, result.worker_vacancy).blocking_pairs == 0
    assert result.worker_vacancy.tolist() == [0, 0, 1, 1, 1]


# A small market (24 workers in travel groups and alone, 3 vacancies) whose repair rounds cycle
# for seed 0: no round can converge, so the repair stops once the matching repeats.
CYCLING = Market(
    ptr=np.array([0, 1, 3, 6, 9, 11, 13, 15, 17, 18, 18, 20, 22, 22, 25, 27, 30, 33, 36, 39, 41,
                  43, 46, 46, 47]),
    vacancy=np.array([1, 1, 2, 2, 0, 1, 0, 2, 1, 2, 0, 2, 0, 2, 1, 1, 2, 0, 2, 1, 0, 1, 2, 0, 1,
                      2, 0, 0, 2, 1, 1, 2, 0, 2, 0, 1, 0, 2, 1, 2, 1, 2, 1, 2, 0, 1, 1]),
    worker_score=np.array([-1, 4, 4, 2, 0, -2, 1, -4, 1, 3, -2, 3, -3, -3, -4, 0, 1, 3, 1, 0, -3,
                           -3, 2, 1, 1, -1, 0, -4, -4, -3, 4, -4, 1, 3, -2, 2, 2, -1, -4, 0, 2, 1,
                           -3, -1, 4, -2, -3]),
    vacancy_score=np.array([-4, 4, 0, -4, 2, 2, 1, -1, 1, -1, -3, 2, -1, -3, 3, -3, -3, -4, 3, -2,
                            -1, -2, -1, 1, 0, 2, 1, 0, 1, 0, -1, 3, 3, -2, 4, 2, 2, 4, -2, 0, 4,
                            -4, 2, -1, 0, 1, 0]),
    capacity=np.array([1, 3, 3]),
    group=np.array([3, -1, 2, 0, 3, 3, -1, -1, 0, 3, -1, -1, 3, -1, 2, -1, 2, 3, -1, 1, 1, 0, -1,
                    0]),
)  # fmt: skip


def test_a_cycling_repair_stops_at_its_best_round() -> None:
    results = [assign_stable(CYCLING, seed=0, max_rounds=r) for r in (100, 1000)]
    for result in results:
        assert not result.converged
        assert result.repair_rounds < 100  # stopped when the matching repeated
        report = check_assignment(CYCLING, result.worker_vacancy, seed=0)
        assert report.ok and report.blocking_pairs > 0
        assert report.blocking_pairs == _group_blocking_brute_force(
            CYCLING, result.worker_vacancy, 0
        )
    assert np.array_equal(results[0].worker_vacancy, results[1].worker_vacancy)
    # the stop is the round of the cycle leaving the fewest blocking units
    per_round = [
        int((blocking_pairs(CYCLING, assign_stable(CYCLING, seed=0, max_rounds=r).worker_vacancy)
             .per_unit > 0).sum())
        for r in range(results[0].repair_rounds + 1)
    ]  # fmt: skip
    assert per_round[-1] == min(per_round[1:])
    # capped below the stop, the repair still ends where max_rounds runs out
    capped = assign_stable(CYCLING, seed=0, max_rounds=2)
    assert capped.repair_rounds == 2 and not capped.converged


@pytest.mark.skipif(not library_installed(), reason="the PyPI 'matching' library is not installed")
def test_agrees_with_the_matching_library() -> None:
    market = random_market(400, 60, per_worker=8, correlated=True, seed=11)
    prefs, keys = strict_preferences(market, seed=0)
    ours = assign_stable(market, seed=0).worker_vacancy.tolist()
    theirs = solve_with_library(
        prefs, vacancy_preference_lists(prefs, keys), market.capacity.tolist()
    ).matching
    assert ours == theirs
    assert sum(v >= 0 for v in theirs) > 0  # a real comparison, not two empty matchings


def test_from_preferences_round_trip() -> None:
    worker_prefs = [[0, 1], [1, 0], [0], [1, 0]]
    vacancy_prefs = [[3, 0, 1, 2], [0, 1, 3]]  # vacancy 1 does not list worker 2
    market = Market.from_preferences(worker_prefs, vacancy_prefs, [1, 2])
    assert market.vacancy.tolist() == [0, 1, 1, 0, 0, 1, 0]
    result = assign_stable(market).worker_vacancy.tolist()
    prefs, keys = strict_preferences(market)
    assert result == deferred_acceptance(prefs, keys, [1, 2])
    assert blocking_pairs(market, np.array(result)).count == 0
