"""The outbox's rows: a message, its audiences, its deliveries per channel, its reads."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge.notifications import messages


class AudienceKind(models.TextChoices):
    """Who a message is for; ``target`` names the county, employer, pairing or user.

    Membership is resolved when the message is read (``access.messages_visible_to``), so an
    official who joins a county later sees its earlier messages, as on a shared notice board.
    An SMS to a worker's phone will be one more kind.
    """

    COUNTY = "county", _("县区工作人员")
    EMPLOYER = "employer", _("企业人事")
    PAIRING = "pairing", _("协作专员")
    # target: the pairing's id, like PAIRING, but read by its workstation liaisons
    LIAISONS = "liaisons", _("工作站联络员")
    USER = "user", _("用户")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("站内通知")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Message(models.Model):
    """A message key and its parameters, written in the same transaction as its cause.

    Never holds translated text: ``title`` and ``body`` render the key's templates in the
    active (the reader's) language.
    """

    key = models.CharField(_("消息类型"), max_length=64)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    cause_type = models.ForeignKey(
        ContentType,
        verbose_name=_("起因类型"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cause_id = models.CharField(_("起因编号"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Not auto_now_add: rows copied from an older store keep their time.
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["key", "-created_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return messages.render_title(self.key, self.params)

    @property
    def body(self) -> str:
        return messages.render_body(self.key, self.params)

    @property
    def label(self) -> str:
        return messages.label_of(self.key)

    @property
    def tone(self) -> str:
        return messages.tone_of(self.key)


class MessageAudience(models.Model):
    """One audience of a message: the officials of a county, the HR of an employer …"""

    message = models.ForeignKey(
        Message, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="audiences"
    )
    kind = models.CharField(_("对象类型"), max_length=16, choices=AudienceKind.choices)
    target = models.CharField(_("对象"), max_length=64)

    class Meta:
        ordering = ["message_id", "kind", "target"]
        verbose_name = _("通知对象")
        verbose_name_plural = _("通知对象")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "kind", "target"], name="message_audience_once"
            )
        ]
        indexes = [models.Index(fields=["kind", "target", "message"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"


class MessageDelivery(models.Model):
    """The state of one audience × channel. In-app is sent when written; a channel that
    leaves the building (SMS) is drained from ``pending`` by a task, at most once each."""

    message = models.ForeignKey(
        Message, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="deliveries"
    )
    audience = models.ForeignKey(
        MessageAudience,
        verbose_name=_("通知对象"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["message_id", "audience_id", "channel"]
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递")
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "channel"], name="message_delivery_once_per_channel"
            )
        ]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self) -> str:
        return f"{self.message_id} · {self.channel} · {self.status}"


class MessageRead(models.Model):
    """That one reader has read a message. Several officials of a county or HR users of a
    company each see the same message; each reads it for themself."""

    message = models.ForeignKey(
        Message, verbose_name=_("通知"), on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅读人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        ordering = ["-read_at", "-id"]
        verbose_name = _("通知阅读记录")
        verbose_name_plural = _("通知阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="message_read_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.message_id}"
