"""Hypothesis strategies for small engine inputs (records and scored markets)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import strategies as st

from matching.engine import Instance, Market, PovertyStatus, Skill, Vacancy, Worker

OCCUPATIONS = (101, 102, 103, 201)  # 101-103 related; 201 stands alone
CITIES = (370200, 370100, 370600)
CERTS = (7, 8, 70)  # arbitrary ids
BRANDS = (1, 2)
DAY0 = date(2026, 2, 23)
RELATED = {101: [102, 103], 102: [103]}


@st.composite
def workers(draw: st.DrawFn, group: int | None = None) -> Worker:
    skills = draw(
        st.lists(
            st.builds(Skill, st.sampled_from(OCCUPATIONS), st.integers(1, 5), st.integers(0, 12)),
            max_size=2,
        )
    )
    return Worker(
        age=draw(st.integers(18, 60)),
        home_region=621102,
        lat=draw(st.floats(33.0, 36.0)),
        lng=draw(st.floats(103.0, 108.0)),
        skills=tuple(skills),
        certificates=frozenset(draw(st.sets(st.sampled_from(CERTS), max_size=2))),
        poverty=draw(st.sampled_from(list(PovertyStatus))),
        labor_brand=draw(st.sampled_from([None, *BRANDS])),
        wish_cities=tuple(draw(st.lists(st.sampled_from(CITIES), max_size=2, unique=True))),
        wish_occupations=tuple(
            draw(st.lists(st.sampled_from(OCCUPATIONS), max_size=2, unique=True))
        ),
        min_wage=draw(st.integers(30, 60)) * 100,
        earliest_departure=draw(
            st.one_of(st.none(), st.builds(lambda d: DAY0 + timedelta(days=d), st.integers(0, 20)))
        ),
        accepts_dormitory=draw(st.booleans()),
        accepts_shift_work=draw(st.booleans()),
        travel_group=group,
        education=draw(st.sampled_from([-1, 0, 1, 2, 2, 3, 4, 5])),
    )


@st.composite
def vacancies(draw: st.DrawFn) -> Vacancy:
    city = draw(st.sampled_from(CITIES))
    wage_min = draw(st.integers(30, 70)) * 100
    return Vacancy(
        occupation_id=draw(st.sampled_from(OCCUPATIONS)),
        headcount=draw(st.integers(0, 4)),
        wage_min=wage_min,
        wage_max=wage_min + draw(st.integers(0, 20)) * 100,
        city=city,
        district=city + 2,
        lat=draw(st.floats(35.0, 37.5)),
        lng=draw(st.floats(116.0, 122.0)),
        age_min=draw(st.sampled_from([16, 18, 25])),
        age_max=draw(st.sampled_from([40, 50, 200])),
        required_certificates=frozenset(draw(st.sets(st.sampled_from(CERTS), max_size=1))),
        preferred_certificates=frozenset(draw(st.sets(st.sampled_from(CERTS), max_size=1))),
        min_skill_level=draw(st.sampled_from([0, 0, 2, 3])),
        dormitory=draw(st.booleans()),
        meals=draw(st.booleans()),
        travel_reimbursement=draw(st.booleans()),
        social_insurance=draw(st.booleans()),
        shift_work=draw(st.booleans()),
        start_date=draw(
            st.one_of(st.none(), st.builds(lambda d: DAY0 + timedelta(days=d), st.integers(-5, 30)))
        ),
        preferred_labor_brands=frozenset(draw(st.sets(st.sampled_from(BRANDS), max_size=1))),
        min_education=draw(st.sampled_from([0, 0, 0, 2, 3])),
    )


@st.composite
def instances(
    draw: st.DrawFn, max_workers: int = 12, max_vacancies: int = 6, groups: bool = False
) -> Instance:
    n = draw(st.integers(1, max_workers))
    group_ids: list[int | None] = [None] * n
    if groups:
        for i in range(n):
            group_ids[i] = draw(st.sampled_from([None, None, 1, 2]))
    ws = [draw(workers(group=g)) for g in group_ids]
    vs = draw(st.lists(vacancies(), min_size=1, max_size=max_vacancies))
    return Instance.from_records(ws, vs, RELATED)


@st.composite
def markets(
    draw: st.DrawFn,
    max_workers: int = 10,
    max_vacancies: int = 5,
    groups: bool = False,
    max_score: int = 4,
) -> Market:
    """Return a random scored market; small score ranges make ties (and tie-breaking) common."""
    n = draw(st.integers(1, max_workers))
    m = draw(st.integers(1, max_vacancies))
    rows = [draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m)) for _ in range(n)]
    ptr = np.zeros(n + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    k = int(ptr[-1])
    ws = draw(st.lists(st.integers(-max_score, max_score), min_size=k, max_size=k))
    vs = draw(st.lists(st.integers(-max_score, max_score), min_size=k, max_size=k))
    cap = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    group = [-1] * n
    if groups:
        group = [draw(st.sampled_from([-1, -1, 0, 1, 2])) for _ in range(n)]
    return Market(
        ptr=ptr,
        vacancy=np.array([v for r in rows for v in r], dtype=np.int32),
        worker_score=np.array(ws, dtype=np.int32),
        vacancy_score=np.array(vs, dtype=np.int32),
        capacity=np.array(cap, dtype=np.int32),
        group=np.array(group, dtype=np.int64),
    )
