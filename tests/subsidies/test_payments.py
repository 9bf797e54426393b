"""Payment batches (issue 14): built from approved applications, the bank's batch file with
masked numbers (full numbers only with a reason, audited), marked paid with the bank's
reference, failed payments back on the list, claw-back with a reason, and the database
refusing to pay one person twice for the year."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from laborbridge.models import AuditEvent, Region
from subsidies import payments
from subsidies.models import (
    Application,
    ApplicationStatus,
    PaymentBatch,
    PaymentLine,
    PaymentLineStatus,
)
from tests.factories import ANDING
from tests.subsidies.chain_support import application, policy_with_budget

S = ApplicationStatus
pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 11, 1)


@pytest.fixture
def approved(db):
    policy = policy_with_budget()
    return [application(policy, status=S.APPROVED, name=f"李{n}华") for n in range(3)]


def _batch(official, month=MONTH):
    return payments.payment_batch_create(
        actor=official, county=Region.objects.get(pk=ANDING), month=month
    )


def _rows(content: bytes):
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_batch_export_masks_numbers_and_totals(approved, official_a):
    batch = _batch(official_a)
    line = batch.lines.order_by("id").first()
    payments.payment_line_account_set(actor=official_a, line=line, account="6217 0000 1234 5678")
    rows = _rows(payments.payment_batch_export(actor=official_a, batch=batch))
    assert rows[0] == ("姓名", "身份证号", "社保卡号/账号", "金额", "备注")
    assert rows[1][0] == "李0华" and "*" in rows[1][1] and rows[1][2] == "6217********5678"
    assert rows[-1][0] == "合计" and rows[-1][3] == 1800 and rows[-1][1] == "3 人"
    assert AuditEvent.objects.filter(action="subsidy.payment_export").count() == 1


def test_full_numbers_need_a_reason_and_are_audited(approved, official_a):
    batch = _batch(official_a)
    line = batch.lines.order_by("id").first()
    payments.payment_line_account_set(actor=official_a, line=line, account="6217000012345678")
    with pytest.raises(ValidationError, match="原因"):
        payments.payment_batch_export(actor=official_a, batch=batch, full=True, reason="")
    rows = _rows(
        payments.payment_batch_export(
            actor=official_a, batch=batch, full=True, reason="报送银行代发"
        )
    )
    assert rows[1][1] == line.worker.reveal_id_number()
    assert rows[1][2] == "6217000012345678"
    event = AuditEvent.objects.get(action="subsidy.payment_export_full")
    assert event.reason == "报送银行代发" and event.actor == official_a


def test_mark_paid_failed_line_goes_back_on_the_list(approved, official_a):
    batch = _batch(official_a)
    lines = list(batch.lines.order_by("id"))
    with pytest.raises(ValidationError, match="银行批次号"):
        payments.payment_batch_mark_paid(actor=official_a, batch=batch, bank_reference=" ")
    payments.payment_batch_mark_paid(
        actor=official_a,
        batch=batch,
        bank_reference="GS2026110001",
        failed={lines[0].pk: "账户已销户"},
    )
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[lines[0].application_id] == S.PAYMENT_FAILED
    assert statuses[lines[1].application_id] == S.PAID
    retry = _batch(official_a, month=dt.date(2026, 12, 1))
    assert list(retry.lines.values_list("application_id", flat=True)) == [lines[0].application_id]
    with pytest.raises(ValidationError, match="没有待发放"):
        _batch(official_a, month=dt.date(2027, 1, 1))


def test_the_same_person_cannot_be_paid_twice_for_the_year(approved, official_a):
    batch = _batch(official_a)
    line = batch.lines.first()
    other = PaymentBatch.objects.create(county_id=ANDING, month=MONTH, created_by=official_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=other,
            application=line.application,
            worker=line.worker,
            policy_kind=line.policy_kind,
            policy_year=line.policy_year,
            amount=600,
        )
    # Even through another application of the same kind and year (if one slipped through).
    second = Application.objects.get(pk=approved[1].pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            batch=other,
            application=second,
            worker=line.worker,
            policy_kind=line.policy_kind,
            policy_year=line.policy_year,
            amount=600,
        )


def test_claw_back_needs_a_reason(approved, official_a):
    batch = _batch(official_a)
    payments.payment_batch_mark_paid(actor=official_a, batch=batch, bank_reference="GS1")
    line = batch.lines.first()
    with pytest.raises(ValidationError):
        payments.payment_line_claw_back(actor=official_a, line=line, reason="")
    payments.payment_line_claw_back(actor=official_a, line=line, reason="事后核查务工不足3个月")
    line.refresh_from_db()
    assert line.status == PaymentLineStatus.CLAWED_BACK
    assert Application.objects.get(pk=line.application_id).status == S.CLAWED_BACK


def test_other_county_hr_township_and_coordinator_are_refused(
    approved, official_a, official_b, hr_x, township_officer, coordinator
):
    for user in (official_b, hr_x, township_officer, coordinator):
        with pytest.raises(PermissionDenied):
            _batch(user)
    batch = _batch(official_a)
    for user in (official_b, hr_x, township_officer):
        with pytest.raises(PermissionDenied):
            payments.payment_batch_export(actor=user, batch=batch)
        with pytest.raises(PermissionDenied):
            payments.payment_batch_mark_paid(actor=user, batch=batch, bank_reference="X1")
    with pytest.raises(PermissionDenied):
        payments.payment_batch_export(
            actor=coordinator, batch=batch, full=True, reason="想看看号码"
        )
    assert payments.payment_batch_export(actor=coordinator, batch=batch)
