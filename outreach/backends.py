"""Where an SMS leaves the building: a console/file backend (demo, tests), Alibaba Cloud SMS
and Tencent Cloud SMS.

A backend sends one message and answers with a ``SendResult``: accepted (with the provider's
id), a transient refusal worth retrying later (throttled, unreachable), or a permanent one
(invalid number, template not approved). It never raises for what the provider says; only a
programming error escapes.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from outreach.models import SmsReason

log = logging.getLogger(__name__)

# The provider's answer codes, by what they mean for us.
# https://help.aliyun.com/document_detail/101346.html (SendSms error codes)
TRANSIENT_CODES = {
    "isv.BUSINESS_LIMIT_CONTROL": SmsReason.THROTTLED,  # per-number / per-minute flow control
    "isv.DAY_LIMIT_CONTROL": SmsReason.THROTTLED,
    "Throttling.User": SmsReason.THROTTLED,
    "isp.SYSTEM_ERROR": SmsReason.NETWORK,
    "ServiceUnavailable": SmsReason.NETWORK,
}
PERMANENT_CODES = {
    "isv.MOBILE_NUMBER_ILLEGAL": SmsReason.INVALID_NUMBER,
    "isv.MOBILE_COUNT_OVER_LIMIT": SmsReason.INVALID_NUMBER,
    "isv.SMS_TEMPLATE_ILLEGAL": SmsReason.TEMPLATE,
    "isv.TEMPLATE_MISSING_PARAMETERS": SmsReason.TEMPLATE,
    "isv.SMS_SIGNATURE_ILLEGAL": SmsReason.TEMPLATE,
}


@dataclass(frozen=True)
class Outgoing:
    phone: str
    template_code: str
    params: dict
    out_id: str  # our idempotency key: the provider echoes it in receipts
    text: str  # as rendered, for the console backend's record


@dataclass(frozen=True)
class SendResult:
    ok: bool
    provider_id: str = ""
    code: str = ""
    message: str = ""
    transient: bool = False
    reason: str = ""


class Backend(Protocol):
    def send(self, outgoing: Outgoing) -> SendResult: ...


@dataclass
class ConsoleBackend:
    """Records what would be sent: logs it, keeps it in ``sent`` and, with
    LABORBRIDGE_SMS_FILE, appends a JSON line per message (the drill counts those)."""

    path: str = ""
    sent: list[Outgoing] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, outgoing: Outgoing) -> SendResult:
        with self._lock:
            self.sent.append(outgoing)
            number = len(self.sent)
            if self.path:
                with open(self.path, "a", encoding="utf-8") as out:
                    out.write(json.dumps(outgoing.__dict__, ensure_ascii=False) + "\n")
        log.info("SMS to %s****%s: %s", outgoing.phone[:3], outgoing.phone[-4:], outgoing.text)
        return SendResult(ok=True, provider_id=f"console-{outgoing.out_id}-{number}", code="OK")


class AliyunBackend:
    """Alibaba Cloud SMS (dysmsapi 2017-05-25) through its official SDK."""

    def __init__(
        self, *, access_key_id: str, access_key_secret: str, endpoint: str, sign_name: str
    ):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi import models as openapi

        if not (access_key_id and access_key_secret and sign_name):
            raise ImproperlyConfigured(
                "LABORBRIDGE_SMS_BACKEND=aliyun needs LABORBRIDGE_SMS_ACCESS_KEY_ID, "
                "LABORBRIDGE_SMS_ACCESS_KEY_SECRET and LABORBRIDGE_SMS_SIGN_NAME"
            )
        # An endpoint given as http://host:port (the local stub in tests) is spoken to in
        # plain HTTP; the provider's own host always over HTTPS.
        protocol = "HTTP" if endpoint.startswith("http://") else "HTTPS"
        host = endpoint.split("://", 1)[-1].rstrip("/")
        self.sign_name = sign_name
        self.client = Client(
            openapi.Config(
                access_key_id=access_key_id,
                access_key_secret=access_key_secret,
                endpoint=host,
                protocol=protocol,
            )
        )

    def send(self, outgoing: Outgoing) -> SendResult:
        from alibabacloud_dysmsapi20170525 import models as sms
        from darabonba.runtime import RuntimeOptions

        request = sms.SendSmsRequest(
            phone_numbers=outgoing.phone,
            sign_name=self.sign_name,
            template_code=outgoing.template_code,
            template_param=json.dumps(outgoing.params, ensure_ascii=False),
            out_id=outgoing.out_id,
        )
        # No SDK-side retries: the drain retries transient errors itself, with backoff,
        # and must know about every attempt.
        runtime = RuntimeOptions(autoretry=False, connect_timeout=3000, read_timeout=10000)
        try:
            response = self.client.send_sms_with_options(request, runtime)
        except Exception as error:  # noqa: BLE001 — the SDK raises its own and network errors
            code = str(getattr(error, "code", "") or type(error).__name__)
            if code in PERMANENT_CODES:
                return SendResult(
                    ok=False, code=code, message=str(error)[:200], reason=PERMANENT_CODES[code]
                )
            # Connection refused / reset / timeout or a 5xx: try again later.
            return SendResult(
                ok=False,
                code=code[:64],
                message=str(error)[:200],
                transient=True,
                reason=TRANSIENT_CODES.get(code, SmsReason.NETWORK),
            )
        body = response.body
        if body.code == "OK":
            return SendResult(ok=True, provider_id=body.biz_id or "", code="OK")
        code = body.code or ""
        if code in TRANSIENT_CODES:
            return SendResult(
                ok=False,
                code=code,
                message=body.message or "",
                transient=True,
                reason=TRANSIENT_CODES[code],
            )
        return SendResult(
            ok=False,
            code=code,
            message=(body.message or "")[:200],
            reason=PERMANENT_CODES.get(code, SmsReason.PROVIDER),
        )


# Tencent Cloud SMS (2021-01-11) answer codes, per number or for the whole request.
# https://cloud.tencent.com/document/product/382/55981 (SendSms error codes)
TENCENT_TRANSIENT_PREFIXES = {
    "LimitExceeded.": SmsReason.THROTTLED,  # per-number 30 s / hour / day flow control
    "RequestLimitExceeded": SmsReason.THROTTLED,
    "InternalError": SmsReason.NETWORK,
    "ClientNetworkError": SmsReason.NETWORK,
    "ServerNetworkError": SmsReason.NETWORK,
}
TENCENT_PERMANENT_CODES = {
    "InvalidParameterValue.IncorrectPhoneNumber": SmsReason.INVALID_NUMBER,
    "FailedOperation.PhoneNumberInBlacklist": SmsReason.INVALID_NUMBER,
    "FailedOperation.TemplateIncorrectOrUnapproved": SmsReason.TEMPLATE,
    "FailedOperation.SignatureIncorrectOrUnapproved": SmsReason.TEMPLATE,
    "InvalidParameterValue.TemplateParameterFormatError": SmsReason.TEMPLATE,
}


def _tencent_result(code: str, message: str, provider_id: str = "") -> SendResult:
    if code == "Ok":
        return SendResult(ok=True, provider_id=provider_id, code=code)
    for prefix, reason in TENCENT_TRANSIENT_PREFIXES.items():
        if code.startswith(prefix):
            return SendResult(
                ok=False, code=code[:64], message=message[:200], transient=True, reason=reason
            )
    return SendResult(
        ok=False,
        code=code[:64],
        message=message[:200],
        reason=TENCENT_PERMANENT_CODES.get(code, SmsReason.PROVIDER),
    )


class TencentBackend:
    """Tencent Cloud SMS (sms 2021-01-11) through its official SDK: the template's parameters
    go as a list in the template's order, our idempotency key as ``SessionContext``."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        app_id: str,
        endpoint: str,
        sign_name: str,
        region: str,
    ):
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        if not (secret_id and secret_key and app_id and sign_name):
            raise ImproperlyConfigured(
                "LABORBRIDGE_SMS_BACKEND=tencent needs LABORBRIDGE_SMS_ACCESS_KEY_ID, "
                "LABORBRIDGE_SMS_ACCESS_KEY_SECRET, LABORBRIDGE_SMS_APP_ID and "
                "LABORBRIDGE_SMS_SIGN_NAME"
            )
        # As for Alibaba: http://host:port (the local stub in tests) in plain HTTP.
        protocol = "http" if endpoint.startswith("http://") else "https"
        host = endpoint.split("://", 1)[-1].rstrip("/")
        self.app_id, self.sign_name = app_id, sign_name
        profile = ClientProfile(
            httpProfile=HttpProfile(protocol=protocol, endpoint=host, reqTimeout=10)
        )
        self.client = sms_client.SmsClient(
            credential.Credential(secret_id, secret_key), region, profile
        )

    def send(self, outgoing: Outgoing) -> SendResult:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models as sms

        request = sms.SendSmsRequest()
        request.PhoneNumberSet = [f"+86{outgoing.phone}"]
        request.SmsSdkAppId = self.app_id
        request.SignName = self.sign_name
        request.TemplateId = outgoing.template_code
        request.TemplateParamSet = [str(value) for value in outgoing.params.values()]
        request.SessionContext = outgoing.out_id
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as error:
            return _tencent_result(error.get_code() or "InternalError", error.get_message() or "")
        except Exception as error:  # noqa: BLE001 — network errors under the SDK
            return _tencent_result("ClientNetworkError", str(error))
        status = (response.SendStatusSet or [None])[0]
        if status is None:
            return _tencent_result("InternalError", "no SendStatusSet")
        return _tencent_result(status.Code or "", status.Message or "", status.SerialNo or "")


_backend: Backend | None = None
_backend_key: tuple | None = None


def backend() -> Backend:
    """Return the configured backend (one per process and configuration)."""
    global _backend, _backend_key
    key = (
        settings.SMS_BACKEND,
        settings.SMS_FILE,
        settings.SMS_ACCESS_KEY_ID,
        settings.SMS_ENDPOINT,
        settings.SMS_SIGN_NAME,
        getattr(settings, "SMS_APP_ID", ""),
    )
    if _backend is None or key != _backend_key:
        if settings.SMS_BACKEND == "console":
            _backend = ConsoleBackend(path=settings.SMS_FILE)
        elif settings.SMS_BACKEND == "aliyun":
            _backend = AliyunBackend(
                access_key_id=settings.SMS_ACCESS_KEY_ID,
                access_key_secret=settings.SMS_ACCESS_KEY_SECRET,
                endpoint=settings.SMS_ENDPOINT,
                sign_name=settings.SMS_SIGN_NAME,
            )
        elif settings.SMS_BACKEND == "tencent":
            _backend = TencentBackend(
                secret_id=settings.SMS_ACCESS_KEY_ID,
                secret_key=settings.SMS_ACCESS_KEY_SECRET,
                app_id=settings.SMS_APP_ID,
                endpoint=settings.SMS_ENDPOINT,
                sign_name=settings.SMS_SIGN_NAME,
                region=settings.SMS_REGION,
            )
        else:
            raise ImproperlyConfigured(
                "LABORBRIDGE_SMS_BACKEND must be console, aliyun or tencent, "
                f"not {settings.SMS_BACKEND!r}"
            )
        _backend_key = key
    return _backend
