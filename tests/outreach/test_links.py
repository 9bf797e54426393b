"""The worker's personal link in an SMS (outreach.links): sent where one can be issued, never
replacing the link printed on the travel notice; counted in the segments; cut for staff."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp
from outreach import catalogue, triggers
from outreach.models import SmsMessage
from outreach.segments import segments_count
from selfservice import services as selfservice
from selfservice.models import PersonalLink
from tests.outreach.conftest import consenting

pytestmark = pytest.mark.django_db

BASE = "https://lb.example.cn"


def _due(employment):
    return FollowUp.objects.create(
        employment=employment,
        kind="scheduled",
        period="m1",
        due_on=timezone.localdate(),
        home_county_id=employment.worker.home_county_id,
        work_district_id=employment.employer.district_id,
    )


def test_a_follow_up_carries_a_fresh_personal_link(placed, official_a, settings):
    settings.PUBLIC_BASE_URL = BASE
    consenting(placed.worker)
    _due(placed)
    assert triggers.followups_due_queue() == 1
    sms = SmsMessage.objects.get(key=catalogue.FOLLOWUP_DUE)
    token = re.search(rf"{BASE}/me/([A-Za-z0-9_-]+)/ 点“我在岗”", sms.text).group(1)
    link = selfservice.link_resolve(token)
    assert link.worker_id == placed.worker_id and link.created_by is None
    # The URL is billed: the segments are counted on the text with it.
    assert sms.segments == segments_count(catalogue.full_text(sms.text)) == 2
    hinted = catalogue.template_for(catalogue.FOLLOWUP_DUE).render(
        {"name": placed.worker.name, "link": triggers.FOLLOWUP_LINK_HINT}
    )
    assert segments_count(catalogue.full_text(hinted)) == 1
    # Staff see the message without the token (it opens the worker's page as the worker).
    html = (
        _client(official_a)
        .get(reverse("outreach:worker_messages", args=[placed.worker.pk]))
        .content.decode()
    )
    assert token not in html and f"{BASE}/me/…/" in html
    # Queued once: a second run issues no further link.
    assert triggers.followups_due_queue() == 0
    assert PersonalLink.objects.filter(worker=placed.worker).count() == 1


def test_a_live_printed_link_is_kept_and_the_text_points_to_it(placed, official_a, settings):
    settings.PUBLIC_BASE_URL = BASE
    consenting(placed.worker)
    printed, _token = selfservice.link_issue(actor=official_a, worker=placed.worker)
    _due(placed)
    triggers.followups_due_queue()
    sms = SmsMessage.objects.get(key=catalogue.FOLLOWUP_DUE)
    assert "/me/" not in sms.text and "扫出行通知上的二维码" in sms.text
    printed.refresh_from_db()
    assert printed.is_live


def test_without_a_public_address_no_link_is_issued(placed, settings):
    settings.PUBLIC_BASE_URL = ""
    consenting(placed.worker)
    _due(placed)
    triggers.followups_due_queue()
    assert "扫出行通知上的二维码" in SmsMessage.objects.get(key=catalogue.FOLLOWUP_DUE).text
    assert not PersonalLink.objects.exists()


def test_an_offer_to_a_worker_not_yet_matched_points_to_the_county(
    employer_x, coordinator, settings
):
    from matching import services as matching_services
    from matching.models import Match, MatchStatus
    from tests.factories import VacancyFactory, WorkerFactory

    settings.PUBLIC_BASE_URL = BASE
    worker = consenting(WorkerFactory(home_county_id="621102"))
    vacancy = VacancyFactory(employer=employer_x)
    match = Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.APPROVED)
    matching_services.match_offer(actor=coordinator, match=match)
    # An offered worker may not have a personal page yet (selfservice: matched or placed).
    assert "详情请咨询县人社局" in SmsMessage.objects.get(key=catalogue.OFFER_MADE).text
    assert not PersonalLink.objects.exists()


def _client(user):
    client = Client()
    client.force_login(user)
    return client
