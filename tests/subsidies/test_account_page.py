"""The card/account number page before payment (issue 14): a county official enters or
corrects a payee's social-security card number on a pending line; it is stored encrypted,
shown masked, audited with masks only; other counties, township officers, HR, coordinators
and anonymous visitors are refused."""

import datetime as dt

import pytest

from laborbridge.models import AuditEvent, Region
from subsidies import payments
from subsidies.models import ApplicationStatus
from tests.factories import ANDING
from tests.subsidies.chain_support import application, policy_with_budget

pytestmark = pytest.mark.django_db
CARD = "6217 9960 1234 5678 901"
CARD_DIGITS = CARD.replace(" ", "")


@pytest.fixture
def line(official_a):
    application(policy_with_budget(), status=ApplicationStatus.APPROVED, name="孙卡号")
    batch = payments.payment_batch_create(
        actor=official_a, county=Region.objects.get(pk=ANDING), month=dt.date(2026, 11, 1)
    )
    return batch.lines.get()


def _url(line) -> str:
    return f"/subsidies/chain/payments/{line.batch_id}/lines/{line.pk}/account/"


def test_enter_then_correct_masked_encrypted_audited(client, line, official_a):
    client.force_login(official_a)
    page = client.get(_url(line))
    assert page.status_code == 200 and "孙卡号" in page.content.decode()
    bad = client.post(_url(line), {"account": "12ab"})
    assert bad.status_code == 200 and "8–30" in bad.content.decode()
    assert client.post(_url(line), {"account": CARD}).status_code == 302
    line.refresh_from_db()
    assert line.account_masked.startswith("6217") and line.account_masked.endswith("8901")
    assert CARD_DIGITS not in line.account_masked
    assert CARD_DIGITS.encode() not in bytes(line.account_encrypted)
    assert payments._account(line) == CARD_DIGITS
    batch_page = client.get(f"/subsidies/chain/payments/{line.batch_id}/").content.decode()
    assert line.account_masked in batch_page and CARD_DIGITS not in batch_page
    client.post(_url(line), {"account": "62179960123400001111"})
    line.refresh_from_db()
    assert line.account_masked.endswith("1111")
    events = AuditEvent.objects.filter(action="subsidy.payment_account_set").order_by("id")
    assert [e.changes["account"][0] for e in events] == ["", events[0].changes["account"][1]]
    assert all(CARD_DIGITS not in str(e.changes) for e in events)


def test_a_paid_line_cannot_be_changed(client, line, official_a):
    payments.payment_batch_mark_paid(actor=official_a, batch=line.batch, bank_reference="GS1")
    client.force_login(official_a)
    assert "不能修改" in client.get(_url(line)).content.decode()
    client.post(_url(line), {"account": CARD})
    line.refresh_from_db()
    assert line.account_masked == ""


def test_others_are_refused(client, line, official_b, township_officer, hr_x, coordinator):
    for user in (official_b, township_officer, hr_x, coordinator):
        client.force_login(user)
        assert client.get(_url(line)).status_code == 404
        assert client.post(_url(line), {"account": CARD}).status_code == 404
    client.logout()
    assert client.get(_url(line)).status_code == 302
    line.refresh_from_db()
    assert line.account_masked == ""
