"""Units of a market: single workers and whole travel groups, numbered by their first member."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Market, build_units

from .strategies import markets


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([-1, -1, 0, 7, 2**40, 3, 12345678901]), min_size=1, max_size=30))
def test_units_are_numbered_by_their_first_member(groups: list[int]) -> None:
    n = len(groups)
    market = Market(
        ptr=np.zeros(n + 1, dtype=np.int64),
        vacancy=np.zeros(0, dtype=np.int32),
        worker_score=np.zeros(0, dtype=np.int32),
        vacancy_score=np.zeros(0, dtype=np.int32),
        capacity=np.ones(1, dtype=np.int32),
        group=np.array(groups, dtype=np.int64),
    )
    units = build_units(market)
    # the definition: a worker alone is a unit, a group id one unit; units in order of their
    # lowest-index member, members ascending
    expected: list[list[int]] = []
    unit_of: dict[int, int] = {}
    for w, g in enumerate(groups):
        if g < 0:
            expected.append([w])
        elif g in unit_of:
            expected[unit_of[g]].append(w)
        else:
            unit_of[g] = len(expected)
            expected.append([w])
    got = [
        units.members[units.member_ptr[u] : units.member_ptr[u + 1]].tolist()
        for u in range(units.n_units)
    ]
    assert got == expected
    assert units.size.tolist() == [len(m) for m in expected]
    for u, members in enumerate(expected):
        assert all(units.of_worker[w] == u for w in members)
    assert units.of_worker.dtype == np.int32 and units.members.dtype == np.int32
    assert units.size.dtype == np.int32 and units.member_ptr.dtype == np.int64


@settings(max_examples=100, deadline=None)
@given(markets(max_workers=14, max_vacancies=8, groups=True))
def test_a_groups_list_is_what_all_members_accept(market: Market) -> None:
    # in its first member's order: the vacancies every member lists and with room for all (a
    # worker alone keeps its whole list), scored by the sum of the members' worker scores and the least of their vacancy scores
    units = build_units(market)

    def row(w: int) -> dict[int, tuple[int, int]]:
        lo, hi = market.ptr[w], market.ptr[w + 1]
        return {
            int(market.vacancy[e]): (int(market.worker_score[e]), int(market.vacancy_score[e]))
            for e in range(lo, hi)
        }

    for u in range(units.n_units):
        members = units.members[units.member_ptr[u] : units.member_ptr[u + 1]].tolist()
        rows = [row(w) for w in members]
        in_group = bool(market.group[members[0]] >= 0)  # (a group may have one member)
        first = market.vacancy[market.ptr[members[0]] : market.ptr[members[0] + 1]].tolist()
        common = [v for v in first if all(v in r for r in rows)]
        expected = [
            (v, sum(r[v][0] for r in rows), min(r[v][1] for r in rows))
            for v in common
            if market.capacity[v] >= len(members) or not in_group
        ]
        lo, hi = units.ptr[u], units.ptr[u + 1]
        got = list(
            zip(
                units.vacancy[lo:hi].tolist(),
                units.worker_score[lo:hi].tolist(),
                units.vacancy_score[lo:hi].tolist(),
                strict=True,
            )
        )
        assert got == expected
        assert units.common_any[u] == (len(common) if in_group else hi - lo)
