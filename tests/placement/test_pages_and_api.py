"""The history section, the record page and the API: who is let in, who is refused."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from placement.models import EmploymentEvent

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.force_login(user)
    return client


def _record_url(employment):
    return reverse("placement:event_record", args=[employment.pk])


def _history_url(employment):
    return f"/api/v1/placement/employments/{employment.pk}/history/"


def _events_url(employment):
    return f"/api/v1/placement/employments/{employment.pk}/events/"


CONFIRM = {"kind": "confirmed", "occurred_on": "2026-07-01"}
LEAVE = {"kind": "left", "occurred_on": "2026-07-01", "reason": "wage"}


class TestPages:
    def test_worker_page_shows_history_state_and_months(self, client, official_a, employment):
        response = _login(client, official_a).get(
            reverse("workers:detail", args=[employment.worker_id])
        )
        body = response.content.decode()
        assert "就业经历" in body and "连续务工" in body and "累计务工" in body
        assert _record_url(employment) in body

    def test_official_records_on_the_page(self, client, official_a, employment):
        response = _login(client, official_a).post(_record_url(employment), CONFIRM)
        assert response.status_code == 302
        assert EmploymentEvent.objects.filter(employment=employment).count() == 1

    def test_impossible_sequence_shows_the_message_on_the_form(
        self, client, official_a, employment
    ):
        _login(client, official_a)
        client.post(_record_url(employment), LEAVE)
        response = client.post(_record_url(employment), {**LEAVE, "occurred_on": "2026-08-01"})
        assert response.status_code == 200
        assert "不能重复记录离职" in response.content.decode()

    def test_coordinator_of_the_pairing_records(self, client, coordinator, employment):
        response = _login(client, coordinator).post(_record_url(employment), CONFIRM)
        assert response.status_code == 302

    def test_hr_records_leaving_of_own_employee(self, client, hr_x, employment):
        _login(client, hr_x)
        assert client.get(_record_url(employment)).status_code == 200
        assert client.post(_record_url(employment), LEAVE).status_code == 302
        assert EmploymentEvent.objects.get(employment=employment).kind == "left"

    @pytest.mark.parametrize("who", ["official_b", "hr_y", "coordinator_other"])
    def test_others_are_refused(self, client, request, employment, who):
        _login(client, request.getfixturevalue(who))
        assert client.get(_record_url(employment)).status_code in (403, 404)
        assert client.post(_record_url(employment), LEAVE).status_code in (403, 404)
        assert not EmploymentEvent.objects.exists()

    def test_each_official_sees_their_own_countys_history(
        self, client, official_b, employment_tongwei
    ):
        official_page = reverse("workers:detail", args=[employment_tongwei.worker_id])
        body = _login(client, official_b).get(official_page).content.decode()
        assert "就业经历" in body  # their own county's worker: shown

    def test_anonymous_is_sent_to_sign_in(self, client, employment):
        response = client.post(_record_url(employment), CONFIRM)
        assert response.status_code == 302 and "login" in response["Location"]
        assert not EmploymentEvent.objects.exists()


class TestApi:
    def test_official_reads_and_writes(self, client, official_a, employment):
        _login(client, official_a)
        response = client.post(_events_url(employment), CONFIRM, content_type="application/json")
        assert response.status_code == 201, response.content
        body = client.get(_history_url(employment)).json()
        assert body["state"] == "working" and len(body["events"]) == 1
        assert body["arrived_on"] == "2026-06-01"
        assert body["months_continuous"] >= 6  # arrived 1 Jun 2026, read today

    def test_job_change_off_platform(self, client, coordinator, employment):
        response = _login(client, coordinator).post(
            _events_url(employment),
            {
                "kind": "job_change",
                "occurred_on": "2026-09-01",
                "employer_name": "胶州某服装厂",
                "workplace": "370281",
                "monthly_wage": 5600,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        assert response.json()["job"]["employer_name"] == "胶州某服装厂"

    def test_impossible_sequence_is_a_400_in_the_shared_shape(self, client, official_a, employment):
        _login(client, official_a)
        client.post(_events_url(employment), LEAVE, content_type="application/json")
        response = client.post(
            _events_url(employment),
            {**LEAVE, "occurred_on": "2026-08-01"},
            content_type="application/json",
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body) >= {"code", "message", "fields"}
        assert "不能重复记录离职" in body["message"]

    def test_future_date_names_the_field(self, client, official_a, employment):
        future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        response = _login(client, official_a).post(
            _events_url(employment),
            {**CONFIRM, "occurred_on": future},
            content_type="application/json",
        )
        assert response.status_code == 400 and "occurred_on" in response.json()["fields"]

    def test_hr_may_record_leaving_but_not_a_confirmation(self, client, hr_x, employment):
        _login(client, hr_x)
        assert client.get(_history_url(employment)).status_code == 200
        refused = client.post(_events_url(employment), CONFIRM, content_type="application/json")
        assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
        ok = client.post(_events_url(employment), LEAVE, content_type="application/json")
        assert ok.status_code == 201

    @pytest.mark.parametrize("who", ["official_b", "hr_y", "coordinator_other"])
    def test_others_are_refused(self, client, request, employment, who):
        _login(client, request.getfixturevalue(who))
        assert client.get(_history_url(employment)).status_code in (403, 404)
        response = client.post(_events_url(employment), LEAVE, content_type="application/json")
        assert response.status_code in (403, 404)
        assert set(response.json()) >= {"code", "message", "fields"}
        assert not EmploymentEvent.objects.exists()

    def test_anonymous_is_refused(self, client, employment):
        assert client.get(_history_url(employment)).status_code in (401, 403)
        response = client.post(_events_url(employment), CONFIRM, content_type="application/json")
        assert response.status_code in (401, 403)
        assert response.json()["code"] == "not_authenticated"

    def test_schema_documents_the_endpoints(self, client, admin_user):
        schema = _login(client, admin_user).get("/api/schema/?format=json").json()
        assert "/api/v1/placement/employments/{id}/history/" in schema["paths"]
        assert "post" in schema["paths"]["/api/v1/placement/employments/{id}/events/"]
