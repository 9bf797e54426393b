"""Queue and drain through the console backend: at most once, the rules, retries, receipts."""

import datetime as dt

import pytest
from django.utils import timezone

from laborbridge import crypto
from outreach import catalogue, drain, services
from outreach.backends import SendResult
from outreach.models import SmsMessage, SmsOptOut, SmsReason, SmsStatus
from outreach.services import Draft
from tests.factories import WorkerFactory
from tests.outreach.conftest import consenting, sent

pytestmark = pytest.mark.django_db

# Tomorrow at noon and 23:00 local: after every row's default scheduled_for (now).
TOMORROW = timezone.localdate() + dt.timedelta(days=1)
NOON = timezone.make_aware(dt.datetime.combine(TOMORROW, dt.time(12, 0)))


def _draft(worker, key=catalogue.COUNTY_NOTICE, ikey=None, **kw):
    params = {"content": "明天上午在县人社局召开务工人员座谈会", "county": "安定区"}
    if key != catalogue.COUNTY_NOTICE:
        tpl = catalogue.template_for(key)
        params = {name: "X" for name in tpl.params if name != "name"}
    return Draft(
        worker=worker, key=key, params=params, idempotency_key=ikey or f"t:{worker.pk}:{key}", **kw
    )


def _queue(worker, **kw):
    return services.sms_queue(draft=_draft(worker, **kw))


def test_queue_is_idempotent_and_keeps_the_phone_encrypted():
    worker = consenting(WorkerFactory(phone="13912345678"))
    first = _queue(worker)
    again = _queue(worker)
    assert first.pk == again.pk and SmsMessage.objects.count() == 1
    assert first.phone_masked == "139****5678" and first.reveal_phone() == "13912345678"
    assert b"13912345678" not in bytes(first.phone_encrypted)
    assert first.text.startswith(worker.name) and first.segments == 1


def test_drain_sends_once_and_records_the_provider_id():
    worker = consenting(WorkerFactory(phone="13912345678"))
    message = _queue(worker)
    result = drain.drain_batch(now=NOON)
    assert result.sent == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and message.provider_id and message.attempts == 1
    assert drain.drain_batch(now=NOON).claimed == 0  # nothing twice
    assert [o.out_id for o in sent()] == [message.idempotency_key]
    assert sent()[0].phone == "13912345678" and sent()[0].text.startswith("【")


def test_a_claimed_row_is_not_claimed_by_a_second_drain():
    worker = consenting(WorkerFactory())
    message = _queue(worker)
    claimed = drain._claim(10, NOON)
    assert [row.pk for row in claimed] == [message.pk]
    assert drain._claim(10, NOON) == []  # status is sending now
    # A worker killed after the claim: the row is failed as interrupted, never resent.
    assert drain.sms_interrupted_fail(now=NOON + dt.timedelta(minutes=11)) == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED and message.reason == SmsReason.INTERRUPTED
    assert sent() == []


def test_no_consent_is_suppressed_with_the_reason():
    worker = WorkerFactory()  # consent none
    message = _queue(worker)
    drain.drain_batch(now=NOON)
    message.refresh_from_db()
    assert message.status == SmsStatus.SUPPRESSED and message.reason == SmsReason.NO_CONSENT
    assert message.get_reason_display() == "本人未授权联系"
    assert sent() == []


def test_opted_out_gets_only_essential_messages():
    worker = consenting(WorkerFactory(phone="13912345678"))
    services.sms_opt_out(phone="+86 139 1234 5678")
    notice = _queue(worker)
    reminder = _queue(worker, key=catalogue.DEPARTURE_REMINDER)
    drain.drain_batch(now=NOON)
    notice.refresh_from_db()
    reminder.refresh_from_db()
    assert notice.status == SmsStatus.SUPPRESSED and notice.reason == SmsReason.OPTED_OUT
    assert reminder.status == SmsStatus.SENT


def test_quiet_hours_delay_to_eight_except_on_departure_day():
    worker = consenting(WorkerFactory())
    night = timezone.make_aware(dt.datetime.combine(TOMORROW, dt.time(23, 0)))
    notice = _queue(worker, scheduled_for=night)
    today = _queue(
        worker,
        key=catalogue.DEPARTURE_REMINDER,
        scheduled_for=night,
        departure_on=TOMORROW,
    )
    result = drain.drain_batch(now=night)
    assert result.delayed == 1 and result.sent == 1
    notice.refresh_from_db()
    today.refresh_from_db()
    assert notice.status == SmsStatus.QUEUED and notice.reason == SmsReason.QUIET_HOURS
    assert timezone.localtime(notice.scheduled_for) == timezone.make_aware(
        dt.datetime.combine(TOMORROW + dt.timedelta(days=1), dt.time(8, 0))
    )
    assert notice.attempts == 0
    assert today.status == SmsStatus.SENT


def test_daily_cap_per_number(settings):
    settings.SMS_DAILY_LIMIT = 2
    worker = consenting(WorkerFactory())
    rows = [_queue(worker, ikey=f"cap:{i}") for i in range(3)]
    result = drain.drain_batch(now=NOON)
    assert result.sent == 2 and result.suppressed == 1
    rows[2].refresh_from_db()
    assert rows[2].status == SmsStatus.SUPPRESSED and rows[2].reason == SmsReason.DAILY_CAP


def test_an_invalid_phone_is_suppressed_at_queue_time():
    worker = consenting(WorkerFactory(phone="12345678901"))
    message = _queue(worker)
    assert message.status == SmsStatus.SUPPRESSED and message.reason == SmsReason.NO_PHONE


class Flaky:
    def __init__(self, answers):
        self.answers = list(answers)
        self.calls = 0

    def send(self, outgoing):
        self.calls += 1
        return self.answers.pop(0)


def test_transient_errors_retry_with_backoff_then_give_up(monkeypatch):
    throttled = SendResult(
        ok=False, code="isv.BUSINESS_LIMIT_CONTROL", transient=True, reason=SmsReason.THROTTLED
    )
    flaky = Flaky([throttled] * drain.MAX_ATTEMPTS)
    monkeypatch.setattr(drain, "backend", lambda: flaky)
    message = _queue(consenting(WorkerFactory()))
    now = NOON
    for attempt in range(1, drain.MAX_ATTEMPTS + 1):
        result = drain.drain_batch(now=now)
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < drain.MAX_ATTEMPTS:
            assert result.retried == 1 and message.status == SmsStatus.QUEUED
            assert message.reason == SmsReason.THROTTLED
            wait = message.scheduled_for - now
            ceiling = min(
                drain.BACKOFF_MAX_SECONDS, drain.BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
            )
            assert dt.timedelta(seconds=ceiling / 2) <= wait <= dt.timedelta(seconds=ceiling)
            now = message.scheduled_for + dt.timedelta(seconds=1)
    assert message.status == SmsStatus.FAILED and message.reason == SmsReason.TOO_MANY_TRIES
    assert flaky.calls == drain.MAX_ATTEMPTS


def test_permanent_error_fails_at_once(monkeypatch):
    flaky = Flaky(
        [SendResult(ok=False, code="isv.MOBILE_NUMBER_ILLEGAL", reason=SmsReason.INVALID_NUMBER)]
    )
    monkeypatch.setattr(drain, "backend", lambda: flaky)
    message = _queue(consenting(WorkerFactory()))
    drain.drain_batch(now=NOON)
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED and message.reason == SmsReason.INVALID_NUMBER
    assert "MOBILE_NUMBER_ILLEGAL" in message.error


def test_receipts_mark_delivered_or_undelivered():
    worker = consenting(WorkerFactory())
    a = _queue(worker, ikey="r:a")
    b = _queue(worker, ikey="r:b")
    drain.drain_batch(now=NOON)
    a.refresh_from_db()
    changed = services.sms_receipts_apply(
        receipts=[
            services.Receipt(out_id="r:a", biz_id=a.provider_id, success=True),
            services.Receipt(out_id="r:b", biz_id="", success=False, err_code="MK:0001"),
            services.Receipt(out_id="r:a", biz_id=a.provider_id, success=False, err_code="late"),
        ]
    )
    assert changed == 2
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == SmsStatus.DELIVERED and a.delivered_at
    assert (
        b.status == SmsStatus.FAILED and b.reason == SmsReason.UNDELIVERED and b.error == "MK:0001"
    )


def test_opt_out_is_by_number():
    services.sms_opt_out(phone="13912345678")
    services.sms_opt_out(phone="139 1234 5678")
    assert SmsOptOut.objects.get().phone_index == crypto.phone_blind_index("13912345678")
