"""Subsidy policies as data: who issued a rule and when, whom it pays, how much by
destination, on which conditions and evidence, and each county's budget under it.

Nothing of a rule is a code constant: a province with another amount, condition or evidence
list is a new row (the Gansu 2024 transport subsidy, Heilongjiang's 800 yuan, Qinghai's
1,000 yuan … ship as reference data, ``subsidies/reference_data/policies.json``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.models.records import Timestamped, acting_user


class PolicyKind(models.TextChoices):
    TRANSPORT = "transport", _("一次性交通补贴")
    JOB_RETENTION = "job_retention", _("稳岗补贴")
    JOB_SEEKING = "job_seeking", _("一次性求职补贴")
    INTERMEDIARY_BONUS = "intermediary_bonus", _("输转奖补")
    EMPLOYER_ABSORPTION = "employer_absorption", _("吸纳就业补贴")


class TargetGroup(models.TextChoices):
    # The same words as workers.PovertyStatus: a worker is in a group when their status is.
    POVERTY_ALLEVIATED = "poverty_alleviated", _("脱贫劳动力")
    MONITORED = "monitored", _("监测对象")
    OTHER_RURAL = "none", _("其他农村劳动力")


class DestinationZone(models.TextChoices):
    """Where the worker works, seen from their home county (region codes: province = first
    2 digits, city = first 4)."""

    NAMED_PROVINCE = "named_province", _("指定省份")
    OTHER_PROVINCE = "other_province", _("省外其他地区")
    IN_PROVINCE_OTHER_CITY = "in_province_other_city", _("省内市外")
    IN_CITY_OTHER_COUNTY = "in_city_other_county", _("市内县外")
    OWN_COUNTY = "own_county", _("县内")
    ANY = "any", _("不分地区")


class EvidenceKind(models.TextChoices):
    LABOUR_CONTRACT = "labour_contract", _("劳动合同")
    WAGE_BANK_RECORD = "wage_bank_record", _("工资银行流水")
    SOCIAL_INSURANCE = "social_insurance", _("务工地社保缴费记录")
    WORK_CERTIFICATE = "work_certificate", _("用工单位务工证明")
    PLEDGE = "pledge", _("承诺书")


class PaymentMode(models.TextChoices):
    CHECK_THEN_PAY = "check_then_pay", _("先审后发")
    PREPAY_THEN_CHECK = "prepay_then_check", _("定额预付、事后核查")


def _choice_list_check(values, choices, label) -> None:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValidationError({label: _("应为选项列表。")})
    unknown = sorted(set(values) - set(choices.values))
    if unknown:
        raise ValidationError({label: _("未知选项：%(values)s") % {"values": "、".join(unknown)}})


class Policy(Timestamped):
    """One subsidy rule of one issuing region and year.

    ``code`` is the natural key reference data and imports upsert by. Applications copy
    ``kind`` and ``year``: "one subsidy of one kind per person per policy year" is a unique
    constraint on the application table.
    """

    code = models.SlugField(_("政策编码"), max_length=60, unique=True)
    name = models.CharField(_("政策名称"), max_length=120)
    kind = models.CharField(_("补贴类别"), max_length=24, choices=PolicyKind.choices)
    issuing_region = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("发文地区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("政策年度"))
    source_document = models.CharField(_("文件文号"), max_length=120, blank=True)
    issuing_bodies = models.CharField(_("发文单位"), max_length=200, blank=True)
    source_url = models.URLField(_("来源链接"), max_length=300, blank=True)
    target_groups = models.JSONField(_("补贴对象"), default=list, blank=True)
    # Conditions. Zero months: no duration condition.
    min_consecutive_months = models.PositiveSmallIntegerField(_("连续务工月数不少于"), default=0)
    organised_travel_excluded = models.BooleanField(
        _("仅限自主外出（有组织输转的不享受）"), default=False
    )
    age_min = models.PositiveSmallIntegerField(_("最低年龄"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("最高年龄"), null=True, blank=True)
    once_per_year = models.BooleanField(_("每人每年度限享受一次"), default=True)
    # Intermediary bonus: an agency or team leader who moved at least this many workers.
    min_workers_moved = models.PositiveSmallIntegerField(_("输转人数不少于"), null=True, blank=True)
    # Evidence: any one of these kinds; a signed pledge instead when allowed.
    evidence_kinds = models.JSONField(_("证明材料（任一即可）"), default=list, blank=True)
    pledge_allowed = models.BooleanField(_("可用承诺书代替"), default=False)
    notice_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    payment_mode = models.CharField(
        _("发放方式"),
        max_length=20,
        choices=PaymentMode.choices,
        default=PaymentMode.CHECK_THEN_PAY,
    )
    prepay_amount = models.PositiveIntegerField(_("定额预付金额（元）"), null=True, blank=True)
    pays_to = models.CharField(_("发放渠道"), max_length=60, blank=True)
    valid_from = models.DateField(_("执行起始日"), null=True, blank=True)
    valid_until = models.DateField(_("执行截止日"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_by = acting_user(_("创建人"))
    updated_by = acting_user(_("修改人"))

    class Meta:
        ordering = ["-year", "issuing_region_id", "code"]
        verbose_name = _("补贴政策")
        verbose_name_plural = _("补贴政策")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_min__isnull=True)
                | models.Q(age_max__isnull=True)
                | models.Q(age_min__lte=models.F("age_max")),
                name="policy_age_range_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000) & models.Q(year__lte=2100),
                name="policy_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"

    def clean(self) -> None:
        _choice_list_check(self.target_groups, TargetGroup, "target_groups")
        _choice_list_check(self.evidence_kinds, EvidenceKind, "evidence_kinds")
        if not self.target_groups:
            raise ValidationError({"target_groups": _("请至少选择一类补贴对象。")})
        if self.payment_mode == PaymentMode.PREPAY_THEN_CHECK and not self.prepay_amount:
            raise ValidationError({"prepay_amount": _("定额预付须填写预付金额。")})


class PolicyAmount(models.Model):
    """One row of a policy's amount table: a destination zone (a named province for
    ``named_province``) and the yuan paid for it. No row for a zone: not paid there."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("补贴政策"), on_delete=models.CASCADE, related_name="amounts"
    )
    zone = models.CharField(_("务工地区"), max_length=24, choices=DestinationZone.choices)
    province = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("省份"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": "province"},
    )
    amount = models.PositiveIntegerField(_("金额（元）"))

    class Meta:
        ordering = ["policy_id", "zone", "province_id"]
        verbose_name = _("补贴标准")
        verbose_name_plural = _("补贴标准")
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "province"],
                condition=models.Q(province__isnull=False),
                name="policy_amount_unique_province",
            ),
            models.UniqueConstraint(
                fields=["policy", "zone"],
                condition=models.Q(province__isnull=True),
                name="policy_amount_unique_zone",
            ),
            # A named-province row names its province; the other zones never do.
            models.CheckConstraint(
                condition=(models.Q(zone="named_province") & models.Q(province__isnull=False))
                | (~models.Q(zone="named_province") & models.Q(province__isnull=True)),
                name="policy_amount_province_iff_named",
            ),
        ]

    def __str__(self) -> str:
        where = self.province.name if self.province_id else self.get_zone_display()
        return f"{where} {self.amount}"


# Ten billion yuan: far above any county's budget, a bound that catches a mistyped figure.
BUDGET_MAX = 10_000_000_000


class PolicyBudget(Timestamped):
    """What one county may pay under one policy (yuan); approvals never exceed it."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("补贴政策"), on_delete=models.CASCADE, related_name="budgets"
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
    )
    amount = models.PositiveBigIntegerField(_("预算金额（元）"))
    updated_by = acting_user(_("修改人"))

    class Meta:
        ordering = ["policy_id", "county_id"]
        verbose_name = _("补贴预算")
        verbose_name_plural = _("补贴预算")
        constraints = [
            models.UniqueConstraint(fields=["policy", "county"], name="policy_budget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.county.name} {self.amount}"
