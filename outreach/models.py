"""The SMS outbox: one row per message to one worker's phone, and the numbers that opted out."""

import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge import crypto

# A personal link in a message's text (outreach.links): ``/me/<token>/``.
_TOKEN_IN_TEXT = re.compile(r"(/me/)[A-Za-z0-9_-]{6,}/")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")
    SUPPRESSED = "suppressed", _("未发送")


class SmsReason(models.TextChoices):
    """Why a message was not sent, was delayed or failed — shown to staff in words."""

    NO_CONSENT = "no_consent", _("本人未授权联系")
    OPTED_OUT = "opted_out", _("本人已回复TD退订")
    QUIET_HOURS = "quiet_hours", _("夜间22点至8点不发送，顺延到8点")
    DAILY_CAP = "daily_cap", _("该号码今日短信已达上限")
    NO_PHONE = "no_phone", _("手机号码无效")
    RESCHEDULED = "rescheduled", _("行程已变更，改发新提醒")
    PAST = "past", _("已过出发时间，不再提醒")
    RELEASED = "released", _("座位已释放，不再提醒")
    THROTTLED = "throttled", _("短信平台限流，稍后重试")
    NETWORK = "network", _("短信平台暂时无法连接，稍后重试")
    INVALID_NUMBER = "invalid_number", _("运营商认定号码无效")
    TEMPLATE = "template", _("短信模板未通过审核")
    PROVIDER = "provider", _("短信平台拒绝发送")
    UNDELIVERED = "undelivered", _("运营商未能送达")
    INTERRUPTED = "interrupted", _("发送中断，无法确认是否已发出，请核实后重发")
    TOO_MANY_TRIES = "too_many_tries", _("多次重试仍失败")


class SmsCampaign(models.Model):
    """A bulk message sent to a filtered list (a car's travellers, a township's workers)."""

    name = models.CharField(_("名称"), max_length=100)
    key = models.CharField(_("短信类型"), max_length=32)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    audience = models.CharField(_("发送对象"), max_length=200)
    recipients = models.PositiveIntegerField(_("发送人数"), default=0)
    suppressed = models.PositiveIntegerField(_("按规则不发送"), default=0)
    segments = models.PositiveIntegerField(_("计费条数"), default=0)
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pairing = models.ForeignKey(
        "laborbridge.Pairing",
        verbose_name=_("协作关系"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("群发短信")
        verbose_name_plural = _("群发短信")

    def __str__(self) -> str:
        return self.name


class SmsMessage(models.Model):
    """One SMS to one worker's phone: queued → sending → sent → delivered, or failed, or
    suppressed by a rule. ``idempotency_key`` makes queuing the same cause twice one row,
    and is the ``OutId`` the provider echoes in its receipts."""

    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.PROTECT,
        related_name="sms_messages",
    )
    # The normalised number, encrypted like the worker's (rotate_keys re-encrypts it); the
    # blind index counts messages per number per day, the mask is what staff see.
    phone_encrypted = models.BinaryField(_("手机号（密文）"), editable=False)
    phone_index = models.CharField(_("手机号索引"), max_length=64, editable=False)
    phone_masked = models.CharField(_("手机号"), max_length=11, editable=False)
    key = models.CharField(_("短信类型"), max_length=32)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    text = models.TextField(_("短信内容"))
    segments = models.PositiveSmallIntegerField(_("计费条数"), default=1)
    essential = models.BooleanField(_("出行必要信息"), default=False)
    departure_on = models.DateField(_("出发日期"), null=True, blank=True)
    idempotency_key = models.CharField(_("幂等键"), max_length=100, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    reason = models.CharField(_("原因"), max_length=16, choices=SmsReason.choices, blank=True)
    error = models.CharField(_("平台返回"), max_length=200, blank=True)
    provider_id = models.CharField(_("平台回执号"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    scheduled_for = models.DateTimeField(_("计划发送时间"), default=timezone.now)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    campaign = models.ForeignKey(
        SmsCampaign,
        verbose_name=_("群发"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="messages",
    )
    resend_of = models.ForeignKey(
        "self",
        verbose_name=_("重发自"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    encrypted_fields = {"phone_encrypted": crypto.PURPOSE_PHONE}

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信")
        verbose_name_plural = _("短信")
        indexes = [
            # The drain's claim: due queued rows in pk order.
            models.Index(
                fields=["scheduled_for", "id"],
                condition=models.Q(status="queued"),
                name="sms_due_queued",
            ),
            models.Index(fields=["phone_index", "sent_at"]),
            models.Index(fields=["worker", "-created_at"]),
            models.Index(fields=["provider_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.phone_masked} · {self.status}"

    @property
    def label(self):
        """Return the message type's name (the template's label, translated)."""
        from outreach.catalogue import template_for

        try:
            return template_for(self.key).label
        except KeyError:
            return self.key

    @property
    def text_for_staff(self) -> str:
        """Return the text with a personal-link token cut: staff must not open the worker's
        page as the worker (pages, the admin)."""
        return _TOKEN_IN_TEXT.sub(r"\1…/", self.text)

    def reveal_phone(self) -> str:
        """Return the full number — for the backend only, never for a page."""
        return crypto.phone_decrypt(self.phone_encrypted)


class SmsOptOut(models.Model):
    """A number that replied TD (退订): no more non-essential messages to it."""

    phone_index = models.CharField(_("手机号索引"), max_length=64, unique=True)
    phone_masked = models.CharField(_("手机号"), max_length=11)
    created_at = models.DateTimeField(_("退订时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("短信退订")
        verbose_name_plural = _("短信退订")

    def __str__(self) -> str:
        return self.phone_masked
