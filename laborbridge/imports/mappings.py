"""The preview's "what is this column / this word?" step: remember the answer, preview again.

An official answers once for their unit (``RowImporter.mapping_scope``, e.g. every official
of the county): unrecognised headers become a column or "do not import"; words the import did
not know (工种 written as people write them) go to ``RowImporter.map_words``. The job is then
previewed again from its stored file, so the page shows what the choice changes before
anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from laborbridge import access
from laborbridge.imports.base import importer_class
from laborbridge.imports.models import ImportColumnMapping, ImportJob
from laborbridge.imports.pipeline import header_key
from laborbridge.imports.services import PREVIEW, import_job_enqueue
from laborbridge.models import User
from laborbridge.services import audit_record

Status = ImportJob.Status
IGNORE = "__ignore__"  # the form's value for "do not import this column"
GENERAL = "general"  # the form's value for "general labour, no trade"
# A form names at most this many headers / words (a roster has a few dozen columns).
MAX_CHOICES = 200


@transaction.atomic
def import_job_map(
    *, actor: User, job: ImportJob, headers: Mapping[str, str], words: Mapping[str, str]
) -> ImportJob:
    """Remember what the official said the headers and words mean, and preview the job again.

    ``headers``: header as written → column key, or ``IGNORE``; ``words``: word → the
    importer's choice value. Blank choices are skipped (answer later).
    """
    if not access.import_jobs_visible_to(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("您无权操作该导入任务。"))
    if job.status not in (Status.PREVIEWED, Status.FAILED) or job.file_data is None:
        raise ValidationError(_("该导入任务已确认或已取消，不能再设置列的对应关系；请重新上传。"))
    if len(headers) > MAX_CHOICES or len(words) > MAX_CHOICES:
        raise ValidationError(_("一次最多设置 %(n)d 项。") % {"n": MAX_CHOICES})
    cls = importer_class(job.kind)
    importer = cls(actor=job.owner, options=job.options)
    importer.job = job
    keys = {column.key for column in cls.columns}
    scope = importer.mapping_scope
    saved: dict[str, str] = {}
    for header, choice in headers.items():
        if not choice or not header.strip():
            continue
        if choice != IGNORE and choice not in keys:
            raise ValidationError(_("“%(header)s”的对应字段无效。") % {"header": header[:30]})
        ImportColumnMapping.objects.update_or_create(
            kind=job.kind,
            scope=scope,
            header_key=header_key(header)[:100],
            defaults={
                "header": header[:200],
                "column_key": "" if choice == IGNORE else choice,
                "created_by": actor,
            },
        )
        saved[header[:200]] = "" if choice == IGNORE else choice
    mapped = importer.map_words(actor=actor, choices={w: c for w, c in words.items() if c})
    if not saved and not mapped:
        raise ValidationError(_("没有选择任何对应关系。"))
    audit_record(
        actor=actor,
        action="import.map",
        target=job,
        changes={"headers": saved, "words": {w: c for w, c in words.items() if c}},
    )
    ImportJob.objects.filter(pk=job.pk, status__in=[Status.PREVIEWED, Status.FAILED]).update(
        status=Status.PREVIEW_QUEUED,
        progress_percent=0,
        failure_reason="",
        counts={},
        preview={},
        errors=[],
        parsed_data=None,
        updated_at=timezone.now(),
    )
    import_job_enqueue(job_id=job.pk, step=PREVIEW)
    job.refresh_from_db()
    return job


@login_required
@require_POST
def import_map(request, kind: str, name: str, pk: int, **_options):
    """Take the preview's column and word choices, then show the job being previewed again."""
    cls = importer_class(kind)
    if not cls.allowed(request.user):
        raise PermissionDenied(_("您无权使用该导入功能。"))
    job = get_object_or_404(access.import_jobs_visible_to(request.user).filter(kind=kind), pk=pk)
    headers = {
        request.POST.get(f"header_{i}", ""): request.POST.get(f"column_{i}", "")
        for i in range(MAX_CHOICES)
        if f"header_{i}" in request.POST
    }
    words = {
        request.POST.get(f"word_{i}", ""): request.POST.get(f"occupation_{i}", "")
        for i in range(MAX_CHOICES)
        if f"word_{i}" in request.POST
    }
    try:
        import_job_map(actor=request.user, job=job, headers=headers, words=words)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已记住您的选择，正在按新的对应关系重新检查文件。"))
    namespace = request.resolver_match.namespace
    prefix = f"{namespace}:{name}" if namespace else name
    return redirect(reverse(f"{prefix}_job", kwargs={"pk": job.pk}))
