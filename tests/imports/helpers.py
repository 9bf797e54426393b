"""Helpers shared by the import tests: spreadsheets in memory and the run-an-import dance."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook

from laborbridge.identifiers import id_number_check_char
from laborbridge.imports import services
from laborbridge.imports.models import ImportJob


def celery_eager_fixture():
    """Run Celery tasks in-process (tests with a real worker switch this off themselves)."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, title: str = "Sheet1", text_columns=()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    for column in text_columns:
        for cell in sheet[column]:
            cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: Sequence[Sequence[Any]], *, encoding: str = "utf-8", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def read_xlsx(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [row for row in rows if any(cell is not None for cell in row)]


def id_number(county: str, born: dt.date, serial: int) -> str:
    body = f"{county}{born:%Y%m%d}{serial:03d}"
    return body + id_number_check_char(body)


def id_number_ending_in_x(county: str, born: dt.date = dt.date(1988, 8, 8)) -> str:
    for serial in range(1000):
        number = id_number(county, born, serial)
        if number.endswith("X"):
            return number
    raise AssertionError("no X check digit found")


def run_import(
    capture,
    actor,
    data: bytes,
    *,
    kind: str = "workers.roster",
    name: str = "roster.xlsx",
    commit: bool = False,
) -> ImportJob:
    """Upload ``data``, run the preview (and the commit) through the eager tasks."""
    with capture(execute=True):
        job = services.import_job_create(actor=actor, kind=kind, file_name=name, data=data)
    job.refresh_from_db()
    if commit:
        assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
        with capture(execute=True):
            services.import_job_confirm(actor=actor, job=job)
        job.refresh_from_db()
    return job
