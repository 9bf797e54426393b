"""Undoing a no-show recorded by mistake at the roll call: the seat comes back only if it is
still free and the traveller holds no other seat; both sides are told it was a mistake."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent, Pairing, Role
from laborbridge.notifications.models import Message
from tests.factories import make_user
from tests.transport.conftest import empty_car, plan_now
from tests.transport.test_services import assert_counters_match_rows
from transport.models import (
    BoardingStatus,
    BusKind,
    BusRider,
    Seat,
    TransportPlan,
    TripCar,
)
from transport.services.boarding import seat_no_show_undo, seat_roll_call
from transport.services.errors import SeatTaken
from transport.services.seats import seat_move

pytestmark = pytest.mark.django_db
OPEN_FILL = {"min_fill_special_train": 0}


@pytest.fixture
def coordinator_other(db):
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


@pytest.fixture
def no_show(coordinator, planned, world) -> Seat:
    """World worker 1 marked absent at boarding (by mistake, as it turns out)."""
    seat = Seat.objects.get(worker=world.workers[1], released_at=None)
    seat_roll_call(actor=coordinator, seat=seat, present=False)
    seat.refresh_from_db()
    return seat


def _state(seat: Seat):
    seat.refresh_from_db()
    return (
        seat.released_at,
        seat.boarding,
        seat.plan_id,
        TripCar.objects.get(pk=seat.car_id).occupied,
        BusRider.objects.filter(seat=seat).count(),
        Message.objects.count(),
    )


class TestService:
    def test_undo_restores_seat_buses_and_tells_both_sides(self, coordinator, no_show, world):
        assert not BusRider.objects.filter(seat=no_show).exists()  # taken off their buses
        occupied = TripCar.objects.get(pk=no_show.car_id).occupied
        seat = seat_no_show_undo(actor=coordinator, seat=no_show)
        seat.refresh_from_db()
        assert seat.released_at is None and seat.release_reason == ""
        assert seat.boarding == BoardingStatus.PENDING
        assert TripCar.objects.get(pk=seat.car_id).occupied == occupied + 1
        rides = {r.kind: r for r in BusRider.objects.filter(seat=seat)}
        assert set(rides) == {BusKind.FEEDER, BusKind.ARRIVAL}
        assert all(r.stop_time for r in rides.values())
        assert not any(r.bus.adjusted for r in rides.values())  # back on their planned buses
        notice = Message.objects.get(key="transport.no_show_undo")
        match = world.matches[1]
        assert set(notice.audiences.values_list("kind", "target")) == {
            ("county", match.worker.home_county_id),
            ("employer", str(match.vacancy.employer_id)),
            ("pairing", str(world.campaign.pairing_id)),
        }
        assert "误记" in notice.title and "作废" in notice.body and seat.label in notice.body
        assert AuditEvent.objects.filter(action="seat.no_show_undo", target_id=str(seat.pk))
        assert_counters_match_rows()
        # A second tap changes nothing; the traveller can now be marked present.
        seat_no_show_undo(actor=coordinator, seat=seat)
        assert Message.objects.filter(key="transport.no_show_undo").count() == 1
        seat_roll_call(actor=coordinator, seat=seat, present=True)

    def test_refused_when_someone_took_the_seat(self, coordinator, no_show, world):
        other = Seat.objects.get(worker=world.workers[0], released_at=None)
        seat_move(
            actor=coordinator,
            seat=other,
            trip=world.train,
            car_no=no_show.car.car_no,
            row=no_show.row,
            letter=no_show.letter,
        )
        before = _state(no_show)
        with pytest.raises(SeatTaken) as error:
            seat_no_show_undo(actor=coordinator, seat=no_show)
        message = error.value.messages[0]
        assert no_show.label in message and world.workers[0].name in message
        assert _state(no_show) == before
        assert not AuditEvent.objects.filter(action="seat.no_show_undo").exists()
        assert_counters_match_rows()

    def test_refused_when_they_hold_another_seat_now(self, coordinator, no_show, world):
        # Re-planned meanwhile: the roll call froze G2096, the coach of 3 March takes them.
        plan_now(coordinator, world.campaign, params={**OPEN_FILL, "max_wait_days": 10})
        elsewhere = Seat.objects.get(worker=no_show.worker, released_at=None)
        assert elsewhere.trip_id != no_show.trip_id
        before = _state(no_show)
        with pytest.raises(ValidationError) as error:
            seat_no_show_undo(actor=coordinator, seat=no_show)
        assert "已另有座位" in error.value.messages[0]
        assert elsewhere.trip.service_number in error.value.messages[0]
        assert _state(no_show) == before

    def test_after_a_replan_the_seat_joins_the_current_plan(self, coordinator, no_show, world):
        plan_now(coordinator, world.campaign, params=OPEN_FILL)  # no-show stays unplaced
        current = TransportPlan.objects.order_by("-version").first()
        assert no_show.plan_id != current.pk
        assert not Seat.objects.filter(worker=no_show.worker, released_at=None).exists()
        seat = seat_no_show_undo(actor=coordinator, seat=no_show)
        seat.refresh_from_db()
        assert seat.plan_id == current.pk
        assert {r.bus.plan_id for r in BusRider.objects.filter(seat=seat)} == {current.pk}
        assert_counters_match_rows()

    def test_only_a_no_show_can_be_undone(self, coordinator, planned, world):
        seat = Seat.objects.get(worker=world.workers[0], released_at=None)
        seat_roll_call(actor=coordinator, seat=seat, present=True)
        assert seat_no_show_undo(actor=coordinator, seat=seat).boarding == "present"
        Seat.objects.filter(pk=seat.pk).update(
            released_at=seat.updated_at, release_reason="match_ended", boarding="pending"
        )
        with pytest.raises(ValidationError) as error:
            seat_no_show_undo(actor=coordinator, seat=seat)
        assert "不是因点名未到" in error.value.messages[0]

    @pytest.mark.parametrize("user", ["official_a", "official_b", "hr_x", "coordinator_other"])
    def test_others_cannot(self, request, user, no_show):
        before = _state(no_show)
        with pytest.raises(PermissionDenied):
            seat_no_show_undo(actor=request.getfixturevalue(user), seat=no_show)
        assert _state(no_show) == before


class TestPages:
    def test_the_roll_call_row_offers_undo_and_restores_the_buttons(
        self, client, coordinator, no_show, world
    ):
        client.force_login(coordinator)
        url = reverse("transport:roll_call", args=[world.train.pk]) + f"?car={no_show.car.car_no}"
        assert "撤销未到" in client.get(url).content.decode()
        response = client.post(
            reverse("transport:roll_call_undo", args=[no_show.pk]), HTTP_HX_REQUEST="true"
        )
        body = response.content.decode()
        assert f'id="seat-{no_show.pk}"' in body
        assert f"{no_show.worker.name} 已到" in body and "座位已释放" not in body
        assert Seat.objects.get(pk=no_show.pk).released_at is None

    def test_a_refusal_is_shown_in_the_row(self, client, coordinator, no_show, world):
        other = Seat.objects.get(worker=world.workers[0], released_at=None)
        seat_move(
            actor=coordinator,
            seat=other,
            trip=world.train,
            car_no=no_show.car.car_no,
            row=no_show.row,
            letter=no_show.letter,
        )
        client.force_login(coordinator)
        body = client.post(
            reverse("transport:roll_call_undo", args=[no_show.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert "无法撤销" in body and 'class="error"' in body
        assert Seat.objects.get(pk=no_show.pk).released_at is not None

    def test_the_official_and_hr_read_the_correction(
        self, client, coordinator, official_a, official_b, hr_x, hr_y, no_show, world
    ):
        seat_no_show_undo(actor=coordinator, seat=no_show)
        match = world.matches[1]
        official = official_a if match.worker.home_county_id == official_a.county_id else official_b
        hr = hr_x if match.vacancy.employer_id == hr_x.employer_id else hr_y
        for user, page in ((official, "county_travel"), (hr, "arrivals")):
            client.force_login(user)
            assert "未到系误记" in client.get(reverse(f"transport:{page}")).content.decode()

    @pytest.mark.parametrize("user", ["official_a", "official_b", "hr_x", "hr_y"])
    def test_officials_and_hr_are_refused(self, client, request, user, no_show):
        client.force_login(request.getfixturevalue(user))
        before = _state(no_show)
        assert (
            client.post(reverse("transport:roll_call_undo", args=[no_show.pk])).status_code == 403
        )
        assert _state(no_show) == before

    def test_another_pairing_gets_404_and_anonymous_logs_in(
        self, client, coordinator_other, no_show
    ):
        before = _state(no_show)
        url = reverse("transport:roll_call_undo", args=[no_show.pk])
        response = client.post(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
        client.force_login(coordinator_other)
        assert client.post(url).status_code == 404
        assert _state(no_show) == before


class TestApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def test_coordinator_undoes_it(self, api, coordinator, no_show):
        api.force_authenticate(coordinator)
        response = api.post(f"/api/v1/transport/seats/{no_show.pk}/undo-no-show/")
        assert response.status_code == 200
        assert response.json()["boarding"] == "pending" and response.json()["released_at"] is None

    def test_a_taken_seat_is_400_with_the_reason(self, api, coordinator, no_show, world):
        other = Seat.objects.get(worker=world.workers[0], released_at=None)
        seat_move(
            actor=coordinator,
            seat=other,
            trip=world.train,
            car_no=empty_car(world.train),
            row=1,
            letter="A",
        )
        seat_move(
            actor=coordinator,
            seat=other,
            trip=world.train,
            car_no=no_show.car.car_no,
            row=no_show.row,
            letter=no_show.letter,
        )
        api.force_authenticate(coordinator)
        response = api.post(f"/api/v1/transport/seats/{no_show.pk}/undo-no-show/")
        assert response.status_code == 400 and "无法撤销" in response.json()["message"]

    @pytest.mark.parametrize(
        "user", ["anonymous", "official_a", "official_b", "hr_x", "hr_y", "coordinator_other"]
    )
    def test_others_are_refused(self, api, request, user, no_show):
        if user != "anonymous":
            api.force_authenticate(request.getfixturevalue(user))
        before = _state(no_show)
        response = api.post(f"/api/v1/transport/seats/{no_show.pk}/undo-no-show/")
        assert response.status_code in (401, 403, 404)
        assert _state(no_show) == before
