"""Scores: batch arrays, fused pass and per-pair breakdowns agree; codes are documented."""

from __future__ import annotations

import re
from datetime import date

import numpy as np
from hypothesis import given, settings

from matching.engine import (
    Instance,
    PovertyStatus,
    Skill,
    Vacancy,
    Weights,
    Worker,
    build_candidates,
    build_scored_candidates,
    score_candidates,
    score_pair,
)
from matching.engine import reasons as R
from matching.engine.synthetic import generate

from .strategies import RELATED, instances


@settings(max_examples=50, deadline=None)
@given(instances())
def test_breakdown_adds_up_to_the_batch_scores(instance: Instance) -> None:
    weights = Weights(distance_per_100km=3, wage_cap=1500)
    candidates = build_candidates(instance)
    scores = score_candidates(instance, candidates, weights)
    fused_candidates, fused = build_scored_candidates(instance, weights)
    assert np.array_equal(fused_candidates.vacancy, candidates.vacancy)
    assert np.array_equal(fused.worker, scores.worker)
    assert np.array_equal(fused.vacancy, scores.vacancy)
    for w in range(instance.n_workers):
        for e in range(candidates.ptr[w], candidates.ptr[w + 1]):
            pair = score_pair(instance, w, int(candidates.vacancy[e]), weights)
            assert (
                pair.worker_score == scores.worker[e] == sum(r.points for r in pair.worker_reasons)
            )
            assert (
                pair.vacancy_score
                == scores.vacancy[e]
                == sum(r.points for r in pair.vacancy_reasons)
            )
            for r in pair.worker_reasons:
                assert r.code in R.WORKER_SCORE_CODES
            for r in pair.vacancy_reasons:
                assert r.code in R.VACANCY_SCORE_CODES


def test_breakdown_matches_batch_on_a_synthetic_sample() -> None:
    instance = generate(3000, 300, seed=5, group_share=0.1)
    candidates, scores = build_scored_candidates(instance)
    rng = np.random.default_rng(0)
    for e in rng.choice(candidates.n_pairs, size=400, replace=False):
        w = int(np.searchsorted(candidates.ptr, e, side="right") - 1)
        pair = score_pair(instance, w, int(candidates.vacancy[e]))
        assert (pair.worker_score, pair.vacancy_score) == (scores.worker[e], scores.vacancy[e])


def test_worked_example() -> None:
    worker = Worker(
        age=30,
        lat=35.58,
        lng=104.62,
        skills=(Skill(102, 3, 4),),
        certificates=frozenset({7, 9}),
        poverty=PovertyStatus.MONITORED,
        labor_brand=2,
        wish_cities=(370100, 370200),
        wish_occupations=(101,),
        min_wage=4200,
        earliest_departure=date(2026, 3, 1),
    )
    vacancy = Vacancy(
        occupation_id=101,
        headcount=3,
        wage_min=4500,
        wage_max=5500,
        city=370200,
        lat=36.07,
        lng=120.38,
        required_certificates=frozenset({7}),
        dormitory=True,
        social_insurance=True,
        preferred_labor_brands=frozenset({2}),
    )
    pair = score_pair(Instance.from_records([worker], [vacancy], RELATED), 0, 0)
    worker_side = {r.code: r for r in pair.worker_reasons}
    assert worker_side[R.WAGE_ABOVE_EXPECTATION] == R.Reason(
        R.WAGE_ABOVE_EXPECTATION, points=16, amount=800
    )
    assert worker_side[R.DESTINATION_WISHED] == R.Reason(
        R.DESTINATION_WISHED, points=20, city=370200, rank=1
    )
    assert worker_side[R.OCCUPATION_WISHED].points == 24
    assert worker_side[R.DORMITORY_PROVIDED].points == 10
    assert worker_side[R.SOCIAL_INSURANCE].points == 12
    km = worker_side[R.TRAVEL_DISTANCE].km
    assert 1400 < km < 1500  # Dingxi -> Qingdao
    assert worker_side[R.TRAVEL_DISTANCE].points == -(km // 100)
    vacancy_side = {r.code: r for r in pair.vacancy_reasons}
    assert vacancy_side[R.RELATED_SKILL_LEVEL] == R.Reason(
        R.RELATED_SKILL_LEVEL, points=16, occupation_id=102, level=2
    )
    assert vacancy_side[R.SKILL_YEARS].points == 8
    assert vacancy_side[R.HOLDS_CERTIFICATE] == R.Reason(R.HOLDS_CERTIFICATE, points=6, cert_id=7)
    assert vacancy_side[R.MONITORING_PRIORITY].points == 20
    assert vacancy_side[R.LABOR_BRAND_FIT].params == {"brand_id": 2}
    assert pair.vacancy_score == 16 + 8 + 6 + 20 + 10
    assert worker_side[R.WAGE_ABOVE_EXPECTATION].as_dict() == {
        "code": "wage_above_expectation",
        "points": 16,
        "amount": 800,
    }


def test_every_code_is_documented_in_the_reasons_docstring() -> None:
    documented = set(re.findall(r"^``([a-z_]+)``", R.__doc__ or "", flags=re.MULTILINE))
    assert documented == set(R.ALL_CODES)
    assert len(set(R.ALL_CODES)) == len(R.ALL_CODES)
