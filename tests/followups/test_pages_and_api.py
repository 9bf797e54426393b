"""Follow-up pages and API: who sees and records what (one page test per page)."""

import datetime as dt

import pytest
from django.urls import reverse

from followups.models import FollowUp
from laborbridge.models import Campaign
from tests.factories import TONGWEI, place_worker
from tests.followups.conftest import followup_for, today

pytestmark = pytest.mark.django_db

OTHERS = ["official_b", "hr_x", "liaison_longnan"]


def _record_data(**extra):
    return {"reached": "yes", "contact_method": "visit", "still_employed": "yes", **extra}


class TestListPage:
    def test_liaison_sees_due_and_overdue(self, client, liaison, placed, query_count):
        due = followup_for(placed, assignee=liaison, due_on=today() + dt.timedelta(days=3))
        late = followup_for(
            placed, assignee=liaison, due_on=today() - dt.timedelta(days=2), period="w1"
        )
        client.force_login(liaison)

        with query_count(12):
            page = client.get(reverse("followups:list"))
        assert page.status_code == 200
        assert list(page.context["page"]) == [due]
        overdue = client.get(reverse("followups:list"), {"state": "overdue"})
        assert list(overdue.context["page"]) == [late]

    def test_official_home_page_counts_overdue(self, client, official_a, placed):
        followup_for(placed, assignee=official_a, due_on=today() - dt.timedelta(days=1))
        client.force_login(official_a)

        page = client.get("/")
        assert page.context["dashboard"]["followups_overdue"] == 1
        assert reverse("followups:list") in page.text

    def test_coordinator_sees_the_pairings_not_as_mine(self, client, coordinator, followup):
        client.force_login(coordinator)

        page = client.get(reverse("followups:list"))
        assert list(page.context["page"]) == [followup]

    @pytest.mark.parametrize("who", OTHERS)
    def test_others_see_none_or_are_refused(self, client, request, followup, who):
        client.force_login(request.getfixturevalue(who))
        page = client.get(reverse("followups:list"), {"who": "all"})

        assert page.status_code == 403 or list(page.context["page"]) == []

    def test_anonymous_is_sent_to_sign_in(self, client):
        assert client.get(reverse("followups:list")).status_code == 302


class TestRecordPage:
    def test_liaison_records(self, client, liaison, followup):
        client.force_login(liaison)
        url = reverse("followups:record", args=[followup.pk])

        assert client.get(url).status_code == 200
        response = client.post(url, _record_data(wage_last_month="4200", problems=["wage_arrears"]))
        assert response.status_code == 302
        followup.refresh_from_db()
        assert followup.done_at and followup.problems == ["wage_arrears"]
        assert client.get(url).status_code == 200  # shows the record now

    def test_a_field_error_shows_on_the_form(self, client, liaison, followup):
        client.force_login(liaison)
        url = reverse("followups:record", args=[followup.pk])

        response = client.post(url, {"reached": "yes", "contact_method": "visit"})
        assert response.status_code == 200
        assert response.context["form"].errors["still_employed"]

    @pytest.mark.parametrize("who", OTHERS)
    def test_others_get_404_or_403(self, client, request, followup, who):
        client.force_login(request.getfixturevalue(who))
        url = reverse("followups:record", args=[followup.pk])

        assert client.get(url).status_code in (403, 404)
        assert client.post(url, _record_data()).status_code in (403, 404)
        assert FollowUp.objects.get(pk=followup.pk).done_at is None

    def test_coordinator_reads_but_may_not_record(self, client, coordinator, followup):
        client.force_login(coordinator)
        url = reverse("followups:record", args=[followup.pk])

        assert client.get(url).status_code == 200
        assert client.post(url, _record_data()).status_code == 403


class TestSchedulePages:
    def test_coordinator_sets_a_campaigns_schedule(self, client, coordinator, pairing_qd_dx):
        campaign = Campaign.objects.filter(pairing=pairing_qd_dx).first()
        client.force_login(coordinator)

        assert client.get(reverse("followups:schedules")).status_code == 200
        url = reverse("followups:schedule_edit", args=[campaign.pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {"first_week": "on", "months": "1，2,12", "due_days": 5, "census_due_day": 20},
        )
        assert response.status_code == 302
        assert campaign.followup_schedule.months == [1, 2, 12]
        assert campaign.followup_schedule.census is False

    def test_another_pairings_campaign_is_404(self, client, coordinator):
        other = Campaign.objects.exclude(pairing=coordinator.pairing).first()
        client.force_login(coordinator)

        url = reverse("followups:schedule_edit", args=[other.pk])
        assert client.get(url).status_code == 404

    @pytest.mark.parametrize("who", ["official_a", "hr_x", "liaison"])
    def test_other_roles_are_refused(self, client, request, who):
        client.force_login(request.getfixturevalue(who))

        assert client.get(reverse("followups:schedules")).status_code == 403


class TestApi:
    def test_list_and_record(self, client, liaison, followup, employer_x):
        other = followup_for(place_worker(employer_x, county=TONGWEI), assignee=None)
        client.force_login(liaison)

        listed = client.get("/api/v1/followups/")
        assert listed.status_code == 200
        ids = [row["id"] for row in listed.json()["results"]]
        assert ids == [followup.pk]
        everyone = client.get("/api/v1/followups/", {"who": "all"}).json()["results"]
        assert {row["id"] for row in everyone} == {followup.pk, other.pk}

        response = client.post(
            f"/api/v1/followups/{followup.pk}/record/",
            {"reached": True, "contact_method": "phone", "still_employed": True},
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["done"] is True

    def test_record_twice_is_a_400_in_the_shared_shape(self, client, liaison, followup):
        client.force_login(liaison)
        url = f"/api/v1/followups/{followup.pk}/record/"
        body = {"reached": False, "contact_method": "phone"}

        assert client.post(url, body, content_type="application/json").status_code == 201
        again = client.post(url, body, content_type="application/json")
        assert again.status_code == 400
        assert "code" in again.json() or "detail" in again.json()

    @pytest.mark.parametrize("who", OTHERS)
    def test_others_cannot_read_or_record(self, client, request, followup, who):
        client.force_login(request.getfixturevalue(who))

        assert client.get(f"/api/v1/followups/{followup.pk}/").status_code in (403, 404)
        response = client.post(
            f"/api/v1/followups/{followup.pk}/record/",
            {"reached": False, "contact_method": "phone"},
            content_type="application/json",
        )
        assert response.status_code in (403, 404)

    def test_coordinator_reads_but_gets_403_on_record(self, client, coordinator, followup):
        client.force_login(coordinator)

        assert client.get(f"/api/v1/followups/{followup.pk}/").status_code == 200
        response = client.post(
            f"/api/v1/followups/{followup.pk}/record/",
            {"reached": False, "contact_method": "phone"},
            content_type="application/json",
        )
        assert response.status_code == 403

    def test_anonymous_is_refused(self, client, followup):
        assert client.get("/api/v1/followups/").status_code in (401, 403)
