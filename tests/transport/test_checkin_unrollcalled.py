"""Gate check-in of someone nobody roll-called on the trip: HR confirms they checked the
person, and the audit log records that the check-in happened without a roll call."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent
from matching.models import Match, MatchStatus
from transport.models import BoardingStatus, Seat
from transport.services.boarding import seat_check_in, seat_roll_call

pytestmark = pytest.mark.django_db

API = "/api/v1/transport"


def _mine(hr) -> Seat:
    return (
        Seat.objects.select_related("worker")
        .filter(match__vacancy__employer=hr.employer, released_at=None)
        .order_by("pk")
        .first()
    )


def _status(seat) -> str:
    return Match.objects.values_list("status", flat=True).get(pk=seat.match_id)


class TestService:
    def test_unconfirmed_check_in_is_refused_with_the_name(self, hr_x, planned):
        seat = _mine(hr_x)
        assert seat.boarding == BoardingStatus.PENDING
        with pytest.raises(ValidationError) as caught:
            seat_check_in(actor=hr_x, seat=seat)
        assert caught.value.code == "not_roll_called"
        assert seat.worker.name in caught.value.messages[0]
        assert "没有上车点名记录" in caught.value.messages[0]
        assert Seat.objects.get(pk=seat.pk).checked_in_at is None
        assert _status(seat) == MatchStatus.CONFIRMED

    def test_confirmed_check_in_is_recorded_as_without_roll_call(self, hr_x, planned):
        seat = seat_check_in(actor=hr_x, seat=_mine(hr_x), confirm_not_roll_called=True)
        assert seat.checked_in_at and seat.boarding == BoardingStatus.PRESENT
        assert _status(seat) == MatchStatus.HIRED
        event = AuditEvent.objects.get(action="seat.check_in", target_id=str(seat.pk))
        assert event.changes["not_roll_called"] is True
        assert event.changes["boarding"] == ["pending", "present"]

    def test_roll_called_traveller_needs_no_confirmation(self, coordinator, hr_x, planned):
        seat = _mine(hr_x)
        seat_roll_call(actor=coordinator, seat=seat, present=True)
        seat = seat_check_in(actor=hr_x, seat=seat)
        assert seat.checked_in_at
        event = AuditEvent.objects.get(action="seat.check_in", target_id=str(seat.pk))
        assert "not_roll_called" not in event.changes


class TestPage:
    def test_the_page_asks_and_refuses_without_the_tick(self, client, hr_x, planned):
        seat = _mine(hr_x)
        client.force_login(hr_x)
        body = client.get(reverse("transport:arrivals")).content.decode()
        assert 'name="confirm_not_roll_called"' in body and "未经点名，已核实本人" in body
        response = client.post(reverse("transport:check_in", args=[seat.pk]), follow=True)
        assert "没有上车点名记录" in response.content.decode()
        assert _status(seat) == MatchStatus.CONFIRMED
        client.post(
            reverse("transport:check_in", args=[seat.pk]), {"confirm_not_roll_called": "on"}
        )
        assert _status(seat) == MatchStatus.HIRED
        event = AuditEvent.objects.get(action="seat.check_in", target_id=str(seat.pk))
        assert event.actor == hr_x and event.changes["not_roll_called"] is True

    def test_others_are_refused(self, client, hr_x, hr_y, official_a, coordinator, planned):
        seat = _mine(hr_x)
        url = reverse("transport:check_in", args=[seat.pk])
        payload = {"confirm_not_roll_called": "on"}
        client.force_login(hr_y)
        assert client.post(url, payload).status_code == 404
        for user in (official_a, coordinator):
            client.force_login(user)
            assert client.post(url, payload).status_code == 403
        client.logout()
        assert client.post(url, payload).status_code == 302
        assert _status(seat) == MatchStatus.CONFIRMED


class TestApi:
    def test_refused_without_then_accepted_with_confirmation(self, hr_x, planned):
        seat = _mine(hr_x)
        api = APIClient()
        api.force_authenticate(hr_x)
        response = api.post(f"{API}/seats/{seat.pk}/check-in/")
        assert response.status_code == 400
        assert "没有上车点名记录" in response.content.decode()
        assert _status(seat) == MatchStatus.CONFIRMED
        response = api.post(
            f"{API}/seats/{seat.pk}/check-in/", {"confirm_not_roll_called": True}, format="json"
        )
        assert response.status_code == 200 and response.json()["checked_in_at"]
        assert _status(seat) == MatchStatus.HIRED

    def test_others_and_anonymous_are_refused(self, hr_x, hr_y, official_a, planned):
        seat = _mine(hr_x)
        url = f"{API}/seats/{seat.pk}/check-in/"
        api = APIClient()
        assert api.post(url, {"confirm_not_roll_called": True}).status_code in (401, 403)
        for user in (hr_y, official_a):
            api.force_authenticate(user)
            response = api.post(url, {"confirm_not_roll_called": True}, format="json")
            assert response.status_code in (403, 404)
        assert _status(seat) == MatchStatus.CONFIRMED
