"""Staff pages (a worker's messages, resend, bulk, dashboard) with their refusals, and the
provider's signed callbacks."""

import hashlib
import hmac
import json

import pytest
from django.test import Client
from django.urls import reverse

from laborbridge.models import AuditEvent
from outreach import catalogue, services
from outreach.models import SmsCampaign, SmsMessage, SmsOptOut, SmsStatus
from outreach.services import Draft
from tests.factories import WorkerFactory
from tests.outreach.conftest import consenting

pytestmark = pytest.mark.django_db


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def _sms(worker, key="k1"):
    return services.sms_queue(
        draft=Draft(
            worker=worker,
            key=catalogue.COUNTY_NOTICE,
            params={"content": "通知", "county": "安定区"},
            idempotency_key=key,
        )
    )


@pytest.fixture
def worker(db):
    return consenting(WorkerFactory(home_county_id="621102", phone="13912345678"))


def test_worker_messages_page_shows_status_and_reason_in_words(worker, official_a):
    message = _sms(worker)
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.FAILED, reason="invalid_number"
    )
    html = (
        _login(official_a)
        .get(reverse("outreach:worker_messages", args=[worker.pk]))
        .content.decode()
    )
    assert "发送失败" in html and "运营商认定号码无效" in html
    assert "13912345678" not in html


@pytest.mark.parametrize("who", ["official_b", "hr_x", "liaison", "township_officer"])
def test_worker_messages_refused_outside_scope(request, worker, who):
    user = request.getfixturevalue(who)
    response = _login(user).get(reverse("outreach:worker_messages", args=[worker.pk]))
    assert response.status_code in (403, 404)


def test_anonymous_is_sent_to_sign_in(worker):
    for url in [
        reverse("outreach:worker_messages", args=[worker.pk]),
        reverse("outreach:dashboard"),
        reverse("outreach:bulk"),
    ]:
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_resend_queues_a_new_row_and_is_audited(worker, official_a, official_b):
    message = _sms(worker)
    SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.FAILED)
    url = reverse("outreach:resend", args=[message.pk])
    assert _login(official_b).post(url).status_code == 404
    assert _login(official_a).post(url).status_code == 302
    again = SmsMessage.objects.get(resend_of=message)
    assert again.status == SmsStatus.QUEUED and again.text == message.text
    assert AuditEvent.objects.filter(action="sms.resend").count() == 1


def test_bulk_to_a_car_previews_and_sends(traveller, coordinator, official_b):
    client = _login(coordinator)
    url = reverse("outreach:bulk")
    filters = {"trip": traveller.trip_id, "car": "3"}
    page = client.get(url, filters).content.decode()
    assert "共 1 人" in page
    preview = client.post(url, {**filters, "content": "明早7点在县城广场集合", "action": "preview"})
    html = preview.content.decode()
    assert "明早7点在县城广场集合" in html and "预计费用" in html
    client.post(url, {**filters, "content": "明早7点在县城广场集合", "action": "send"})
    campaign = SmsCampaign.objects.get()
    assert campaign.recipients == 1 and campaign.messages.count() == 1
    assert AuditEvent.objects.filter(action="sms.bulk_send").count() == 1
    # Another county's official sees nothing of this trip.
    assert _login(official_b).get(url, filters).status_code == 404


def test_bulk_over_100_needs_a_second_confirmation(official_a):
    workers = [consenting(WorkerFactory(home_county_id="621102")) for _ in range(101)]
    with pytest.raises(Exception, match="再次确认"):
        services.bulk_send(
            actor=official_a,
            workers=workers,
            content="通知",
            county_name="安定区",
            audience="test",
            confirmed=False,
        )
    campaign = services.bulk_send(
        actor=official_a,
        workers=workers,
        content="通知",
        county_name="安定区",
        audience="test",
        confirmed=True,
    )
    assert campaign.recipients == 101


def test_bulk_preview_counts_after_the_rules(official_a):
    ok = consenting(WorkerFactory(home_county_id="621102"))
    no_consent = WorkerFactory(home_county_id="621102")
    preview = services.bulk_preview(
        workers=[ok, no_consent], content="字" * 50, county_name="安定区"
    )
    assert preview.recipients == 1 and preview.suppressed == {"本人未授权联系": 1}
    assert preview.segments == 2 and preview.total_segments == 2


def test_dashboard_scoped(worker, official_a, official_b):
    _sms(worker)
    assert "排队中" in _login(official_a).get(reverse("outreach:dashboard")).content.decode()
    assert _login(official_b).get(reverse("outreach:dashboard")).status_code == 200


def test_outbox_lists_every_message_with_its_status(
    worker, official_a, official_b, coordinator, django_assert_max_num_queries
):
    queued, failed = _sms(worker, "k1"), _sms(worker, "k2")
    SmsMessage.objects.filter(pk=failed.pk).update(status=SmsStatus.FAILED, reason="invalid_number")
    client = _login(official_a)
    with django_assert_max_num_queries(12):
        html = client.get(reverse("outreach:dashboard")).content.decode()
    outbox = html[html.index('id="outbox"') :]
    assert outbox.count('class="badge sms-') == 2 and "139****5678" in outbox
    assert "sms-queued" in outbox and "sms-failed" in outbox and "运营商认定号码无效" in outbox
    assert "县区通知" in outbox  # the type's name, not its key
    only_failed = client.get(reverse("outreach:dashboard") + "?status=failed").content.decode()
    assert only_failed[only_failed.index('id="outbox"') :].count('class="badge sms-') == 1
    assert "sms-queued" not in only_failed[only_failed.index('id="outbox"') :]
    # Another county's official sees none of them (the coordinator of the pairing sees both).
    other = _login(official_b).get(reverse("outreach:dashboard")).content.decode()
    assert worker.name not in other and "没有短信" in other
    assert (
        queued.pk
        and worker.name in _login(coordinator).get(reverse("outreach:dashboard")).content.decode()
    )


def _signed(body: bytes, secret="receipt-secret"):
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_receipt_callback_refuses_unsigned_and_wrongly_signed(worker):
    message = _sms(worker)
    body = json.dumps([{"out_id": message.idempotency_key, "success": True}]).encode()
    url = reverse("outreach:receipts")
    client = Client()
    assert client.post(url, body, content_type="application/json").status_code == 403
    bad = client.post(
        url, body, content_type="application/json", HTTP_X_LABORBRIDGE_SIGNATURE=_signed(body, "x")
    )
    assert bad.status_code == 403
    SmsMessage.objects.filter(pk=message.pk).update(status=SmsStatus.SENT)
    ok = client.post(
        url, body, content_type="application/json", HTTP_X_LABORBRIDGE_SIGNATURE=_signed(body)
    )
    assert ok.status_code == 200 and ok.json()["code"] == 0
    message.refresh_from_db()
    assert message.status == SmsStatus.DELIVERED


def test_receipts_refused_when_no_secret_is_set(settings, worker):
    settings.SMS_RECEIPT_SECRET = ""
    body = b"[]"
    response = Client().post(
        reverse("outreach:receipts"),
        body,
        content_type="application/json",
        HTTP_X_LABORBRIDGE_SIGNATURE=_signed(body, ""),
    )
    assert response.status_code == 403


def test_td_reply_opts_the_number_out_and_the_worker_page_says_so(worker, official_a):
    body = json.dumps([{"phone_number": "13912345678", "content": "TD"}]).encode()
    response = Client().post(
        reverse("outreach:replies"),
        body,
        content_type="application/json",
        HTTP_X_LABORBRIDGE_SIGNATURE=_signed(body),
    )
    assert response.status_code == 200 and SmsOptOut.objects.count() == 1
    html = _login(official_a).get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert "本人已回复TD退订" in html and "出发当天" in html
