"""Employers and their vacancies."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.identifiers import validate_credit_code


class Industry(models.TextChoices):
    """Sections of GB/T 4754-2017 that place East–West cooperation workers."""

    AGRICULTURE = "A", _("农、林、牧、渔业")
    MANUFACTURING = "C", _("制造业")
    CONSTRUCTION = "E", _("建筑业")
    WHOLESALE_RETAIL = "F", _("批发和零售业")
    TRANSPORT_LOGISTICS = "G", _("交通运输、仓储和邮政业")
    HOSPITALITY = "H", _("住宿和餐饮业")
    IT_SERVICES = "I", _("信息传输、软件和信息技术服务业")
    REAL_ESTATE = "K", _("房地产业")
    BUSINESS_SERVICES = "L", _("租赁和商务服务业")
    RESIDENT_SERVICES = "O", _("居民服务、修理和其他服务业")
    HEALTH_SOCIAL = "Q", _("卫生和社会工作")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("已驳回")


class Employer(models.Model):
    """An eastern company hiring under the cooperation, identified by its credit code."""

    name = models.CharField(_("企业名称"), max_length=120)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    city = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("所在城市"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    district = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("所在区县"),
        on_delete=models.PROTECT,
        related_name="employers",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    industry = models.CharField(_("行业"), max_length=1, choices=Industry.choices)
    verification_status = models.CharField(
        _("认证状态"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    rejection_reason = models.TextField(_("驳回原因"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("用工企业")
        verbose_name_plural = _("用工企业")
        indexes = [models.Index(fields=["district", "verification_status"])]

    def __str__(self) -> str:
        return self.name


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("招聘中")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("已关闭")
    FILLED = "filled", _("已招满")


class Vacancy(models.Model):
    """A job posting: how many people, for what occupation, pay, place and start date."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("用工企业"), on_delete=models.PROTECT, related_name="vacancies"
    )
    occupation = models.ForeignKey(
        "laborbridge.Occupation",
        verbose_name=_("工种"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    title = models.CharField(_("岗位名称"), max_length=100)
    description = models.TextField(_("岗位描述"), blank=True)
    headcount = models.PositiveIntegerField(_("招聘人数"))
    # Places taken by accepted, confirmed or hired matches. Changed only by a conditional
    # UPDATE in matching.services, and the check constraint below is the database's last word
    # that a vacancy is never over-filled, whatever the concurrency.
    filled_count = models.PositiveIntegerField(_("已录用人数"), default=0, editable=False)
    wage_min = models.PositiveIntegerField(_("月薪下限（元）"))
    wage_max = models.PositiveIntegerField(_("月薪上限（元）"))
    district = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("工作地点"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    start_date = models.DateField(_("到岗日期"))
    campaign = models.ForeignKey(
        "laborbridge.Campaign",
        verbose_name=_("招聘行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=VacancyStatus.choices, default=VacancyStatus.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1), name="vacancy_headcount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(wage_max__gte=models.F("wage_min")), name="vacancy_wage_range"
            ),
            models.CheckConstraint(
                condition=models.Q(filled_count__lte=models.F("headcount")),
                name="vacancy_not_overfilled",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "occupation"]),
            models.Index(fields=["campaign", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.title}"

    @property
    def headcount_remaining(self) -> int:
        return max(0, self.headcount - self.filled_count)
