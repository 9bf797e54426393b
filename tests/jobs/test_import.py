"""The vacancy import on the shared machinery: preview with row-level errors, commit,
re-import, export round trip, scoping, pages and API."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from jobs.models import Vacancy, VacancyStatus
from laborbridge.imports import services as imports
from laborbridge.imports.models import ImportJob
from laborbridge.models import AuditEvent, CertificateType, Occupation
from tests.factories import VacancyFactory

pytestmark = pytest.mark.django_db

KIND = "jobs.vacancies"
# New vacancies must start in the future: next year's spring, whenever the suite runs.
NEXT = timezone.localdate().year + 1
HEADER = [
    "岗位编号", "职位名称", "工种", "需求人数", "月薪下限", "月薪上限", "工作地点", "到岗日期",
    "提供宿舍", "必备证书", "岗位描述", "状态",
]  # fmt: skip


@pytest.fixture(autouse=True)
def celery_eager():
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(data: bytes, name: str) -> io.BytesIO:
    stream = io.BytesIO(data)
    stream.name = name
    return stream


def run(capture, actor, data: bytes, *, commit: bool = False) -> ImportJob:
    with capture(execute=True):
        job = imports.import_job_create(actor=actor, kind=KIND, file_name="岗位.xlsx", data=data)
    job.refresh_from_db()
    if commit:
        assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
        with capture(execute=True):
            imports.import_job_confirm(actor=actor, job=job)
        job.refresh_from_db()
    return job


@pytest.fixture
def names(db):
    occupations = list(Occupation.objects.order_by("code")[:2])
    certificate = CertificateType.objects.order_by("code").first()
    return {"occ": occupations[0], "occ2": occupations[1], "cert": certificate}


@pytest.fixture
def messy(names, employer_x, employer_y):
    """A realistic HR sheet: good rows, fixable mistakes, and one of every refusal."""
    own_closed = VacancyFactory(employer=employer_x, status=VacancyStatus.CLOSED, title="旧岗")
    own_open = VacancyFactory(employer=employer_x, title="包装工", headcount=10)
    foreign = VacancyFactory(employer=employer_y, title="Y 的岗")
    occ, occ2, cert = names["occ"].name_zh, names["occ2"].code, names["cert"].name_zh
    rows = [
        HEADER,
        # 2: new draft, full-width digits, wage written "5千"
        ["", "电子装配工", occ, "２０", "5千", "7000元", "城阳区", f"{NEXT}/3/1", "是", cert, "", ""],
        # 3: new, published at once, occupation by code, district by code
        ["", "仓库理货员", occ2, 8, 5000, 6000, "370281", f"{NEXT}-03-15", "否", "", "", "招聘中"],
        # 4: wage range upside down
        ["", "质检员", occ, 3, 8000, 6000, "", f"{NEXT}-03-01", "", "", "", ""],
        # 5: discriminatory condition
        ["", "搬运工", occ, 5, 5000, 6000, "", f"{NEXT}-03-01", "", "", "限男性", ""],
        # 6: unknown occupation
        ["", "调酒师", "调酒", 2, 5000, 6000, "", f"{NEXT}-03-01", "", "", "", ""],
        # 7: headcount missing
        ["", "叉车工", occ, "", 5000, 6000, "", f"{NEXT}-03-01", "", "", "", ""],
        # 8: impossible date
        ["", "焊工", occ, 2, 5000, 6000, "", f"{NEXT}-13-01", "", "", "", ""],
        # 9: another employer's vacancy number
        [foreign.pk, "偷改", occ, 2, 5000, 6000, "", f"{NEXT}-03-01", "", "", "", ""],
        # 10: the same vacancy as row 2 again
        ["", "电子装配工", occ, 20, 5000, 7000, "城阳区", f"{NEXT}-03-01", "是", cert, "", ""],
        # 11: update of an own vacancy by number: more headcount
        [own_open.pk, "包装工", own_open.occupation.name_zh, 15, 5000, 6500, "", "2026-03-01",
         "", "", "", ""],
        # 12: reopening a closed vacancy breaks the lifecycle
        [own_closed.pk, "旧岗", own_closed.occupation.name_zh, 10, 5000, 6500, "", "2026-03-01",
         "", "", "", "招聘中"],
        # 13: empty line (skipped), 14: a new status that a new vacancy cannot have
        [],
        ["", "夜班保安", occ, 2, 4000, 4500, "", f"{NEXT}-03-01", "", "", "", "已关闭"],
    ]  # fmt: skip
    return {"data": xlsx(rows), "own_open": own_open, "own_closed": own_closed, "foreign": foreign}


class TestPreviewAndCommit:
    def test_preview_reports_every_rejected_row_with_column_and_reason(
        self, django_capture_on_commit_callbacks, hr_x, messy
    ):
        job = run(django_capture_on_commit_callbacks, hr_x, messy["data"])
        assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
        assert job.counts == {
            "total": 12,
            "created": 2,
            "updated": 1,
            "unchanged": 0,
            "rejected": 9,
        }
        errors = {(e["row"], e["column"]): e["message"] for e in job.errors}
        assert "月薪上限不能低于下限" in errors[(4, "月薪上限")]
        assert "歧视性条件" in errors[(5, "岗位描述")]
        assert "不在职业分类中" in errors[(6, "工种")]
        assert errors[(7, "需求人数")] == "必填项未填写。"
        assert "不存在" in errors[(8, "到岗日期")]
        assert "本企业没有这个岗位编号" in errors[(9, "岗位编号")]
        assert "与第 2 行是同一条记录" in errors[(10, "职位名称")]
        assert errors[(12, "状态")] == "岗位状态不能从“已关闭”变为“招聘中”。"
        assert "只能是“草稿”或“招聘中”" in errors[(14, "状态")]
        assert job.preview["blank_rows"] == 1
        assert not Vacancy.objects.filter(title="电子装配工").exists()  # preview writes nothing

    def test_commit_stores_the_valid_rows_only(
        self, django_capture_on_commit_callbacks, hr_x, employer_x, messy, names
    ):
        job = run(django_capture_on_commit_callbacks, hr_x, messy["data"], commit=True)
        assert job.status == ImportJob.Status.COMMITTED, job.failure_reason
        assembly = Vacancy.objects.get(title="电子装配工")
        assert assembly.employer == employer_x and assembly.status == VacancyStatus.DRAFT
        assert (assembly.headcount, assembly.wage_min, assembly.wage_max) == (20, 5000, 7000)
        assert assembly.district_id == "370214" and assembly.dormitory
        assert list(assembly.required_certificates.all()) == [names["cert"]]
        clerk = Vacancy.objects.get(title="仓库理货员")
        assert clerk.status == VacancyStatus.OPEN and clerk.published_at is not None
        assert clerk.district_id == "370281" and clerk.occupation == names["occ2"]
        messy["own_open"].refresh_from_db()
        assert messy["own_open"].headcount == 15
        messy["foreign"].refresh_from_db()
        assert messy["foreign"].title == "Y 的岗"
        assert Vacancy.objects.get(pk=messy["own_closed"].pk).status == VacancyStatus.CLOSED
        for title in ("质检员", "搬运工", "调酒师", "叉车工", "焊工", "夜班保安"):
            assert not Vacancy.objects.filter(title=title).exists()
        assert AuditEvent.objects.filter(action="vacancy.import_create", actor=hr_x).count() == 2
        update = AuditEvent.objects.get(action="vacancy.import_update")
        assert update.changes == {"headcount": [10, 15]}

    def test_reimporting_the_same_file_changes_nothing(
        self, django_capture_on_commit_callbacks, hr_x, messy
    ):
        run(django_capture_on_commit_callbacks, hr_x, messy["data"], commit=True)
        count = Vacancy.objects.count()
        job = run(django_capture_on_commit_callbacks, hr_x, messy["data"], commit=True)
        assert job.counts["created"] == 0 and job.counts["updated"] == 0
        assert job.counts["unchanged"] == 3
        assert Vacancy.objects.count() == count

    def test_export_then_import_is_a_no_op_and_edits_apply(
        self, client, django_capture_on_commit_callbacks, hr_x, employer_x, names
    ):
        vacancy = VacancyFactory(employer=employer_x, title="导出岗", travel_reimbursement=True)
        vacancy.required_certificates.set([names["cert"]])
        client.force_login(hr_x)
        response = client.get(reverse("jobs:vacancy_export"))
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        exported = response.content
        rows = list(load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows(values_only=True))
        header = rows[0]
        assert "剩余名额（仅导出）" in header and rows[1][header.index("岗位名称")] == "导出岗"
        job = run(django_capture_on_commit_callbacks, hr_x, exported, commit=True)
        assert job.counts == {"total": 1, "created": 0, "updated": 0, "unchanged": 1, "rejected": 0}

        workbook = load_workbook(io.BytesIO(exported))
        sheet = workbook.worksheets[0]
        sheet.cell(row=2, column=header.index("招聘人数") + 1, value=25)
        sheet.cell(row=2, column=header.index("状态") + 1, value="暂停")
        buffer = io.BytesIO()
        workbook.save(buffer)
        job = run(django_capture_on_commit_callbacks, hr_x, buffer.getvalue(), commit=True)
        assert job.counts["updated"] == 1
        vacancy.refresh_from_db()
        assert vacancy.headcount == 25 and vacancy.status == VacancyStatus.PAUSED


class TestAccess:
    def test_only_hr_imports(self, client, official_a, coordinator):
        for user in (official_a, coordinator):
            client.force_login(user)
            assert client.get(reverse("jobs:import")).status_code == 403
            assert client.get(reverse("jobs:import_template")).status_code == 403
            assert client.get("/api/v1/vacancy-imports/").status_code == 403

    def test_anonymous_is_refused(self, client):
        response = client.get(reverse("jobs:import"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert client.get("/api/v1/vacancy-imports/").status_code in (401, 403)

    def test_another_hr_cannot_open_the_job(
        self, client, django_capture_on_commit_callbacks, hr_x, hr_y, messy
    ):
        job = run(django_capture_on_commit_callbacks, hr_x, messy["data"])
        client.force_login(hr_y)
        assert client.get(reverse("jobs:import_job", args=[job.pk])).status_code == 404
        assert client.get(f"/api/v1/vacancy-imports/{job.pk}/").status_code == 404


class TestPagesAndApi:
    def test_template_has_the_columns_and_drop_downs(self, client, hr_x):
        client.force_login(hr_x)
        response = client.get(reverse("jobs:import_template"))
        workbook = load_workbook(io.BytesIO(response.content))
        header = [cell.value for cell in workbook.worksheets[0][1]]
        assert header[:3] == ["岗位编号", "岗位名称", "工种"]
        assert "性别" not in header and "民族" not in header
        assert "填写说明" in workbook.sheetnames
        assert workbook.worksheets[0].data_validations.dataValidation  # drop-down lists

    def test_upload_page_shows_the_preview(
        self, client, django_capture_on_commit_callbacks, hr_x, messy
    ):
        client.force_login(hr_x)
        assert "岗位表" in client.get(reverse("jobs:import")).content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("jobs:import"),
                {"file": upload(messy["data"], "岗位.xlsx")},
            )
        assert response.status_code == 302
        body = client.get(response["Location"]).content.decode()
        assert "确认后将新增 2 个岗位、更新 1 个岗位" in body
        assert "歧视性条件" in body

    def test_api_upload_preview_commit(
        self, client, django_capture_on_commit_callbacks, hr_x, messy
    ):
        client.force_login(hr_x)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/api/v1/vacancy-imports/", {"file": upload(messy["data"], "a.xlsx")}
            )
        assert response.status_code == 202
        pk = response.json()["id"]
        detail = client.get(f"/api/v1/vacancy-imports/{pk}/").json()
        assert detail["status"] == "previewed" and detail["counts"]["rejected"] == 9
        assert {"row": 5, "column": "岗位描述"}.items() <= next(
            e for e in detail["errors"] if e["row"] == 5
        ).items()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/api/v1/vacancy-imports/{pk}/commit/")
        assert response.status_code == 202
        assert Vacancy.objects.filter(title="电子装配工").exists()
