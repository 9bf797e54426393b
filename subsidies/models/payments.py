"""Payment batches: the approved applications of one county and month, sent to the bank as a
social-security-card batch payment (代发), then marked paid with the bank's reference.

A line that failed goes back to the list (its application is paid in a later batch); a
prepaid (定额预付) line found wrong on the later check is clawed back, in part or in full,
with a reason (one ``PaymentClawback`` row each; the line's running total can never exceed
what was paid). The database refuses a second live payment of one kind to one person in one
policy year.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidies.models.applications import Application
from subsidies.models.intermediaries import IntermediaryBonus
from subsidies.models.policies import PolicyKind

# Associated data of the encrypted card or account number (laborbridge.crypto).
PURPOSE_PAYMENT_ACCOUNT = b"laborbridge:subsidy-payment-account:v1"


class PaymentBatchStatus(models.TextChoices):
    DRAFT = "draft", _("待发放")
    PAID = "paid", _("已发放")


class PaymentBatch(models.Model):
    """One county's payment list of one month (``month`` is its first day)."""

    county = models.ForeignKey(
        "laborbridge.Region", verbose_name=_("县区"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("发放月份"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=PaymentBatchStatus.choices,
        default=PaymentBatchStatus.DRAFT,
    )
    bank_reference = models.CharField(_("银行批次号"), max_length=60, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        indexes = [models.Index(fields=["county", "-month"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="payment_batch_month_first_day"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | ~models.Q(bank_reference=""),
                name="payment_batch_paid_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county_id} {self.month:%Y-%m} #{self.pk}"


class PaymentLineStatus(models.TextChoices):
    PENDING = "pending", _("待发放")
    PAID = "paid", _("已发放")
    FAILED = "failed", _("发放失败")
    CLAWED_BACK = "clawed_back", _("已追回")


# A line in these states holds the person's one payment of the kind and year.
PAYMENT_LINE_LIVE = (PaymentLineStatus.PENDING, PaymentLineStatus.PAID)


class PaymentLine(models.Model):
    """One payment in a batch: a worker's approved application, or an intermediary's
    approved bonus (输转奖补; ``bonus`` set, ``application`` and ``worker`` empty). Kind and
    year are copied so the database can refuse to pay one person twice for the year; a bonus
    is paid once through its own live-line constraint and the bonus table's one per year."""

    batch = models.ForeignKey(
        PaymentBatch, verbose_name=_("发放批次"), on_delete=models.PROTECT, related_name="lines"
    )
    application = models.ForeignKey(
        Application,
        verbose_name=_("补贴申请"),
        on_delete=models.PROTECT,
        related_name="payment_lines",
        db_index=False,
        null=True,
        blank=True,
    )
    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        null=True,
        blank=True,
    )
    bonus = models.ForeignKey(
        IntermediaryBonus,
        verbose_name=_("输转奖补"),
        on_delete=models.PROTECT,
        related_name="payment_lines",
        db_index=False,  # the partial unique index on live lines serves the lookups
        null=True,
        blank=True,
    )
    policy_kind = models.CharField(_("补贴类别"), max_length=24, choices=PolicyKind.choices)
    policy_year = models.PositiveSmallIntegerField(_("政策年度"))
    amount = models.PositiveIntegerField(_("金额（元）"))
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=PaymentLineStatus.choices,
        default=PaymentLineStatus.PENDING,
    )
    # The social-security card or bank account, encrypted like the ID number; the mask is
    # what pages and the ordinary export show.
    account_encrypted = models.BinaryField(_("社保卡号/账号（密文）"), null=True, editable=False)
    account_masked = models.CharField(_("社保卡号/账号"), max_length=40, blank=True)
    remark = models.CharField(_("备注"), max_length=100, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    # Sum of the line's claw-backs (PaymentClawback); the line is "clawed back" when it is all.
    clawed_back_amount = models.PositiveIntegerField(_("已追回金额（元）"), default=0)
    clawback_reason = models.TextField(_("追回原因"), blank=True)
    clawed_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("追回登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    encrypted_fields = {"account_encrypted": PURPOSE_PAYMENT_ACCOUNT}

    class Meta:
        ordering = ["batch_id", "id"]
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        constraints = [
            # "The same person cannot be paid twice for the year": one live payment per person,
            # kind and policy year; a failed or clawed-back line frees the place.
            models.UniqueConstraint(
                fields=["worker", "policy_kind", "policy_year"],
                condition=models.Q(status__in=["pending", "paid"]),
                name="payment_line_one_per_person_kind_year",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status__in=["pending", "paid"]),
                name="payment_line_one_live_per_application",
            ),
            models.UniqueConstraint(
                fields=["bonus"],
                condition=models.Q(status__in=["pending", "paid"]),
                name="payment_line_one_live_per_bonus",
            ),
            # A line pays a worker's application or an intermediary's bonus, never both.
            models.CheckConstraint(
                condition=(
                    models.Q(application__isnull=False, worker__isnull=False, bonus__isnull=True)
                )
                | models.Q(application__isnull=True, worker__isnull=True, bonus__isnull=False),
                name="payment_line_application_xor_bonus",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="clawed_back") | ~models.Q(clawback_reason=""),
                name="payment_line_clawback_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(clawed_back_amount__lte=models.F("amount")),
                name="payment_line_clawback_within_paid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id} · {self.worker_id or self.bonus_id} · {self.amount}"

    @property
    def payee_name(self) -> str:
        """Return whom the line pays: the worker's name or the intermediary's."""
        return self.worker.name if self.worker_id else self.bonus.intermediary.name

    @property
    def payee_id_masked(self) -> str:
        """Return the payee's masked ID number (or an agency's masked credit code)."""
        if self.worker_id:
            return self.worker.id_number_masked
        return self.bonus.intermediary.id_code_masked

    @property
    def net_amount(self) -> int:
        """Return what the person keeps: the amount paid less what was clawed back."""
        return self.amount - self.clawed_back_amount


class PaymentClawback(models.Model):
    """Part or all of a paid line taken back after the later check (定额预付 then checked)."""

    line = models.ForeignKey(
        PaymentLine, verbose_name=_("发放明细"), on_delete=models.PROTECT, related_name="clawbacks"
    )
    amount = models.PositiveIntegerField(_("追回金额（元）"))
    reason = models.TextField(_("追回原因"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["line_id", "id"]
        verbose_name = _("追回记录")
        verbose_name_plural = _("追回记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_clawback_amount_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="payment_clawback_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} · −{self.amount}"
