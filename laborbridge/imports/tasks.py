"""Celery tasks of the import machinery: each takes a job id and calls a service."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from laborbridge.imports import services

_RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "max_retries": 3,
}


def _on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
    job_id = args[0] if args else kwargs.get("job_id")
    if job_id is not None:
        services.import_job_mark_failed(
            job_id=job_id,
            reason=_("处理文件时出错（%(error)s），没有保存任何数据。请重试或联系管理员。")
            % {"error": type(exc).__name__},
        )


@shared_task(name="imports.preview", on_failure=_on_failure, **_RETRY)
def import_preview_task(job_id: int) -> None:
    services.import_job_preview(job_id=job_id)


@shared_task(name="imports.commit", on_failure=_on_failure, **_RETRY)
def import_commit_task(job_id: int) -> None:
    services.import_job_commit(job_id=job_id)


@shared_task(name="imports.purge_files")
def import_jobs_purge_task() -> int:
    return services.import_jobs_purge()
