"""Intermediaries (输转奖补): the labour agency or team leader who moved a county's workers.

A county records its agencies (劳务中介机构) and team leaders or labour brokers
(带头人 / 劳务经纪人) and which of its workers each one moved. The intermediary bonus of a
policy (e.g. Zhouqu 2020: ≥ 5 poor workers who stayed ≥ 3 months, 100 yuan a head) is then
computed from those workers' employment history (``subsidies.intermediary_bonus``), never
typed. A worker was moved by at most one intermediary.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.models.records import Timestamped, acting_user


class IntermediaryKind(models.TextChoices):
    AGENCY = "agency", _("劳务中介机构")
    TEAM_LEADER = "team_leader", _("带头人 / 劳务经纪人")


class Intermediary(Timestamped):
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("名称或姓名"), max_length=80)
    kind = models.CharField(_("类型"), max_length=20, choices=IntermediaryKind.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_by = acting_user(_("登记人"))

    class Meta:
        ordering = ["county_id", "name", "id"]
        verbose_name = _("输转中介")
        verbose_name_plural = _("输转中介")
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="intermediary_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class IntermediaryReferral(Timestamped):
    """That ``intermediary`` moved ``worker`` (one intermediary per worker)."""

    intermediary = models.ForeignKey(
        Intermediary,
        verbose_name=_("输转中介"),
        on_delete=models.CASCADE,
        related_name="referrals",
    )
    worker = models.OneToOneField(
        "workers.Worker",
        verbose_name=_("劳动力"),
        on_delete=models.CASCADE,
        related_name="intermediary_referral",
    )
    recorded_by = acting_user(_("登记人"))

    class Meta:
        ordering = ["intermediary_id", "id"]
        verbose_name = _("中介输转记录")
        verbose_name_plural = _("中介输转记录")

    def __str__(self) -> str:
        return f"{self.intermediary} → {self.worker_id}"
