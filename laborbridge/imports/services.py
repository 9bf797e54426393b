"""Writes of the import machinery: create a job, preview it, confirm, commit, cancel, purge.

``import_job_preview`` and ``import_job_commit`` are the bodies of the Celery tasks; they
take a job id, claim the job with a conditional UPDATE and are safe to run twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import pickle
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, InterfaceError, OperationalError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access, crypto
from laborbridge.background import BackgroundJob, Step, run_create, run_enqueue
from laborbridge.imports.base import Row, RowImporter, importer_class
from laborbridge.imports.limits import file_too_large, out_of_memory
from laborbridge.imports.models import ImportJob
from laborbridge.imports.pipeline import (
    Parsed,
    Plan,
    classify,
    error_entries,
    match_headers,
    normalise_header,
    parse,
)
from laborbridge.imports.reading import MAX_FILE_BYTES, ImportFileError, read_table
from laborbridge.imports.workbooks import rejected_workbook
from laborbridge.imports.writing import insert_values
from laborbridge.models import AuditEvent, User
from laborbridge.models.audit import actor_snapshot
from laborbridge.services import audit_record

logger = logging.getLogger(__name__)

Status = ImportJob.Status
# A job left in a running state this long (its worker died; acks_late re-delivers the task)
# may be claimed again.
STALE_AFTER = dt.timedelta(minutes=10)
# Uploaded files are kept this long for the rejected-rows download, then purged.
KEEP_FILES_FOR = dt.timedelta(days=7)
# The preview keeps this many change samples (what an update would change) for the page.
CHANGE_SAMPLES = 200
# calamine reads every workbook format county offices use, .xls and WPS .et included.
ALLOWED_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv", ".txt")

_FILE_AAD = b"laborbridge:import-file:v1"
_PROGRESS_KEY = "imports:progress:{}"


def file_encrypt(data: bytes) -> bytes:
    # The uploaded roster holds ID numbers in clear: encrypt it with the keys they use (the
    # ciphertext names its key, so rotation and older files keep working).
    return crypto.encrypt(data, purpose=_FILE_AAD)


def file_decrypt(blob: bytes) -> bytes:
    return crypto.decrypt(blob, purpose=_FILE_AAD)


def import_importer(job: ImportJob) -> RowImporter:
    """Return the app's importer for ``job``, bound to its owner and options."""
    importer = importer_class(job.kind)(actor=job.owner, options=job.options)
    importer.job = job
    return importer


def audit_record_bulk(
    *,
    actor: User | None,
    action: str,
    entries: Iterable[tuple[models.Model, dict[str, Any]]],
    reason: str = "",
    batch_size: int = 1000,
) -> int:
    """Record one audit event per (target, changes) in bulk, like ``audit_record`` does singly."""
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    snapshot = actor_snapshot(actor)
    return insert_values(
        AuditEvent,
        [
            "actor_id",
            "actor_username",
            "actor_name",
            "action",
            "target_type",
            "target_id",
            "changes",
            "reason",
            "created_at",
        ],
        (
            (
                actor_id,
                snapshot["actor_username"],
                snapshot["actor_name"],
                action,
                target._meta.label_lower,
                str(target.pk),
                changes or {},
                reason,
                None,
            )
            for target, changes in entries
        ),
        batch_size=batch_size,
    )


def upload_read(upload) -> bytes:
    """Return an uploaded file's bytes, refusing one over the size limit before reading it."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ValidationError({"file": file_too_large(upload.size)})
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": file_too_large(len(data))})
    return data


@transaction.atomic
def import_job_create(
    *, actor: User, kind: str, file_name: str, data: bytes, options: dict | None = None
) -> ImportJob:
    """Store an uploaded file as a new job and queue its preview."""
    cls = importer_class(kind)
    if not cls.allowed(actor):
        raise PermissionDenied(_("您无权导入%(title)s。") % {"title": cls.title})
    file_name = os.path.basename(file_name or "upload")[:200]
    if not file_name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError({"file": _("请上传 .xlsx、.xls、.ods 或 .csv 文件。")})
    if not data:
        raise ValidationError({"file": _("上传的文件是空的。")})
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": file_too_large(len(data))})
    # The preview task starts after commit; a failed publish fails the job (EnqueueFailed).
    job = run_create(
        job=IMPORT_RUNS,
        create=lambda: ImportJob.objects.create(
            kind=kind,
            owner=actor,
            options={**cls.options_for(actor), **(options or {})},
            file_name=file_name,
            file_size=len(data),
            file_data=file_encrypt(data),
        ),
    )
    audit_record(
        actor=actor,
        action="import.upload",
        target=job,
        changes={"kind": kind, "file_name": file_name, "file_size": len(data)},
    )
    return job


# Preview and commit run as background jobs: a heartbeat while they run, and the reaper
# (laborbridge.background) requeues a job whose worker died — the commit is one transaction,
# so a dead commit wrote nothing and running it again is safe.
PREVIEW = Step(Status.PREVIEW_QUEUED, Status.PREVIEWING, "imports.preview")
COMMIT = Step(Status.COMMIT_QUEUED, Status.COMMITTING, "imports.commit")
IMPORT_RUNS = BackgroundJob(model=ImportJob, status_field="status", steps=(PREVIEW, COMMIT))


def import_job_enqueue(*, job_id: int, step: Step) -> None:
    """Publish ``step``'s task for the job after commit; a failed publish fails the job with
    the reason (and raises ``EnqueueFailed`` to the view) instead of leaving it queued."""
    run_enqueue(job=IMPORT_RUNS, pk=job_id, step=step)


def _release(job_id: int, queued: str, running: str) -> None:
    """Put a job back in the queue so the task's retry can claim it again."""
    ImportJob.objects.filter(pk=job_id, status=running).update(status=queued)


def _claim(job_id: int, step: Step, task_id: str) -> bool:
    # A redelivered task leaves a job that is still moving alone; one stuck for STALE_AFTER
    # (or requeued by the reaper) is claimed again.
    claim = IMPORT_RUNS.claim(job_id, task_id, step=step, stale_after=STALE_AFTER, percent=1)
    return claim is not None


def _progress_setter(job_id: int, start: int, end: int, *, in_transaction: bool = False):
    """Return a callback mapping 0–1 onto ``start``–``end`` percent of the job's progress."""
    last = [-1]

    def report(fraction: float) -> None:
        percent = int(start + (end - start) * fraction)
        if percent == last[0]:
            return
        last[0] = percent
        if in_transaction:
            # Inside the commit transaction an UPDATE would be invisible to the page.
            cache.set(_PROGRESS_KEY.format(job_id), percent, 3600)
        else:
            ImportJob.objects.filter(pk=job_id).update(
                progress_percent=percent, updated_at=timezone.now()
            )

    return report


def import_job_progress(job: ImportJob) -> int:
    """Return the job's progress in percent, including what the commit reports via the cache."""
    if job.status == Status.COMMITTING:
        return max(job.progress_percent, cache.get(_PROGRESS_KEY.format(job.pk)) or 0)
    return 100 if job.status in (Status.COMMITTED, Status.PREVIEWED) else job.progress_percent


def _fail(job_id: int, running: str, reason: str) -> None:
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id, status=running).update(
        status=Status.FAILED, failure_reason=reason, finished_at=now, updated_at=now
    )


def _parse(job: ImportJob, importer: RowImporter, start: int, end: int) -> Parsed:
    if job.file_data is None:
        raise ImportFileError(_("上传的文件已删除，请重新上传。"))
    table = read_table(file_decrypt(job.file_data), job.file_name)
    return parse(importer, table, progress=_progress_setter(job.pk, start, end))


def _pack(parsed: Parsed) -> bytes:
    """Return the cleaned rows, without their raw cells, pickled and encrypted."""
    # Rows as plain tuples: pickling 100,000 Row dataclasses (each copied without its cells,
    # each reduced through copyreg) took ~2.0 s of a preview, the tuples ~0.4 s.
    rows = [(row.number, row.values, row.errors, row.present, row.key) for row in parsed.rows]
    return file_encrypt(pickle.dumps((dataclasses.replace(parsed, rows=[]), rows), protocol=5))


def _unpack(job: ImportJob, importer: RowImporter) -> Parsed | None:
    """Return the preview's cleaned rows, or None when they are gone (purged, old job)."""
    if not job.parsed_data:
        return None
    # Safe to unpickle: AES-GCM authenticates the blob, which only this code has written.
    stored = pickle.loads(file_decrypt(job.parsed_data))  # noqa: S301
    if isinstance(stored, Parsed):  # previewed before the rows were stored as tuples
        parsed = stored
    else:
        parsed, rows = stored
        parsed.rows = [
            Row(number=number, cells=[], values=values, errors=errors, present=present, key=key)
            for number, values, errors, present, key in rows
        ]
    importer.prepare()
    return parsed


def _ignored_notes(importer: RowImporter, ignored: Sequence[str]) -> dict[str, str]:
    known = {normalise_header(h): str(note) for h, note in importer.derived_headers.items()}
    return {h: known[normalise_header(h)] for h in ignored if normalise_header(h) in known}


def _preview_payload(importer: RowImporter, parsed: Parsed, plan: Plan) -> dict:
    header = parsed.header
    how = getattr(header, "how", {})
    columns = [
        {
            "key": c.key,
            "header": c.label,
            "source": header.source.get(c.key, ""),
            "how": how.get(c.key, ""),
        }
        for c in importer.columns
    ]
    changes = []
    for update in plan.updates[:CHANGE_SAMPLES]:
        changes.append(
            {
                "row": update.row.number,
                "label": importer.label(update.row),
                # Only which columns change: values may be personal (phones, names).
                "fields": [
                    header.source.get(key) or importer.column(key).label
                    for key in update.changes
                    if key in {c.key for c in importer.columns}
                ],
            }
        )
    return {
        "sheet": header.sheet,
        "header_row": header.row_number,
        "header_first_row": getattr(header, "first_row", 0) or header.row_number,
        "columns": columns,
        "ignored_headers": header.ignored,
        "ignored_notes": getattr(header, "notes", None) or _ignored_notes(importer, header.ignored),
        "unknown_headers": getattr(header, "unknown", header.ignored),
        "missing_columns": [importer.column(key).label for key in header.missing],
        "blank_rows": parsed.blank_rows,
        "counts": plan.counts,
        "changes": changes,
        **importer.preview_extras(parsed, plan),
    }


def import_job_preview(*, job_id: int, task_id: str = "") -> ImportJob | None:
    """Read, clean and classify the job's file; store the preview. Safe to run twice."""
    if not _claim(job_id, PREVIEW, task_id):
        return None
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    importer = import_importer(job)
    try:
        parsed = _parse(job, importer, 2, 80)
        plan = classify(importer, parsed.rows)
    except ImportFileError as error:
        _fail(job_id, Status.PREVIEWING, error.message)
        if getattr(error, "preview", None):  # unrecognised headers the official may map
            ImportJob.objects.filter(pk=job_id).update(preview=error.preview)
        return ImportJob.objects.get(pk=job_id)
    except MemoryError:
        # The reader's limits should make this impossible; never leave the job "previewing".
        _fail(job_id, Status.PREVIEWING, out_of_memory().message)
        return ImportJob.objects.get(pk=job_id)
    except (OperationalError, InterfaceError):
        _release(job_id, Status.PREVIEW_QUEUED, Status.PREVIEWING)
        raise
    preview = _preview_payload(importer, parsed, plan)
    ImportJob.objects.filter(pk=job_id, status=Status.PREVIEWING).update(
        status=Status.PREVIEWED,
        parsed_data=_pack(parsed),
        progress_percent=100,
        counts=plan.counts,
        preview=preview,
        errors=error_entries(importer, plan.rejected, parsed.header),
        previewed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return ImportJob.objects.get(pk=job_id)


@transaction.atomic
def import_job_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    """Queue the commit of a previewed job."""
    if not access.import_jobs_visible_to(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("您无权操作该导入任务。"))
    moved = ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
        status=Status.COMMIT_QUEUED, progress_percent=0, updated_at=timezone.now()
    )
    if not moved:
        raise ValidationError(_("该导入任务当前不能确认导入（可能已导入或已取消）。"))
    job.refresh_from_db()
    audit_record(actor=actor, action="import.confirm", target=job, changes=dict(job.counts))
    import_job_enqueue(job_id=job.pk, step=COMMIT)
    return job


def import_job_commit(*, job_id: int, task_id: str = "") -> ImportJob | None:
    """Re-check the file against the registry and write every valid row in one transaction.

    Rows are classified again inside the transaction, because the registry may have changed
    since the preview (another county may just have registered one of the people). Either
    all valid rows are stored, or — on any error — nothing is.
    """
    if not _claim(job_id, COMMIT, task_id):
        return None
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    importer = import_importer(job)
    try:
        parsed = _unpack(job, importer) or _parse(job, importer, 2, 40)
    except ImportFileError as error:
        _fail(job_id, Status.COMMITTING, error.message)
        return ImportJob.objects.get(pk=job_id)
    except (OperationalError, InterfaceError):
        _release(job_id, Status.COMMIT_QUEUED, Status.COMMITTING)
        raise
    importer.progress_callback = _progress_setter(job_id, 45, 99, in_transaction=True)
    try:
        with transaction.atomic():
            plan = classify(importer, parsed.rows)
            importer.apply(creates=plan.creates, updates=plan.updates)
            counts = plan.counts
            audit_record(actor=job.owner, action="import.commit", target=job, changes=counts)
            finished = ImportJob.objects.filter(pk=job_id, status=Status.COMMITTING).update(
                status=Status.COMMITTED,
                progress_percent=100,
                result=counts,
                counts=counts,
                parsed_data=None,
                errors=error_entries(importer, plan.rejected, parsed.header),
                committed_at=timezone.now(),
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            if not finished:
                # Someone cancelled or another run finished first: store nothing.
                transaction.set_rollback(True)
    except (IntegrityError, ValidationError) as error:
        logger.warning("Import job %s rolled back: %s", job_id, type(error).__name__)
        _fail(
            job_id,
            Status.COMMITTING,
            _(
                "导入时发现数据已被他人修改（例如同一身份证号刚被登记），为保证一致，本次没有保存任何数据。"
                "请重新上传文件检查后再导入。"
            ),
        )
    except (OperationalError, InterfaceError):
        # Transient: nothing was stored; let the task's retry run the commit again.
        _release(job_id, Status.COMMIT_QUEUED, Status.COMMITTING)
        raise
    finally:
        cache.delete(_PROGRESS_KEY.format(job_id))
    return ImportJob.objects.get(pk=job_id)


def import_job_mark_failed(*, job_id: int, reason: str) -> None:
    """Mark a queued or running job failed; the reason is shown to the user."""
    IMPORT_RUNS.fail(job_id, reason)


@transaction.atomic
def import_job_cancel(*, actor: User, job: ImportJob) -> ImportJob:
    """Cancel a job that has not been committed and delete its file."""
    if not access.import_jobs_visible_to(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("您无权操作该导入任务。"))
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.PREVIEW_QUEUED, Status.PREVIEWED, Status.FAILED]
    ).update(
        status=Status.CANCELLED,
        file_data=None,
        parsed_data=None,
        file_purged_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not cancelled:
        raise ValidationError(_("该导入任务正在进行或已导入，不能取消。"))
    job.refresh_from_db()
    audit_record(actor=actor, action="import.cancel", target=job)
    return job


def import_jobs_purge(*, older_than: dt.timedelta = KEEP_FILES_FOR) -> int:
    """Delete the uploaded files of finished jobs older than ``older_than``; return how many."""
    cutoff = timezone.now() - older_than
    return ImportJob.objects.filter(
        updated_at__lt=cutoff,
        file_purged_at__isnull=True,
        status__in=[Status.PREVIEWED, Status.COMMITTED, Status.FAILED, Status.CANCELLED],
    ).update(file_data=None, parsed_data=None, file_purged_at=timezone.now())


def rejected_rows_workbook(*, actor: User, job: ImportJob) -> bytes:
    """Return the job's rejected rows as the official wrote them, with a 错误原因 column."""
    if not access.import_jobs_visible_to(actor).filter(pk=job.pk).exists():
        raise PermissionDenied(_("您无权查看该导入任务。"))
    if job.file_data is None:
        raise ValidationError(_("上传的文件已按规定删除，无法再下载被拒绝的行，请重新上传原文件。"))
    importer = import_importer(job)
    table = read_table(file_decrypt(job.file_data), job.file_name)
    sheet, header = match_headers(importer, table)
    messages: dict[int, list[str]] = {}
    for entry in job.errors:
        prefix = f"{entry['column']}：" if entry["column"] else ""
        messages.setdefault(entry["row"], []).append(prefix + entry["message"])
    rows = [
        (number, cells, "；".join(messages[number]))
        for number, cells in sheet.rows
        if number in messages
    ]
    text_positions = [
        header.index[c.key] for c in importer.columns if c.as_text and c.key in header.index
    ]
    audit_record(
        actor=actor, action="import.download_rejected", target=job, changes={"rows": len(rows)}
    )
    return rejected_workbook(
        title=str(importer.title), headers=header.headers, text_positions=text_positions, rows=rows
    )


def import_jobs_for(user: User, kind: str) -> Sequence[ImportJob]:
    """Return the user's recent jobs of ``kind`` (newest first), without the file."""
    return list(
        access.import_jobs_visible_to(user)
        .filter(kind=kind)
        .defer("file_data", "parsed_data", "preview", "errors")
        .order_by("-created_at")[:10]
    )
