"""Problems that need someone: a worker's complaint (欠薪, 工伤, 合同, 住宿, 想返乡 …) and the
dated steps taken on it until it is resolved or referred to the local 人社 bureau.

The intake keeps the fields the national wage-arrears platform (全国根治欠薪线索反映平台) asks
for. The real name and the resident ID are the worker record's own (the ID stays encrypted
there and is never copied); a contact phone other than the worker's is stored encrypted.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge import crypto
from laborbridge.models.records import Timestamped, acting_user


class CaseKind(models.TextChoices):
    WAGE_ARREARS = "wage_arrears", _("欠薪")
    INJURY = "injury", _("工伤")
    CONTRACT = "contract", _("合同")
    HOUSING = "housing", _("住宿")
    GO_HOME = "go_home", _("想返乡")
    OTHER = "other", _("其他")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    HANDLING = "handling", _("处理中")
    RESOLVED = "resolved", _("已解决")
    REFERRED = "referred", _("已移交人社部门")


OPEN_STATUSES = (CaseStatus.RECEIVED, CaseStatus.HANDLING)


class Sector(models.TextChoices):
    CONSTRUCTION = "construction", _("工程建设")
    NON_CONSTRUCTION = "non_construction", _("非工程建设")


class OpenedVia(models.TextChoices):
    OFFICIAL = "official", _("工作人员代为反映")
    WORKER_LINK = "worker_link", _("本人通过个人链接反映")


class Case(Timestamped):
    """One complaint of one worker (written by ``cases.services``)."""

    worker = models.ForeignKey(
        "workers.Worker", verbose_name=_("劳动力"), on_delete=models.PROTECT, related_name="cases"
    )
    employment = models.ForeignKey(
        "workers.Employment",
        verbose_name=_("就业记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
    )
    kind = models.CharField(_("问题类型"), max_length=20, choices=CaseKind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    opened_via = models.CharField(_("反映渠道"), max_length=12, choices=OpenedVia.choices)
    # A contact phone other than the worker's registered one; empty means the worker's.
    phone_encrypted = models.BinaryField(_("联系电话（密文）"), editable=False, default=b"")
    phone_masked = models.CharField(_("联系电话"), max_length=11, blank=True, editable=False)
    sector = models.CharField(_("行业类别"), max_length=20, choices=Sector.choices, blank=True)
    employer = models.ForeignKey(
        "jobs.Employer",
        verbose_name=_("平台企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    employer_name = models.CharField(_("用人单位名称"), max_length=120, blank=True)
    employer_address = models.CharField(_("用人单位地址"), max_length=200, blank=True)
    # The county or district of the workplace: routes the case to that side's liaisons.
    workplace = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("务工地点（县区）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owed_from = models.DateField(_("欠薪起始月份"), null=True, blank=True)
    owed_to = models.DateField(_("欠薪截止月份"), null=True, blank=True)
    amount_owed = models.PositiveIntegerField(_("欠薪金额（元）"), null=True, blank=True)
    description = models.TextField(_("问题描述"), blank=True)
    deadline = models.DateField(_("办理期限"))
    overdue_notified_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)
    referred_to = models.CharField(_("移交的人社部门"), max_length=120, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    opened_by = acting_user(_("代为反映人"))
    created_at = models.DateTimeField(_("反映时间"), auto_now_add=True)

    # What `manage.py rotate_keys` re-encrypts (an empty value is skipped).
    encrypted_fields = {"phone_encrypted": crypto.PURPOSE_PHONE}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问题反映")
        verbose_name_plural = _("问题反映")
        indexes = [models.Index(fields=["status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(owed_from__isnull=True)
                | models.Q(owed_to__isnull=True)
                | models.Q(owed_to__gte=models.F("owed_from")),
                name="case_owed_period_ordered",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="referred") | ~models.Q(referred_to=""),
                name="case_referred_names_bureau",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_owed__isnull=True) | models.Q(amount_owed__gt=0),
                name="case_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.deadline < today


class StepAction(models.TextChoices):
    OPENED = "opened", _("受理")
    HANDLING = "handling", _("开始处理")
    NOTE = "note", _("处理进展")
    RESOLVED = "resolved", _("办结")
    REFERRED = "referred", _("移交人社部门")
    RETURNED_HOME = "returned_home", _("已返乡，办结")
    OVERDUE = "overdue", _("逾期提醒")


class CaseStep(models.Model):
    """A dated step on a case: who did what, with a note the worker sees and one only staff
    see."""

    case = models.ForeignKey(
        Case, verbose_name=_("问题反映"), on_delete=models.CASCADE, related_name="steps"
    )
    action = models.CharField(_("事项"), max_length=20, choices=StepAction.choices)
    status_after = models.CharField(_("之后状态"), max_length=10, choices=CaseStatus.choices)
    note = models.TextField(_("说明（本人可见）"), blank=True)
    staff_note = models.TextField(_("内部备注（仅工作人员可见）"), blank=True)
    by = acting_user(_("办理人"))
    by_worker = models.BooleanField(_("本人"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_action_display()}"
