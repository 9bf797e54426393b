"""The record of one spreadsheet import: its file, progress, preview and outcome."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from laborbridge.background import BackgroundRun


class ImportJob(BackgroundRun):
    """One upload, from preview to commit. Written only by ``laborbridge.imports.services``.

    A background run in two steps (preview, then commit; see ``services.IMPORT_RUNS``) with
    the run fields of :class:`~laborbridge.background.BackgroundRun`; its uploader is
    ``owner``, so it has no ``created_by``.

    The uploaded file is kept encrypted in the database rather than on a disk, because the
    Celery worker that reads it may run on another machine; it holds resident ID numbers.
    ``preview`` and ``errors`` never hold identifying cell values (see the package docs).
    """

    class Status(models.TextChoices):
        PREVIEW_QUEUED = "preview_queued", _("等待检查")
        PREVIEWING = "previewing", _("正在检查")
        PREVIEWED = "previewed", _("待确认导入")
        COMMIT_QUEUED = "commit_queued", _("等待导入")
        COMMITTING = "committing", _("正在导入")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("导入类型"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    options = models.JSONField(_("选项"), default=dict, blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    file_size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    file_data = models.BinaryField(_("文件（密文）"), editable=False, null=True)
    # The preview's cleaned rows (pickled, encrypted and authenticated like the file), so the
    # commit does not read and clean the file a second time; it still re-checks every row
    # against the registry inside its transaction.
    parsed_data = models.BinaryField(_("预检数据（密文）"), editable=False, null=True)
    # Re-encrypted by `manage.py rotate_keys` (associated data of imports.services.file_encrypt).
    encrypted_fields = {
        "file_data": b"laborbridge:import-file:v1",
        "parsed_data": b"laborbridge:import-file:v1",
    }
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PREVIEW_QUEUED
    )
    counts = models.JSONField(_("行数统计"), default=dict, blank=True)
    preview = models.JSONField(_("预检结果"), default=dict, blank=True)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)
    errors = models.JSONField(_("被拒绝的行"), default=list, blank=True)
    created_by = None  # the uploader is ``owner``
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    previewed_at = models.DateTimeField(_("检查完成时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("导入完成时间"), null=True, blank=True)
    file_purged_at = models.DateTimeField(_("文件删除时间"), null=True, blank=True)

    class Meta:
        app_label = "laborbridge"
        ordering = ["-created_at", "-id"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [
            models.Index(fields=["owner", "kind", "-created_at"]),
            models.Index(fields=["status", "updated_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_percent__lte=100),
                name="import_job_progress_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in {
            self.Status.PREVIEW_QUEUED,
            self.Status.PREVIEWING,
            self.Status.COMMIT_QUEUED,
            self.Status.COMMITTING,
        }

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.COMMITTED, self.Status.FAILED, self.Status.CANCELLED}


class ImportColumnMapping(models.Model):
    """An official's answer to "what is this column?", remembered for their unit's next upload.

    ``scope`` names whose uploads it applies to (``"county:621102"``: every official of the
    county); ``header_key`` is the header reduced by ``pipeline.header_key``; a blank
    ``column_key`` means "do not import this column".
    """

    kind = models.CharField(_("导入类型"), max_length=50)
    scope = models.CharField(_("适用范围"), max_length=40)
    header_key = models.CharField(_("表头（规范化）"), max_length=100)
    header = models.CharField(_("表头（原文）"), max_length=200)
    column_key = models.CharField(_("对应字段"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        app_label = "laborbridge"
        ordering = ["kind", "scope", "header_key"]
        verbose_name = _("导入列对应关系")
        verbose_name_plural = _("导入列对应关系")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope", "header_key"], name="import_column_mapping_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.header} → {self.column_key or '-'}"


class OccupationWordMapping(models.Model):
    """A county's word for an occupation (``力工`` → 装卸搬运工), set once by an official.

    Applies to the county's next imports and to every worker of the county whose skill or
    wish was kept as this unclassified word. ``occupation`` null means "not a trade"
    (普工: general labour, matched as no skill) and stops the word being reported again.
    """

    county = models.ForeignKey(
        "laborbridge.Region",
        verbose_name=_("县区"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    word = models.CharField(_("工种写法"), max_length=50)
    occupation = models.ForeignKey(
        "laborbridge.Occupation",
        verbose_name=_("对应工种"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("设置人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        app_label = "laborbridge"
        ordering = ["county", "word"]
        verbose_name = _("工种写法对应")
        verbose_name_plural = _("工种写法对应")
        constraints = [
            models.UniqueConstraint(fields=["county", "word"], name="occupation_word_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.word} → {self.occupation_id or '-'}"
