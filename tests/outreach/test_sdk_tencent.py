"""The Tencent backend drives the real SDK against a local stub that answers like the
provider: what it sent, and each answer's meaning for the drain."""

import pytest

from outreach import backends
from outreach.backends import Outgoing, TencentBackend
from outreach.models import SmsReason
from tests.outreach.stub_tencent import StubTencent


@pytest.fixture
def stub():
    with StubTencent() as provider:
        yield provider


def _backend(endpoint):
    return TencentBackend(
        secret_id="AKID-test",
        secret_key="secret",
        app_id="1400000000",
        endpoint=endpoint,
        sign_name="定西人社",
        region="ap-guangzhou",
    )


def _out(phone="13900000001", code="2001"):
    return Outgoing(
        phone=phone,
        template_code=code,
        params={"name": "张三", "trip": "G2096"},
        out_id="remind:1:2:d1",
        text="…",
    )


def test_ok_and_what_the_sdk_sent(stub):
    result = _backend(stub.endpoint).send(_out())
    assert result.ok and result.provider_id == "2433:1"
    sent = stub.requests[0]
    assert sent["PhoneNumberSet"] == ["+8613900000001"]
    assert sent["SmsSdkAppId"] == "1400000000" and sent["SignName"] == "定西人社"
    assert sent["TemplateId"] == "2001"
    assert sent["TemplateParamSet"] == ["张三", "G2096"]  # positional, in the template's order
    assert sent["SessionContext"] == "remind:1:2:d1"  # the idempotency key travels along
    headers = sent["_headers"]
    assert headers["x-tc-action"] == "SendSms" and headers["x-tc-version"] == "2021-01-11"
    # Signed by the SDK (TC3-HMAC-SHA256 with our secret id), not by hand.
    assert headers["authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")


def test_throttled_is_transient(stub):
    result = _backend(stub.endpoint).send(_out(phone="13900000002"))
    assert not result.ok and result.transient and result.reason == SmsReason.THROTTLED
    assert result.code == "LimitExceeded.PhoneNumberThirtySecondLimit"


def test_invalid_number_is_permanent(stub):
    result = _backend(stub.endpoint).send(_out(phone="13900000003"))
    assert not result.ok and not result.transient and result.reason == SmsReason.INVALID_NUMBER


def test_template_not_approved_is_permanent(stub):
    result = _backend(stub.endpoint).send(_out(code="BAD"))
    assert not result.ok and not result.transient and result.reason == SmsReason.TEMPLATE


def test_unreachable_provider_is_transient():
    result = _backend("http://127.0.0.1:9").send(_out())
    assert not result.ok and result.transient and result.reason == SmsReason.NETWORK


def test_settings_choose_it(settings, stub):
    settings.SMS_BACKEND = "tencent"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "id", "secret"
    settings.SMS_APP_ID, settings.SMS_ENDPOINT = "1400000000", stub.endpoint
    backends._backend = None
    assert isinstance(backends.backend(), TencentBackend)
    settings.SMS_APP_ID = ""
    backends._backend = None
    with pytest.raises(Exception, match="LABORBRIDGE_SMS_APP_ID"):
        backends.backend()
    backends._backend = None
