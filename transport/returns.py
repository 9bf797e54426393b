"""Return trips (返乡 / 返岗) meet the employment history, which lives a floor above.

Transport may not import placement (imports point down the floors), so the two meet here:

* ``return_trip_boarded`` — a signal sent in the roll call's transaction when a traveller is
  marked present on a 返乡 or 返岗 trip. Placement receives it and records 返乡 / 再次外出
  on the worker's history, dated by the worker's **own** trip (``trip_day``), never by the
  campaign's first trip of that direction.
* ``last_jobs`` — where a worker who went home last worked (the most recent job before going
  home, after any 换岗), so a 返岗 trip takes them back there. Placement registers the
  answer (``last_jobs_provider_register``) from the history; without it (placement not
  installed) the employer they arrived at is the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.dispatch import Signal
from django.utils import timezone

# Keyword arguments: actor (who called the roll), seat, direction (a TripDirection value),
# occurred_on (``trip_day`` of the seat's trip).
return_trip_boarded = Signal()


@dataclass(frozen=True)
class LastJob:
    """A job a worker held: an employer on the platform, or one typed in with its place."""

    employer_id: int | None
    workplace_id: int | None  # the county (区/县) of the job
    name: str
    monthly_wage: int | None = None


_providers: list[Callable[[list], dict[int, LastJob]]] = []


def last_jobs_provider_register(provider: Callable[[list], dict[int, LastJob]]) -> None:
    """Register the callable answering ``last_jobs`` (placement, from ``ready()``); registering
    again replaces it."""
    _providers[:] = [provider]


def last_jobs(employments: Iterable) -> dict[int, LastJob]:
    """Return, per employment id, the last job its worker held before going home."""
    employments = list(employments)
    if _providers:
        return _providers[0](employments)
    return {
        e.pk: LastJob(e.employer_id, e.employer.district_id, e.employer.name) for e in employments
    }


def trip_day(trip, *, today: dt.date | None = None) -> dt.date:
    """Return the day a traveller went on ``trip``: its departure day in China time (a roll
    call recorded ahead of the day counts as today, since history has no future events)."""
    today = today or timezone.localdate()
    return min(timezone.localtime(trip.departure_at).date(), today)
