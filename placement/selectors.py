"""Reads of the employment history, scoped through ``laborbridge.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import access
from laborbridge.models import User
from placement import history
from placement.models import EmploymentEvent
from placement.services import history_of
from workers.models import Employment

STATE_LABELS = {
    history.WORKING: _("在岗"),
    history.NOT_WORKING: _("已离职"),
    history.HOME: _("已返乡"),
}


@dataclass
class EmploymentHistory:
    employment: Employment
    events: list[EmploymentEvent]
    state: history.State

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state.state]

    @property
    def employer_label(self) -> str:
        return self.state.job.employer_name if self.state.job else ""


def employment_history(employment: Employment, *, as_of: dt.date | None = None):
    """Return the employment's events (oldest first) and the state derived from them."""
    events = list(
        EmploymentEvent.objects.filter(employment=employment)
        .select_related("employer", "workplace", "recorded_by")
        .order_by("occurred_on", "id")
    )
    return EmploymentHistory(employment, events, history_of(employment, events, as_of=as_of))


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
        "histories": [employment_history(e, as_of=today) for e in employments],
        "history_writable": writable,
    }
