"""The generic import machinery: header matching, templates, the job's claims and states."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from laborbridge.imports import services
from laborbridge.imports.base import importer_class
from laborbridge.imports.models import ImportJob
from laborbridge.imports.pipeline import match_headers
from laborbridge.imports.reading import ImportFileError, read_table
from laborbridge.imports.workbooks import template_workbook
from tests.factories import ANDING, make_id_number
from tests.imports.helpers import run_import, xlsx_bytes

Status = ImportJob.Status


@pytest.fixture
def importer(official_a):
    cls = importer_class("workers.roster")
    return cls(actor=official_a, options=cls.options_for(official_a))


@pytest.mark.parametrize(
    "header,key",
    [
        ("身份证号码", "id_number"),
        ("公民身份号码", "id_number"),
        (" 身份证号 *", "id_number"),
        ("身份证号（必填）", "id_number"),
        ("【手机号码】", None),
        ("手机号码(本人)", "phone"),
        ("最低月薪（元/月）", "min_wage"),
        ("乡（镇）", "township"),
        ("1.姓名", "name"),
    ],
)
@pytest.mark.django_db
def test_header_variants(importer, header, key):
    base = {"name": "姓名", "id_number": "身份证号", "phone": "手机号"}
    if key in base:
        base[key] = header
    headers = list(base.values()) + ([] if key in base else [header])
    table = read_table(xlsx_bytes([["名单"], headers, ["x"] * len(headers)]), "a.xlsx")
    _sheet, match = match_headers(importer, table)
    found = {k for k, v in match.source.items() if v == header.strip()}
    assert found == ({key} if key else set())
    assert (header.strip() in match.ignored) == (key is None)


@pytest.mark.django_db
def test_the_header_row_is_found_below_titles(importer):
    table = read_table(
        xlsx_bytes(
            [["2026年花名册"], ["填报单位：凤翔镇", "", "日期"], ["姓名", "身份证号", "手机号"]]
        ),
        "a.xlsx",
    )
    assert match_headers(importer, table)[1].row_number == 3


@pytest.mark.django_db
def test_no_header_at_all_is_explained(importer):
    with pytest.raises(ImportFileError) as error:
        match_headers(importer, read_table(xlsx_bytes([["a", "b"], ["c", "d"]]), "a.xlsx"))
    assert "没有找到表头" in error.value.message


@pytest.mark.django_db
def test_template_has_explanations_dropdowns_and_text_columns(importer):
    workbook = load_workbook(io.BytesIO(template_workbook(importer)))
    assert workbook.sheetnames == ["劳动力花名册", "选项", "填写说明"]
    data, options, explanation = (workbook[name] for name in workbook.sheetnames)
    assert options.sheet_state == "hidden"
    headers = [cell.value for cell in data[1]]
    assert headers[:3] == ["姓名", "身份证号", "手机号"] and "意向城市" in headers
    assert data["B2"].number_format == "@" and data["C500"].number_format == "@"
    formulas = {str(v.sqref)[0]: v.formula1 for v in data.data_validations.dataValidation}
    assert formulas["D"].startswith("'选项'!$") and "F" in formulas  # 乡镇, 帮扶身份
    township_column = [c.value for c in options[formulas["D"].split("$")[1]]][1:]
    assert "凤翔镇" in township_column
    text = " ".join(str(c.value) for row in explanation.iter_rows() for c in row if c.value)
    assert "科学计数法" in text and "公民身份号码" in text and "空白单元格不会清除" in text


@pytest.mark.django_db
def test_uploaded_files_are_encrypted_at_rest(official_a, django_capture_on_commit_callbacks):
    number = make_id_number(ANDING)
    job = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        xlsx_bytes([["姓名", "身份证号", "手机号"], ["甲", number, "13700000001"]]),
        name="a.csv",
    )
    raw = bytes(ImportJob.objects.get(pk=job.pk).file_data)
    assert number.encode() not in raw and b"PK" not in raw[:4]


@pytest.mark.django_db
def test_the_preview_task_is_safe_to_run_twice(official_a, django_capture_on_commit_callbacks):
    job = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        xlsx_bytes([["姓名", "身份证号", "手机号"], ["甲", make_id_number(ANDING), "13700000001"]]),
    )
    assert job.status == Status.PREVIEWED
    assert services.import_job_preview(job_id=job.pk) is None  # already done: claims nothing
    assert services.import_job_commit(job_id=job.pk) is None  # not confirmed: claims nothing


@pytest.mark.django_db
def test_a_stale_run_is_claimed_again(official_a, django_capture_on_commit_callbacks):
    job = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        xlsx_bytes([["姓名", "身份证号", "手机号"], ["甲", make_id_number(ANDING), "13700000001"]]),
    )
    ImportJob.objects.filter(pk=job.pk).update(status=Status.PREVIEWING)
    assert services.import_job_preview(job_id=job.pk) is None  # a live run holds it
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    assert services.import_job_preview(job_id=job.pk).status == Status.PREVIEWED


@pytest.mark.django_db
def test_confirm_cancel_and_purge(official_a, official_b, django_capture_on_commit_callbacks):
    job = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        xlsx_bytes([["姓名", "身份证号", "手机号"], ["甲", make_id_number(ANDING), "13700000001"]]),
    )
    with pytest.raises(PermissionDenied):
        services.import_job_cancel(actor=official_b, job=job)
    services.import_job_cancel(actor=official_a, job=job)
    job.refresh_from_db()
    assert job.status == Status.CANCELLED and job.file_data is None
    with pytest.raises(ValidationError):
        services.import_job_confirm(actor=official_a, job=job)
    other = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        xlsx_bytes([["姓名", "身份证号", "手机号"], ["乙", make_id_number(ANDING), "13700000002"]]),
    )
    ImportJob.objects.filter(pk=other.pk).update(updated_at=timezone.now() - dt.timedelta(days=8))
    assert services.import_jobs_purge() == 1
    other.refresh_from_db()
    assert other.file_data is None and other.file_purged_at is not None
    with pytest.raises(ValidationError):
        services.rejected_rows_workbook(actor=official_a, job=other)


@pytest.mark.django_db
def test_only_allowed_users_may_upload(hr_x):
    with pytest.raises(PermissionDenied):
        services.import_job_create(actor=hr_x, kind="workers.roster", file_name="a.xlsx", data=b"x")
