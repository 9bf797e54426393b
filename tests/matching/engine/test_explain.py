"""Batch explanations: explain_pairs gives exactly score_pair's reasons, for any pair."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import (
    Instance,
    Weights,
    build_scored_candidates,
    explain_pairs,
    explain_pairs_as_dicts,
    score_pair,
)
from matching.engine.synthetic import generate

from .strategies import instances

WEIGHTS = (
    Weights(),
    Weights(distance_per_100km=3, wage_cap=1500, destination=(9,), occupation_wish=(5, 1)),
)


def _expected_dicts(worker_reasons, vacancy_reasons) -> list[dict]:
    return [dict(r.as_dict(), side="worker") for r in worker_reasons] + [
        dict(r.as_dict(), side="vacancy") for r in vacancy_reasons
    ]


def _check(instance: Instance, workers: np.ndarray, vacancies: np.ndarray, wt: Weights) -> None:
    got = explain_pairs(instance, workers, vacancies, wt)
    dicts = explain_pairs_as_dicts(instance, workers, vacancies, wt)
    assert len(got) == len(dicts) == len(workers)
    for i, (w, v) in enumerate(zip(workers.tolist(), vacancies.tolist(), strict=True)):
        pair = score_pair(instance, w, v, wt)
        worker_reasons, vacancy_reasons = got[i]
        assert tuple(worker_reasons) == pair.worker_reasons
        assert tuple(vacancy_reasons) == pair.vacancy_reasons
        assert sum(r.points for r in worker_reasons) == pair.worker_score
        assert sum(r.points for r in vacancy_reasons) == pair.vacancy_score
        expected = _expected_dicts(pair.worker_reasons, pair.vacancy_reasons)
        assert dicts[i] == expected
        assert [list(d) for d in dicts[i]] == [list(d) for d in expected]  # same key order


@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_equals_score_pair_on_any_pairs(instance: Instance, data: st.DataObject) -> None:
    n, m = instance.n_workers, instance.n_vacancies
    k = data.draw(st.integers(0, 40))
    workers = np.array(data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)))
    vacancies = np.array(data.draw(st.lists(st.integers(0, m - 1), min_size=k, max_size=k)))
    _check(instance, workers, vacancies, data.draw(st.sampled_from(WEIGHTS)))


def test_points_add_up_to_the_batch_scores_on_a_synthetic_instance() -> None:
    instance = generate(2000, 200, seed=7, group_share=0.1)
    candidates, scores = build_scored_candidates(instance)
    rng = np.random.default_rng(1)
    edges = rng.choice(candidates.n_pairs, size=3000, replace=False)
    workers = np.searchsorted(candidates.ptr, edges, side="right") - 1
    vacancies = candidates.vacancy[edges]
    got = explain_pairs(instance, workers, vacancies)
    for i, e in enumerate(edges):
        worker_reasons, vacancy_reasons = got[i]
        assert sum(r.points for r in worker_reasons) == scores.worker[e]
        assert sum(r.points for r in vacancy_reasons) == scores.vacancy[e]
    _check(instance, workers[:500], vacancies[:500], WEIGHTS[1])


def test_fresh_dicts_and_input_checks() -> None:
    instance = generate(50, 10, seed=2)
    dicts = explain_pairs_as_dicts(instance, [0, 0], [1, 1])
    assert dicts[0] == dicts[1]
    assert all(a is not b for a, b in zip(dicts[0], dicts[1], strict=True))
    assert explain_pairs(instance, [], []) == []
    assert explain_pairs_as_dicts(instance, np.zeros(0, dtype=np.int64), []) == []
    with pytest.raises(ValueError):
        explain_pairs(instance, [0, 1], [0])
    with pytest.raises(IndexError):
        explain_pairs(instance, [50], [0])
    with pytest.raises(IndexError):
        explain_pairs(instance, [0], [-1])


def test_many_certificate_types_and_unusual_values() -> None:
    from matching.engine import Skill, Vacancy, Worker

    certs = list(range(1000, 1150))  # three 64-bit words of certificate types
    workers = [
        Worker(
            age=30,
            skills=(Skill(101, level=-2, years=10**6), Skill(102, level=7, years=-3)),
            certificates=frozenset(certs[i::3]),
            labor_brand=10**12 + i,
            wish_cities=(5, 3, 3),
            wish_occupations=(102, 101, 103),
            min_wage=10**6 * (i - 1),
            lat=-40.0 + i,
            lng=170.0 - 90 * i,
        )
        for i in range(3)
    ]
    vacancies = [
        Vacancy(
            occupation_id=occ,
            headcount=1,
            wage_min=100,
            wage_max=2**30,
            city=city,
            required_certificates=frozenset(certs[j::5]),
            preferred_certificates=frozenset(certs[j::7]),
            preferred_labor_brands=frozenset({10**12 + j, 10**12 + 2}),
            dormitory=j % 2 == 0,
            meals=True,
            lat=50.0 - 20 * j,
            lng=-100.0 + 100 * j,
        )
        for j, (occ, city) in enumerate([(101, 3), (103, 5), (104, 7), (102, 3)])
    ]
    instance = Instance.from_records(workers, vacancies, {101: [102, 103], 104: [102]})
    w, v = np.meshgrid(np.arange(3), np.arange(4))
    for wt in WEIGHTS:
        _check(instance, w.ravel(), v.ravel(), wt)
