"""The cases demo step: two wage cases in the demo pairing, one overdue; nothing twice."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.demo import demo_cases_load
from cases.models import Case
from laborbridge import registry
from laborbridge.notifications.models import Message
from tests.factories import place_worker

pytestmark = pytest.mark.django_db


def test_demo_opens_a_recent_and_an_overdue_wage_case(employer_x, admin_user):
    today = timezone.localdate()
    for _ in range(2):
        place_worker(employer_x, started_on=today - dt.timedelta(days=90))
    lines = demo_cases_load(base_url="http://demo")
    assert "http://demo/cases/" in lines[0]
    cases = list(Case.objects.order_by("created_at"))
    assert [c.kind for c in cases] == ["wage_arrears", "wage_arrears"]
    overdue, recent = cases
    assert overdue.is_overdue(today) and not recent.is_overdue(today)
    assert (today - timezone.localtime(recent.created_at).date()).days == 3
    assert Message.objects.filter(key="cases.overdue").count() == 1
    assert demo_cases_load(base_url="http://demo") == []
    assert "cases" in registry._demo_steps
