"""Reads of follow-ups and placed workers, always inside ``laborbridge.access`` scopes."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from followups.models import FollowUp, FollowUpKind, FollowUpSide
from laborbridge import access
from laborbridge.models import User
from workers.models import Employment, EmploymentStatus

DUE, OVERDUE, DONE, OPEN = "due", "overdue", "done", "open"
STATES = (DUE, OVERDUE, DONE, OPEN)


def placed_list_for(user: User, *, status: str = "") -> QuerySet[Employment]:
    """Return the placed workers' employment records the user sees, with what a row shows."""
    rows = access.employments_visible_to(user).select_related(
        "worker", "worker__home_county", "employer", "employer__district"
    )
    if status in EmploymentStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-started_on", "-id")


def _state_q(state: str, today: dt.date) -> Q:
    if state == DUE:
        return Q(done_at__isnull=True, due_on__gte=today)
    if state == OVERDUE:
        return Q(done_at__isnull=True, due_on__lt=today)
    if state == DONE:
        return Q(done_at__isnull=False)
    return Q(done_at__isnull=True)


def followup_list_for(
    user: User,
    *,
    state: str = OPEN,
    kind: str = "",
    mine: bool = True,
    today: dt.date | None = None,
) -> QuerySet[FollowUp]:
    """Return the user's follow-ups in ``state`` (due, overdue, done, open), optionally of
    one ``kind``; ``mine`` keeps those assigned to the user. Open ones come by deadline,
    done ones newest first."""
    today = today or timezone.localdate()
    rows = access.followups_visible_to(user).filter(_state_q(state, today))
    if mine and not access.is_admin(user):
        rows = rows.filter(assignee_id=user.pk)
    if kind in FollowUpKind.values:
        rows = rows.filter(kind=kind)
    rows = rows.select_related(
        "employment__worker", "employment__employer", "assignee", "home_county", "work_district"
    )
    if state == DONE:
        return rows.order_by("-done_at", "-id")
    return rows.order_by("due_on", "id")


def followup_detail_for(user: User) -> QuerySet[FollowUp]:
    return access.followups_visible_to(user).select_related(
        "employment__worker",
        "employment__worker__home_county",
        "employment__employer",
        "employment__employer__district",
        "assignee",
        "recorded_by",
    )


def home_figures(user: User) -> dict:
    """Return the home figures of follow-ups: the user's due and overdue follow-ups (officials,
    liaisons) and a liaison's placed workers."""
    data: dict = {}
    if access.has_role(user, *access.FOLLOWUP_RECORDERS) and not access.is_admin(user):
        today = timezone.localdate()
        mine = FollowUp.objects.filter(assignee_id=user.pk, done_at__isnull=True)
        data["followups_overdue"] = mine.filter(due_on__lt=today).count()
        data["followups_due"] = mine.filter(due_on__gte=today).count()
    if access.has_role(user, *access.LIAISONS) and not access.is_admin(user):
        data["placed_total"] = (
            access.employments_visible_to(user).filter(status=EmploymentStatus.EMPLOYED).count()
        )
    return data


def worker_next_followup(worker, *, today: dt.date | None = None) -> dict | None:
    """Return the worker's own page block "my next follow-up": the earliest open follow-up
    of their employment records in plain words (when, what about, who will get in touch) —
    no notes, problems or anything else staff-only; None when none is open.

    Registered for the page ``selfservice:me``, which the worker reaches through their live
    personal link."""
    followup = (
        FollowUp.objects.filter(employment__worker=worker, done_at__isnull=True)
        .select_related("assignee")
        .order_by("due_on", "id")
        .first()
    )
    if followup is None:
        return None
    today = today or timezone.localdate()
    if followup.kind == FollowUpKind.CENSUS:
        year, month = followup.period.split("-")
        about = _("了解您%(month)s月的工作情况") % {"month": int(month)}
    elif followup.period == "w1":
        about = _("到岗第一周，了解您的工作和生活情况")
    else:
        about = _("到岗第%(months)s个月，了解您的工作和生活情况") % {"months": followup.period[1:]}
    if followup.side == FollowUpSide.EAST:
        who = _("务工地的劳务工作站联络员")
    else:
        who = _("家乡县人社局的工作人员")
    name = followup.assignee.get_full_name() if followup.assignee else ""
    return {
        "next_due_on": followup.due_on,
        "next_overdue": followup.due_on < today,
        "next_about": about,
        "next_who": who,
        "next_name": name,
    }


def worker_next_followup_section(_request, worker) -> dict | None:
    """Return the ``selfservice:me`` section (the public page has no user: no request)."""
    return worker_next_followup(worker)
