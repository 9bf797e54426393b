"""The wage roster (工资花名册) on the shared import machinery: rows match the employer's
placed workers by ID blind index; unmatched rows are reported and never stored."""

import io

import pytest
from openpyxl import Workbook

from laborbridge.imports import services as imports
from laborbridge.imports.models import ImportJob
from placement.importers import WageRosterImporter
from placement.models import MonthlyWage, WageGapFlag
from tests.factories import WorkerFactory
from tests.placement.conftest import place
from workers.models import Worker

pytestmark = pytest.mark.django_db

KIND = "placement.wage_roster"
HEADER = ["序号", "姓名", "身份证号码", "工资月份", "应发合计", "发放日期"]


@pytest.fixture(autouse=True)
def celery_eager():
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in [HEADER, *rows]:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(capture, actor, data: bytes, *, commit: bool = False) -> ImportJob:
    with capture(execute=True):
        job = imports.import_job_create(actor=actor, kind=KIND, file_name="工资.xlsx", data=data)
    job.refresh_from_db()
    if commit:
        assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
        with capture(execute=True):
            imports.import_job_confirm(actor=actor, job=job)
        job.refresh_from_db()
    return job


def test_rows_match_placed_workers_and_the_rest_is_reported(
    django_capture_on_commit_callbacks, hr_x, employer_x, employer_y
):
    ours = place(employer_x)
    theirs = place(employer_y)  # placed, but at another employer
    stranger = WorkerFactory()  # registered, never placed
    for person, name in ((ours.worker, "王小明"), (theirs.worker, "李四"), (stranger, "赵五")):
        Worker.objects.filter(pk=person.pk).update(name=name)
        person.name = name
    worker = ours.worker
    rows = [
        [1, worker.name, worker.reveal_id_number(), "2026年7月", 5200, "2026-08-10"],
        [2, worker.name, worker.reveal_id_number(), "2026-08", 4000, ""],  # 20 % short: flagged
        [3, theirs.worker.name, theirs.worker.reveal_id_number(), "2026-07", 5000, ""],
        [4, stranger.name, stranger.reveal_id_number(), "2026-07", 5000, ""],
        [5, "别人", worker.reveal_id_number(), "2026-09", 5000, ""],
        [6, worker.name, worker.reveal_id_number(), "2026-05", 5000, ""],  # before the arrival
    ]
    job = run(django_capture_on_commit_callbacks, hr_x, xlsx(rows), commit=True)
    assert job.status == ImportJob.Status.COMMITTED
    preview = job.preview
    assert preview["counts"]["created"] == 2 and preview["counts"]["rejected"] == 4
    errors = {error["row"]: (error["column"], error["message"]) for error in job.errors}
    assert "本企业没有该身份证号" in errors[4][1] and "本企业没有该身份证号" in errors[5][1]
    assert errors[6][0] == "姓名" and errors[7][0] == "工资月份"
    stored = MonthlyWage.objects.filter(employment=ours).order_by("month")
    assert [(w.month.month, w.gross, w.source) for w in stored] == [
        (7, 5200, "roster"),
        (8, 4000, "roster"),
    ]
    assert not MonthlyWage.objects.exclude(employment=ours).exists()
    assert WageGapFlag.objects.get().month.month == 8
    # A corrected roster for July is an update, not a second row.
    again = run(
        django_capture_on_commit_callbacks,
        hr_x,
        xlsx([[1, worker.name, worker.reveal_id_number(), "2026-07", 5300, "2026-08-10"]]),
        commit=True,
    )
    assert again.preview["counts"]["updated"] == 1
    assert MonthlyWage.objects.get(employment=ours, month__month=7).gross == 5300


def test_only_hr_may_import(official_a, coordinator, liaison, hr_x):
    assert WageRosterImporter.allowed(hr_x)
    for user in (official_a, coordinator, liaison):
        assert not WageRosterImporter.allowed(user)


class TestPages:
    URL = "/placement/wages/import/"

    def test_hr_gets_the_upload_page_and_template(self, client, hr_x):
        client.force_login(hr_x)
        assert client.get(self.URL).status_code == 200
        template = client.get(self.URL + "template.xlsx")
        assert template.status_code == 200

    @pytest.mark.parametrize("who", ["official_a", "coordinator", "liaison"])
    def test_other_roles_are_refused(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get(self.URL).status_code == 403

    def test_another_employers_hr_cannot_open_the_job(
        self, client, django_capture_on_commit_callbacks, hr_x, hr_y, employment
    ):
        worker = employment.worker
        Worker.objects.filter(pk=worker.pk).update(name="王小明")
        worker.name = "王小明"
        job = run(
            django_capture_on_commit_callbacks,
            hr_x,
            xlsx([[1, worker.name, worker.reveal_id_number(), "2026-07", 5200, ""]]),
        )
        client.force_login(hr_y)
        assert client.get(f"{self.URL}{job.pk}/").status_code in (403, 404)
        response = client.get(f"/api/v1/placement/wage-imports/{job.pk}/")
        assert response.status_code in (403, 404)

    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(self.URL).status_code == 302
        assert client.get("/api/v1/placement/wage-imports/").status_code in (401, 403, 405)
