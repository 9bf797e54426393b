"""The upload pages take every format the reader reads: one list, ``limits.UPLOAD_SUFFIXES``."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from laborbridge.imports import limits, reading
from laborbridge.imports.models import ImportJob
from tests.imports.bombs import xls_bytes

pytestmark = pytest.mark.django_db

XLS_ROSTER = Path(__file__).parents[1] / "workers" / "fixtures" / "roster_biff8.xls"
PAGES = [("workers:import", "official_a"), ("jobs:import", "hr_x")]


def test_the_reader_and_the_pages_use_one_list():
    assert reading.WORKBOOK_SUFFIXES is limits.WORKBOOK_SUFFIXES
    assert set(limits.UPLOAD_SUFFIXES) >= {".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods", ".csv"}


@pytest.mark.parametrize("page,user", PAGES)
def test_the_file_picker_offers_every_format(client, request, page, user):
    client.force_login(request.getfixturevalue(user))
    body = client.get(reverse(page)).content.decode()
    (accept,) = re.findall(r'<input type="file"[^>]*\baccept="([^"]*)"', body)
    assert accept.split(",") == list(limits.UPLOAD_SUFFIXES)


def test_an_xls_roster_uploaded_through_the_page_is_read(
    client, official_a, django_capture_on_commit_callbacks
):
    client.force_login(official_a)
    upload = SimpleUploadedFile("花名册.xls", XLS_ROSTER.read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workers:import"), {"file": upload})
    assert response.status_code == 302
    job = ImportJob.objects.get(owner=official_a)
    assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
    assert job.counts["total"] == 3, job.counts


@pytest.mark.parametrize("name", ["岗位.xls", "岗位.et"])
def test_an_xls_vacancy_list_uploaded_through_the_page_is_read(
    client, hr_x, django_capture_on_commit_callbacks, name
):
    client.force_login(hr_x)
    header = ["职位名称", "工种", "需求人数", "月薪下限", "月薪上限", "到岗日期"]
    data = xls_bytes([(0, header), (1, ["普工", "普工", 10, 5000, 7000, "2027-03-01"])])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:import"), {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 302
    job = ImportJob.objects.get(owner=hr_x)
    assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
    assert job.counts["total"] == 1
