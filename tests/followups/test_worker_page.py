"""The worker's own page (selfservice) shows "my next follow-up" through the page hook."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUpKind, FollowUpSide
from followups.selectors import worker_next_followup
from selfservice import services as selfservice_services
from tests.followups.conftest import followup_for, today

pytestmark = pytest.mark.django_db


def test_nothing_open_shows_no_block(placed, liaison):
    assert worker_next_followup(placed.worker) is None
    done = followup_for(placed, assignee=liaison)
    done.done_at = timezone.now()
    done.save(update_fields=["done_at"])
    assert worker_next_followup(placed.worker) is None


def test_the_earliest_open_one_in_plain_words(placed, liaison, official_a):
    liaison.first_name = "联络员王"
    liaison.save(update_fields=["first_name"])
    followup_for(placed, assignee=liaison, due_on=today() + dt.timedelta(days=9), period="m3")
    followup_for(placed, assignee=liaison, due_on=today() + dt.timedelta(days=2), period="m1")
    block = worker_next_followup(placed.worker)
    assert block["next_due_on"] == today() + dt.timedelta(days=2)
    assert not block["next_overdue"]
    assert "第1个月" in block["next_about"]
    assert "联络员" in block["next_who"] and block["next_name"] == "联络员王"

    month = today().month
    followup_for(
        placed,
        assignee=official_a,
        kind=FollowUpKind.CENSUS,
        period=f"{today():%Y-%m}",
        side=FollowUpSide.WEST,
        due_on=today() - dt.timedelta(days=1),
    )
    block = worker_next_followup(placed.worker)
    assert block["next_overdue"] and f"{month}月" in block["next_about"]
    assert "县人社局" in block["next_who"]


def test_the_page_shows_the_block_and_nothing_staff_only(client, placed, liaison, official_a):
    followup = followup_for(placed, assignee=liaison, due_on=today() + dt.timedelta(days=5))
    followup.note = "内部备注：老板难沟通"
    followup.next_action = "下周走访"
    followup.save(update_fields=["note", "next_action"])
    _link, token = selfservice_services.link_issue(actor=official_a, worker=placed.worker)
    html = client.get(reverse("selfservice_public:me", args=[token])).content.decode()
    assert "我的下次回访" in html
    assert (today() + dt.timedelta(days=5)).strftime("%-m月%-d日") in html
    assert "劳务工作站联络员" in html
    assert "内部备注" not in html and "下周走访" not in html
