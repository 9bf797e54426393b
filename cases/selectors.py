"""Reads of cases, scoped through ``laborbridge.access``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import OPEN_STATUSES, Case, CaseStep, StepAction
from laborbridge import access
from laborbridge.badges import Badge, badge_changed, badge_counts
from laborbridge.models import Role, User
from workers.models import Worker


def case_list_for(
    user: User,
    *,
    status: str = "",
    kind: str = "",
    overdue: bool = False,
    worker: Worker | None = None,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """Return the cases the user may see, filtered, newest first, ready for a list."""
    cases = access.cases_visible_to(user).select_related(
        "worker", "worker__home_county", "workplace"
    )
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    if overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, deadline__lt=today or timezone.localdate())
    if worker is not None:
        cases = cases.filter(worker=worker)
    return cases.order_by("-created_at", "-id")


# The overdue-cases badge's kind in laborbridge.badges.
OVERDUE_BADGE = "cases-overdue"


def overdue_count_live(user: User, today: dt.date) -> int:
    """Return how many open cases the user sees are past their deadline on ``today``."""
    return (
        access.cases_visible_to(user).filter(status__in=OPEN_STATUSES, deadline__lt=today).count()
    )


def overdue_badge_of(user: User) -> Badge:
    """Return the menu's overdue-cases badge of ``user``: how many open cases the user sees
    are past their deadline.

    A county official's or an admin's count is kept in Redis until a case changes or a
    worker changes county (``cases_changed``) or the day changes: their scope is all in
    the key. A coordinator's or liaison's also follows their pairings, districts and
    workplaces, so theirs is counted on every page."""
    today = timezone.localdate()
    role = Role.ADMIN if user.is_superuser else user.role
    if not user.is_active or role not in (Role.ADMIN, Role.COUNTY_OFFICIAL):
        return Badge(None, (), lambda: overdue_count_live(user, today))
    scope = (user.pk, role, user.county_id, today.isoformat())
    return Badge(OVERDUE_BADGE, scope, lambda: overdue_count_live(user, today))


def overdue_count_for(user: User) -> int:
    """Return the overdue-cases badge's number (``overdue_badge_of``)."""
    return badge_counts([overdue_badge_of(user)])[0]


def cases_changed(**_kwargs) -> None:
    """Announce that cases changed: the overdue badges count again."""
    badge_changed(OVERDUE_BADGE)


def _worker_saved(instance: Worker, created: bool, update_fields=None, **_kwargs) -> None:
    # A worker who moves county takes their cases along (an official sees cases by the
    # worker's county); a new worker has none. Saves naming their fields without
    # home_county (status, consent) cannot move anyone.
    if not created and (update_fields is None or "home_county" in update_fields):
        cases_changed()


post_save.connect(cases_changed, sender=Case, dispatch_uid="badge-case-saved")
post_delete.connect(cases_changed, sender=Case, dispatch_uid="badge-case-deleted")
post_save.connect(_worker_saved, sender=Worker, dispatch_uid="badge-case-worker-saved")


def case_steps(case: Case) -> list[CaseStep]:
    """Return every step of the case, oldest first, with staff-only notes (staff pages)."""
    return list(case.steps.select_related("by").order_by("created_at", "id"))


@dataclass(frozen=True)
class WorkerStep:
    """One step as the worker sees it: when, what, the note for them and who (by role)."""

    at: dt.datetime
    action: str
    action_label: str
    status_label: str
    note: str
    by_label: str


_ROLE_LABELS = {
    Role.COUNTY_OFFICIAL: gettext_noop("县人社局工作人员"),
    Role.COORDINATOR: gettext_noop("劳务协作专员"),
    Role.LIAISON: gettext_noop("驻外劳务工作站联络员"),
    Role.ADMIN: gettext_noop("平台工作人员"),
}


def _by_label(step: CaseStep) -> str:
    if step.by_worker:
        return _("本人")
    if step.by is None:
        return _("平台")
    role = Role.ADMIN if step.by.is_superuser else step.by.role
    return _(_ROLE_LABELS.get(role, _ROLE_LABELS[Role.ADMIN]))


def steps_for_worker(case: Case) -> list[WorkerStep]:
    """Return the steps the worker's own page shows: dated, who by role (never a staff
    member's name), the note meant for them — never the staff-only notes, nor the internal
    overdue reminders."""
    return [
        WorkerStep(
            at=step.created_at,
            action=step.action,
            action_label=str(step.get_action_display()),
            status_label=str(step.get_status_after_display()),
            note=step.note,
            by_label=_by_label(step),
        )
        for step in case.steps.select_related("by")
        .exclude(action=StepAction.OVERDUE)
        .order_by("created_at", "id")
    ]


def worker_cases_section(request, worker: Worker) -> dict | None:
    """Return the worker page's cases section: the worker's cases the user sees and whether
    the user may open one (registered in ``CasesConfig``)."""
    user = request.user
    may_open = access.workers_case_openable_by(user).filter(pk=worker.pk).exists()
    cases = list(case_list_for(user, worker=worker)) if access.may_see_cases(user) else []
    if not cases and not may_open:
        return None
    return {
        "cases": cases,
        "may_open_case": may_open,
        "worker_pk": worker.pk,
        "today": timezone.localdate(),
    }


@dataclass(frozen=True)
class WorkerCase:
    """One of the worker's cases as their own page shows it."""

    case: Case
    kind_label: str
    status_label: str
    is_open: bool
    steps: list[WorkerStep]


def cases_for_worker_page(worker: Worker) -> list[WorkerCase]:
    """Return the worker's cases, newest first, each with the steps they may see (for the
    worker's personal page: the link has already identified the worker)."""
    return [
        WorkerCase(
            case=case,
            kind_label=str(case.get_kind_display()),
            status_label=str(case.get_status_display()),
            is_open=case.is_open,
            steps=steps_for_worker(case),
        )
        for case in Case.objects.filter(worker=worker).order_by("-created_at", "-id")
    ]
