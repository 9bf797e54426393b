"""The whole round: reasons for the unmatched, statistics, determinism, progress, versions."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings

from matching.engine import (
    ENGINE_VERSION,
    Instance,
    Params,
    check_assignment,
    ineligibility,
    solve,
)
from matching.engine import reasons as R
from matching.engine.market import tie_breaks
from matching.engine.synthetic import generate

from .strategies import instances


def _expected_rule(instance: Instance, w: int) -> str:
    counts: Counter[str] = Counter()
    considered = 0
    for v in range(instance.n_vacancies):
        codes = [r.code for r in ineligibility(instance, w, v)]
        if R.OCCUPATION_MISMATCH in codes:
            continue
        considered += 1
        counts.update(set(codes))
    if considered == 0:
        return R.OCCUPATION_MISMATCH
    return max(R.VACANCY_RULES, key=lambda code: (counts[code], -R.RULES.index(code)))


def _check_reasons(instance: Instance, params: Params) -> None:
    result = solve(instance, params)
    market = result.market
    assert market is not None
    assert check_assignment(market, result.assignment, seed=params.seed).ok
    from matching.engine import build_units

    units = build_units(market)
    u_tb, _ = tie_breaks(params.seed, units.n_units, market.n_vacancies)
    unit_vac = result.assignment[units.members[units.member_ptr[:-1]]]

    def priority(u: int, v: int) -> int:
        lo, hi = units.ptr[u], units.ptr[u + 1]
        e = lo + int(np.flatnonzero(units.vacancy[lo:hi] == v)[0])
        return int(units.vacancy_score[e]) * units.n_units + (units.n_units - 1 - int(u_tb[u]))

    for w in range(instance.n_workers):
        reason = result.unmatched_reason(w)
        if result.assignment[w] >= 0:
            assert reason is None
            assert result.rank[w] >= 0
            continue
        assert reason is not None
        own = [v for v in range(instance.n_vacancies) if not ineligibility(instance, w, v)]
        u = int(units.of_worker[w])
        unit_list = units.vacancy[units.ptr[u] : units.ptr[u + 1]].tolist()
        if not own:
            assert (reason.code, reason.detail) == (
                R.NO_ELIGIBLE_VACANCY,
                _expected_rule(instance, w),
            )
        elif not unit_list:
            assert reason.code == R.NO_ELIGIBLE_VACANCY
            assert reason.detail in (R.GROUP_MEMBER_INELIGIBLE, R.HEADCOUNT_BELOW_GROUP_SIZE)
        else:
            # outranked <=> every eligible vacancy is full of units it ranks higher
            full_of_better = all(
                market.capacity[v]
                - sum(
                    units.size[x]
                    for x in range(units.n_units)
                    if unit_vac[x] == v and priority(x, v) > priority(u, v)
                )
                < units.size[u]
                for v in unit_list
            )
            assert reason.code == (R.OUTRANKED if full_of_better else R.NOT_SELECTED)
            assert reason.params["eligible"] == len(own)


@settings(max_examples=40, deadline=None)
@given(instances(max_workers=10, max_vacancies=5, groups=True))
def test_unmatched_reasons_stable(instance: Instance) -> None:
    _check_reasons(instance, Params(seed=2))


@settings(max_examples=25, deadline=None)
@given(instances(max_workers=10, max_vacancies=5, groups=True))
def test_unmatched_reasons_optimal(instance: Instance) -> None:
    _check_reasons(instance, Params(mode="optimal", seed=2))


def test_synthetic_round_statistics_and_determinism() -> None:
    instance = generate(4000, 400, seed=9, group_share=0.15)
    stages: list[tuple[str, float]] = []
    first = solve(instance, Params(seed=4), progress=lambda s, f: stages.append((s, f)))
    again = solve(instance, Params(seed=4))
    for name in (
        "assignment",
        "worker_score",
        "vacancy_score",
        "rank",
        "unmatched_code",
        "unmatched_rule",
    ):
        assert np.array_equal(getattr(first, name), getattr(again, name)), name
    stats = first.stats
    assert stats["engine_version"] == ENGINE_VERSION == first.engine_version
    assert stats["matched"] == int((first.assignment >= 0).sum())
    assert stats["matched"] + stats["unmatched"] == instance.n_workers
    assert sum(stats["unmatched_by_reason"].values()) == stats["unmatched"]
    assert stats["fill_rate"] == stats["matched"] / stats["headcount"]
    assert stats["blocking_pairs"] == 0 or not stats["converged"]
    assert {"candidates", "assign_stable", "checks", "reasons", "total"} <= set(stats["timings"])
    assert stats["travel_groups"] > 0
    names = [s for s, _ in stages]
    assert names[0] == "prepare" and "assign_stable" in names and names[-1] == "reasons"
    for stage in set(names):
        fractions = [f for s, f in stages if s == stage]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0

    optimal = solve(instance, Params(mode="optimal", seed=4))
    o = optimal.stats
    assert o["extra_placed_vs_stable"] == o["matched"] - stats["matched"]
    assert o["stable_matched"] == stats["matched"]
    if o["optimal_exact"]:
        assert o["extra_placed_vs_stable"] >= 0
    assert o["blocking_pairs"] >= 0


def test_records_round_trip() -> None:
    from datetime import date

    from matching.engine import Skill, Vacancy, Worker

    workers = [
        Worker(age=25, skills=(Skill(1, 2, 3),), min_wage=4000),
        Worker(age=45, skills=(Skill(1, 4, 12),), min_wage=4000, travel_group=9),
        Worker(age=44, skills=(Skill(1, 1, 1),), min_wage=3000, travel_group=9),
        Worker(age=30, skills=(Skill(2, 3, 3),), min_wage=4000),
    ]
    vacancies = [
        Vacancy(
            occupation_id=1,
            headcount=2,
            wage_min=4000,
            wage_max=5000,
            city=370200,
            start_date=date(2026, 3, 1),
        ),
        Vacancy(occupation_id=1, headcount=1, wage_min=5000, wage_max=6000, city=370100),
    ]
    result = solve(Instance.from_records(workers, vacancies))
    assert result.assignment.tolist()[3] == -1
    assert result.unmatched_reason(3).detail == R.OCCUPATION_MISMATCH
    assert result.assignment[1] == result.assignment[2]  # the group travels together
