"""Return trips on the employment history (issue 13): what transport asks and tells placement.

* Marked present on a 返乡 trip → 返乡 recorded, dated by the worker's own trip; on a 返岗
  trip → 再次外出 to the last job they held before going home, dated the same way
  (``transport.returns.return_trip_boarded``, received in the roll call's transaction).
* ``last_jobs_before_home`` answers ``transport.returns.last_jobs`` for the 返岗 planner.

Connected in ``PlacementConfig.ready()``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils.translation import gettext as _

from jobs.models import Employer
from laborbridge.models import Region
from placement import services
from placement.models import EmploymentEvent, EventKind, LeavingReason
from transport.models import TripDirection
from transport.returns import LastJob
from workers.models import Employment, EmploymentStatus


def last_jobs_before_home(employments: list[Employment]) -> dict[int, LastJob]:
    """Return, per employment, the most recent job its history names (the one held before
    going home): the arrival job, replaced by each 换岗 / 再次外出 that names a job. One
    query for all the events."""
    events = defaultdict(list)
    for event in (
        EmploymentEvent.objects.filter(
            employment_id__in=[e.pk for e in employments],
            kind__in=(EventKind.JOB_CHANGE, EventKind.WENT_OUT),
        )
        .select_related("employer")
        .order_by("occurred_on", "pk")
    ):
        events[event.employment_id].append(event)
    answer = {}
    for employment in employments:
        job = services.arrival_job(employment)
        for event in events[employment.pk]:
            job = services.event_job(event) or job
        answer[employment.pk] = LastJob(job.employer, job.workplace, job.employer_name, job.wage)
    return answer


def _employment_of(seat) -> Employment | None:
    """Return the worker's newest employment record (the one the trip ends or resumes)."""
    return (
        Employment.objects.filter(worker_id=seat.worker_id)
        .select_related("employer", "vacancy")
        .order_by("-started_on", "-pk")
        .first()
    )


def record_from_return_trip(
    sender, *, actor, seat, direction: str, occurred_on: dt.date, **kwargs
) -> None:
    """Record 返乡 (on a 返乡 trip, for someone not home yet) or 再次外出 to the last job (on
    a 返岗 trip, for someone at home) — nothing for a new recruit or a history that already
    says so (a second roll call)."""
    employment = _employment_of(seat)
    if employment is None:
        return
    trip = seat.trip.service_number
    if direction == TripDirection.RETURN_HOME and employment.status != EmploymentStatus.HOME:
        services.record_return_home(
            actor=actor,
            employment=employment,
            occurred_on=occurred_on,
            reason=LeavingReason.OTHER,
            note=_("乘返乡车次 %(trip)s 返乡") % {"trip": trip},
        )
    elif direction == TripDirection.BACK_TO_WORK and employment.status == EmploymentStatus.HOME:
        job = last_jobs_before_home([employment])[employment.pk]
        services.record_going_out_again(
            actor=actor,
            employment=employment,
            occurred_on=occurred_on,
            employer=Employer.objects.filter(pk=job.employer_id).first()
            if job.employer_id
            else None,
            employer_name="" if job.employer_id else job.name,
            workplace=Region.objects.filter(pk=job.workplace_id).first()
            if job.workplace_id
            else None,
            monthly_wage=job.monthly_wage,
            note=_("乘返岗车次 %(trip)s 返回原用工地") % {"trip": trip},
        )


def connect() -> None:
    """Connect the receiver and register the answer (from ``PlacementConfig.ready()``)."""
    from transport.returns import last_jobs_provider_register, return_trip_boarded

    return_trip_boarded.connect(record_from_return_trip, dispatch_uid="placement.trip_returns")
    last_jobs_provider_register(last_jobs_before_home)
