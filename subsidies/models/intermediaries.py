"""Intermediaries (输转奖补): the labour agency or team leader who moved a county's workers.

A county records its agencies (劳务中介机构) and team leaders or labour brokers
(带头人 / 劳务经纪人) and which of its workers each one moved. The intermediary bonus of a
policy (e.g. Zhouqu 2020: ≥ 5 poor workers who stayed ≥ 3 months, 100 yuan a head) is then
computed from those workers' employment history (``subsidies.intermediary_bonus``), never
typed. A worker was moved by at most one intermediary.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.models.records import Timestamped, acting_user
from subsidies.models.policies import PolicyKind


class IntermediaryKind(models.TextChoices):
    AGENCY = "agency", _("劳务中介机构")
    TEAM_LEADER = "team_leader", _("带头人 / 劳务经纪人")


# Associated data of the encrypted ID number or credit code (laborbridge.crypto).
PURPOSE_INTERMEDIARY_ID = b"laborbridge:subsidy-intermediary-id:v1"


class Intermediary(Timestamped):
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称或姓名"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=IntermediaryKind.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Whom a bank pays: a team leader's resident ID number or an agency's unified social
    # credit code, encrypted like a worker's ID; the mask is what pages and exports show.
    id_code_encrypted = models.BinaryField(
        _("身份证号/统一社会信用代码（密文）"), null=True, editable=False
    )
    id_code_masked = models.CharField(_("身份证号/统一社会信用代码"), max_length=24, blank=True)
    created_by = acting_user(_("登记人"))

    # What `manage.py rotate_keys` re-encrypts.
    encrypted_fields = {"id_code_encrypted": PURPOSE_INTERMEDIARY_ID}

    class Meta:
        ordering = ["county_id", "name", "id"]
        verbose_name = _("输转中介")
        verbose_name_plural = _("输转中介")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="intermediary_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class IntermediaryReferral(Timestamped):
    """That ``intermediary`` moved ``worker`` (one intermediary per worker)."""

    intermediary = models.ForeignKey(
        Intermediary,
        verbose_name=_("输转中介"),
        on_delete=models.CASCADE,
        related_name="referrals",
    )
    worker = models.OneToOneField(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.CASCADE,
        related_name="intermediary_referral",
    )
    recorded_by = acting_user(_("登记人"))

    class Meta:
        ordering = ["intermediary_id", "id"]
        verbose_name = _("中介输转记录")
        verbose_name_plural = _("中介输转记录")

    def __str__(self) -> str:
        return f"{self.intermediary} → {self.worker_id}"


class IntermediaryBonusStatus(models.TextChoices):
    APPROVED = "approved", _("已审批")
    PAID = "paid", _("已发放")
    PAYMENT_FAILED = "payment_failed", _("发放失败")
    CLAWED_BACK = "clawed_back", _("已追回")
    REVOKED = "revoked", _("已撤销")


class IntermediaryBonus(Timestamped):
    """An intermediary's approved bonus under one policy: the amount computed from the workers
    it moved and frozen at approval, whatever the rule or the history say later.

    ``policy_kind`` and ``policy_year`` copy the policy's so that the database holds one bonus
    per intermediary per kind and policy year (a revoked one frees the place). The amount
    counts against the county's budget of the policy beside its workers' applications
    (``subsidies.approval.budget_used``).
    """

    policy = models.ForeignKey(
        "subsidies.Policy",
        verbose_name=_("补贴政策"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    policy_kind = models.CharField(_("补贴类别"), max_length=24, choices=PolicyKind.choices)
    policy_year = models.PositiveSmallIntegerField(_("政策年度"))
    intermediary = models.ForeignKey(
        Intermediary,
        verbose_name=_("输转中介"),
        on_delete=models.PROTECT,
        related_name="bonuses",
        db_index=False,  # the unique (intermediary, kind, year) index leads with it
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    workers_counted = models.PositiveIntegerField(_("符合条件人数"))
    # The workers who counted at approval (ids), so the frozen amount stays explained.
    worker_ids = models.JSONField(_("计入的劳动力"), default=list, blank=True)
    amount_frozen = models.PositiveIntegerField(_("核定金额（元）"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=IntermediaryBonusStatus.choices,
        default=IntermediaryBonusStatus.APPROVED,
    )
    approved_by = acting_user(_("审批人"))
    approved_at = models.DateTimeField(_("审批时间"))

    class Meta:
        ordering = ["-approved_at", "-id"]
        verbose_name = _("输转奖补")
        verbose_name_plural = _("输转奖补")
        indexes = [models.Index(fields=["county", "policy", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["intermediary", "policy_kind", "policy_year"],
                condition=~models.Q(status="revoked"),
                name="intermediary_bonus_one_per_kind_year",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_frozen__gt=0), name="intermediary_bonus_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intermediary_id} · {self.policy_year} · {self.amount_frozen}"
