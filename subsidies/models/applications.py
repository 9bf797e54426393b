"""Eligibility results and applications.

``EligibilityResult`` is the stored answer of ``subsidies.eligibility`` for one worker under
one policy, written by an :class:`EligibilityRun` (Celery) so that pages of 50,000 people
are one indexed read. ``Application`` is one person's claim under one policy; it copies the
policy's kind and year so the database can refuse a second subsidy of a kind in a year.
The approval chain's steps (village list → township review → notices → county) move
``status``; their records live beside this module (``chain.py``, ``payments.py``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.background import BackgroundRun
from subsidies.models.policies import DestinationZone, EvidenceKind, Policy, PolicyKind


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("符合条件")
    NOT_YET = "not_yet", _("暂未满足")
    NOT_ELIGIBLE = "not_eligible", _("不符合条件")


class EligibilityRunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class EligibilityRun(BackgroundRun):
    """One computation of a policy's eligibility for a county (Celery, progress bar)."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("补贴政策"), on_delete=models.CASCADE, related_name="+"
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=EligibilityRunStatus.choices,
        default=EligibilityRunStatus.QUEUED,
    )
    as_of = models.DateField(_("计算基准日"))
    counts = models.JSONField(_("统计"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("资格计算")
        verbose_name_plural = _("资格计算")
        indexes = [models.Index(fields=["policy", "county", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100),
                name="eligibility_run_progress_percent_max_100",
            ),
            # One live run per county and policy (the service answers "already running").
            models.UniqueConstraint(
                fields=["policy", "county"],
                condition=models.Q(status__in=["queued", "running"]),
                name="eligibility_run_one_live",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.county_id} · {self.get_status_display()}"


class EligibilityResult(models.Model):
    """One worker's eligibility under one policy, as of ``as_of``.

    ``reasons`` lists the failed conditions as ``[message key, params]`` pairs, rendered in
    the reader's language by ``subsidies.reasons``; ``eligible_on`` is the day a
    *not yet* worker becomes eligible if nothing changes.
    """

    policy = models.ForeignKey(
        Policy,
        verbose_name=_("补贴政策"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique (policy, worker) index leads with it
    )
    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.CASCADE,
        related_name="+",
        # Results are looked up by policy first; an index per worker would only cost writes
        # (5 → 3 indexes: the 50,000-row COPY of a county's run).
        db_index=False,
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    outcome = models.CharField(_("结果"), max_length=12, choices=EligibilityOutcome.choices)
    eligible_on = models.DateField(_("预计符合日期"), null=True, blank=True)
    reasons = models.JSONField(_("原因"), default=list, blank=True)
    zone = models.CharField(
        _("务工地区"), max_length=24, choices=DestinationZone.choices, blank=True
    )
    amount = models.PositiveIntegerField(_("金额（元）"), null=True, blank=True)
    months_continuous = models.PositiveSmallIntegerField(_("连续务工月数"), default=0)
    as_of = models.DateField(_("计算基准日"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["policy_id", "county_id", "outcome", "worker_id"]
        verbose_name = _("资格结果")
        verbose_name_plural = _("资格结果")
        indexes = [models.Index(fields=["policy", "county", "outcome"])]
        constraints = [
            models.UniqueConstraint(fields=["policy", "worker"], name="eligibility_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} · {self.get_outcome_display()}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("待提交")
    VILLAGE_LISTED = "village_listed", _("村级已登记")
    TOWNSHIP_REVIEWED = "township_reviewed", _("乡镇已初审")
    TOWNSHIP_NOTICE = "township_notice", _("乡镇公示中")
    COUNTY_VERIFIED = "county_verified", _("县级已核实")
    COUNTY_NOTICE = "county_notice", _("县级公示中")
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已发放")
    PAYMENT_FAILED = "payment_failed", _("发放失败")
    CLAWED_BACK = "clawed_back", _("已追回")
    SENT_BACK = "sent_back", _("已退回")
    REJECTED = "rejected", _("不予通过")
    WITHDRAWN = "withdrawn", _("已撤回")


# An application in one of these states no longer holds the person's place for the year.
APPLICATION_CLOSED = (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)
# States whose amount is fixed (frozen from the rule at approval).
APPLICATION_AMOUNT_FROZEN = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.PAID,
    ApplicationStatus.PAYMENT_FAILED,
    ApplicationStatus.CLAWED_BACK,
)


class ApplicationSource(models.TextChoices):
    AUTOMATIC = "automatic", _("免申即享")
    OFFICER = "officer", _("工作人员逐一申报")


class Application(models.Model):
    """One person's claim under one policy.

    ``policy_kind`` and ``policy_year`` copy the policy's so that the database enforces one
    subsidy of a kind per person per policy year (rejected or withdrawn claims excepted).
    ``amount`` is the rule's amount for the worker's destination when created; at approval
    ``amount_frozen`` fixes what is paid, whatever the rule says later.
    """

    policy = models.ForeignKey(
        Policy, verbose_name=_("补贴政策"), on_delete=models.PROTECT, related_name="applications"
    )
    policy_kind = models.CharField(_("补贴类别"), max_length=24, choices=PolicyKind.choices)
    policy_year = models.PositiveSmallIntegerField(_("政策年度"))
    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.PROTECT,
        related_name="subsidy_applications",
        db_index=False,
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    village_name = models.CharField(_("村（社区）"), max_length=50, blank=True)
    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidy_applications",
    )
    # What the public notice lists (务工时间（起止）、务工地点、务工单位), copied at creation.
    work_started_on = models.DateField(_("务工起始日"), null=True, blank=True)
    work_ended_on = models.DateField(_("务工截止日"), null=True, blank=True)
    workplace = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("务工地点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer_name = models.CharField(_("务工单位"), max_length=120, blank=True)
    months_worked = models.PositiveSmallIntegerField(_("连续务工月数"), default=0)
    zone = models.CharField(
        _("务工地区"), max_length=24, choices=DestinationZone.choices, blank=True
    )
    amount = models.PositiveIntegerField(_("补贴金额（元）"))
    amount_frozen = models.PositiveIntegerField(_("核定金额（元）"), null=True, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
    )
    status_changed_at = models.DateTimeField(_("状态变更时间"), null=True, blank=True)
    source = models.CharField(_("申报方式"), max_length=10, choices=ApplicationSource.choices)
    pledge_signed_on = models.DateField(_("承诺书签署日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")
        indexes = [
            models.Index(fields=["county", "policy", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "policy_kind", "policy_year"],
                condition=~models.Q(status__in=["rejected", "withdrawn"]),
                name="application_one_per_person_kind_year",
            ),
            models.CheckConstraint(
                condition=~models.Q(
                    status__in=["approved", "paid", "payment_failed", "clawed_back"]
                )
                | models.Q(amount_frozen__isnull=False),
                name="application_amount_frozen_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.worker_id} · {self.get_status_display()}"


# The associated data documents are sealed with (``laborbridge.crypto``).
EVIDENCE_PURPOSE = b"laborbridge:subsidy-evidence:v1"


class ApplicationEvidence(models.Model):
    """A document attached to an application, stored encrypted in the database (private:
    downloaded only through the application's scope check), or a signed pledge's scan."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("补贴申请"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=EvidenceKind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=60)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    file_data = models.BinaryField(_("文件（密文）"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    # What `manage.py rotate_keys` re-encrypts.
    encrypted_fields = {"file_data": EVIDENCE_PURPOSE}

    class Meta:
        ordering = ["application_id", "created_at", "id"]
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"
