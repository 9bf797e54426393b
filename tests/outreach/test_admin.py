"""Outreach's admin: read-only, scoped like the pages, link tokens cut, resend by action."""

import pytest
from django.test import Client
from django.urls import reverse

from laborbridge.models import AuditEvent, Pairing, Role
from outreach import catalogue, services
from outreach.models import SmsMessage, SmsStatus
from outreach.services import Draft
from tests.factories import WorkerFactory, make_user
from tests.outreach.conftest import consenting

pytestmark = pytest.mark.django_db

LIST = "admin:outreach_smsmessage_changelist"
TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcde"


@pytest.fixture
def message(db):
    worker = consenting(WorkerFactory(home_county_id="621102", phone="13912345678"))
    sms = services.sms_queue(
        draft=Draft(
            worker=worker,
            key=catalogue.FOLLOWUP_DUE,
            params={"link": f"https://lb.example.cn/me/{TOKEN}/ "},
            idempotency_key="followup:admin",
        )
    )
    SmsMessage.objects.filter(pk=sms.pk).update(status=SmsStatus.FAILED)
    return sms


def _login(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_pairings_coordinator_reads_it_without_the_token(message, coordinator):
    client = _login(coordinator)
    listing = client.get(reverse(LIST)).content.decode()
    assert "139****5678" in listing and "回访提醒" in listing
    page = client.get(reverse("admin:outreach_smsmessage_change", args=[message.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and TOKEN not in html and "/me/…/" in html
    assert "13912345678" not in html
    # Read-only: no add, no delete.
    assert client.get(reverse("admin:outreach_smsmessage_add")).status_code == 403
    assert (
        client.get(reverse("admin:outreach_smsmessage_delete", args=[message.pk])).status_code
        == 403
    )


def test_resend_action_goes_through_the_service(message, coordinator):
    response = _login(coordinator).post(
        reverse(LIST),
        {"action": "resend_selected", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    assert SmsMessage.objects.filter(resend_of=message).count() == 1
    assert AuditEvent.objects.filter(action="sms.resend").count() == 1


def test_others_do_not_see_it(message, official_a):
    other_pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    other = make_user("coordinator_other", Role.COORDINATOR, pairing=other_pairing)
    assert "139****5678" not in _login(other).get(reverse(LIST)).content.decode()
    assert _login(other).get(
        reverse("admin:outreach_smsmessage_change", args=[message.pk])
    ).status_code in (302, 404)
    assert _login(official_a).get(reverse(LIST)).status_code in (302, 403)
    assert Client().get(reverse(LIST)).status_code == 302
    # Opt-outs are the site admin's only.
    coordinator_list = _login(other).get(reverse("admin:outreach_smsoptout_changelist"))
    assert coordinator_list.status_code in (302, 403)
