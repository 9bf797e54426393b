"""The yearly labour-cooperation agreement of a pairing, its targets, and pinned snapshots.

Targets are typed (a coordinator enters or imports them); progress is never typed: it is
computed from the employment history by ``targets.reports``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Bucket(models.TextChoices):
    """Where a worker was placed, seen from their home county (the assessment's three)."""

    CROSS_PROVINCE = "cross_province", _("跨省")
    IN_PROVINCE = "in_province", _("省内县外")
    IN_COUNTY = "in_county", _("县内")


class Agreement(models.Model):
    """A pairing's labour-cooperation agreement of one year (劳务协作落实协议)."""

    pairing = models.ForeignKey(
        "laborbridge.Pairing",
        verbose_name=_("协作结对"),
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("协议名称"), max_length=200)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-year", "pairing_id"]
        verbose_name = _("劳务协作协议")
        verbose_name_plural = _("劳务协作协议")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year"], name="agreement_one_per_year"),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="agreement_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class Target(models.Model):
    """Headcounts to place in one bucket: for the whole pairing (no county) or one county."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="targets"
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    bucket = models.CharField(_("就业去向"), max_length=20, choices=Bucket.choices)
    placed = models.PositiveIntegerField(_("目标转移就业人数"))
    poverty = models.PositiveIntegerField(_("其中脱贫劳动力"), default=0)
    monitored = models.PositiveIntegerField(_("其中监测对象"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["agreement_id", "county_id", "bucket"]
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "county", "bucket"],
                condition=models.Q(county__isnull=False),
                name="target_one_per_county_bucket",
            ),
            models.UniqueConstraint(
                fields=["agreement", "bucket"],
                condition=models.Q(county__isnull=True),
                name="target_one_per_pairing_bucket",
            ),
            models.CheckConstraint(
                condition=models.Q(poverty__lte=models.F("placed"))
                & models.Q(monitored__lte=models.F("placed")),
                name="target_parts_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} {self.county_id or '*'} {self.bucket}"


class ListSnapshot(models.Model):
    """A dated, frozen copy of the two lists' gap, pinned by a coordinator for a meeting."""

    pairing = models.ForeignKey(
        "laborbridge.Pairing",
        verbose_name=_("协作结对"),
        on_delete=models.PROTECT,
        related_name="list_snapshots",
    )
    taken_on = models.DateField(_("快照日期"))
    title = models.CharField(_("标题"), max_length=200)
    payload = models.JSONField(_("内容"), default=dict)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-id"]
        verbose_name = _("两张清单快照")
        verbose_name_plural = _("两张清单快照")

    def __str__(self) -> str:
        return f"{self.taken_on} {self.title}"


class MonthlyReport(models.Model):
    """A frozen monthly labour-transfer report of a pairing or a county (月度劳务输转报表).

    Once frozen a report never changes: a number reported upward stays as it was. Freezing the
    same month again after the history changed adds a new revision that ``corrects`` the last
    one, so later corrections appear as corrections.
    """

    pairing = models.ForeignKey(
        "laborbridge.Pairing",
        verbose_name=_("协作结对"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    revision = models.PositiveSmallIntegerField(_("版本"), default=1)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    payload = models.JSONField(_("内容"), default=dict)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    frozen_at = models.DateTimeField(_("固定时间"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "-month", "-revision"]
        verbose_name = _("月度劳务输转报表")
        verbose_name_plural = _("月度劳务输转报表")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pairing__isnull=True) ^ models.Q(county__isnull=True),
                name="monthly_report_one_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="monthly_report_month"
            ),
            models.UniqueConstraint(
                fields=["pairing", "year", "month", "revision"],
                condition=models.Q(pairing__isnull=False),
                name="monthly_report_pairing_revision",
            ),
            models.UniqueConstraint(
                fields=["county", "year", "month", "revision"],
                condition=models.Q(county__isnull=False),
                name="monthly_report_county_revision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} r{self.revision}"
