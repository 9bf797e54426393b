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

    Month ``ANNUAL`` (0) holds the year's cooperation indicators table (年度劳务协作指标),
    frozen and corrected the same way.
    """

    ANNUAL = 0

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
                condition=models.Q(month__gte=0, month__lte=12), name="monthly_report_month"
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


# --- pre-aggregated figures (targets.aggregates) ----------------------------------------------
# Derived tables: rebuilt whole by ``aggregates_refresh`` from the direct report definitions
# (``targets.reports``), read by the dashboards' definitions. Their foreign keys carry no
# database constraint (a rebuild must never block a delete elsewhere) and no reverse accessor.


def _derived_fk(to: str, verbose_name, **kwargs):
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        **kwargs,
    )


class AggregateState(models.Model):
    """The one row saying how fresh the pre-aggregated tables are."""

    as_of = models.DateField(_("统计截至"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("刷新时间"), null=True, blank=True)
    dirty_since = models.DateTimeField(_("数据变更时间"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("刷新耗时（毫秒）"), default=0)
    rows = models.PositiveIntegerField(_("汇总行数"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("看板汇总状态")
        verbose_name_plural = _("看板汇总状态")

    def __str__(self) -> str:
        return f"{self.as_of} ({self.rows})"


class PlacementCount(models.Model):
    """Placements of one month counted per county, workplace, employer, occupation, poverty
    status and bucket; retention as of the refresh."""

    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    home_county = _derived_fk("laborbridge.Region", _("户籍县区"))
    district = _derived_fk("laborbridge.Region", _("务工县区"), null=True)
    employer = _derived_fk("jobs.Employer", _("用工企业"), null=True)
    occupation = _derived_fk("laborbridge.Occupation", _("工种"), null=True)
    poverty_status = models.CharField(_("劳动力类别"), max_length=32)
    bucket = models.CharField(_("就业去向"), max_length=20, choices=Bucket.choices)
    placed = models.PositiveIntegerField(default=0)
    poverty = models.PositiveIntegerField(default=0)
    monitored = models.PositiveIntegerField(default=0)
    eligible_3 = models.PositiveIntegerField(default=0)
    retained_3 = models.PositiveIntegerField(default=0)
    eligible_6 = models.PositiveIntegerField(default=0)
    retained_6 = models.PositiveIntegerField(default=0)
    wage_sum = models.BigIntegerField(default=0)
    wage_count = models.PositiveIntegerField(default=0)
    promised_sum = models.BigIntegerField(default=0)  # the vacancies' wage_min
    promised_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["year", "month", "pk"]
        indexes = [
            models.Index(fields=["year", "home_county"], name="targets_pc_year_county"),
            models.Index(fields=["year", "employer"], name="targets_pc_year_employer"),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d} {self.home_county_id} {self.placed}"


class FunnelCount(models.Model):
    """Workers of a county registered in a year, by the furthest stage they reached."""

    created_year = models.PositiveSmallIntegerField(_("登记年度"))
    home_county = _derived_fk("laborbridge.Region", _("户籍县区"))
    registered = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    offered = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    departed = models.PositiveIntegerField(default=0)
    arrived = models.PositiveIntegerField(default=0)
    month_3 = models.PositiveIntegerField(default=0)
    month_6 = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_year", "pk"]
        indexes = [models.Index(fields=["home_county"], name="targets_fc_county")]

    def __str__(self) -> str:
        return f"{self.created_year} {self.home_county_id} {self.registered}"


class DemandCount(models.Model):
    """Registered workers waiting to go, counted per 务工需求清单 row."""

    home_county = _derived_fk("laborbridge.Region", _("户籍县区"))
    township = _derived_fk("laborbridge.Region", _("乡镇"), null=True)
    occupation = _derived_fk("laborbridge.Occupation", _("意向工种"), null=True)
    # NULL: no wish city, as the direct list's subquery says it (shown as "—").
    destination = models.CharField(_("意向城市"), max_length=100, null=True)  # noqa: DJ001
    month = models.PositiveSmallIntegerField(_("最早出发月份"), null=True)
    workers = models.PositiveIntegerField(default=0)
    wage_sum = models.BigIntegerField(default=0)
    wage_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["home_county"], name="targets_dc_county")]

    def __str__(self) -> str:
        return f"{self.home_county_id} {self.workers}"
