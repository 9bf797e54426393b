"""The auction solver of optimal mode reaches the same optimum as the OR-Tools reference."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Market, assign_optimal, build_units, check_assignment
from matching.engine.auction import solve_transport
from matching.engine.cardinality import OVER, UNDER, classify, max_assignment
from matching.engine.optimal import _per_seat
from matching.engine.solve import build_market
from matching.engine.synthetic import generate, random_market

from .strategies import markets


def _assert_same_optimum(market: Market, **weights: int) -> None:
    auction, a_info = assign_optimal(market, solver="auction", **weights)
    reference, r_info = assign_optimal(market, solver="ortools", **weights)
    assert a_info.solver == "auction", "the auction did not prove its result optimal"
    assert r_info.solver == "ortools"
    for result in (auction, reference):
        assert check_assignment(market, result.worker_vacancy).ok
    # the divisible optimum: the same seats placed, the same total per-seat weight
    assert (a_info.flow_placed, a_info.flow_weight) == (r_info.flow_placed, r_info.flow_weight)
    if a_info.exact and r_info.exact:  # no group repair: the returned assignments tie
        placed = int((auction.worker_vacancy >= 0).sum())
        assert placed == int((reference.worker_vacancy >= 0).sum())
        assert a_info.total_weight == r_info.total_weight


@settings(max_examples=150, deadline=None)
@given(markets(max_workers=14, max_vacancies=6, max_score=20))
def test_auction_equals_ortools(market: Market) -> None:
    _assert_same_optimum(market)


@settings(max_examples=150, deadline=None)
@given(markets(max_workers=14, max_vacancies=6, groups=True, max_score=20))
def test_auction_equals_ortools_with_travel_groups(market: Market) -> None:
    _assert_same_optimum(market)


@settings(max_examples=60, deadline=None)
@given(markets(max_workers=14, max_vacancies=6, max_score=3), st.integers(-3, 3))
def test_auction_equals_ortools_with_many_ties_and_other_weights(market: Market, wv: int) -> None:
    _assert_same_optimum(market, worker_weight=2, vacancy_weight=wv)


@settings(max_examples=60, deadline=None)
@given(markets(max_workers=14, max_vacancies=6, groups=True, max_score=20))
def test_cold_start_reaches_the_same_optimum(market: Market) -> None:
    units = build_units(market)
    per_seat = _per_seat(units, 1, 1)
    args = (units.ptr, units.vacancy, per_seat, units.size, market.capacity)
    warm, cold = solve_transport(*args), solve_transport(*args, warm=False)
    assert warm is not None and cold is not None
    assert warm.verified and cold.verified
    assert (warm.placed, warm.weight) == (cold.placed, cold.weight)


@pytest.mark.parametrize("flavour", ["correlated", "independent"])
@pytest.mark.parametrize("group_share", [0.0, 0.1])
def test_auction_equals_ortools_on_synthetic_instances(flavour: str, group_share: float) -> None:
    instance = generate(3000, 300, flavour=flavour, seed=7, group_share=group_share)
    _assert_same_optimum(build_market(instance))


def test_auction_equals_ortools_on_a_random_market() -> None:
    _assert_same_optimum(random_market(2000, 150, per_worker=20, seed=3))


def test_auction_is_deterministic() -> None:
    market = build_market(generate(1500, 150, seed=4, group_share=0.1))
    first, info = assign_optimal(market)
    second, _ = assign_optimal(market)
    assert np.array_equal(first.worker_vacancy, second.worker_vacancy)
    assert info.solver == "auction"


def test_edge_cases() -> None:
    # nobody eligible anywhere, a vacancy without headcount, a worker without vacancies
    market = Market(
        ptr=np.array([0, 2, 2, 3]),
        vacancy=np.array([0, 1, 1]),
        worker_score=np.array([5, 9, 1]),
        vacancy_score=np.array([1, 1, 1]),
        capacity=np.array([0, 1]),
        group=np.array([-1, -1, -1]),
    )
    result, info = assign_optimal(market)
    assert result.worker_vacancy.tolist() == [1, -1, -1]
    assert (info.total_weight, info.solver) == (10, "auction")
    empty = Market(
        ptr=np.zeros(1, dtype=np.int64),
        vacancy=np.zeros(0),
        worker_score=np.zeros(0),
        vacancy_score=np.zeros(0),
        capacity=np.array([2]),
        group=np.zeros(0),
    )
    result, info = assign_optimal(empty)
    assert len(result.worker_vacancy) == 0 and info.total_weight == 0


def test_overflowing_profits_fall_back_to_ortools() -> None:
    market = Market(
        ptr=np.array([0, 2, 3]),
        vacancy=np.array([0, 1, 0]),
        worker_score=np.array([2**30, -(2**30), 0]),
        vacancy_score=np.array([2**30, -(2**30), 5]),
        capacity=np.array([1, 1]),
        group=np.array([-1, -1]),
    )
    result, info = assign_optimal(market)
    assert info.solver == "ortools"
    assert result.worker_vacancy.tolist() == [1, 0]


def test_invalid_solver() -> None:
    with pytest.raises(ValueError, match="solver"):
        assign_optimal(random_market(10, 3, per_worker=2), solver="simplex")  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(markets(max_workers=14, max_vacancies=6, groups=True))
def test_max_assignment_is_maximum_and_classified(market: Market) -> None:
    units = build_units(market)
    seats = np.where(np.diff(units.ptr) > 0, units.size, 0).astype(np.int64)
    person_unit = np.repeat(np.arange(units.n_units, dtype=np.int64), seats)
    person_ptr = np.concatenate([[0], np.cumsum(seats)])
    pr = np.zeros(len(units.vacancy), dtype=np.int32)
    cap = market.capacity.astype(np.int64)
    edge = max_assignment(units.ptr, units.vacancy, pr, person_unit, cap)
    placed = edge[edge >= 0]
    assert np.all(np.bincount(units.vacancy[placed], minlength=len(cap)) <= cap)
    assert np.all(placed >= units.ptr[person_unit[edge >= 0]])
    assert np.all(placed < units.ptr[person_unit[edge >= 0] + 1])
    _, info = assign_optimal(market, solver="ortools")
    assert len(placed) == info.flow_placed
    order = np.argsort(units.vacancy, kind="stable")
    csc_ptr = np.concatenate([[0], np.cumsum(np.bincount(units.vacancy, minlength=len(cap)))])
    csc_unit = np.repeat(np.arange(units.n_units), np.diff(units.ptr))[order]
    vclass, ok = classify(
        units.ptr, units.vacancy, person_unit, cap, edge, csc_ptr, order, csc_unit, person_ptr
    )
    assert ok
    load = np.bincount(units.vacancy[placed], minlength=len(cap))
    assert np.all(load[vclass == OVER] == cap[vclass == OVER])
    assert np.all(vclass[(cap > 0) & (load < cap)] == UNDER)


def test_certificate_accepts_only_an_optimal_flow() -> None:
    from matching.engine.auction import _certify, _verify, profits

    # two workers, two one-seat vacancies; worker 0 is worth 10 at vacancy 0, worker 1 at 1
    ptr = np.array([0, 2, 4])
    vac = np.array([0, 1, 0, 1], dtype=np.int32)
    weight = np.array([10, 1, 1, 10], dtype=np.int64)
    cap = np.array([1, 1], dtype=np.int64)
    scaled = profits(weight, 2, 2)
    assert scaled is not None
    pr, big, mult = scaled
    persons = np.array([0, 1], dtype=np.int64)
    zero = np.zeros(2, dtype=np.int64)
    args = (ptr, vac, pr, np.int64(big), np.int64(mult), persons, cap)
    swapped = np.array([1, 2], dtype=np.int64)
    ok, _, _ = _certify(*args, swapped, zero, np.int64(0), np.int64(10**6))
    assert not ok
    best = np.array([0, 3], dtype=np.int64)
    ok, price, lam = _certify(*args, best, zero, np.int64(0), np.int64(10**6))
    assert ok
    assert _verify(*args, best, price, lam, np.int64(0))
    assert not _verify(*args, swapped, price, lam, np.int64(0))
