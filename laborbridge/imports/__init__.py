"""Spreadsheet imports: column specs, tolerant reading and cleaning, preview → commit.

Officials live in Excel. This package turns a roster they already keep (``.xlsx``,
``.xls``, WPS ``.et``, ``.ods`` or ``.csv`` in UTF-8 or GB18030, headers in any of their
usual spellings, cells with full-width digits, stray spaces and dates in five formats) into
validated rows, shows a preview
(created / updated / unchanged / rejected, every rejection with its row number, column and a
Chinese reason), and on confirmation writes the valid rows in one transaction. Apps supply
only what is specific to them by subclassing :class:`RowImporter`; the reading, cleaning,
header matching, in-file duplicate detection, the ``ImportJob`` record, its Celery tasks,
progress, pages and API are shared.

Writing an importer (``workers/importers.py`` is the reference implementation)::

    from laborbridge.imports import Column, RowImporter, RowRejected, cleaners, register_importer

    @register_importer
    class VacancyImporter(RowImporter):
        kind = "jobs.vacancies"                 # ImportJob.kind; unique, stable
        title = _("岗位清单")                    # sheet name / file name / page title
        columns = [
            Column("title", _("岗位名称"), variants=["岗位", "职位名称"], required=True,
                   clean=cleaners.text(max_length=100), example="普工"),
            Column("headcount", _("招聘人数"), variants=["人数"], required=True,
                   clean=cleaners.integer(minimum=1)),
            Column("occupation", _("工种"), clean="clean_occupation",   # importer method
                   choices=lambda importer: importer.occupation_names()),
            Column("start_date", _("到岗日期"), clean=cleaners.date()),
            Column("dormitory", _("提供宿舍"), clean=cleaners.yes_no(),
                   choices=cleaners.YES_NO_CHOICES),
        ]
        key_columns = ["title"]                 # the columns named in "duplicate of row N"

        @classmethod
        def allowed(cls, user) -> bool: ...     # who may import (and download the template)
        @classmethod
        def options_for(cls, user) -> dict: ... # JSON stored on the job, e.g. {"employer": 7}

        def prepare(self): ...                  # optional: bulk-load lookups once
        def validate(self, row): ...            # optional: cross-field checks → raise RowRejected
        def key(self, row) -> Hashable: ...     # natural key (duplicate detection, lookup)
        def existing(self, keys) -> dict: ...   # key → object already stored (any scope)
        def check_existing(self, row, obj): ... # optional: raise RowRejected (e.g. other county)
        def diff(self, row, obj) -> dict: ...   # {field: [old, new]}; empty → unchanged
        def apply(self, *, creates, updates): ...  # bulk write; runs inside the transaction
        def export_row(self, obj) -> dict: ...  # optional: column key → cell, for exports

``RowImporter(actor=user, options=job.options)`` is constructed by the machinery. A cleaner
is any callable ``cell → value`` that raises :class:`CellError` (or Django's
``ValidationError``) with a Chinese message; blank cells never reach it (required columns
report "必填" themselves, optional ones become ``column.default``). Cleaners in
:mod:`laborbridge.imports.cleaners`: ``text``, ``digits``, ``id_number``, ``phone``,
``date``, ``integer``, ``wage``, ``choice`` (by label, value or synonym), ``multi`` (a list
split on 、,，;；/), ``yes_no``, ``person_name``. ``Column.clean`` may also name a method of
the importer (``"clean_occupation"``) for cleaners that need lookups loaded in ``prepare()``,
which the machinery calls once (without arguments) before cleaning. Set
``derived_headers = {"性别": "由身份证号自动得出"}`` for headers you know but do not import,
and call ``self.report_progress(fraction)`` between batches in ``apply``.

A :class:`Row` carries ``number`` (the spreadsheet row as Excel shows it), ``values`` (column key → cleaned value, only for columns present and
non-blank), ``cells`` (the raw cells) and ``errors``; ``row.has(key)`` says whether the
file gave a value (a missing column or a blank cell means "leave unchanged").

Flow and API (``laborbridge.imports.services``)::

    job = import_job_create(actor=user, kind="jobs.vacancies", file_name=name, data=bytes_)
        # stores the file encrypted in the database (Celery workers may run on other
        # machines), queues the preview with transaction.on_commit
    import_job_preview(job_id=…)   # task body: read, clean, classify → job.preview, counts
    import_job_confirm(actor=user, job=job)   # PREVIEWED → COMMIT_QUEUED, queues the commit
    import_job_commit(job_id=…)    # task body: re-checks, writes valid rows atomically
    import_job_cancel(actor=user, job=job)
    import_job_progress(job) -> int            # percent, including the commit's progress
    rejected_rows_workbook(actor=user, job=job) -> bytes   # rejected rows + 错误原因 column
    audit_record_bulk(actor=…, action=…, entries=[(obj, changes), …])
    # laborbridge.imports.workbooks:
    template_workbook(importer) -> bytes       # headers, 填写说明 sheet, drop-downs
    export_workbook(importer, rows) -> bytes   # rows = importer.export_row(obj) dicts
    # laborbridge.imports.reading:
    read_table(data, filename) -> Table       # workbook/csv → sheets of rows (used above)

Bulk writes for ``apply`` (``laborbridge.imports.writing``): ``insert_values(Model, fields,
rows)`` and ``update_values(Model, fields, rows)`` take plain value tuples and skip the ORM's
per-value compilation (``bulk_create`` costs ~10 µs per field per row: 13 s for a 10,000-row
roster with its wishes and history, against ~1.5 s this way); ``audit_record_bulk`` (in
``services``) writes one audit event per changed object the same way. Reading uses a fast
calamine (``python-calamine``) behind hard limits (``laborbridge.imports.limits``: upload
size, each zip member's declared and actual inflated size, rows, columns, cells, cell
length — checked before any cell is read; calamine runs in a forked child with an
address-space limit). Exports are written by ``laborbridge.spreadsheets``, which
neutralises formulas.

The preview stores its cleaned rows (pickled, AES-GCM encrypted, like the file) in
``job.parsed_data``; the commit reuses them instead of reading and cleaning the file again,
but classifies every row against the registry afresh inside its transaction.

Statuses (``ImportJob.Status``): preview_queued → previewing → previewed → commit_queued →
committing → committed; or failed / cancelled. Tasks (``laborbridge.imports.tasks``)
``import_preview_task(job_id)`` and ``import_commit_task(job_id)`` take only the id, claim
the job with a conditional ``UPDATE … WHERE status=…`` (a job stuck in a running state for
longer than ``STALE_AFTER`` may be claimed again) and are safe to run twice. ``job.preview``
is JSON::

    {"sheet": "花名册", "header_row": 1,
     "columns": [{"key": "name", "header": "姓名", "source": "姓名"}, …],
     "ignored_headers": ["序号"], "missing_columns": ["村"],
     "counts": {"total": 12, "created": 7, "updated": 1, "unchanged": 1, "rejected": 3},
     "errors": [{"row": 5, "column": "身份证号", "message": "…"}, …],
     "changes": [{"row": 8, "label": "王小明", "fields": ["手机号", "意向城市"]}, …]}

What ``preview`` keeps is what the official must see to check the file, and no more:
names (each changed row's ``label``; for rosters, up to 200 sample additions with the name,
the *masked* ID number and the township, and the changed values with phones masked), never a
full ID number or phone. It sits in plain JSON on the job, which only its uploader (and
admins) may open; ``import_jobs_purge`` deletes the file and the parsed rows but keeps the
preview. ``errors`` messages name rows and columns and never quote an ID number, phone or
name (only harmless cells such as a malformed date); the rejected rows are re-read from the
(encrypted) uploaded file when downloaded.

Pages and API for an app: ``import_urlpatterns(kind=…, name="import")`` returns the URL
patterns (upload page, template download, job page, progress partial for htmx polling,
confirm, cancel, rejected-rows download) to add to the app's ``urls.py``; the views look up
siblings by the same name prefix within the app's namespace. ``ImportJobViewSet`` is the DRF
viewset: subclass it with ``kind = …`` and register it on the app's router (create = upload,
retrieve = status + preview, ``commit``, ``rejected-rows``, ``template`` actions). Jobs are
scoped by ``laborbridge.access.import_jobs_visible_to`` (own jobs; admins all).
"""

from typing import Any

# Re-exported lazily (PEP 562): laborbridge.models imports this package's models module while
# the app registry is loading, before the service and view modules may be imported.
_EXPORTS = {
    "Column": "laborbridge.imports.base",
    "CellError": "laborbridge.imports.base",
    "Row": "laborbridge.imports.base",
    "RowError": "laborbridge.imports.base",
    "RowRejected": "laborbridge.imports.base",
    "Update": "laborbridge.imports.base",
    "RowImporter": "laborbridge.imports.base",
    "register_importer": "laborbridge.imports.base",
    "importer_class": "laborbridge.imports.base",
    "cleaners": "laborbridge.imports.cleaners",
    "read_table": "laborbridge.imports.reading",
    "Table": "laborbridge.imports.reading",
    "import_urlpatterns": "laborbridge.imports.urls",
    "insert_values": "laborbridge.imports.writing",
    "update_values": "laborbridge.imports.writing",
    "ImportJobViewSet": "laborbridge.imports.api",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    import importlib

    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(module_name)
    return module if name == "cleaners" else getattr(module, name)
