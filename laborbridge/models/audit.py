"""The audit log: who changed or revealed what, and when."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One recorded action. Written only by ``laborbridge.services.audit_record``."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who acted, as they were named then: the row keeps it after the account is deleted.
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=60)
    target_type = models.CharField(_("对象类型"), max_length=60)
    target_id = models.CharField(_("对象编号"), max_length=40)
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    @property
    def actor_label(self) -> str:
        """Return who acted: the account's current name, or the snapshot once it is deleted."""
        if self.actor_id is not None and self.actor is not None:
            return self.actor.get_full_name() or self.actor.username
        if self.actor_username:
            return _("%(name)s（账号已删除）") % {"name": self.actor_name or self.actor_username}
        return ""


def actor_snapshot(actor) -> dict[str, str]:
    """Return the audit row's copy of ``actor``'s names (empty for the anonymous or none)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_username": "", "actor_name": ""}
    return {"actor_username": actor.get_username(), "actor_name": actor.get_full_name()}
