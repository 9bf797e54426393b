"""Candidate generation: the indexed kernel agrees with the plain statement of the rules."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings

from matching.engine import Instance, Skill, Vacancy, Worker, build_candidates, ineligibility
from matching.engine import reasons as R
from matching.engine.candidates import exclusion_counts, main_exclusion

from .strategies import RELATED, instances


@settings(max_examples=60, deadline=None)
@given(instances())
def test_candidates_equal_brute_force_over_all_pairs(instance: Instance) -> None:
    candidates = build_candidates(instance)
    for w in range(instance.n_workers):
        expected = {v for v in range(instance.n_vacancies) if not ineligibility(instance, w, v)}
        got = candidates.of(w).tolist()
        assert len(got) == len(set(got)), "a vacancy listed twice"
        assert set(got) == expected


def _pair(worker: Worker, vacancy: Vacancy) -> tuple[str, ...]:
    instance = Instance.from_records([worker], [vacancy], RELATED)
    return tuple(r.code for r in ineligibility(instance, 0, 0))


BASE_WORKER = Worker(
    age=30, skills=(Skill(101, 3, 5),), certificates=frozenset({7}), min_wage=4000,
    earliest_departure=date(2026, 3, 1), wish_cities=(370200,),
)  # fmt: skip
BASE_VACANCY = Vacancy(
    occupation_id=101, headcount=2, wage_min=4500, wage_max=6000, city=370200,
    start_date=date(2026, 3, 2),
)  # fmt: skip


def test_each_rule_is_reported() -> None:
    from dataclasses import replace

    assert _pair(BASE_WORKER, BASE_VACANCY) == ()
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, occupation_id=201)) == (R.OCCUPATION_MISMATCH,)
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, occupation_id=103)) == ()  # related
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, required_certificates=frozenset({8}))) == (
        R.CERTIFICATE_MISSING,
    )
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, age_max=29)) == (R.AGE_OUT_OF_RANGE,)
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, start_date=date(2026, 2, 28))) == (
        R.START_BEFORE_DEPARTURE,
    )
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, city=370100)) == (R.DESTINATION_NOT_WISHED,)
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, wage_max=3900)) == (R.WAGE_BELOW_FLOOR,)
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, min_skill_level=4)) == (R.SKILL_LEVEL_TOO_LOW,)
    # a related occupation's skill counts one level lower
    assert _pair(BASE_WORKER, replace(BASE_VACANCY, occupation_id=102, min_skill_level=3)) == (
        R.SKILL_LEVEL_TOO_LOW,
    )
    assert _pair(
        replace(BASE_WORKER, accepts_shift_work=False), replace(BASE_VACANCY, shift_work=True)
    ) == (R.SHIFT_WORK_NOT_ACCEPTED,)
    assert _pair(replace(BASE_WORKER, wish_cities=()), replace(BASE_VACANCY, city=370100)) == ()
    # schooling: a higher level meets a lower minimum; unrecorded schooling meets none
    senior_required = replace(BASE_VACANCY, min_education=3)
    assert _pair(replace(BASE_WORKER, education=2), senior_required) == (R.EDUCATION_TOO_LOW,)
    assert _pair(replace(BASE_WORKER, education=3), senior_required) == ()
    assert _pair(replace(BASE_WORKER, education=5), senior_required) == ()
    assert _pair(BASE_WORKER, senior_required) == (R.EDUCATION_TOO_LOW,)  # not recorded
    assert _pair(BASE_WORKER, BASE_VACANCY) == ()  # no minimum: unrecorded is fine


def test_ineligibility_params() -> None:
    from dataclasses import replace

    instance = Instance.from_records(
        [BASE_WORKER], [replace(BASE_VACANCY, age_max=25, wage_max=3000)]
    )
    reasons = {r.code: r for r in ineligibility(instance, 0, 0)}
    assert reasons[R.AGE_OUT_OF_RANGE].params == {"age": 30, "age_min": 0, "age_max": 25}
    assert reasons[R.WAGE_BELOW_FLOOR].params == {"wage_max": 3000, "min_wage": 4000}


def test_main_exclusion_rule() -> None:
    from dataclasses import replace

    worker = replace(BASE_WORKER, min_wage=9000)
    vacancies = [
        BASE_VACANCY,
        replace(BASE_VACANCY, age_max=25),
        replace(BASE_VACANCY, occupation_id=201),
    ]
    instance = Instance.from_records([worker], vacancies, RELATED)
    counts, considered = exclusion_counts(instance, np.array([0]))
    assert considered[0] == 2  # vacancies of matching occupation
    assert counts[0, R.RULE_INDEX[R.OCCUPATION_MISMATCH]] == 1
    assert main_exclusion(counts[0], int(considered[0])) == (R.WAGE_BELOW_FLOOR, 2)
    lone = Instance.from_records([replace(worker, skills=(Skill(201),))], [BASE_VACANCY], RELATED)
    counts, considered = exclusion_counts(lone, np.array([0]))
    assert main_exclusion(counts[0], int(considered[0])) == (R.OCCUPATION_MISMATCH, 1)
