"""Derive a placed worker's working state and months worked from their dated history.

Pure Python, no Django: the services and pages hand in the arrival (the gate check-in) and
the dated events as plain dataclasses and get the state back. Nothing here is stored; the
state and the months are always derived, never typed.

Order. Events are replayed by date; events of the same day keep the order in which they were
recorded (``seq``, e.g. the row id), so "离职 then 返乡 on one day" replays as recorded.

Months. A month is a calendar month counted from the spell's first day: a spell from
``start`` to ``end`` has worked ``n`` whole months when ``add_months(start, n) <= end``, where
``add_months`` keeps the day of the month and clamps it to the month's last day (31 Jan + 1
month = 28/29 Feb; 31 Jan + 3 months = 30 Apr). The ``end`` is the day of the 离职 / 返乡
event (the first day not at work) or the ``as_of`` date for a spell still running. So 15 Jan →
15 Apr is 3 months and 15 Jan → 14 Apr is 2: **partial months do not count**, they are
dropped, never rounded up — the subsidy's "≥ 3 consecutive months" must really be 3.

Spells. A spell runs from the arrival or a 再次外出 (or a 换岗 after a 离职) until a 离职 or
返乡. A 换岗 while at work continues the spell (no gap); a new job that starts on the very day
the previous one ended joins the previous spell too. *Continuous* months are those of the
current unbroken spell (0 when not at work); *total* months are the sum of every spell's
whole months (each spell's partial month is dropped on its own, so totals are conservative).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Event kinds (the same words as ``placement.models.EventKind``).
CONFIRMED = "confirmed"
JOB_CHANGE = "job_change"
LEFT = "left"
RETURNED_HOME = "returned_home"
WENT_OUT = "went_out"

# States.
WORKING = "working"  # 在岗
NOT_WORKING = "left"  # 离职 (still away, no job)
HOME = "home"  # 返乡


class HistoryError(ValueError):
    """An impossible history: ``code`` names the problem, ``on`` the event's date."""

    def __init__(self, code: str, on: dt.date | None = None, kind: str = ""):
        super().__init__(code)
        self.code, self.on, self.kind = code, on, kind


@dataclass(frozen=True)
class Job:
    """Where someone works: an opaque employer key (an id, or None off the platform), the
    employer's name, the workplace (a region code) and the monthly wage (None: unknown)."""

    employer: Any = None
    employer_name: str = ""
    workplace: Any = None
    wage: Any = None


@dataclass(frozen=True)
class Event:
    on: dt.date
    kind: str
    seq: int = 0
    job: Job | None = None  # the new job of a 换岗 (or of a 再次外出 when known)


@dataclass
class Spell:
    start: dt.date
    end: dt.date | None = None  # None: still running


@dataclass
class State:
    state: str
    job: Job | None
    since: dt.date
    last_confirmed_on: dt.date | None
    spells: list[Spell] = field(default_factory=list)
    months_continuous: int = 0
    months_total: int = 0


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def whole_months(start: dt.date, end: dt.date) -> int:
    """Return the whole calendar months from ``start`` to ``end`` (partial months dropped)."""
    if end <= start:
        return 0
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months


# What each kind may follow: the states it is allowed in, and the error code otherwise.
_ALLOWED = {
    CONFIRMED: {WORKING},
    JOB_CHANGE: {WORKING, NOT_WORKING},
    LEFT: {WORKING},
    RETURNED_HOME: {WORKING, NOT_WORKING},
    WENT_OUT: {HOME},
}


def replay(
    arrival_on: dt.date,
    arrival_job: Job,
    events: Iterable[Event],
    *,
    as_of: dt.date,
    today: dt.date | None = None,
) -> State:
    """Return the state as of ``as_of`` after replaying ``events`` from the arrival.

    Raise ``HistoryError`` for an impossible history: an event before the arrival
    (``before_arrival``), after ``today`` (``in_future``) or one its state forbids
    (``<kind>_when_<state>``, e.g. ``left_when_left``). Events after ``as_of`` are ignored
    for the state but still checked.
    """
    ordered = sorted(events, key=lambda e: (e.on, e.seq))
    current = State(WORKING, arrival_job, arrival_on, None, [Spell(arrival_on)])
    shown: State | None = None
    for event in ordered:
        if event.on < arrival_on:
            raise HistoryError("before_arrival", event.on, event.kind)
        if today is not None and event.on > today:
            raise HistoryError("in_future", event.on, event.kind)
        if event.kind not in _ALLOWED:
            raise HistoryError("unknown_kind", event.on, event.kind)
        if current.state not in _ALLOWED[event.kind]:
            raise HistoryError(f"{event.kind}_when_{current.state}", event.on, event.kind)
        if shown is None and event.on > as_of:
            shown = _snapshot(current)
        _apply(current, event)
    result = shown or current
    _count(result, as_of)
    return result


def _snapshot(state: State) -> State:
    return State(
        state.state,
        state.job,
        state.since,
        state.last_confirmed_on,
        [Spell(s.start, s.end) for s in state.spells],
    )


def _start_spell(state: State, on: dt.date) -> None:
    last = state.spells[-1] if state.spells else None
    if last is not None and last.end == on:
        last.end = None  # started again the day the last job ended: no gap
    else:
        state.spells.append(Spell(on))


def _apply(state: State, event: Event) -> None:
    if event.kind == CONFIRMED:
        state.last_confirmed_on = event.on
        return
    if event.kind == JOB_CHANGE:
        if state.state != WORKING:
            _start_spell(state, event.on)
        state.state, state.job, state.since = WORKING, event.job, event.on
    elif event.kind == WENT_OUT:
        _start_spell(state, event.on)
        state.state, state.job, state.since = WORKING, event.job, event.on
    else:  # LEFT or RETURNED_HOME
        if state.state == WORKING:
            state.spells[-1].end = event.on
        state.state = NOT_WORKING if event.kind == LEFT else HOME
        state.job, state.since = None, event.on


def _count(state: State, as_of: dt.date) -> None:
    total = 0
    for spell in state.spells:
        total += whole_months(spell.start, min(spell.end or as_of, as_of))
    state.months_total = total
    running = state.spells[-1] if state.spells and state.spells[-1].end is None else None
    state.months_continuous = (
        whole_months(running.start, as_of) if running and state.state == WORKING else 0
    )


@dataclass(frozen=True)
class Summary:
    """What ``workers.Employment`` stores of a derived state (its "derived" fields)."""

    state: str
    ended_on: dt.date | None  # first day away from work (离职 / 返乡); None while working
    job: Job | None
    working_since: dt.date | None  # first day of the current unbroken spell at work
    months_in_closed_spells: int


def summarize(state: State) -> Summary:
    """Return the stored summary of ``state`` (replayed as of today)."""
    working = state.state == WORKING
    running = state.spells[-1] if state.spells and state.spells[-1].end is None else None
    closed = sum(whole_months(s.start, s.end) for s in state.spells if s.end is not None)
    return Summary(
        state=state.state,
        ended_on=None if working else state.since,
        job=state.job if working else None,
        working_since=running.start if working and running else None,
        months_in_closed_spells=closed,
    )


def viewer_cutoff(arrival_job: Job, events: Iterable[Event], employer: Any) -> Event | None:
    """Return the event that took the worker away from ``employer`` for the last time (a
    换岗 elsewhere, a 离职 or a 返乡 while working there), or None while they still work
    there or never worked there (an employer sees the history up to that event)."""
    at_employer = arrival_job.employer == employer
    cutoff: Event | None = None
    job: Job | None = arrival_job
    for event in sorted(events, key=lambda e: (e.on, e.seq)):
        if event.kind == CONFIRMED:
            continue
        if event.kind in (JOB_CHANGE, WENT_OUT):
            job = event.job
        else:
            job = None
        now_there = job is not None and job.employer == employer
        if at_employer and not now_there:
            cutoff = event
        elif now_there:
            cutoff = None
        at_employer = now_there
    return cutoff
