"""Writes of the employment history: one service per event kind.

Each service locks the worker's employment row (so two people recording at once replay
the same history), checks who may write, replays the history with the new event through
``placement.history`` — which refuses impossible sequences — then writes the event, the
employment's derived fields (status, end, current job, spell start, closed months: never
typed anywhere else) and the audit row in one transaction.

``record_actual_wage`` stores a month's actual pay (from a follow-up, the employer's wage
roster or the worker) and flags a month paid more than ``settings.WAGE_GAP_THRESHOLD`` below
the promised wage to the pairing's coordinators, once per month; a later follow-up or roster
report of that month within the threshold resolves the flag (when and on which report).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Employer, Vacancy
from laborbridge import access
from laborbridge.models import AuditEvent, Pairing, Region, Role, User
from laborbridge.models.audit import actor_snapshot
from laborbridge.notifications.services import Audience, Notice, notify_many
from laborbridge.services import audit_record
from placement import history, messages
from placement.models import (
    EmploymentEvent,
    EventKind,
    LeavingReason,
    MonthlyWage,
    WageGapFlag,
    WageSource,
)
from workers.models import Employment, EmploymentStatus


def _sequence_message(code: str) -> str:
    messages = {
        "before_arrival": _("日期不能早于到岗日期。"),
        "in_future": _("日期不能晚于今天。"),
        "confirmed_when_left": _("该劳动力已离职，不能确认在岗；如已重新就业，请记录换岗。"),
        "confirmed_when_home": _("该劳动力已返乡，不能确认在岗；如已再次外出，请先记录再次外出。"),
        "job_change_when_home": _("该劳动力已返乡，不能记录换岗；请先记录再次外出。"),
        "left_when_left": _("该劳动力已离职，不能重复记录离职。"),
        "left_when_home": _("该劳动力已返乡，不能记录离职。"),
        "returned_home_when_home": _("该劳动力已返乡，不能重复记录返乡。"),
        "went_out_when_working": _("该劳动力仍在岗，不能记录再次外出。"),
        "went_out_when_left": _(
            "该劳动力离职后尚未返乡，不能记录再次外出；如已重新就业，请记录换岗。"
        ),
    }
    return messages.get(code, _("该记录与已有的就业经历不符。"))


def arrival_job(employment: Employment) -> history.Job:
    """Return the job the worker arrived at: the employment's employer, place and wage."""
    vacancy = employment.vacancy
    return history.Job(
        employer=employment.employer_id,
        employer_name=employment.employer.name,
        workplace=vacancy.district_id,
        wage=vacancy.wage_min,
    )


def event_job(event: EmploymentEvent) -> history.Job | None:
    if event.kind not in (EventKind.JOB_CHANGE, EventKind.WENT_OUT):
        return None
    if event.employer_id is None and not event.employer_name:
        return None  # went out again, job not known yet
    name = event.employer.name if event.employer_id else event.employer_name
    return history.Job(event.employer_id, name, event.workplace_id, event.monthly_wage)


def history_of(employment: Employment, events, *, as_of: dt.date | None = None) -> history.State:
    """Return the derived state of ``employment`` from its events as of ``as_of`` (today)."""
    as_of = as_of or timezone.localdate()
    return history.replay(
        employment.started_on,
        arrival_job(employment),
        [history.Event(e.occurred_on, e.kind, e.pk or 0, event_job(e)) for e in events],
        as_of=as_of,
    )


def _locked(employment: Employment) -> Employment:
    return (
        Employment.objects.select_for_update()
        .select_related("employer", "vacancy")
        .get(pk=employment.pk)
    )


_STATUS = {
    history.WORKING: EmploymentStatus.EMPLOYED,
    history.NOT_WORKING: EmploymentStatus.LEFT,
    history.HOME: EmploymentStatus.HOME,
}
DERIVED_FIELDS = [
    "status",
    "ended_on",
    "current_employer",
    "current_employer_name",
    "current_workplace",
    "current_monthly_wage",
    "working_since",
    "months_in_closed_spells",
]


def derived_values(state: history.State) -> dict:
    """Return the employment's derived field values for a state replayed as of today."""
    summary = history.summarize(state)
    job = summary.job
    return {
        "status": _STATUS[summary.state],
        "ended_on": summary.ended_on,
        "current_employer_id": job.employer if job else None,
        "current_employer_name": job.employer_name if job else "",
        "current_workplace_id": job.workplace if job else None,
        "current_monthly_wage": job.wage if job else None,
        "working_since": summary.working_since,
        "months_in_closed_spells": summary.months_in_closed_spells,
    }


def _sync(employment: Employment, state: history.State) -> None:
    """Store the derived fields of the (locked) employment from its replayed state."""
    for name, value in derived_values(state).items():
        setattr(employment, name, value)
    employment.save(update_fields=[*DERIVED_FIELDS, "updated_at"])


def _record(
    *,
    actor: User,
    employment: Employment,
    kind: str,
    occurred_on: dt.date,
    values: dict | None = None,
    scope=None,
    check_locked=None,
) -> EmploymentEvent:
    """Record ``kind`` for ``employment`` if ``scope`` (default: the employments ``actor``
    may write the history of) holds it."""
    if scope is None:
        scope = access.employments_history_writable_by(actor)
    if not scope.filter(pk=employment.pk).exists():
        raise PermissionDenied(_denied())
    employment = _locked(employment)
    if check_locked is not None:  # a check on the history, read under the lock
        check_locked(employment)
    event = EmploymentEvent(
        employment=employment,
        kind=kind,
        occurred_on=occurred_on,
        recorded_by=actor,
        **(values or {}),
    )
    events = list(employment.events.select_related("employer"))
    today = timezone.localdate()
    # The new event is recorded last: on a day that already has events it comes after them.
    seq = max((e.pk for e in events), default=0) + 1
    try:
        state = history.replay(
            employment.started_on,
            arrival_job(employment),
            [
                *(history.Event(e.occurred_on, e.kind, e.pk, event_job(e)) for e in events),
                history.Event(occurred_on, kind, seq, event_job(event)),
            ],
            as_of=today,
            today=today,
        )
    except history.HistoryError as error:
        field = "occurred_on" if error.code in ("before_arrival", "in_future") else None
        message = _sequence_message(error.code)
        raise ValidationError({field: message} if field else message, code=error.code) from None
    event.save()
    _sync(employment, state)
    audit_record(
        actor=actor,
        action=f"employment.{kind}",
        target=employment,
        changes={
            "event": event.pk,
            "occurred_on": occurred_on.isoformat(),
            **{
                key: (value.pk if hasattr(value, "pk") else value)
                for key, value in (values or {}).items()
                if value not in (None, "")
            },
        },
    )
    return event


def _denied() -> str:
    return _("您无权记录该劳动力的就业经历。")


def _job_values(
    *,
    employment: Employment,
    same_employer: bool,
    employer: Employer | None,
    employer_name: str,
    workplace: Region | None,
    monthly_wage: int | None,
    required: bool,
    note: str,
) -> dict:
    """Return the new job's fields and the event's note, or raise ValidationError naming
    each bad field."""
    employer_name = (employer_name or "").strip()
    errors: dict[str, str] = {}
    if same_employer:  # another post where the worker works now (the derived job)
        if employment.current_employer_id:
            employer = employment.current_employer
        elif employment.current_employer_name:
            employer, employer_name = None, employment.current_employer_name
            workplace = workplace or employment.current_workplace
        else:
            errors["same_employer"] = _("该劳动力目前不在岗，请选择或填写新的用工企业。")
    if employer is not None:
        employer_name = ""
        workplace = workplace or employer.district
    elif employer_name:
        if workplace is None:
            errors["workplace"] = _("请填写平台外企业的务工地点（县区）。")
    elif required:
        errors["employer"] = _("请选择平台企业，或填写平台外企业的名称。")
    if workplace is not None and workplace.level != Region.Level.COUNTY:
        errors["workplace"] = _("务工地点须具体到县（区）。")
    if monthly_wage is not None and monthly_wage <= 0:
        errors["monthly_wage"] = _("月工资须大于 0。")
    if errors:
        raise ValidationError(errors)
    return {
        "employer": employer,
        "employer_name": employer_name,
        "workplace": workplace,
        "monthly_wage": monthly_wage,
        "note": note.strip(),
    }


@transaction.atomic
def record_confirmation(
    *, actor: User, employment: Employment, occurred_on: dt.date, note: str = ""
) -> EmploymentEvent:
    """Record that the worker was confirmed at work (在岗确认) on ``occurred_on``."""
    return _record(
        actor=actor,
        employment=employment,
        kind=EventKind.CONFIRMED,
        occurred_on=occurred_on,
        values={"note": note.strip()},
    )


@transaction.atomic
def record_job_change(
    *,
    actor: User,
    employment: Employment,
    occurred_on: dt.date,
    same_employer: bool = False,
    employer: Employer | None = None,
    employer_name: str = "",
    workplace: Region | None = None,
    monthly_wage: int | None = None,
    note: str = "",
) -> EmploymentEvent:
    """Record a job change (换岗): another post at the same employer (``same_employer``),
    another employer on the platform (``employer``) or one off the platform typed in with
    ``employer_name`` and its ``workplace`` county; ``monthly_wage`` when known."""
    return _record(
        actor=actor,
        employment=employment,
        kind=EventKind.JOB_CHANGE,
        occurred_on=occurred_on,
        values=_job_values(
            employment=employment,
            same_employer=same_employer,
            employer=employer,
            employer_name=employer_name,
            workplace=workplace,
            monthly_wage=monthly_wage,
            required=True,
            note=note,
        ),
    )


def _reason_values(reason: str, note: str) -> dict:
    if reason not in LeavingReason.values:
        raise ValidationError({"reason": _("请选择原因。")})
    note = note.strip()
    if reason == LeavingReason.OTHER and not note:
        raise ValidationError({"note": _("原因选择“其他”时，请填写说明。")})
    return {"reason": reason, "note": note}


@transaction.atomic
def record_leaving(
    *, actor: User, employment: Employment, occurred_on: dt.date, reason: str = "", note: str = ""
) -> EmploymentEvent:
    """Record that the worker left their job (离职), with a reason from the list and text.

    HR may record it for their own employees only: the employment must be their
    employer's and the worker must still work there (not moved to another employer)."""
    values = _reason_values(reason, note)

    def still_with_hr(employment: Employment) -> None:
        if not access.has_role(actor, Role.EMPLOYER_HR):
            return
        state = history_of(employment, employment.events.select_related("employer"))
        # Someone already gone is refused by the replay with its own message.
        if state.job is not None and state.job.employer != actor.employer_id:
            raise PermissionDenied(_("该劳动力已不在贵单位工作，不能由贵单位记录离职。"))

    return _record(
        actor=actor,
        employment=employment,
        kind=EventKind.LEFT,
        occurred_on=occurred_on,
        scope=access.employments_leaving_recordable_by(actor),
        values=values,
        check_locked=still_with_hr,
    )


@transaction.atomic
def record_return_home(
    *, actor: User, employment: Employment, occurred_on: dt.date, reason: str = "", note: str = ""
) -> EmploymentEvent:
    """Record that the worker returned home (返乡), with a reason."""
    return _record(
        actor=actor,
        employment=employment,
        kind=EventKind.RETURNED_HOME,
        occurred_on=occurred_on,
        values=_reason_values(reason, note),
    )


@transaction.atomic
def record_going_out_again(
    *,
    actor: User,
    employment: Employment,
    occurred_on: dt.date,
    employer: Employer | None = None,
    employer_name: str = "",
    workplace: Region | None = None,
    monthly_wage: int | None = None,
    note: str = "",
) -> EmploymentEvent:
    """Record that the worker went out to work again (再次外出) after returning home; the
    new job is optional here (a later 换岗 may name it)."""
    return _record(
        actor=actor,
        employment=employment,
        kind=EventKind.WENT_OUT,
        occurred_on=occurred_on,
        values=_job_values(
            employment=employment,
            same_employer=False,
            employer=employer,
            employer_name=employer_name,
            workplace=workplace,
            monthly_wage=monthly_wage,
            required=False,
            note=note,
        ),
    )


_RECORDERS = {
    EventKind.CONFIRMED: record_confirmation,
    EventKind.JOB_CHANGE: record_job_change,
    EventKind.LEFT: record_leaving,
    EventKind.RETURNED_HOME: record_return_home,
    EventKind.WENT_OUT: record_going_out_again,
}
_COMMON = {"actor", "employment", "occurred_on"}


def _accepted(recorder) -> frozenset[str]:
    """Return the values a recorder takes beyond the common ones (read from its signature,
    so ``record_event`` never repeats a service's argument list)."""
    return frozenset(inspect.signature(recorder).parameters) - _COMMON


def record_event(
    *, actor: User, employment: Employment, kind: str, occurred_on: dt.date, **values
) -> EmploymentEvent:
    """Record an event of ``kind`` through its service (the page form and the API share
    this); values the kind does not take are ignored, empty ones left at their default."""
    if kind not in _RECORDERS:
        raise ValidationError({"kind": _("请选择记录类型。")})
    recorder = _RECORDERS[kind]
    accepted = _accepted(recorder)
    given = {k: v for k, v in values.items() if k in accepted and v not in (None, "")}
    return recorder(actor=actor, employment=employment, occurred_on=occurred_on, **given)


# --- actual wages -----------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    """Return the first day of ``day``'s month (a wage month is stored so)."""
    return day.replace(day=1)


def promised_wage(employment: Employment, events, month: dt.date) -> int | None:
    """Return the monthly wage promised for ``month``: the wage of the job the history
    shows at the month's end (or today, in the current month) — the vacancy's minimum for the
    arrival job, the typed wage after a 换岗; None when unknown or not at work then."""
    last_day = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    as_of = min(last_day, timezone.localdate())
    if as_of < employment.started_on:
        as_of = employment.started_on
    state = history_of(employment, events, as_of=as_of)
    if state.state != history.WORKING or state.job is None:
        return None
    return state.job.wage


def wage_gap_exceeds(*, promised: int | None, actual: int) -> bool:
    """Return whether ``actual`` falls short of ``promised`` by more than the threshold."""
    if not promised:
        return False
    return (promised - actual) / promised > settings.WAGE_GAP_THRESHOLD


def employment_pairing(
    employment: Employment, pairings: Callable[[], Iterable[Pairing]] | None = None
) -> Pairing | None:
    """Return the pairing that placed the worker: the campaign's, else the pairing whose
    west holds the worker's county and whose east holds the employer's district.
    ``pairings`` returns all pairings with their regions (a batch reads them once)."""
    match = employment.match
    campaign = match.round.campaign if match.round_id else employment.vacancy.campaign
    if campaign is not None:
        return campaign.pairing
    county = employment.worker.home_county_id
    district = employment.employer.district_id
    for pairing in pairings() if pairings is not None else _pairings():
        if county.startswith(pairing.west_region.prefix) and district.startswith(
            pairing.east_region.prefix
        ):
            return pairing
    return None


def _pairings() -> list[Pairing]:
    return list(Pairing.objects.select_related("east_region", "west_region"))


@transaction.atomic
def record_actual_wage(
    *,
    employment: Employment,
    month: dt.date,
    amount: int,
    source: str,
    by: User,
    paid_on: dt.date | None = None,
) -> MonthlyWage:
    """Store what the worker was actually paid (gross, yuan) for ``month`` as ``source``
    reports it (a second report of the same source and month replaces the first), then flag
    the month to the pairing's coordinators when it falls short of the promised wage by more
    than ``settings.WAGE_GAP_THRESHOLD`` — a month is flagged (and notified) once; a later
    follow-up or roster report of the month within the threshold resolves the flag, a later
    short one reopens it (``_flag_wage_gap``).

    ``by`` must see the employment (``access.employments_visible_to``); the follow-ups call
    it with ``source=WageSource.FOLLOW_UP``, the wage-roster import with ``ROSTER``.
    """
    if not access.employments_visible_to(by).filter(pk=employment.pk).exists():
        raise PermissionDenied(_("您无权记录该劳动力的工资。"))
    errors = {}
    if source not in WageSource.values:
        errors["source"] = _("工资来源不正确。")
    if not isinstance(amount, int) or amount <= 0:
        errors["amount"] = _("实发工资须为大于 0 的整数（元）。")
    month = month_start(month)
    today = timezone.localdate()
    if month > today or month < month_start(employment.started_on):
        errors["month"] = _("月份须在到岗之后、不晚于本月。")
    if paid_on is not None and paid_on > today:
        errors["paid_on"] = _("发放日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    employment = _locked(employment)
    wage, created = MonthlyWage.objects.update_or_create(
        employment=employment,
        month=month,
        source=source,
        defaults={"gross": amount, "paid_on": paid_on, "recorded_by": by},
    )
    audit_record(
        actor=by,
        action="employment.wage",
        target=employment,
        changes={
            "month": month.isoformat(),
            "gross": amount,
            "source": source,
            "paid_on": paid_on.isoformat() if paid_on else None,
            "replaced": not created,
        },
    )
    _flag_wage_gap(employment=employment, wage=wage, by=by)
    return wage


# Reports that may resolve a flag: a follow-up by staff or the employer's wage roster. The
# worker's own report may raise one but not clear it (nobody checked it).
RESOLVING_SOURCES = (WageSource.FOLLOW_UP, WageSource.ROSTER)


def _flag_wage_gap(*, employment: Employment, wage: MonthlyWage, by: User) -> WageGapFlag | None:
    """Open, resolve or reopen the month's flag after ``wage`` (the report just recorded).

    A report short by more than the threshold opens the month's flag (and notifies the
    pairing's coordinators, once per month) or reopens a resolved one; a follow-up or roster
    report within the threshold resolves an open one, recording when and on which report."""
    month = wage.month
    flag = (
        WageGapFlag.objects.select_for_update().filter(employment=employment, month=month).first()
    )
    events = list(employment.events.select_related("employer"))
    lowest = (
        MonthlyWage.objects.filter(employment=employment, month=month).order_by("gross").first()
    )
    return _flag_apply(
        employment=employment,
        wage=wage,
        by=by,
        flag=flag,
        promised=promised_wage(employment, events, month),
        lowest=lowest or wage,
    )


def _flag_apply(
    *,
    employment: Employment,
    wage: MonthlyWage,
    by: User,
    flag: WageGapFlag | None,
    promised: int | None,
    lowest: MonthlyWage,
    opening: list[WageGapFlag] | None = None,
) -> WageGapFlag | None:
    """Decide the month's flag from what was read (shared by the one-row and batch paths).
    A new flag is written at once, or — when ``opening`` collects them — by the caller
    through ``_flags_open``."""
    short = wage_gap_exceeds(promised=promised, actual=wage.gross)
    if flag is not None:
        if short and flag.resolved:
            _flag_reopen(flag=flag, wage=wage, by=by)
        elif not short and not flag.resolved and wage.source in RESOLVING_SOURCES:
            _flag_resolve(flag=flag, wage=wage, by=by)
        return flag
    if promised is None or not wage_gap_exceeds(promised=promised, actual=lowest.gross):
        return None
    flag = WageGapFlag(
        employment=employment,
        month=wage.month,
        promised=promised,
        actual=lowest.gross,
        source=lowest.source,
    )
    if opening is None:
        _flags_open([flag], by=by)
    else:
        opening.append(flag)  # the batch writes them and their notices together
    return flag


def _flags_open(flags: list[WageGapFlag], *, by: User) -> None:
    """Write new wage-gap flags and tell each one's pairing coordinators (one notice per
    flag) — an insert for the flags and three for the notices, however many."""
    if not flags:
        return
    WageGapFlag.objects.bulk_create(flags)
    pairings = functools.cache(_pairings)
    notices = []
    for flag in flags:
        employment = flag.employment
        pairing = employment_pairing(employment, pairings)
        if pairing is None:
            continue
        worker = employment.worker
        notices.append(
            Notice(
                params={
                    "name": worker.name,
                    "id": worker.id_number_masked,
                    "employer": employment.current_employer_name or employment.employer.name,
                    "month": f"{flag.month:%Y-%m}",
                    "promised": flag.promised,
                    "actual": flag.actual,
                    "percent": flag.gap_percent,
                    "employment_id": employment.pk,
                    "worker_id": worker.pk,
                },
                audiences=[Audience.pairing(pairing.pk)],
                cause=flag,
            )
        )
    if notices:
        notify_many(key=messages.WAGE_GAP, notices=notices, actor=by)


@dataclass(frozen=True)
class WageReport:
    """One row of a batch of actual pay (``record_actual_wages``)."""

    employment: Employment
    month: dt.date
    amount: int
    paid_on: dt.date | None = None


# Rows per batch of the wage-roster commit: each batch is a handful of queries (lock, read
# existing pay, events and flags, bulk write, bulk audit) instead of ~15 per row.
WAGE_BATCH = 1000


@transaction.atomic
def record_actual_wages(*, reports: list[WageReport], source: str, by: User) -> int:
    """Store many months of actual pay at once (the wage-roster import): the same rules,
    audit rows and flags as ``record_actual_wage``, read and written in batches. Return how
    many reports were stored."""
    ids = {report.employment.pk for report in reports}
    visible = set(access.employments_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - visible:
        raise PermissionDenied(_("您无权记录该劳动力的工资。"))
    if source not in WageSource.values:
        raise ValidationError({"source": _("工资来源不正确。")})
    today = timezone.localdate()
    for report in reports:
        month = month_start(report.month)
        if not isinstance(report.amount, int) or report.amount <= 0:
            raise ValidationError({"amount": _("实发工资须为大于 0 的整数（元）。")})
        if month > today or month < month_start(report.employment.started_on):
            raise ValidationError({"month": _("月份须在到岗之后、不晚于本月。")})
        if report.paid_on is not None and report.paid_on > today:
            raise ValidationError({"paid_on": _("发放日期不能晚于今天。")})
    for start in range(0, len(reports), WAGE_BATCH):
        _wages_batch(reports[start : start + WAGE_BATCH], source=source, by=by)
    return len(reports)


def _wages_batch(reports: list[WageReport], *, source: str, by: User) -> None:
    ids = sorted({report.employment.pk for report in reports})
    months = {month_start(report.month) for report in reports}
    locked = {
        e.pk: e
        for e in Employment.objects.select_for_update(of=("self",))
        # What a new flag's notice needs (the pairing through the campaign) in this read.
        .select_related("worker", "match__round__campaign__pairing")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    # A roster's rows share one employer and a few vacancies: one instance each, not a
    # copy per row from a join (building those was a third of the commit's CPU).
    employers = Employer.objects.in_bulk({e.employer_id for e in locked.values()})
    vacancies = Vacancy.objects.select_related("campaign__pairing").in_bulk(
        {e.vacancy_id for e in locked.values()}
    )
    for e in locked.values():
        e.employer, e.vacancy = employers[e.employer_id], vacancies[e.vacancy_id]
    stored = {
        (wage.employment_id, wage.month, wage.source): wage
        for wage in MonthlyWage.objects.filter(employment_id__in=ids, month__in=months)
    }
    now = timezone.now()
    creates, updates, audits, written = [], [], [], []
    for report in reports:
        month = month_start(report.month)
        wage = stored.get((report.employment.pk, month, source))
        if wage is None:
            wage = MonthlyWage(
                employment_id=report.employment.pk,
                month=month,
                source=source,
                gross=report.amount,
                paid_on=report.paid_on,
                recorded_by=by,
            )
            stored[(report.employment.pk, month, source)] = wage
            creates.append(wage)
            replaced = False
        else:
            wage.gross, wage.paid_on, wage.recorded_by, wage.updated_at = (
                report.amount,
                report.paid_on,
                by,
                now,
            )
            updates.append(wage)
            replaced = True
        written.append(wage)
        audits.append(
            AuditEvent(
                actor=by if by is not None and by.is_authenticated else None,
                **actor_snapshot(by),
                action="employment.wage",
                target_type=Employment._meta.label_lower,
                target_id=str(report.employment.pk),
                changes={
                    "month": month.isoformat(),
                    "gross": report.amount,
                    "source": source,
                    "paid_on": report.paid_on.isoformat() if report.paid_on else None,
                    "replaced": replaced,
                },
            )
        )
    MonthlyWage.objects.bulk_create(creates)
    MonthlyWage.objects.bulk_update(
        [w for w in updates if w.pk], ["gross", "paid_on", "recorded_by", "updated_at"]
    )
    AuditEvent.objects.bulk_create(audits)
    events: dict[int, list[EmploymentEvent]] = {}
    for event in EmploymentEvent.objects.filter(employment_id__in=ids).select_related("employer"):
        events.setdefault(event.employment_id, []).append(event)
    flags = {
        (flag.employment_id, flag.month): flag
        for flag in WageGapFlag.objects.select_for_update().filter(
            employment_id__in=ids, month__in=months
        )
    }
    lowest: dict[tuple[int, dt.date], MonthlyWage] = {}
    for wage in stored.values():
        key = (wage.employment_id, wage.month)
        if key not in lowest or wage.gross < lowest[key].gross:
            lowest[key] = wage
    opening: list[WageGapFlag] = []
    for wage in written:
        key = (wage.employment_id, wage.month)
        employment = locked[wage.employment_id]
        if key in flags and flags[key].pk is None:
            # The same month twice in one batch, its flag not yet written: write the ones
            # waiting first, so resolving or reopening it works on a stored row.
            _flags_open(opening, by=by)
            opening = []
        events_of = sorted(events.get(employment.pk, []), key=lambda e: (e.occurred_on, e.pk))
        flag = _flag_apply(
            employment=employment,
            wage=wage,
            by=by,
            flag=flags.get(key),
            promised=promised_wage(employment, events_of, wage.month),
            lowest=lowest[key],
            opening=opening,
        )
        if flag is not None:
            flags[key] = flag
    _flags_open(opening, by=by)


def _flag_resolve(*, flag: WageGapFlag, wage: MonthlyWage, by: User) -> None:
    flag.resolved_at = timezone.now()
    flag.resolved_source = wage.source
    flag.resolved_actual = wage.gross
    flag.resolved_by = by
    _flag_saved(
        flag,
        by=by,
        action="employment.wage_gap_resolved",
        fields=["resolved_at", "resolved_source", "resolved_actual", "resolved_by"],
        promised=flag.promised,
        actual=wage.gross,
        source=wage.source,
    )


def _flag_reopen(*, flag: WageGapFlag, wage: MonthlyWage, by: User) -> None:
    """Reopen a resolved flag on a new short report: it shows that report's figure. The
    coordinators were told when the flag opened; it is back on their list, not re-sent."""
    before = {"resolved_source": flag.resolved_source, "resolved_actual": flag.resolved_actual}
    flag.actual, flag.source = wage.gross, wage.source
    flag.resolved_at, flag.resolved_source, flag.resolved_actual = None, "", None
    flag.resolved_by = None
    _flag_saved(
        flag,
        by=by,
        action="employment.wage_gap_reopened",
        fields=[
            "actual",
            "source",
            "resolved_at",
            "resolved_source",
            "resolved_actual",
            "resolved_by",
        ],
        actual=wage.gross,
        source=wage.source,
        was=before,
    )


def _flag_saved(flag: WageGapFlag, *, by: User, action: str, fields: list[str], **changes) -> None:
    """Save ``fields`` of ``flag`` and audit ``action`` with the flag, its month and ``changes``."""
    flag.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=by,
        action=action,
        target=flag.employment,
        changes={"flag": flag.pk, "month": flag.month.isoformat(), **changes},
    )


# --- what the worker reports themself (their personal link) -----------------------------------


@transaction.atomic
def record_reported_by_worker(
    *,
    employment: Employment,
    kind: str,
    occurred_on: dt.date,
    employer_name: str = "",
    workplace: Region | None = None,
    monthly_wage: int | None = None,
    note: str = "",
) -> EmploymentEvent:
    """Record a 在岗确认, or a 换岗 to an employer typed in by name with its county, that the
    worker reports themself on their own page. There is no acting user: the caller
    (``selfservice.services``) has checked the worker's live personal link, which authorises
    this one employment only, so the event and its audit row name no one."""
    if kind == EventKind.CONFIRMED:
        values = {"note": note.strip()}
    elif kind == EventKind.JOB_CHANGE:
        values = _job_values(
            employment=employment,
            same_employer=False,
            employer=None,
            employer_name=employer_name,
            workplace=workplace,
            monthly_wage=monthly_wage,
            required=True,
            note=note,
        )
    else:
        raise ValueError(f"a worker does not report {kind!r} themself")
    return _record(
        actor=None,
        employment=employment,
        kind=kind,
        occurred_on=occurred_on,
        scope=Employment.objects.filter(pk=employment.pk),
        values=values,
    )
