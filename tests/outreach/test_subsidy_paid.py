"""补贴发放 (issue 15): marking a payment batch paid texts each worker paid — the policy, the
frozen amount and their link — once; a line the bank returned texts nobody."""

import datetime as dt

import pytest

from laborbridge.models import Region
from outreach import catalogue
from outreach.models import SmsMessage
from subsidies import payments
from subsidies.models import ApplicationStatus
from tests.factories import ANDING
from tests.outreach.conftest import consenting
from tests.subsidies.chain_support import application, policy_with_budget

pytestmark = pytest.mark.django_db


def test_a_paid_batch_texts_each_paid_worker_once(official_a, django_capture_on_commit_callbacks):
    policy = policy_with_budget()
    approved = [
        application(policy, status=ApplicationStatus.APPROVED, name=f"王{n}强") for n in range(3)
    ]
    for item in approved:
        consenting(item.worker)
    batch = payments.payment_batch_create(
        actor=official_a, county=Region.objects.get(pk=ANDING), month=dt.date(2026, 11, 1)
    )
    lines = list(batch.lines.order_by("id"))
    returned = lines[0]
    with django_capture_on_commit_callbacks(execute=True):
        payments.payment_batch_mark_paid(
            actor=official_a,
            batch=batch,
            bank_reference="GS2026110002",
            failed={returned.pk: "账户已销户"},
        )
    texts = SmsMessage.objects.filter(key=catalogue.SUBSIDY_PAID).order_by("worker_id")
    paid_workers = sorted(line.worker_id for line in lines[1:])
    assert [m.worker_id for m in texts] == paid_workers
    for message in texts:
        line = next(x for x in lines if x.worker_id == message.worker_id)
        assert policy.name in message.text
        assert f"{line.application.amount_frozen or line.application.amount}元" in message.text
        assert message.idempotency_key == f"subsidy_paid:{line.application_id}"
    assert not SmsMessage.objects.filter(worker_id=returned.worker_id).exists()
