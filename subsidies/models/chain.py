"""The approval chain's records: public notices, objections raised during them, and every
step an application took (who, when, and the reason when it was sent back).

village list → township review (初审) → township notice (公示) → county verification →
county notice → approved. ``subsidies.approval`` moves an application along and writes an
:class:`ApprovalStep` for each move; an open :class:`Objection` blocks the next step.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from subsidies.models.applications import Application
from subsidies.models.policies import Policy


def notice_slug() -> str:
    """Return an unguessable slug for a notice's public page (128 bits)."""
    return secrets.token_urlsafe(16)


class NoticeLevel(models.TextChoices):
    TOWNSHIP = "township", _("乡镇公示")
    COUNTY = "county", _("县级公示")


class Notice(models.Model):
    """One public notice (公示) of a list of applications, from ``starts_on`` to ``ends_on``
    (``starts_on`` + the policy's notice days − 1). Its public page needs no login and is
    reached only by ``slug``."""

    policy = models.ForeignKey(
        Policy, verbose_name=_("补贴政策"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("公示级别"), max_length=10, choices=NoticeLevel.choices)
    county = models.ForeignKey(
        "laborbridge.Region", verbose_name=_("县区"), on_delete=models.PROTECT, related_name="+"
    )
    township = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("乡镇"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    applications = models.ManyToManyField(
        Application, verbose_name=_("公示名单"), related_name="notices"
    )
    starts_on = models.DateField(_("公示开始日"))
    ends_on = models.DateField(_("公示截止日"))
    slug = models.CharField(_("公开链接"), max_length=32, unique=True, default=notice_slug)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        indexes = [models.Index(fields=["county", "level", "-starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="notice_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="township") | models.Q(township__isnull=False),
                name="notice_township_level_has_township",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.starts_on:%Y-%m-%d}–{self.ends_on:%Y-%m-%d}"

    def is_over(self, today: dt.date) -> bool:
        return today > self.ends_on


class Objection(models.Model):
    """An objection to one listed application, raised during a notice; open until answered
    and resolved, and while open the application cannot move on."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="objections"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("补贴申请"), on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("异议内容"))
    raised_on = models.DateField(_("提出日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    resolved = models.BooleanField(_("已解决"), default=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "created_at", "id"]
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        indexes = [models.Index(fields=["application", "resolved"])]
        constraints = [
            # Resolved means answered: nobody closes an objection without saying why.
            models.CheckConstraint(
                condition=models.Q(resolved=False)
                | (~models.Q(answer="") & models.Q(answered_by__isnull=False)),
                name="objection_resolved_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} · {self.raised_on:%Y-%m-%d}"


class ApprovalStep(models.Model):
    """One move of an application along the chain: from and to which status, by whom, when;
    ``reason`` when it was sent back, ``note`` for what was checked (e.g. the phone check)."""

    application = models.ForeignKey(
        Application, verbose_name=_("补贴申请"), on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(_("原状态"), max_length=20)
    to_status = models.CharField(_("新状态"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("退回原因"), blank=True)
    note = models.TextField(_("核查说明"), blank=True)
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("公示"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["application_id", "created_at", "id"]
        verbose_name = _("审批记录")
        verbose_name_plural = _("审批记录")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(to_status="sent_back") | ~models.Q(reason=""),
                name="approval_step_send_back_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_status} → {self.to_status}"
