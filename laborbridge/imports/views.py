"""Generic import pages; an app mounts them with ``import_urlpatterns(kind=…)``.

Every view receives ``kind`` and ``name`` (the URL name prefix) from its URL pattern and
finds its sibling pages in the same namespace, so the same views serve the worker roster
and the vacancy list.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from laborbridge import access, spreadsheets
from laborbridge.background_views import run_progress, run_progress_response
from laborbridge.imports import services
from laborbridge.imports.base import importer_class
from laborbridge.imports.limits import UPLOAD_ACCEPT
from laborbridge.imports.models import ImportJob
from laborbridge.imports.workbooks import template_workbook
from laborbridge.tasking import EnqueueFailed

# Errors listed on the page; the rejected-rows workbook always has all of them.
ERRORS_ON_PAGE = 1000


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("选择文件（.xlsx、.xls、.ods 或 .csv）"),
        widget=forms.FileInput(attrs={"accept": UPLOAD_ACCEPT}),
        error_messages={"required": gettext_lazy("请选择要上传的文件。")},
    )


def _urls(request, name: str, job: ImportJob | None = None, list_url_name: str = "") -> dict:
    namespace = request.resolver_match.namespace
    prefix = f"{namespace}:{name}" if namespace else name
    urls = {"start": reverse(prefix), "template": reverse(f"{prefix}_template")}
    if job is not None:
        for action in ("job", "progress", "confirm", "cancel", "rejected", "map"):
            urls[action] = reverse(f"{prefix}_{action}", kwargs={"pk": job.pk})
    if list_url_name:
        urls["list"] = reverse(list_url_name)
    return urls


def _importer_or_403(user, kind: str):
    cls = importer_class(kind)
    if not cls.allowed(user):
        raise PermissionDenied(_("您无权使用该导入功能。"))
    return cls


def _job(request, kind: str, pk: int) -> ImportJob:
    return get_object_or_404(access.import_jobs_visible_to(request.user).filter(kind=kind), pk=pk)


def _attachment(data: bytes, filename: str) -> HttpResponse:
    return spreadsheets.download(data, filename)


@login_required
def import_start(
    request, kind: str, name: str, list_url_name: str = "", template: str = "", **_options
):
    """Show the upload form, the template link and recent imports; accept an upload."""
    cls = _importer_or_403(request.user, kind)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                actor=request.user,
                kind=kind,
                file_name=upload.name,
                data=services.upload_read(upload),
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        except EnqueueFailed as error:  # broker down: the job below is marked failed
            form.add_error(None, error.message)
        else:
            return redirect(_urls(request, name, job)["job"])
    jobs = services.import_jobs_for(request.user, kind)
    return render(
        request,
        template or "imports/start.html",
        {
            "form": form,
            "title": cls.title,
            "columns": cls.columns,
            "jobs": jobs,
            "urls": _urls(request, name, list_url_name=list_url_name),
            "job_url_name": f"{request.resolver_match.namespace}:{name}_job",
        },
    )


@login_required
def import_template(request, kind: str, name: str, **_options):
    cls = _importer_or_403(request.user, kind)
    importer = cls(actor=request.user, options=cls.options_for(request.user))
    filename = _("%(title)s导入模板.xlsx") % {"title": cls.title}
    return _attachment(template_workbook(importer), filename)


def _job_context(
    request, kind: str, name: str, job: ImportJob, list_url_name: str, list_label: str = ""
) -> dict:
    cls = importer_class(kind)
    errors = job.errors or []
    preview = job.preview or {}
    urls = _urls(request, name, job, list_url_name)
    notes = preview.get("ignored_notes", {})
    return {
        "ignored": [
            (header, notes.get(header, "")) for header in preview.get("ignored_headers", [])
        ],
        "job": job,
        "title": cls.title,
        "progress": run_progress(
            job,
            dom_id="import-progress",
            poll_url=urls["progress"],
            label=_("处理进度"),
            live=job.is_running,
            percent=services.import_job_progress(job),
            note=_("正在处理，请稍候；页面会自动更新。"),
            bar_while_live=True,
        ),
        "preview": job.preview or {},
        "counts": job.counts or {},
        # Each rejected row with the person's name, so the official knows whom to fix.
        "errors": [
            {**entry, "name": preview.get("rejected_names", {}).get(str(entry["row"]), "")}
            for entry in errors[:ERRORS_ON_PAGE]
        ],
        "errors_total": len(errors),
        "rejected_rows": len({entry["row"] for entry in errors}),
        "urls": urls,
        "list_label": list_label or _("查看列表"),
        "Status": ImportJob.Status,
    }


@login_required
def import_job(
    request,
    kind: str,
    name: str,
    pk: int,
    list_url_name: str = "",
    list_label: str = "",
    template: str = "",
):
    """Show a job: progress while it runs, then the preview, then the outcome."""
    _importer_or_403(request.user, kind)
    job = _job(request, kind, pk)
    context = _job_context(request, kind, name, job, list_url_name, list_label)
    return render(request, template or "imports/job.html", context)


@login_required
def import_progress(request, kind: str, name: str, pk: int, **_options):
    """Return the progress bar; once the job stops running, tell htmx to reload the page."""
    _importer_or_403(request.user, kind)
    job = _job(request, kind, pk)
    context = _job_context(request, kind, name, job, "")
    return run_progress_response(request, context["progress"])


@login_required
@require_POST
def import_confirm(request, kind: str, name: str, pk: int, **_options):
    _importer_or_403(request.user, kind)
    job = _job(request, kind, pk)
    try:
        services.import_job_confirm(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except EnqueueFailed as error:  # broker down: the job is marked failed with the reason
        messages.error(request, error.message)
    return redirect(_urls(request, name, job)["job"])


@login_required
@require_POST
def import_cancel(request, kind: str, name: str, pk: int, **_options):
    _importer_or_403(request.user, kind)
    job = _job(request, kind, pk)
    try:
        services.import_job_cancel(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已取消该导入，上传的文件已删除。"))
    return redirect(_urls(request, name)["start"])


@login_required
def import_rejected(request, kind: str, name: str, pk: int, **_options):
    """Download the rejected rows with their reasons, ready to fix and upload again."""
    cls = _importer_or_403(request.user, kind)
    job = _job(request, kind, pk)
    if not job.errors:
        raise Http404(_("没有被拒绝的行。"))
    try:
        data = services.rejected_rows_workbook(actor=request.user, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_urls(request, name, job)["job"])
    filename = _("%(title)s_被拒绝的行_%(id)s.xlsx") % {"title": cls.title, "id": job.pk}
    return _attachment(data, filename)
