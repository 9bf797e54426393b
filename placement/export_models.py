"""The county's export for the national poverty-monitoring system, kept for download.

One row per run (``placement.poverty_export``): a background run of the run kit that builds
the .xlsx of every registered worker of one county and the findings of the checks counties
run before filing. The file holds full resident ID numbers, so it is kept encrypted in the
database (the Celery worker that writes it may run on another machine) and every download is
audited.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.background import BackgroundRun


class PovertyExport(BackgroundRun):
    """One export run of one county, from queued to done (or failed)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("正在生成")
        DONE = "done", _("已生成")
        FAILED = "failed", _("失败")

    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("统计年度"))
    as_of = models.DateField(_("统计截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    row_count = models.PositiveIntegerField(_("人数"), default=0)
    # {check code: count}; the findings themselves (row number, name, masked ID, check,
    # detail — no full ID number or phone) are in ``findings``.
    counts = models.JSONField(_("核查统计"), default=dict, blank=True)
    findings = models.JSONField(_("核查问题"), default=list, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)
    file_data = models.BinaryField(_("文件（密文）"), editable=False, null=True)
    # Re-encrypted by `manage.py rotate_keys` (associated data of poverty_export.file_encrypt).
    encrypted_fields = {"file_data": b"laborbridge:poverty-export:v1"}

    class Meta:
        app_label = "placement"
        ordering = ["-created_at", "-id"]
        verbose_name = _("防返贫监测导出")
        verbose_name_plural = _("防返贫监测导出")
        indexes = [models.Index(fields=["county", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100),
                name="poverty_export_progress_percent",
            ),
            # One live run per county: a second click while one runs is refused (RunBusy).
            models.UniqueConstraint(
                fields=["county"],
                condition=models.Q(status__in=["queued", "running"]),
                name="poverty_export_one_live_per_county",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.county_id} {self.year}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
