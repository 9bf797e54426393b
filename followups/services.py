"""Writes of follow-ups: generate the schedule (a run of the background kit), record a
follow-up (feeding the employment history), remind of overdue ones, set a campaign's schedule.

Assignment rule — who is the named person of a follow-up:

* a **scheduled** follow-up (first week, 1 / 3 / 6 months …) goes to the **liaison** of the
  eastern workstation: a liaison of a pairing whose western region holds the worker's county
  and whose districts (or, none chosen, whose eastern region) hold the arrival employer's
  district — one who chose that district before one who covers the whole side, then the
  earliest account. With no such liaison it goes to the county official (below);
* the monthly **census** goes to the **county official** of the worker's home county (the
  county reports the count): the earliest active official account of that county; with none,
  to the liaison as above;
* with neither, the follow-up has no assignee: every official and liaison who sees it may
  still record it, and it is counted on the coordinator's side.

The assignee is fixed when the follow-up is created; scope (who may see and record it) is
``laborbridge.access.followups_visible_to``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from followups import messages as followup_messages
from followups.models import (
    DEFAULT_MONTHS,
    ContactMethod,
    FollowUp,
    FollowUpKind,
    FollowUpRun,
    FollowUpSchedule,
    FollowUpSide,
    HousingFood,
    Problem,
)
from jobs.models import Employer, Vacancy
from laborbridge import access
from laborbridge.background import RUNNING, BackgroundJob, RunBusy, run_create, stage_spans
from laborbridge.models import Campaign, Pairing, Role, User
from laborbridge.notifications.services import Audience, notify
from laborbridge.services import audit_record
from placement import history
from placement import services as placement_services
from placement.models import WageSource
from workers.models import Employment, EmploymentStatus, Worker

TASK_NAME = "followups.generate"
STAGES = {"load": (0, 5), "generate": (5, 95), "remind": (95, 100)}
RUNS = BackgroundJob(model=FollowUpRun, stage_span=stage_spans(STAGES), task_name=TASK_NAME)
# Rows per INSERT: a read chunk's missing rows (up to ~1.5 per employment) in one statement;
# 150,000 rows at 100,000 placed workers take ~20 s in all with the reads (bench/RESULTS.md).
BATCH = 10000
# Employment rows read (and their follow-ups written) per round: one chunk's model
# instances stay well under 50 MB.
READ_CHUNK = 5000
# A scheduled follow-up appears this many days before its point, so it can be planned.
LEAD_DAYS = 7
# A point whose deadline passed longer ago than this is not created any more (a placement
# recorded late): the monthly census asks the same question.
STALE_DAYS = 31
MAX_MONTH_POINT = 36


@dataclass(frozen=True)
class Rule:
    """A campaign's schedule as plain values (defaults: first week, 1, 3, 6 months, census)."""

    first_week: bool = True
    months: tuple[int, ...] = DEFAULT_MONTHS
    census: bool = True
    due_days: int = 7
    census_due_day: int = 25

    @classmethod
    def of(cls, schedule: FollowUpSchedule) -> Rule:
        return cls(
            first_week=schedule.first_week,
            months=tuple(sorted({int(m) for m in schedule.months})),
            census=schedule.census,
            due_days=schedule.due_days,
            census_due_day=schedule.census_due_day,
        )


DEFAULT_RULE = Rule()


def schedule_points(rule: Rule, started_on: dt.date) -> list[tuple[str, dt.date]]:
    """Return the scheduled points (period, day) of an arrival on ``started_on``."""
    points = []
    if rule.first_week:
        points.append(("w1", started_on + dt.timedelta(days=7)))
    points += [(f"m{m}", history.add_months(started_on, m)) for m in rule.months]
    return points


def census_period(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def census_due_on(rule: Rule, day: dt.date) -> dt.date:
    """Return the census deadline of ``day``'s month (the rule's day of that month)."""
    return day.replace(day=rule.census_due_day)


def period_label(kind: str, period: str) -> str:
    """Return a follow-up's point in words: 到岗首周, 到岗第3个月, 2026年12月在岗摸底."""
    if kind == FollowUpKind.CENSUS:
        year, month = period.split("-")
        return _("%(year)s年%(month)s月在岗摸底") % {"year": year, "month": int(month)}
    if period == "w1":
        return _("到岗首周")
    return _("到岗第%(months)s个月") % {"months": period[1:]}


# --- assignment ---------------------------------------------------------------------------


class Assignees:
    """The assignment rule of the module docstring, answered from memory for many rows."""

    def __init__(self) -> None:
        active = User.objects.filter(is_active=True)
        self.officials: dict[str, int] = {}
        for pk, county in (
            active.filter(role=Role.COUNTY_OFFICIAL, county__isnull=False)
            .order_by("pk")
            .values_list("pk", "county_id")
        ):
            self.officials.setdefault(county, pk)
        pairings = {p.pk: p for p in Pairing.objects.select_related("east_region", "west_region")}
        districts: dict[int, set[str]] = defaultdict(set)
        liaisons = list(
            active.filter(role=Role.LIAISON, pairing__isnull=False)
            .order_by("pk")
            .values_list("pk", "pairing_id")
        )
        for user_id, region_id in User.districts.through.objects.filter(
            user_id__in=[pk for pk, _pairing in liaisons]
        ).values_list("user_id", "region_id"):
            districts[user_id].add(region_id)
        # (pk, west prefix, chosen districts or None, east prefix)
        self.liaisons = [
            (
                pk,
                pairings[pairing].west_region.prefix,
                districts.get(pk) or None,
                pairings[pairing].east_region.prefix,
            )
            for pk, pairing in liaisons
        ]
        self._liaison_cache: dict[tuple[str, str], int | None] = {}

    def liaison(self, county: str, district: str) -> int | None:
        key = (county, district)
        if key not in self._liaison_cache:
            specific = whole = None
            for pk, west, chosen, east in self.liaisons:
                if not county.startswith(west):
                    continue
                if chosen is not None and district in chosen and specific is None:
                    specific = pk
                elif chosen is None and district.startswith(east) and whole is None:
                    whole = pk
            self._liaison_cache[key] = specific if specific is not None else whole
        return self._liaison_cache[key]

    def assign(self, kind: str, county: str, district: str) -> tuple[int | None, str]:
        """Return (assignee id or None, side) of a follow-up of ``kind``."""
        official = self.officials.get(county)
        liaison = self.liaison(county, district)
        if kind == FollowUpKind.SCHEDULED and liaison is not None:
            return liaison, FollowUpSide.EAST
        if official is not None:
            return official, FollowUpSide.WEST
        if liaison is not None:
            return liaison, FollowUpSide.EAST
        return None, FollowUpSide.WEST


# --- generation ---------------------------------------------------------------------------


def _rules() -> dict[int, Rule]:
    return {s.campaign_id: Rule.of(s) for s in FollowUpSchedule.objects.all()}


def _insert(rows: list[FollowUp]) -> int:
    # ignore_conflicts: the unique (employment, kind, period) makes a second run harmless
    # even if two ever overlapped; the caller already left out the pairs that exist.
    for start in range(0, len(rows), BATCH):
        FollowUp.objects.bulk_create(rows[start : start + BATCH], ignore_conflicts=True)
    return len(rows)


class _Points:
    """The scheduled points (period, due day) of an arrival that fall in the generation's
    window, and the census deadline, per (rule, arrival day): 100,000 employments share a
    few hundred arrival days, so the date arithmetic runs once per day, not once per row."""

    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.stale = as_of - dt.timedelta(days=STALE_DAYS)
        self._cache: dict[tuple[Rule, dt.date], tuple[tuple[str, dt.date], ...]] = {}

    def scheduled(self, rule: Rule, started_on: dt.date) -> tuple[tuple[str, dt.date], ...]:
        key = (rule, started_on)
        points = self._cache.get(key)
        if points is None:
            points = tuple(
                (period, point + dt.timedelta(days=rule.due_days))
                for period, point in schedule_points(rule, started_on)
                if point - dt.timedelta(days=LEAD_DAYS) <= self.as_of
                and point + dt.timedelta(days=rule.due_days) >= self.stale
            )
            self._cache[key] = points
        return points

    def census_due(self, rule: Rule) -> dt.date:
        return max(census_due_on(rule, self.as_of), self.as_of)


def followups_generate(
    *, as_of: dt.date, progress: Callable[[str, float], None] | None = None
) -> tuple[int, int]:
    """Create the follow-ups due around ``as_of`` for every employment at work: scheduled
    points from ``LEAD_DAYS`` ahead back to ``STALE_DAYS`` overdue, and this month's census.
    Return (scheduled created, census created); running it again creates nothing.

    Employments are read ``READ_CHUNK`` at a time by primary key and each chunk's rows are
    written before the next is read, so memory stays flat at 100,000 placed workers. Per
    chunk: one read of the employments, one read of the follow-ups of the chunk's points that
    exist already, one INSERT of the missing ones (rows are built only for those).
    """
    report = progress or (lambda stage, fraction: None)
    report("load", 0.0)
    rules = _rules()
    assignees = Assignees()
    points = _Points(as_of)
    # The chunk's query reads the employment table alone (a range of its primary key); the
    # employers' districts and the vacancies' campaigns (few) come from memory, the workers'
    # counties from one lookup by primary key per chunk, so no query joins the big tables.
    employments = (
        Employment.objects.filter(status=EmploymentStatus.EMPLOYED, started_on__lte=as_of)
        .order_by("pk")
        .values_list("pk", "started_on", "worker_id", "employer_id", "vacancy_id")
    )
    districts = dict(Employer.objects.values_list("pk", "district_id"))
    campaigns = dict(Vacancy.objects.values_list("pk", "campaign_id"))
    total = employments.count() or 1
    period = census_period(as_of)
    scheduled_kind, census_kind = FollowUpKind.SCHEDULED.value, FollowUpKind.CENSUS.value
    scheduled = census = seen = 0
    last_pk = 0
    while True:
        chunk = list(employments.filter(pk__gt=last_pk)[:READ_CHUNK])
        if not chunk:
            break
        last_pk = chunk[-1][0]
        counties = dict(
            Worker.objects.filter(pk__in={row[2] for row in chunk}).values_list(
                "pk", "home_county_id"
            )
        )
        # (employment, county, district, kind, period, due) of every point of the chunk
        wanted: list[tuple[int, str, str, str, str, dt.date]] = []
        for pk, started_on, worker, employer, vacancy in chunk:
            county, district = counties[worker], districts[employer]
            rule = rules.get(campaigns.get(vacancy), DEFAULT_RULE)
            for point_period, due in points.scheduled(rule, started_on):
                wanted.append((pk, county, district, scheduled_kind, point_period, due))
            if rule.census:
                wanted.append((pk, county, district, census_kind, period, points.census_due(rule)))
        if wanted:
            existing = set(
                FollowUp.objects.filter(
                    employment_id__gte=chunk[0][0],
                    employment_id__lte=last_pk,
                    period__in={row[4] for row in wanted},
                ).values_list("employment_id", "kind", "period")
            )
            rows = []
            for pk, county, district, kind, point_period, due in wanted:
                if (pk, kind, point_period) in existing:
                    continue
                assignee, side = assignees.assign(kind, county, district)
                rows.append(
                    FollowUp(
                        employment_id=pk,
                        kind=kind,
                        period=point_period,
                        due_on=due,
                        assignee_id=assignee,
                        side=side,
                        home_county_id=county,
                        work_district_id=district,
                    )
                )
                if kind == census_kind:
                    census += 1
                else:
                    scheduled += 1
            _insert(rows)
        seen += len(chunk)
        report("generate", seen / total)
    return scheduled, census


def followups_remind_overdue(*, today: dt.date) -> int:
    """Leave each assignee one message naming how many of their follow-ups are overdue;
    a follow-up is counted in at most one reminder a day. Return the messages left."""
    overdue = FollowUp.objects.filter(
        done_at=None, due_on__lt=today, assignee__isnull=False
    ).exclude(reminded_on=today)
    sent = 0
    with transaction.atomic():
        per_assignee = list(
            overdue.values("assignee_id")
            .annotate(n=Count("id"), oldest=Min("due_on"))
            .order_by("assignee_id")
        )
        for row in per_assignee:
            notify(
                key=followup_messages.OVERDUE,
                params={"count": row["n"], "oldest": row["oldest"].isoformat()},
                audiences=[Audience.user(row["assignee_id"])],
                actor=None,
            )
            sent += 1
        overdue.update(reminded_on=today)
    return sent


# --- the run (background kit) -------------------------------------------------------------


@transaction.atomic
def followup_run_create(*, actor: User | None = None, as_of: dt.date | None = None) -> FollowUpRun:
    """Queue a generation of follow-ups as of ``as_of`` (today); refused while one is live."""
    if actor is not None and not access.is_admin(actor):
        raise PermissionDenied(_("只有系统管理员可以手动生成回访。"))
    as_of = as_of or timezone.localdate()
    live_statuses = [FollowUpRun.Status.QUEUED, FollowUpRun.Status.RUNNING]
    return run_create(
        job=RUNS,
        create=lambda: FollowUpRun.objects.create(as_of=as_of, created_by=actor),
        live=lambda: FollowUpRun.objects.filter(status__in=live_statuses).first(),
        busy=lambda _run: RunBusy(_("回访正在生成，请稍候。")),
    )


def followup_run_execute(pk: int, task_id: str) -> None:
    """Run a queued generation (the task's body): generate, remind, then finish the row.

    Inserts are not held in one transaction with the finish: they are idempotent (unique per
    employment, kind and period), so a redelivered run simply adds what is still missing.
    """
    claim = RUNS.claim(pk, task_id)
    if claim is None:
        return
    progress = RUNS.progress(claim)
    run = FollowUpRun.objects.get(pk=pk)
    scheduled, census = followups_generate(as_of=run.as_of, progress=progress)
    progress("remind", 0.0)
    reminders = followups_remind_overdue(today=run.as_of)
    with transaction.atomic():
        locked = FollowUpRun.objects.select_for_update().get(pk=pk)
        if locked.attempt != claim.attempt or locked.status != RUNNING:
            return  # a newer attempt owns the row
        now = timezone.now()
        FollowUpRun.objects.filter(pk=pk).update(
            status=FollowUpRun.Status.DONE,
            scheduled_created=scheduled,
            census_created=census,
            reminders_sent=reminders,
            progress_stage="done",
            progress_percent=100,
            finished_at=now,
            updated_at=now,
        )


# --- recording ----------------------------------------------------------------------------


def _previous_month(day: dt.date) -> dt.date:
    return history.add_months(day.replace(day=1), -1)


def _clean_record(
    *,
    followup: FollowUp,
    reached: bool,
    contact_method: str,
    still_employed: bool | None,
    wage_last_month: int | None,
    housing_food: str,
    problems: list[str],
    today: dt.date,
) -> None:
    errors: dict[str, str] = {}
    if contact_method not in ContactMethod.values:
        errors["contact_method"] = _("请选择联系方式。")
    if housing_food and housing_food not in HousingFood.values:
        errors["housing_food"] = _("食宿情况不正确。")
    unknown = [p for p in problems if p not in Problem.values]
    if unknown:
        errors["problems"] = _("问题类型不正确。")
    if reached:
        if still_employed is None:
            errors["still_employed"] = _("联系上时请填写是否仍在岗。")
    elif still_employed is not None or wage_last_month is not None or problems:
        errors["reached"] = _("未联系上时不能填写在岗、工资或问题。")
    if wage_last_month is not None:
        if wage_last_month <= 0 or wage_last_month > 1_000_000:
            errors["wage_last_month"] = _("上月实发工资须为大于 0 的整数（元）。")
        elif _previous_month(today) < followup.employment.started_on.replace(day=1):
            errors["wage_last_month"] = _("到岗不满一个月，还没有上月工资。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def followup_record(
    *,
    actor: User,
    followup: FollowUp,
    reached: bool,
    contact_method: str,
    still_employed: bool | None = None,
    wage_last_month: int | None = None,
    housing_food: str = "",
    problems: Iterable[str] = (),
    next_action: str = "",
    note: str = "",
) -> FollowUp:
    """Record a follow-up once, then feed the employment history: a worker still at the job
    gets a 在岗确认 of today, a wage paid last month goes to the actual wages (which flags a
    gap to the coordinators); problems are told to the pairing's coordinators and liaisons."""
    if not access.followups_recordable_by(actor).filter(pk=followup.pk).exists():
        raise PermissionDenied(_("您无权记录该回访。"))
    followup = (
        FollowUp.objects.select_for_update()
        .select_related("employment", "employment__worker", "employment__employer")
        .get(pk=followup.pk)
    )
    if followup.done_at is not None:
        raise ValidationError(_("该回访已记录，不能重复记录。"), code="done")
    problems = list(dict.fromkeys(problems))
    today = timezone.localdate()
    _clean_record(
        followup=followup,
        reached=reached,
        contact_method=contact_method,
        still_employed=still_employed,
        wage_last_month=wage_last_month,
        housing_food=housing_food,
        problems=problems,
        today=today,
    )
    employment = followup.employment
    followup.reached = reached
    followup.contact_method = contact_method
    followup.still_employed = still_employed if reached else None
    followup.wage_last_month = wage_last_month if reached else None
    followup.housing_food = housing_food
    followup.problems = problems
    followup.next_action = next_action.strip()
    followup.note = note.strip()
    followup.done_at = timezone.now()
    followup.recorded_by = actor
    followup.save(
        update_fields=[
            "reached",
            "contact_method",
            "still_employed",
            "wage_last_month",
            "housing_food",
            "problems",
            "next_action",
            "note",
            "done_at",
            "recorded_by",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="followup.record",
        target=followup,
        changes={
            "employment": employment.pk,
            "reached": reached,
            "contact_method": contact_method,
            "still_employed": followup.still_employed,
            "wage_last_month": followup.wage_last_month,
            "problems": problems,
        },
    )
    if reached and still_employed and employment.status == EmploymentStatus.EMPLOYED:
        placement_services.record_confirmation(
            actor=actor, employment=employment, occurred_on=today, note=followup.note
        )
    if reached and followup.wage_last_month is not None:
        placement_services.record_actual_wage(
            employment=employment,
            month=_previous_month(today),
            amount=followup.wage_last_month,
            source=WageSource.FOLLOW_UP,
            by=actor,
        )
    if problems:
        _problems_notify(actor=actor, followup=followup, problems=problems)
    return followup


def _problems_notify(*, actor: User, followup: FollowUp, problems: list[str]) -> None:
    pairing = placement_services.employment_pairing(followup.employment)
    if pairing is None:
        return
    worker = followup.employment.worker
    notify(
        key=followup_messages.PROBLEMS,
        params={
            "name": worker.name,
            "id": worker.id_number_masked,
            "employer": followup.employment.employer.name,
            "problems": problems,
            "followup_id": followup.pk,
            "worker_id": worker.pk,
        },
        audiences=[Audience.pairing(pairing.pk), Audience.liaisons(pairing.pk)],
        cause=followup,
        actor=actor,
    )


# --- schedule settings --------------------------------------------------------------------


def _clean_months(months: Iterable[int]) -> list[int]:
    try:
        values = sorted({int(m) for m in months})
    except (TypeError, ValueError):
        raise ValidationError({"months": _("月份须为整数。")}) from None
    if any(m < 1 or m > MAX_MONTH_POINT for m in values) or len(values) > 12:
        raise ValidationError(
            {"months": _("月份须在 1 到 %(max)s 之间，最多 12 个。") % {"max": MAX_MONTH_POINT}}
        )
    return values


@transaction.atomic
def followup_schedule_set(
    *,
    actor: User,
    campaign: Campaign,
    first_week: bool,
    months: Iterable[int],
    census: bool,
    due_days: int,
    census_due_day: int,
) -> FollowUpSchedule:
    """Set a campaign's follow-up schedule (coordinators of its pairing, admins); it applies
    to follow-ups generated from now on."""
    if not access.followup_campaigns_managed_by(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("您无权设置该招聘行动的回访计划。"))
    months = _clean_months(months)
    errors = {}
    if not 1 <= due_days <= 60:
        errors["due_days"] = _("回访期限须在 1 到 60 天之间。")
    if not 1 <= census_due_day <= 28:
        errors["census_due_day"] = _("摸底截止日须在每月 1 到 28 号之间。")
    if errors:
        raise ValidationError(errors)
    schedule, _created = FollowUpSchedule.objects.select_for_update().get_or_create(
        campaign=campaign
    )
    before = Rule.of(schedule)
    schedule.first_week = first_week
    schedule.months = months
    schedule.census = census
    schedule.due_days = due_days
    schedule.census_due_day = census_due_day
    schedule.updated_by = actor
    schedule.save()
    audit_record(
        actor=actor,
        action="followup_schedule.set",
        target=schedule,
        changes={
            "before": {"first_week": before.first_week, "months": list(before.months)},
            "first_week": first_week,
            "months": months,
            "census": census,
            "due_days": due_days,
            "census_due_day": census_due_day,
        },
    )
    return schedule


def schedule_for(campaign: Campaign) -> Rule:
    """Return the rule a campaign's follow-ups use (its schedule, or the defaults)."""
    schedule = FollowUpSchedule.objects.filter(campaign=campaign).first()
    return Rule.of(schedule) if schedule else DEFAULT_RULE
