"""Partial claw-back of a paid (定额预付) amount (issue 14): a county official records part or
all of a paid amount with a reason; never more than was paid (locked check and database
constraint); the report, the application and the worker's page show it; other counties,
township officers, HR, coordinators and anonymous visitors are refused."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from laborbridge.models import AuditEvent, Region
from subsidies import payments
from subsidies.chain_selectors import report_rows
from subsidies.models import (
    Application,
    ApplicationStatus,
    PaymentClawback,
    PaymentLine,
    PaymentLineStatus,
)
from tests.factories import ANDING
from tests.subsidies.chain_support import application, policy_with_budget

S = ApplicationStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_line(official_a):
    policy = policy_with_budget()
    application(policy, status=S.APPROVED, name="赵预付", amount=600)
    batch = payments.payment_batch_create(
        actor=official_a, county=Region.objects.get(pk=ANDING), month=dt.date(2026, 11, 1)
    )
    payments.payment_batch_mark_paid(actor=official_a, batch=batch, bank_reference="GS1")
    return batch.lines.get()


def test_part_then_the_rest_never_more_than_paid(paid_line, official_a):
    line = payments.payment_line_claw_back(
        actor=official_a, line=paid_line, reason="核查务工不足3个月，按比例追回", amount=200
    )
    assert (line.status, line.clawed_back_amount, line.net_amount) == ("paid", 200, 400)
    assert Application.objects.get(pk=line.application_id).status == S.PAID
    for too_much in (401, 0, -5):
        with pytest.raises(ValidationError, match="400"):
            payments.payment_line_claw_back(
                actor=official_a, line=line, reason="再追回一部分", amount=too_much
            )
    line = payments.payment_line_claw_back(actor=official_a, line=line, reason="核查不在岗")
    assert (line.status, line.clawed_back_amount) == (PaymentLineStatus.CLAWED_BACK, 600)
    assert Application.objects.get(pk=line.application_id).status == S.CLAWED_BACK
    assert list(line.clawbacks.values_list("amount", flat=True)) == [200, 400]
    with pytest.raises(ValidationError):
        payments.payment_line_claw_back(actor=official_a, line=line, reason="再追回", amount=1)
    assert AuditEvent.objects.filter(action="subsidy.payment_claw_back").count() == 2


def test_the_database_refuses_more_than_paid(paid_line):
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.filter(pk=paid_line.pk).update(clawed_back_amount=601)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentClawback.objects.create(
            line=paid_line, amount=0, reason="x", recorded_by_id=paid_line.batch.created_by_id
        )


def test_others_are_refused(paid_line, official_b, township_officer, hr_x, coordinator, client):
    for user in (official_b, township_officer, hr_x, coordinator):
        with pytest.raises(PermissionDenied):
            payments.payment_line_claw_back(actor=user, line=paid_line, reason="不相干", amount=1)
    url = f"/subsidies/chain/payments/{paid_line.batch_id}/lines/{paid_line.pk}/claw-back/"
    for user in (official_b, township_officer, hr_x):
        client.force_login(user)
        assert client.post(url, {"reason": "不相干的人", "amount": "1"}).status_code == 404
    client.logout()
    assert client.post(url, {"reason": "匿名", "amount": "1"}).status_code == 302
    paid_line.refresh_from_db()
    assert paid_line.clawed_back_amount == 0


def test_page_report_application_and_worker_page_show_it(paid_line, official_a, client):
    client.force_login(official_a)
    url = f"/subsidies/chain/payments/{paid_line.batch_id}/lines/{paid_line.pk}/claw-back/"
    client.post(url, {"reason": "核查后部分追回", "amount": "abc"})
    assert PaymentClawback.objects.count() == 0
    assert client.post(url, {"reason": "核查后部分追回", "amount": "150"}).status_code == 302
    paid_line.refresh_from_db()
    assert paid_line.clawed_back_amount == 150
    [row] = report_rows(Region.objects.filter(pk=ANDING))
    assert (row.paid_amount, row.clawed_back_amount, row.net_paid_amount) == (600, 150, 450)
    export = client.get("/subsidies/chain/report/export/")
    sheet = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    header = list(sheet[0])
    values = dict(zip(header, sheet[1], strict=True))
    assert values["已追回金额（元）"] == 150 and values["实发净额（元）"] == 450
    detail = client.get(f"/subsidies/chain/applications/{paid_line.application_id}/")
    assert "核查后部分追回" in detail.content.decode()
    worker_page = client.get(f"/workers/{paid_line.worker_id}/").content.decode()
    assert "已追回 150 元" in worker_page and "核查后部分追回" in worker_page


def test_api_partial_claw_back_and_report(paid_line, official_a, official_b):
    from rest_framework.test import APIClient

    api = APIClient()
    url = f"/api/v1/subsidy-payment-batches/{paid_line.batch_id}/claw-back/"
    body = {"line": paid_line.pk, "reason": "核查后追回一半", "amount": 300}
    api.force_authenticate(official_b)
    assert api.post(url, body, format="json").status_code == 404
    api.force_authenticate(official_a)
    too_much = api.post(url, {**body, "amount": 601}, format="json")
    assert too_much.status_code == 400
    assert "amount" in too_much.json()["fields"]
    assert api.post(url, body, format="json").status_code == 200
    [row] = [r for r in api.get("/api/v1/subsidy-report/").json() if r["county"] == ANDING]
    assert (row["paid_amount"], row["clawed_back_amount"], row["net_paid_amount"]) == (
        600,
        300,
        300,
    )
