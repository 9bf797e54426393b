"""The pure history module: states, spells and months worked from hand-made histories."""

import datetime as dt

import pytest

from placement import history
from placement.history import (
    CONFIRMED,
    HOME,
    JOB_CHANGE,
    LEFT,
    NOT_WORKING,
    RETURNED_HOME,
    WENT_OUT,
    WORKING,
    Event,
    HistoryError,
    Job,
    add_months,
    replay,
    whole_months,
)

D = dt.date
FIRST = Job(employer=1, employer_name="青岛X电子", workplace="370214", wage=5000)
SECOND = Job(employer=None, employer_name="胶州某服装厂", workplace="370281", wage=5500)


def test_history_imports_nothing_from_django():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(history.__file__).read_text(encoding="utf-8"))
    names = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in (n.names if isinstance(n, ast.Import) else [n])
    ]
    assert not [n for n in names if n and n.split(".")[0] in {"django", "laborbridge"}]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 1, 31), 3, D(2026, 4, 30)),
        (D(2026, 11, 15), 2, D(2027, 1, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (D(2026, 1, 15), D(2026, 4, 15), 3),
        (D(2026, 1, 15), D(2026, 4, 14), 2),  # a partial month does not count
        (D(2026, 1, 31), D(2026, 4, 30), 3),  # month ends: 31 Jan → 30 Apr is 3 months
        (D(2026, 1, 31), D(2026, 2, 28), 1),
        (D(2026, 1, 31), D(2026, 2, 27), 0),
        (D(2026, 2, 28), D(2026, 3, 28), 1),
        (D(2026, 2, 28), D(2026, 3, 27), 0),
        (D(2025, 12, 1), D(2026, 12, 1), 12),
        (D(2026, 5, 1), D(2026, 4, 1), 0),
    ],
)
def test_whole_months(start, end, months):
    assert whole_months(start, end) == months


def test_arrival_only_is_working_at_the_arrival_job():
    state = replay(D(2026, 6, 10), FIRST, [], as_of=D(2026, 9, 9))
    assert state.state == WORKING and state.job == FIRST
    assert (state.months_continuous, state.months_total) == (2, 2)


def test_job_change_without_gap_continues_the_spell():
    events = [Event(D(2026, 3, 1), JOB_CHANGE, 1, SECOND)]
    state = replay(D(2026, 1, 10), FIRST, events, as_of=D(2026, 4, 10))
    assert state.job == SECOND and state.since == D(2026, 3, 1)
    assert (state.months_continuous, state.months_total) == (3, 3)


def test_a_gap_between_jobs_breaks_the_continuous_count():
    events = [
        Event(D(2026, 3, 10), LEFT, 1),
        Event(D(2026, 4, 1), JOB_CHANGE, 2, SECOND),
    ]
    state = replay(D(2026, 1, 10), FIRST, events, as_of=D(2026, 6, 15))
    assert state.state == WORKING and state.job == SECOND
    assert state.months_continuous == 2  # 1 Apr → 15 Jun
    assert state.months_total == 2 + 2  # 10 Jan → 10 Mar, 1 Apr → 15 Jun


def test_new_job_the_day_the_last_ended_is_no_gap():
    events = [Event(D(2026, 3, 10), LEFT, 1), Event(D(2026, 3, 10), JOB_CHANGE, 2, SECOND)]
    state = replay(D(2026, 1, 10), FIRST, events, as_of=D(2026, 4, 10))
    assert (state.months_continuous, state.months_total) == (3, 3)


def test_return_home_then_going_out_again():
    events = [
        Event(D(2026, 2, 20), RETURNED_HOME, 1),
        Event(D(2026, 3, 5), WENT_OUT, 2, SECOND),
    ]
    at_home = replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 3, 1))
    assert at_home.state == HOME and at_home.job is None
    assert (at_home.months_continuous, at_home.months_total) == (0, 1)
    out = replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 7, 4))
    assert out.state == WORKING and out.job == SECOND
    assert (out.months_continuous, out.months_total) == (3, 4)


def test_events_out_of_order_are_replayed_by_date():
    events = [
        Event(D(2026, 3, 5), WENT_OUT, 1, SECOND),  # recorded first, happened later
        Event(D(2026, 2, 20), RETURNED_HOME, 2),
    ]
    state = replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 4, 5))
    assert state.state == WORKING and state.months_continuous == 1


def test_same_day_events_keep_their_recorded_order():
    left_then_home = [Event(D(2026, 2, 1), LEFT, 1), Event(D(2026, 2, 1), RETURNED_HOME, 2)]
    assert replay(D(2026, 1, 1), FIRST, left_then_home, as_of=D(2026, 3, 1)).state == HOME
    home_then_left = [Event(D(2026, 2, 1), RETURNED_HOME, 1), Event(D(2026, 2, 1), LEFT, 2)]
    with pytest.raises(HistoryError) as error:
        replay(D(2026, 1, 1), FIRST, home_then_left, as_of=D(2026, 3, 1))
    assert error.value.code == "left_when_home"


def test_confirmations_change_only_the_last_confirmed_day():
    events = [Event(D(2026, 2, 1), CONFIRMED, 1), Event(D(2026, 3, 1), CONFIRMED, 2)]
    state = replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 3, 2))
    assert state.last_confirmed_on == D(2026, 3, 1) and state.job == FIRST
    assert state.months_continuous == 2


def test_state_as_of_a_past_date_ignores_later_events():
    events = [Event(D(2026, 5, 1), LEFT, 1)]
    state = replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 4, 1))
    assert state.state == WORKING and state.months_continuous == 3
    after = replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 9, 1))
    assert after.state == NOT_WORKING and (after.months_continuous, after.months_total) == (0, 4)


@pytest.mark.parametrize(
    ("events", "code"),
    [
        ([Event(D(2026, 2, 1), LEFT, 1), Event(D(2026, 3, 1), LEFT, 2)], "left_when_left"),
        (
            [Event(D(2026, 2, 1), RETURNED_HOME, 1), Event(D(2026, 3, 1), JOB_CHANGE, 2, SECOND)],
            "job_change_when_home",
        ),
        ([Event(D(2026, 2, 1), WENT_OUT, 1)], "went_out_when_working"),
        (
            [Event(D(2026, 2, 1), LEFT, 1), Event(D(2026, 3, 1), CONFIRMED, 2)],
            "confirmed_when_left",
        ),
        ([Event(D(2025, 12, 31), CONFIRMED, 1)], "before_arrival"),
        ([Event(D(2026, 12, 6), CONFIRMED, 1)], "in_future"),
    ],
)
def test_impossible_histories_are_refused(events, code):
    with pytest.raises(HistoryError) as error:
        replay(D(2026, 1, 1), FIRST, events, as_of=D(2026, 12, 5), today=D(2026, 12, 5))
    assert error.value.code == code
