"""A placed worker's dated employment history after the gate check-in.

The arrival (到岗) is the ``workers.Employment`` row itself (its ``started_on``); the events
here follow it. The current state and the months worked are derived by ``placement.history``,
never stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.models.records import Timestamped, acting_user
from placement.export_models import PovertyExport  # noqa: F401 (the poverty export run, issue 13)


class EventKind(models.TextChoices):
    CONFIRMED = "confirmed", _("在岗确认")
    JOB_CHANGE = "job_change", _("换岗")
    LEFT = "left", _("离职")
    RETURNED_HOME = "returned_home", _("返乡")
    WENT_OUT = "went_out", _("再次外出")


class LeavingReason(models.TextChoices):
    WAGE = "wage", _("工资待遇")
    WAGE_ARREARS = "wage_arrears", _("欠薪")
    CONDITIONS = "conditions", _("工作环境或强度")
    HEALTH = "health", _("身体原因或工伤")
    FAMILY = "family", _("家庭原因")
    CONTRACT = "contract", _("合同到期或未签")
    DISMISSED = "dismissed", _("企业辞退或停产")
    OTHER = "other", _("其他")


class EmploymentEvent(Timestamped):
    """One dated entry of a placed worker's history (written by ``placement.services``)."""

    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    kind = models.CharField(_("类型"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("日期"))
    # The new job of a 换岗 (or of a 再次外出 when known): an employer on the platform, or
    # one typed in by name; its workplace down to the county and its monthly wage.
    employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("平台企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer_name = models.CharField(_("企业名称"), max_length=120, blank=True)
    workplace = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("务工地点（县区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    monthly_wage = models.PositiveIntegerField(_("月工资（元）"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=20, choices=LeavingReason.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    recorded_by = acting_user(_("记录人"))

    class Meta:
        ordering = ["occurred_on", "id"]
        verbose_name = _("就业事件")
        verbose_name_plural = _("就业事件")
        indexes = [models.Index(fields=["employment", "occurred_on", "id"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_wage__isnull=True) | models.Q(monthly_wage__gt=0),
                name="employment_event_wage_positive",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="job_change")
                | models.Q(employer__isnull=False)
                | ~models.Q(employer_name=""),
                name="employment_event_job_change_names_employer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class WageSource(models.TextChoices):
    FOLLOW_UP = "follow_up", _("回访")
    ROSTER = "roster", _("工资花名册")
    WORKER = "worker", _("本人反映")


class MonthlyWage(Timestamped):
    """The pay a placed worker actually got for one month, as one source reports it.

    One row per employment × month × source (a second report from the same source, e.g. a
    corrected roster, replaces the first). Written by ``placement.services.record_actual_wage``.
    """

    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.PROTECT,
        related_name="wages",
    )
    month = models.DateField(_("月份"), help_text=_("该月的第一天。"))
    gross = models.PositiveIntegerField(_("应发工资（元）"))
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=20, choices=WageSource.choices)
    recorded_by = acting_user(_("记录人"))

    class Meta:
        ordering = ["employment", "-month", "source"]
        verbose_name = _("实发工资")
        verbose_name_plural = _("实发工资")
        constraints = [
            models.UniqueConstraint(
                fields=["employment", "month", "source"], name="monthly_wage_one_per_source"
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="monthly_wage_month_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.gross}"


class WageGapFlag(Timestamped):
    """A month whose actual pay fell short of the promised wage by more than the threshold
    (``settings.WAGE_GAP_THRESHOLD``); one per employment and month, and its coordinator
    notice is sent when it is created — never twice.

    A later report of the same month from a follow-up or the wage roster that is within the
    threshold resolves it (``resolved_at``, and why: that report's source and amount); a
    later report short again reopens it."""

    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.PROTECT,
        related_name="wage_flags",
    )
    month = models.DateField(_("月份"))
    promised = models.PositiveIntegerField(_("承诺月工资（元）"))
    actual = models.PositiveIntegerField(_("实发工资（元）"))
    source = models.CharField(_("来源"), max_length=20, choices=WageSource.choices)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    resolved_source = models.CharField(
        _("解除依据"), max_length=20, choices=WageSource.choices, blank=True
    )
    resolved_actual = models.PositiveIntegerField(_("解除时实发工资（元）"), null=True, blank=True)
    resolved_by = acting_user(_("解除依据的报告人"))

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("工资差距提示")
        verbose_name_plural = _("工资差距提示")
        constraints = [
            models.UniqueConstraint(fields=["employment", "month"], name="wage_gap_one_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.actual}/{self.promised}"

    @property
    def gap_percent(self) -> int:
        """Return how far the actual pay fell short, in whole percent of the promise."""
        return round(100 * (self.promised - self.actual) / self.promised)

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def resolved_gap_percent(self) -> int | None:
        """Return the gap of the report that resolved the flag (negative: paid above)."""
        if self.resolved_actual is None:
            return None
        return round(100 * (self.promised - self.resolved_actual) / self.promised)
