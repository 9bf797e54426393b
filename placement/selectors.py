"""Reads of the employment history, scoped through ``laborbridge.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from laborbridge.models import Role, User
from placement import history
from placement.models import EmploymentEvent, MonthlyWage, WageGapFlag
from placement.services import arrival_job, event_job, history_of, month_start
from workers.models import Employment

STATE_LABELS = {
    history.WORKING: _("在岗"),
    history.NOT_WORKING: _("已离职"),
    history.HOME: _("已返乡"),
}


@dataclass
class WageMonth:
    """One month's actual pay as each source reported it, and its gap flag if any."""

    month: dt.date
    reports: list[MonthlyWage]
    flag: WageGapFlag | None = None


def employment_wages(
    employment: Employment, *, until: dt.date | None = None, limit: int = 12
) -> list[WageMonth]:
    """Return the last ``limit`` months of reported pay (newest first), up to ``until``."""
    wages = MonthlyWage.objects.filter(employment=employment)
    flags = WageGapFlag.objects.filter(employment=employment)
    if until is not None:
        wages = wages.filter(month__lte=month_start(until))
        flags = flags.filter(month__lte=month_start(until))
    months: dict[dt.date, WageMonth] = {}
    for wage in wages.order_by("-month", "source"):
        if wage.month not in months:
            if len(months) == limit:
                break
            months[wage.month] = WageMonth(wage.month, [])
        months[wage.month].reports.append(wage)
    for flag in flags.filter(month__in=list(months)):
        months[flag.month].flag = flag
    return list(months.values())


@dataclass
class EmploymentHistory:
    employment: Employment
    events: list[EmploymentEvent]
    state: history.State
    # For HR of an employer the worker has left: the day they left (the history shown ends
    # the day before it, and the state and months are as of that day).
    left_viewer_on: dt.date | None = None
    wages: list[WageMonth] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """Return whether a month's actual pay falls short of the promise (an open flag)."""
        return any(month.flag is not None and not month.flag.resolved for month in self.wages)

    @property
    def state_label(self) -> str:
        if self.left_viewer_on is not None:
            return str(_("已离开本企业"))
        return STATE_LABELS[self.state.state]

    @property
    def employer_label(self) -> str:
        if self.left_viewer_on is not None:
            return ""
        return self.state.job.employer_name if self.state.job else ""


def employment_history(
    employment: Employment, *, as_of: dt.date | None = None, viewer: User | None = None
):
    """Return the employment's events (oldest first) and the state derived from them.

    An HR ``viewer`` whose employer the worker has left (换岗 elsewhere, 离职, 返乡) sees the
    history up to that day only: not where the worker went next, nor what happened since.
    """
    events = list(
        EmploymentEvent.objects.filter(employment=employment)
        .select_related("employer", "workplace", "recorded_by")
        .order_by("occurred_on", "id")
    )
    left_on = None
    if viewer is not None and access.has_role(viewer, Role.EMPLOYER_HR):
        cutoff = history.viewer_cutoff(
            arrival_job(employment),
            [history.Event(e.occurred_on, e.kind, e.pk, event_job(e)) for e in events],
            viewer.employer_id,
        )
        if cutoff is not None:
            left_on = cutoff.on
            events = [e for e in events if (e.occurred_on, e.pk) < (cutoff.on, cutoff.seq)]
            as_of = left_on
    state = history_of(employment, events, as_of=as_of)
    wages = employment_wages(employment, until=left_on)
    return EmploymentHistory(employment, events, state, left_viewer_on=left_on, wages=wages)


FLAG_OPEN = "open"
FLAG_RESOLVED = "resolved"


def wage_flags_for(user: User, *, state: str | None = None):
    """Return the wage-gap flags of the employments the user sees, newest month first;
    ``state`` ``open`` or ``resolved`` keeps only those."""
    flags = WageGapFlag.objects.filter(employment__in=access.employments_visible_to(user))
    if state == FLAG_OPEN:
        flags = flags.filter(resolved_at__isnull=True)
    elif state == FLAG_RESOLVED:
        flags = flags.filter(resolved_at__isnull=False)
    return flags.select_related("employment__worker", "employment__employer").order_by(
        "-month", "-id"
    )


def employments_for_history(user: User):
    """Return the employment records whose history the user may read."""
    return access.employments_visible_to(user).select_related(
        "worker", "employer", "vacancy", "vacancy__district"
    )


def worker_history_section(request, worker) -> dict | None:
    """Return the worker page's history section: each employment the user may read, with
    its timeline and derived state (registered in ``PlacementConfig``)."""
    employments = list(employments_for_history(request.user).filter(worker=worker))
    if not employments:
        return None
    writable = set(
        access.employments_history_writable_by(request.user)
        .filter(worker=worker)
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    return {
        "histories": [employment_history(e, as_of=today, viewer=request.user) for e in employments],
        "history_writable": writable,
    }
