"""The Alibaba backend drives the real SDK against a local stub that answers like the provider."""

import json

import pytest

from outreach import backends
from outreach.backends import AliyunBackend, Outgoing
from outreach.models import SmsReason
from tests.outreach.stub_provider import StubProvider


@pytest.fixture
def stub():
    with StubProvider() as provider:
        yield provider


def _backend(stub):
    return AliyunBackend(
        access_key_id="LTAI-test",
        access_key_secret="secret",
        endpoint=stub.endpoint,
        sign_name="定西人社",
    )


def _out(phone="13900000001", code="SMS_1"):
    return Outgoing(
        phone=phone,
        template_code=code,
        params={"name": "张三", "trip": "G2096"},
        out_id="remind:1:2:d1",
        text="…",
    )


def test_ok_and_what_the_sdk_sent(stub):
    result = _backend(stub).send(_out())
    assert result.ok and result.provider_id.endswith("^0")
    sent = stub.requests[0]
    headers = sent["_headers"]
    assert headers["x-acs-action"] == "SendSms" and headers["x-acs-version"] == "2017-05-25"
    assert sent["PhoneNumbers"] == "13900000001"
    assert sent["SignName"] == "定西人社"
    assert sent["TemplateCode"] == "SMS_1"
    assert json.loads(sent["TemplateParam"]) == {"name": "张三", "trip": "G2096"}
    assert sent["OutId"] == "remind:1:2:d1"  # the idempotency key travels as OutId
    # Signed by the SDK (ACS3-HMAC-SHA256 with our key id), not by hand.
    assert headers["authorization"].startswith("ACS3-HMAC-SHA256 Credential=LTAI-test,")


def test_throttled_is_transient(stub):
    result = _backend(stub).send(_out(phone="13900000002"))
    assert not result.ok and result.transient
    assert result.code == "isv.BUSINESS_LIMIT_CONTROL" and result.reason == SmsReason.THROTTLED


def test_invalid_number_is_permanent(stub):
    result = _backend(stub).send(_out(phone="13900000003"))
    assert not result.ok and not result.transient and result.reason == SmsReason.INVALID_NUMBER


def test_template_not_approved_is_permanent(stub):
    result = _backend(stub).send(_out(code="SMS_BAD"))
    assert not result.ok and not result.transient and result.reason == SmsReason.TEMPLATE


def test_unreachable_provider_is_transient():
    backend = AliyunBackend(
        access_key_id="a", access_key_secret="b", endpoint="http://127.0.0.1:9", sign_name="s"
    )
    result = backend.send(_out())
    assert not result.ok and result.transient and result.reason == SmsReason.NETWORK


def test_settings_choose_the_backend(settings, stub):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = "id", "secret"
    settings.SMS_ENDPOINT = stub.endpoint
    backends._backend = None
    assert isinstance(backends.backend(), AliyunBackend)
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(Exception, match="console, aliyun or tencent"):
        backends.backend()
