"""Follow-ups (回访) of placed workers: per-campaign schedules, the follow-up tasks and the
runs that generate them.

A follow-up is one task for one named person (``assignee``) about one employment record:
a scheduled visit (``period`` ``w1`` for the first week, ``m1``/``m3``/``m6`` … months after
arrival) or the monthly working-status census (``period`` ``YYYY-MM``). The pair
(employment, kind, period) is unique, so generating twice adds nothing. ``home_county`` and
``work_district`` copy the worker's county and the arrival employer's district so that lists
of 100,000 follow-ups are scoped without joins (an employment's arrival employer never
changes; a job change is an event of its history).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.background import BackgroundRun
from laborbridge.models.records import Timestamped, acting_user

DEFAULT_MONTHS = (1, 3, 6)


def default_months() -> list[int]:
    return list(DEFAULT_MONTHS)


class FollowUpKind(models.TextChoices):
    SCHEDULED = "scheduled", _("定期回访")
    CENSUS = "census", _("月度在岗摸底")


class FollowUpSide(models.TextChoices):
    WEST = "west", _("西部县级工作人员")
    EAST = "east", _("东部工作站联络员")


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    VISIT = "visit", _("走访")
    WECHAT = "wechat", _("微信")
    SELF_PAGE = "self_page", _("本人页面")


class HousingFood(models.TextChoices):
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class Problem(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("欠薪")
    INJURY = "injury", _("工伤")
    NO_CONTRACT = "no_contract", _("合同未签")
    WANTS_HOME = "wants_home", _("想返乡")
    JOB_CHANGE = "job_change", _("换岗")


class FollowUpSchedule(Timestamped):
    """A campaign's follow-up points; a campaign without one uses the defaults."""

    campaign = models.OneToOneField(
        "laborbridge.Campaign",
        verbose_name=_("招聘行动"),
        on_delete=models.CASCADE,
        related_name="followup_schedule",
    )
    first_week = models.BooleanField(_("到岗首周回访"), default=True)
    months = models.JSONField(_("到岗后第几个月回访"), default=default_months)
    census = models.BooleanField(_("每月在岗摸底"), default=True)
    due_days = models.PositiveSmallIntegerField(_("回访期限（天）"), default=7)
    census_due_day = models.PositiveSmallIntegerField(_("摸底截止日（每月几号）"), default=25)
    updated_by = acting_user(_("修改人"))

    class Meta:
        ordering = ["campaign_id"]
        verbose_name = _("回访计划")
        verbose_name_plural = _("回访计划")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_days__gte=1, due_days__lte=60),
                name="followup_schedule_due_days_range",
            ),
            models.CheckConstraint(
                condition=models.Q(census_due_day__gte=1, census_due_day__lte=28),
                name="followup_schedule_census_day_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.campaign)


class FollowUp(Timestamped):
    """One follow-up task of one placed worker for a named person, and its record."""

    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.CASCADE,
        related_name="followups",
        # The unique (employment, kind, period) index serves lookups by employment.
        db_index=False,
    )
    kind = models.CharField(_("类型"), max_length=10, choices=FollowUpKind.choices)
    period = models.CharField(_("回访节点"), max_length=10)
    due_on = models.DateField(_("截止日期"))
    assignee = acting_user(
        _("负责人"),
        related_name="followups",
        db_index=False,  # followup_assignee_due leads with it
    )
    side = models.CharField(_("负责方"), max_length=4, choices=FollowUpSide.choices)
    home_county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("户籍县区"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # followup_county_due leads with it
    )
    work_district = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("务工县区"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # followup_district_due leads with it
    )
    # The record
    reached = models.BooleanField(_("是否联系上"), null=True, blank=True)
    contact_method = models.CharField(
        _("联系方式"), max_length=10, choices=ContactMethod.choices, blank=True
    )
    still_employed = models.BooleanField(_("是否仍在岗"), null=True, blank=True)
    wage_last_month = models.PositiveIntegerField(_("上月实发工资（元）"), null=True, blank=True)
    housing_food = models.CharField(
        _("食宿情况"), max_length=10, choices=HousingFood.choices, blank=True
    )
    problems = models.JSONField(_("反映的问题"), default=list, blank=True)
    next_action = models.TextField(_("下一步措施"), blank=True)
    note = models.TextField(_("说明"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    recorded_by = acting_user(_("记录人"))
    # The day the assignee was last reminded of it being overdue (at most once a day).
    reminded_on = models.DateField(_("最近提醒日期"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        constraints = [
            models.UniqueConstraint(
                fields=["employment", "kind", "period"], name="followup_once_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(wage_last_month__isnull=True) | models.Q(wage_last_month__gt=0),
                name="followup_wage_positive",
            ),
        ]
        indexes = [
            # "my follow-ups": open ones by due date; done ones by due date too
            models.Index(fields=["assignee", "done_at", "due_on"], name="followup_assignee_due"),
            models.Index(fields=["home_county", "done_at", "due_on"], name="followup_county_due"),
            models.Index(
                fields=["work_district", "done_at", "due_on"], name="followup_district_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def problem_labels(self) -> list[str]:
        labels = dict(Problem.choices)
        return [str(labels.get(code, code)) for code in self.problems]


class FollowUpRun(BackgroundRun):
    """One generation of follow-ups as of a day (the beat task queues one a day)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    as_of = models.DateField(_("生成日期"))
    scheduled_created = models.PositiveIntegerField(_("新增定期回访"), default=0)
    census_created = models.PositiveIntegerField(_("新增在岗摸底"), default=0)
    reminders_sent = models.PositiveIntegerField(_("逾期提醒"), default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("回访生成任务")
        verbose_name_plural = _("回访生成任务")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100), name="followup_run_percent_max"
            ),
            # One live generation at a time (run_create turns the IntegrityError into RunBusy).
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status__in=["queued", "running"]),
                name="followup_run_one_live",
            ),
        ]
