"""Employers and their vacancies.

What a vacancy may ask of a worker is deliberately limited to what the job needs (age range,
certificates, skill level, education, physical demands in words): there is no field for sex,
ethnicity or home region, so no filter on them can exist (就业促进法 art. 3, 26, 27, 31).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.identifiers import validate_credit_code

# The Labour Law (art. 15) forbids employing anyone under 16; nobody is placed past 65.
LEGAL_WORKING_AGE = 16
OLDEST_PLACEMENT_AGE = 65


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


class CompanySize(models.TextChoices):
    """Head-count bands, as employers state them on job fairs' registration forms."""

    UNDER_50 = "lt50", _("50 人以下")
    FROM_50 = "50-299", _("50–299 人")
    FROM_300 = "300-999", _("300–999 人")
    FROM_1000 = "1000-4999", _("1000–4999 人")
    FROM_5000 = "5000+", _("5000 人及以上")


class VerificationStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    VERIFIED = "verified", _("已认证")
    REJECTED = "rejected", _("已驳回")


class Employer(models.Model):
    """An eastern company hiring under the cooperation, identified by its credit code.

    Its HR staff are the users with role ``employer_hr`` pointing here (``hr_users``).
    """

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
    size = models.CharField(_("企业规模"), max_length=10, choices=CompanySize.choices, blank=True)
    description = models.TextField(_("企业简介"), blank=True)
    has_dormitory = models.BooleanField(_("提供员工宿舍"), default=False)
    dormitory_details = models.CharField(
        _("宿舍情况"),
        max_length=200,
        blank=True,
        help_text=_("如：4 人间，空调、独立卫浴，免住宿费，水电自理"),
    )
    has_canteen = models.BooleanField(_("有员工食堂"), default=False)
    canteen_details = models.CharField(
        _("食堂情况"),
        max_length=200,
        blank=True,
        help_text=_("如：三餐补贴每天 15 元，设清真窗口"),
    )
    verification_status = models.CharField(
        _("认证状态"),
        max_length=10,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PENDING,
    )
    rejection_reason = models.TextField(_("驳回原因"), blank=True)
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("用工企业")
        verbose_name_plural = _("用工企业")
        indexes = [models.Index(fields=["district", "verification_status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED


class VacancyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("招聘中")
    PAUSED = "paused", _("暂停")
    CLOSED = "closed", _("已关闭")
    FILLED = "filled", _("已招满")


class PayType(models.TextChoices):
    MONTHLY = "monthly", _("月薪")
    HOURLY = "hourly", _("计时")
    PIECE_RATE = "piece_rate", _("计件")


class ShiftPattern(models.TextChoices):
    DAY = "day", _("长白班")
    TWO_SHIFTS = "two_shifts", _("两班倒")
    THREE_SHIFTS = "three_shifts", _("三班倒")
    ROTATING = "rotating", _("轮班/倒班")
    FLEXIBLE = "flexible", _("弹性工时")


class SkillLevel(models.IntegerChoices):
    """Minimum vocational skill level; the numbers are the matching engine's (1 lowest)."""

    NONE = 0, _("不限")
    LEVEL_5 = 1, _("初级工（五级）")
    LEVEL_4 = 2, _("中级工（四级）")
    LEVEL_3 = 3, _("高级工（三级）")
    LEVEL_2 = 4, _("技师（二级）")
    LEVEL_1 = 5, _("高级技师（一级）")


class Education(models.IntegerChoices):
    """Minimum schooling, ordered so that a higher number satisfies a lower requirement."""

    NONE = 0, _("不限")
    PRIMARY = 1, _("小学及以上")
    JUNIOR_MIDDLE = 2, _("初中及以上")
    SENIOR_HIGH = 3, _("高中/中专/技校及以上")
    COLLEGE = 4, _("大专及以上")
    BACHELOR = 5, _("本科及以上")


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
    # The range is always a monthly figure in yuan, whatever the pay type, so that workers
    # (and the matching engine) compare like with like.
    wage_min = models.PositiveIntegerField(_("月薪下限（元）"))
    wage_max = models.PositiveIntegerField(_("月薪上限（元）"))
    pay_type = models.CharField(
        _("计薪方式"), max_length=10, choices=PayType.choices, default=PayType.MONTHLY
    )
    district = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("工作地点"),
        on_delete=models.PROTECT,
        related_name="vacancies",
    )
    address = models.CharField(_("工作地址"), max_length=200, blank=True)
    shift_pattern = models.CharField(
        _("班制"), max_length=12, choices=ShiftPattern.choices, default=ShiftPattern.DAY
    )
    working_hours = models.CharField(
        _("工作时间"), max_length=100, blank=True, help_text=_("如：每天 8 小时，月休 4 天")
    )
    start_date = models.DateField(_("到岗日期"))
    contract_months = models.PositiveSmallIntegerField(
        _("合同期限（月）"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    age_min = models.PositiveSmallIntegerField(
        _("最低年龄"),
        default=18,
        validators=[
            MinValueValidator(LEGAL_WORKING_AGE),
            MaxValueValidator(OLDEST_PLACEMENT_AGE),
        ],
    )
    age_max = models.PositiveSmallIntegerField(
        _("最高年龄"),
        default=55,
        validators=[
            MinValueValidator(LEGAL_WORKING_AGE),
            MaxValueValidator(OLDEST_PLACEMENT_AGE),
        ],
    )
    required_certificates = models.ManyToManyField(
        "laborbridge.CertificateType",
        verbose_name=_("必备证书"),
        blank=True,
        related_name="required_by_vacancies",
    )
    min_skill_level = models.PositiveSmallIntegerField(
        _("最低技能等级"), choices=SkillLevel.choices, default=SkillLevel.NONE
    )
    min_education = models.PositiveSmallIntegerField(
        _("最低学历"), choices=Education.choices, default=Education.NONE
    )
    physical_requirements = models.CharField(
        _("身体条件要求"),
        max_length=200,
        blank=True,
        help_text=_("用文字说明岗位本身的要求，如：能适应长时间站立作业"),
    )
    dormitory = models.BooleanField(_("提供宿舍"), default=False)
    meals = models.BooleanField(_("提供工作餐"), default=False)
    travel_reimbursement = models.BooleanField(_("报销路费"), default=False)
    social_insurance = models.BooleanField(_("缴纳社会保险"), default=True)
    benefits_note = models.CharField(_("其他福利"), max_length=200, blank=True)
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
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(headcount__gte=1),
                name="vacancy_headcount_positive",
                violation_error_message=_("招聘人数至少为 1。"),
            ),
            models.CheckConstraint(
                condition=models.Q(wage_max__gte=models.F("wage_min")),
                name="vacancy_wage_range",
                violation_error_message=_("月薪上限不能低于下限。"),
            ),
            models.CheckConstraint(
                condition=models.Q(filled_count__lte=models.F("headcount")),
                name="vacancy_not_overfilled",
                violation_error_message=_("招聘人数不能少于已录用人数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(age_min__gte=LEGAL_WORKING_AGE)
                & models.Q(age_max__gte=models.F("age_min")),
                name="vacancy_age_range",
                violation_error_message=_(
                    "年龄范围无效：最低年龄不小于 16 周岁，且不高于最高年龄。"
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "occupation"]),
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["employer", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.title}"

    @property
    def headcount_remaining(self) -> int:
        return max(0, self.headcount - self.filled_count)

    @property
    def shift_work(self) -> bool:
        """Return whether the job works shifts (what the matching engine asks); a day shift
        or flexible hours is not shift work."""
        return self.shift_pattern in (
            ShiftPattern.TWO_SHIFTS,
            ShiftPattern.THREE_SHIFTS,
            ShiftPattern.ROTATING,
        )

    @property
    def is_editable(self) -> bool:
        return self.status != VacancyStatus.CLOSED
