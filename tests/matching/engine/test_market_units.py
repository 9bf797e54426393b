"""Units of a market: single workers and whole travel groups, numbered by their first member."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import Market, build_units


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
