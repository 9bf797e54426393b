"""The import runs in a real Celery worker over Redis, from upload to commit."""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from laborbridge.celery import app
from laborbridge.imports import services
from laborbridge.imports.models import ImportJob
from tests.factories import ANDING, make_id_number
from tests.imports.helpers import xlsx_bytes
from workers.models import Worker

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _wait(job_id: int, status: str, seconds: float = 30) -> ImportJob:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if not job.is_running:
            break
        time.sleep(0.2)
    assert job.status == status, job.failure_reason
    return job


@pytest.fixture
def celery_worker(reference_data):
    app.conf.task_always_eager = False
    with start_worker(
        app, perform_ping_check=False, pool="solo", concurrency=1, loglevel="WARNING"
    ):
        yield
    app.conf.task_always_eager = True


def test_roster_import_through_a_real_worker(celery_worker, official_a):
    number = make_id_number(ANDING)
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "手机号"],
            ["队列人", number, "13700000001"],
            ["错", "1", "13700000002"],
        ]
    )
    job = services.import_job_create(
        actor=official_a, kind="workers.roster", file_name="r.xlsx", data=data
    )
    job = _wait(job.pk, ImportJob.Status.PREVIEWED)
    assert job.counts == {"total": 2, "created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert job.task_id
    services.import_job_confirm(actor=official_a, job=job)
    _wait(job.pk, ImportJob.Status.COMMITTED)
    assert Worker.objects.get().name == "队列人"
