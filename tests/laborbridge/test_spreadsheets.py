"""Exports never carry formulas: the one writer (laborbridge.spreadsheets) and every export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from laborbridge import spreadsheets
from laborbridge.imports import services as import_services
from laborbridge.imports.base import importer_class
from laborbridge.imports.workbooks import template_workbook
from tests.factories import ANDING, VacancyFactory, WorkerFactory
from tests.imports.helpers import celery_eager_fixture, id_number, run_import, xlsx_bytes

ROOT = Path(__file__).resolve().parents[2]
celery_eager = pytest.fixture(celery_eager_fixture)
HYPERLINK = '=HYPERLINK("http://evil.example/x","点击领取补贴")'
DANGEROUS = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tx", "\rx"]


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_no_formula(data: bytes) -> list:
    cells = _cells(data)
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell.value
    return [cell.value for cell in cells]


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert spreadsheets.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["王小明", "'=已经转义", "1+1", "a=b", 0, -3, -2.5, None, True])
def test_everything_else_is_left_alone(value):
    assert spreadsheets.neutralise(value) == value


def test_xlsx_writer_neutralises_every_cell_however_it_was_written():
    book = spreadsheets.workbook()
    sheet = book.active
    sheet.append([*DANGEROUS, -3, 2.5, "-3"])
    sheet["A3"] = "=1+1"  # openpyxl stores this as a formula
    other = book.create_sheet("二")
    other.cell(row=5, column=2, value="@x")
    values = _assert_no_formula(spreadsheets.xlsx_bytes(book))
    assert "'" + HYPERLINK in values and "'=1+1" in values and "'@x" in values
    # Numbers stay numbers, a negative one included; text that looks like one is text.
    assert -3 in values and 2.5 in values and "'-3" in values


def test_csv_writer_neutralises_text_and_keeps_numbers():
    data = spreadsheets.csv_bytes([[HYPERLINK, -3, "-3", None, "王小明"]], headers=["姓名", "@h"])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["姓名", "'@h"], ["'" + HYPERLINK, "-3", "'-3", "", "王小明"]]


def test_download_names_the_file_and_is_not_cached():
    response = spreadsheets.download(b"x", "劳动力花名册.xlsx")
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert "filename*=utf-8''%E5%8A%B3" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert spreadsheets.download(b"x", "a.csv")["Content-Type"].startswith("text/csv")


@pytest.mark.django_db
def test_worker_export_neutralises_a_formula_name(official_a, client):
    WorkerFactory(name=HYPERLINK, registered_by=official_a)
    WorkerFactory(name="@SUM(1)", registered_by=official_a)
    client.force_login(official_a)
    response = client.post("/api/v1/workers/export/", {"reason": ""}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    values = _assert_no_formula(response.content)
    assert "'" + HYPERLINK in values and "'@SUM(1)" in values


@pytest.mark.django_db
def test_vacancy_export_neutralises_a_formula_title(hr_x, employer_x, client):
    VacancyFactory(employer=employer_x, title="=1+1")
    client.force_login(hr_x)
    response = client.get("/jobs/vacancies/export/")
    assert response.status_code == 200
    assert "'=1+1" in _assert_no_formula(response.content)


@pytest.mark.django_db
def test_rejected_rows_download_neutralises_what_the_uploader_wrote(
    official_a, django_capture_on_commit_callbacks, celery_eager
):
    good = id_number(ANDING, dt.date(1990, 1, 1), 71)
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "手机号", "乡镇"],
            ["王小明", good, "13912345678", "凤翔镇"],
            ["-1+1", "not-an-id", "+8613912345678", "凤翔镇"],
        ]
    )
    job = run_import(django_capture_on_commit_callbacks, official_a, data)
    assert job.counts.get("rejected") == 1, (job.status, job.failure_reason, job.counts)
    workbook = import_services.rejected_rows_workbook(actor=official_a, job=job)
    values = _assert_no_formula(workbook)
    assert "'-1+1" in values and "'+8613912345678" in values


def test_manifest_workbook_neutralises_names_and_places():
    from transport.manifests import Manifest, ManifestRow, manifest_workbook

    row = ManifestRow(
        seat_id=1,
        seat="1车01座",
        car_no=1,
        name=HYPERLINK,
        id_number="6211**********1234",
        phone="139****5678",
        county="安定区",
        pickup_point="@乡政府门口",
        pickup_time="08:00",
        employer="=青岛某厂",
        district="黄岛区",
    )
    manifest = Manifest(
        title="K123 乘车名单",
        vehicle="K123",
        plan="春风行动",
        operator="兰州局",
        escort="李干事",
        route="定西 → 青岛",
        departure="2026-03-01 08:00",
        arrival="2026-03-02 10:00",
        rows=[row],
        seats=100,
    )
    values = _assert_no_formula(manifest_workbook(manifest))
    assert "'" + HYPERLINK in values and "'@乡政府门口" in values and "'=青岛某厂" in values


@pytest.mark.django_db
def test_templates_hold_no_formula(official_a):
    for kind in ("workers.roster", "jobs.vacancies"):
        cls = importer_class(kind)
        _assert_no_formula(template_workbook(cls(actor=official_a, options={})))


# The one writer: nothing else in the project writes a workbook, a CSV export or the MIME type.
_ALLOWED = {
    "laborbridge/spreadsheets.py",
    # COPY … FROM STDIN of matches into PostgreSQL: a database load, not an export.
    "matching/rounds.py",
    # COPY … FROM STDIN of eligibility results into PostgreSQL: the same kind of load.
    "subsidies/services.py",
    # Reference data derivation, a developer script writing the repository's own CSV.
    "scripts/derive_regions.py",
}
_WRITERS = re.compile(r"spreadsheetml|csv\.(?:writer|DictWriter)\(|Workbook\(|\.save\(buffer\)")


def test_every_export_goes_through_the_one_writer():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "tests/", "bench/", "node_modules/")) or (
            relative in _ALLOWED
        ):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{relative}: {m.group(0)}" for m in _WRITERS.finditer(text)]
    assert offenders == []
