"""After a 换岗 to another platform employer: the new employer's HR sees the employment and
its whole history; the old employer's HR sees it up to the day the worker left; an unrelated
employer's HR sees nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from laborbridge import access
from placement import services
from tests.factories import EmployerFactory, Role, make_user

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def moved(official_a, employment, employer_y):
    """The worker moved from X to Y on 1 Aug, was confirmed at Y on 1 Sep."""
    services.record_job_change(
        actor=official_a, employment=employment, occurred_on=D(2026, 8, 1), employer=employer_y
    )
    services.record_confirmation(
        actor=official_a, employment=employment, occurred_on=D(2026, 9, 1), note="在Y厂"
    )
    return employment


def _history(client, user, employment):
    client.force_login(user)
    return client.get(f"/api/v1/placement/employments/{employment.pk}/history/")


def test_new_employers_hr_sees_the_whole_history(client, hr_y, moved, employer_y):
    assert access.employments_visible_to(hr_y).filter(pk=moved.pk).exists()
    data = _history(client, hr_y, moved).json()
    assert [e["kind"] for e in data["events"]] == ["job_change", "confirmed"]
    assert data["state"] == "working" and data["job"]["employer"] == employer_y.pk
    assert data["left_employer_on"] is None
    page = client.get(reverse("placement:event_record", args=[moved.pk]))
    assert page.status_code == 200 and "在Y厂" in page.content.decode()


def test_new_employers_hr_records_the_leaving(client, hr_y, hr_x, moved):
    client.force_login(hr_y)
    response = client.post(
        reverse("placement:event_record", args=[moved.pk]),
        {"kind": "left", "occurred_on": "2026-10-01", "reason": "wage"},
    )
    assert response.status_code == 302
    moved.refresh_from_db()
    assert (moved.status, moved.ended_on) == ("left", D(2026, 10, 1))


def test_old_employers_hr_sees_the_past_up_to_the_change(client, hr_x, moved, employer_y):
    data = _history(client, hr_x, moved).json()
    assert data["events"] == []
    assert data["left_employer_on"] == "2026-08-01"
    assert data["state_label"] == "已离开本企业"
    assert data["months_total"] == 2  # 1 Jun → 1 Aug at X
    page = client.get(reverse("placement:event_record", args=[moved.pk])).content.decode()
    assert employer_y.name not in page and "在Y厂" not in page and "离开本企业" in page


def test_old_employers_hr_may_not_record_a_leaving_any_more(client, hr_x, moved):
    client.force_login(hr_x)
    response = client.post(
        reverse("placement:event_record", args=[moved.pk]),
        {"kind": "left", "occurred_on": "2026-10-01", "reason": "wage"},
    )
    assert response.status_code == 403
    moved.refresh_from_db()
    assert moved.status == "employed"


def test_unrelated_employers_hr_is_refused(client, moved):
    stranger = make_user("hr_z", Role.EMPLOYER_HR, employer=EmployerFactory())
    assert _history(client, stranger, moved).status_code == 404
    page = client.get(reverse("placement:event_record", args=[moved.pk]))
    assert page.status_code == 404
