"""Bounded spreadsheets: every bomb is refused with a message naming the limit, the job ends
failed (never stuck), memory stays bounded, and the workbook formats officials use are read."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from laborbridge.imports import services
from laborbridge.imports.limits import MAX_FILE_BYTES, MAX_ROWS, READER_ADDRESS_SPACE
from laborbridge.imports.models import ImportJob
from laborbridge.imports.reading import ImportFileError, read_table
from tests.factories import ANDING
from tests.imports import bombs
from tests.imports.bombs import (
    BOMBS,
    ods_cell,
    ods_raw,
    ods_row,
    xls_bytes,
    xlsx_cell,
    xlsx_raw,
    xlsx_row,
)
from tests.imports.helpers import csv_bytes, id_number, run_import
from workers.models import Worker

ROOT = Path(__file__).resolve().parents[2]
UPLOADABLE = [name for name in BOMBS if name != "oversized_upload"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", UPLOADABLE)
def test_each_bomb_fails_the_job_with_a_message_naming_the_limit(
    name, official_a, django_capture_on_commit_callbacks
):
    builder, file_name, expected = BOMBS[name]
    job = run_import(django_capture_on_commit_callbacks, official_a, builder(), name=file_name)
    assert job.status == ImportJob.Status.FAILED
    assert expected in job.failure_reason
    assert not Worker.objects.exists()


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_before_it_is_read(official_a, client):
    upload = SimpleUploadedFile("roster.csv", bombs.bomb_oversized_upload(), "text/csv")
    with pytest.raises(ValidationError) as error:
        services.upload_read(upload)
    assert "上限 20 MB" in str(error.value)
    client.force_login(official_a)
    upload.seek(0)
    response = client.post("/api/v1/worker-imports/", {"file": upload})
    assert response.status_code == 400
    assert "上限 20 MB" in json.dumps(response.json(), ensure_ascii=False)
    assert not ImportJob.objects.exists()
    with pytest.raises(ImportFileError, match="上限 20 MB"):
        read_table(b"x" * (MAX_FILE_BYTES + 1), "a.csv")


@pytest.mark.parametrize(
    "name", ["column_ref", "dimension", "area", "lying_size", "ods_repeated", "xls_far_cell"]
)
def test_reading_a_bomb_keeps_memory_bounded(name):
    """In a fresh process: the worker grows by < 64 MB; the reader child stays under its cap."""
    result = subprocess.run(
        [sys.executable, "-m", "tests.imports.bombs", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert BOMBS[name][2] in figures["refused"]
    assert figures["peak_mb"] - figures["baseline_mb"] < 64, figures
    # The child starts as a copy of the parent; it may add at most its address-space cap.
    cap = figures["baseline_mb"] + READER_ADDRESS_SPACE / 2**20
    assert figures["reader_child_peak_mb"] < cap, figures


def test_the_reader_child_is_what_catches_an_xls_bomb():
    """The .xls bomb passes every scan (it is not zipped); only the child's cap stops it —
    and the caller survives to say so."""
    with pytest.raises(ImportFileError, match="内存超过上限"):
        read_table(bombs.bomb_xls_far_cell(), "a.xls")
    # The same process goes on reading ordinary files.
    assert read_table(xls_bytes([(0, ["姓名"])]), "a.xls").sheets[0].rows == [(1, ["姓名"])]


def test_a_large_declared_dimension_within_the_limits_is_read():
    data = xlsx_raw(xlsx_row(1, [xlsx_cell("A1", "姓名")]), dimension="A1:Z5000")
    assert read_table(data, "a.xlsx").sheets[0].rows == [(1, ["姓名"])]


def test_cells_at_the_column_limit_are_read_and_one_past_it_refused():
    at_limit = xlsx_raw(xlsx_row(1, [xlsx_cell("A1", "姓名"), xlsx_cell("IV1", "末列")]))
    assert read_table(at_limit, "a.xlsx").sheets[0].rows[0][1][255] == "末列"
    past = xlsx_raw(xlsx_row(1, [xlsx_cell("A1", "姓名"), xlsx_cell("IW1", "x")]))
    with pytest.raises(ImportFileError, match="超过 256 列（单元格 IW1）"):
        read_table(past, "a.xlsx")


def test_libreoffice_trailing_repeated_empty_cells_are_not_a_bomb():
    data = ods_raw(
        ods_row([ods_cell("姓名"), ods_cell(None, 1023)])
        + ods_row([ods_cell("王小明"), ods_cell(None, 1023)])
        + ods_row([ods_cell(None, 1024)], 1_048_574)
    )
    assert read_table(data, "a.ods").sheets[0].rows == [(1, ["姓名"]), (2, ["王小明"])]


@pytest.mark.parametrize(
    "data,message",
    [
        (csv_bytes([["姓名", "x" * 2001]]), "第 1 行第 2 列的内容超过 2,000 个字符"),
        (csv_bytes([["姓名"], ["a"] * 300]), "超过 256 列（第 2 行第 300 列）"),
        ("姓名\n".encode() * (MAX_ROWS + 1), f"文件超过 {MAX_ROWS:,} 行"),
    ],
)
def test_csv_limits(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_table(data, "a.csv")


def test_a_zip_that_is_no_workbook_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ImportFileError, match="请上传 .xlsx、.xls、.ods 或 .csv"):
        read_table(buffer.getvalue(), "a.xlsx")


ROSTER_HEADERS = ["姓名", "身份证号", "手机号", "乡镇"]


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".xls", ".et", ".ods"])
def test_a_roster_in_xls_wps_or_ods_is_imported(
    suffix, official_a, django_capture_on_commit_callbacks
):
    first = id_number(ANDING, dt.date(1990, 5, 17), 61)
    second = id_number(ANDING, dt.date(1992, 1, 2), 62)
    rows = [
        ROSTER_HEADERS,
        ["王小明", first, "13912345678", "凤翔镇"],
        ["李娟", second, 13800138000, "凤翔镇"],
    ]
    if suffix == ".ods":
        data = bombs.ods_bytes(rows)
    else:
        data = xls_bytes(list(enumerate(rows)))
    job = run_import(
        django_capture_on_commit_callbacks, official_a, data, name=f"花名册{suffix}", commit=True
    )
    assert job.status == ImportJob.Status.COMMITTED, job.failure_reason
    assert job.result["created"] == 2
    assert set(Worker.objects.values_list("name", "phone_last4")) == {
        ("王小明", "5678"),
        ("李娟", "8000"),
    }
