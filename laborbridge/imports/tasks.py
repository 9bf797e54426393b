"""Celery tasks of the import machinery: each takes a job id and calls a service."""

from celery import shared_task
from django.utils.translation import gettext as _

from laborbridge.background import run_task
from laborbridge.imports import services


def _failure_reason(exc: BaseException) -> str:
    return _("处理文件时出错（%(error)s），没有保存任何数据。请重试或联系管理员。") % {
        "error": type(exc).__name__
    }


import_preview_task = run_task(
    name="imports.preview",
    job=services.IMPORT_RUNS,
    execute=lambda pk, task_id: services.import_job_preview(job_id=pk, task_id=task_id),
    failure_reason=_failure_reason,
    retry_backoff=2,
)
import_commit_task = run_task(
    name="imports.commit",
    job=services.IMPORT_RUNS,
    execute=lambda pk, task_id: services.import_job_commit(job_id=pk, task_id=task_id),
    failure_reason=_failure_reason,
    retry_backoff=2,
)


@shared_task(name="imports.purge_files")
def import_jobs_purge_task() -> int:
    return services.import_jobs_purge()
