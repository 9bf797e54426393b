"""The worker's personal link (个人链接): the worker's own page without an account.

Only a hash of the token is stored: whoever reads the database cannot open a worker's page.
The raw token exists once, in the answer of ``selfservice.services.link_issue`` — on the
printed travel notice (its QR code), and later in an SMS — so printing again issues a new
link, and a new link revokes the old one.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from laborbridge.models.records import Timestamped, acting_user


class RevokeReason(models.TextChoices):
    REPLACED = "replaced", _("已换发新链接")
    REVOKED = "revoked", _("工作人员停用")


class PersonalLink(Timestamped):
    """One issued personal link of a worker; at most one is live (not revoked) at a time."""

    worker = models.ForeignKey(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.PROTECT,
        related_name="personal_links",
    )
    # sha256 of the token (hex); the token itself is 256 random bits, so no salt is needed.
    token_hash = models.CharField(_("链接摘要"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("有效期至"))
    created_by = acting_user(_("发放人"))
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    revoked_by = acting_user(_("停用人"))
    revoke_reason = models.CharField(
        _("停用原因"), max_length=10, choices=RevokeReason.choices, blank=True
    )
    # Changed only by conditional UPDATEs (F() + 1) in selfservice.services.
    open_count = models.PositiveIntegerField(_("打开次数"), default=0, editable=False)
    last_opened_at = models.DateTimeField(_("最近打开"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("发放时间"), auto_now_add=True)  # Timestamped's, relabelled

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("个人链接")
        verbose_name_plural = _("个人链接")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=models.Q(revoked_at__isnull=True),
                name="personal_link_one_live_per_worker",
            ),
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoke_reason=""),
                name="personal_link_revoked_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} · {self.created_at:%Y-%m-%d}"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
