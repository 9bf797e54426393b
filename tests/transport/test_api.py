"""Transport API: trips, plans, seats, buses, manifests, roll call, check-in — scoped."""

import io

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent, Pairing, Role
from laborbridge.notifications.models import Message
from matching.models import Match, MatchStatus
from tests.factories import make_user
from tests.transport.conftest import empty_car
from transport.models import Bus, Seat, TransportPlan, Trip

pytestmark = pytest.mark.django_db
API = "/api/v1/transport"


@pytest.fixture
def api():
    return APIClient()


def _as(api, user):
    api.force_authenticate(user)
    return api


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


class TestReads:
    def test_coordinator_sees_the_campaigns_trips_plans_seats_buses(
        self, api, coordinator, planned, world, query_count
    ):
        _as(api, coordinator)
        assert _ids(api.get(f"{API}/trips/")) == set(
            world.campaign.trips.values_list("pk", flat=True)
        )
        assert _ids(api.get(f"{API}/plans/")) == {planned.pk}
        with query_count(6):
            seats = api.get(f"{API}/seats/")
        assert len(_ids(seats)) == 6
        assert "********" in seats.json()["results"][0]["worker_id_number"]
        assert _ids(api.get(f"{API}/buses/")) == set(Bus.objects.values_list("pk", flat=True))
        costs = api.get(f"{API}/plans/{planned.pk}/costs/").json()
        assert costs["total"] > 0 and costs["travellers"] == 6

    def test_official_sees_only_their_county(self, api, official_a, official_b, planned, world):
        mine = {s.pk for s in Seat.objects.filter(worker__home_county_id=official_a.county_id)}
        assert _ids(_as(api, official_a).get(f"{API}/seats/")) == mine
        other = Seat.objects.exclude(pk__in=mine).first()
        assert api.get(f"{API}/seats/{other.pk}/").status_code == 404
        assert _ids(api.get(f"{API}/trips/")) == {world.train.pk}
        assert _ids(api.get(f"{API}/plans/")) == set()
        assert _ids(api.get(f"{API}/buses/")) == set()
        assert _ids(_as(api, official_b).get(f"{API}/seats/")) == set(
            Seat.objects.filter(worker__home_county_id=official_b.county_id).values_list(
                "pk", flat=True
            )
        )

    def test_hr_sees_only_their_incoming_people(self, api, hr_x, hr_y, planned):
        for hr in (hr_x, hr_y):
            expected = set(
                Seat.objects.filter(match__vacancy__employer=hr.employer).values_list(
                    "pk", flat=True
                )
            )
            assert _ids(_as(api, hr).get(f"{API}/seats/")) == expected and expected

    def test_anonymous_is_refused_everywhere(self, api, planned, world):
        seat = Seat.objects.first()
        for method, url in [
            ("get", f"{API}/trips/"),
            ("get", f"{API}/plans/"),
            ("get", f"{API}/seats/"),
            ("get", f"{API}/buses/"),
            ("get", f"{API}/notifications/"),
            ("get", f"{API}/trips/{world.train.pk}/manifest/"),
            ("post", f"{API}/trips/{world.train.pk}/carrier-export/"),
            ("post", f"{API}/plans/"),
            ("post", f"{API}/plans/{planned.pk}/confirm/"),
            ("post", f"{API}/seats/{seat.pk}/roll-call/"),
            ("post", f"{API}/seats/{seat.pk}/check-in/"),
        ]:
            assert getattr(api, method)(url).status_code in (401, 403), url


class TestWrites:
    def test_coordinator_creates_a_trip(self, api, coordinator, world):
        response = _as(api, coordinator).post(
            f"{API}/trips/",
            {
                "campaign": world.campaign.code,
                "mode": "reserved_carriage",
                "service_number": "K1060",
                "origin": "lanzhou",
                "destination": "qingdao",
                "departure_at": "2026-03-01T20:40:00+08:00",
                "arrival_at": "2026-03-02T17:50:00+08:00",
                "cars": 2,
                "seats_per_car": 90,
                "first_car_no": 7,
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["total_seats"] == 180
        trip = Trip.objects.get(service_number="K1060")
        patched = api.patch(f"{API}/trips/{trip.pk}/", {"operator": "兰州局"}, format="json")
        assert patched.json()["operator"] == "兰州局"

    def test_trip_errors_name_the_field(self, api, coordinator, world):
        response = _as(api, coordinator).post(
            f"{API}/trips/",
            {
                "campaign": world.campaign.code,
                "mode": "chartered_bus",
                "service_number": "B1",
                "origin": "qingdao",
                "destination": "qingdao",
                "departure_at": "2026-03-01T20:40:00+08:00",
                "arrival_at": "2026-03-01T10:00:00+08:00",
                "cars": 1,
                "seats_per_car": 50,
            },
            format="json",
        )
        assert response.status_code == 400
        assert {"destination", "arrival_at"} <= set(response.json()["fields"])

    def test_officials_and_hr_cannot_create_or_edit_trips(
        self, api, official_a, hr_x, planned, world
    ):
        for user in (official_a, hr_x):
            _as(api, user)
            body = {
                "campaign": world.campaign.code,
                "mode": "chartered_bus",
                "service_number": "B1",
                "origin": "dingxi-north",
                "destination": "qingdao",
                "departure_at": "2026-03-01T06:00:00+08:00",
                "arrival_at": "2026-03-02T06:00:00+08:00",
                "cars": 1,
                "seats_per_car": 50,
            }
            assert api.post(f"{API}/trips/", body, format="json").status_code in (403, 404)
            # They see the train their people take, but may not change it.
            assert (
                api.patch(
                    f"{API}/trips/{world.train.pk}/", {"operator": "x"}, format="json"
                ).status_code
                == 403
            )

    def test_plan_run_confirm_move_swap(
        self, api, coordinator, world, eager_celery, django_capture_on_commit_callbacks
    ):
        _as(api, coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(
                f"{API}/plans/",
                {
                    "campaign": world.campaign.code,
                    "seed": 3,
                    "params": {"min_fill_special_train": 0},
                },
                format="json",
            )
        assert response.status_code == 201
        plan = TransportPlan.objects.get()
        assert plan.run_status == "succeeded" and plan.seed == 3
        assert api.post(f"{API}/plans/{plan.pk}/confirm/").json()["status"] == "confirmed"
        seat = Seat.objects.get(worker=world.workers[0])
        car = empty_car(world.train)
        moved = api.post(
            f"{API}/plans/{plan.pk}/move/",
            {"seat": seat.pk, "trip": world.train.pk, "car_no": car, "row": 2, "letter": "F"},
            format="json",
        )
        assert moved.status_code == 200 and moved.json()["label"] == f"{car:02d}车02F"
        taken = api.post(
            f"{API}/plans/{plan.pk}/move/",
            {
                "seat": Seat.objects.get(worker=world.workers[1]).pk,
                "trip": world.train.pk,
                "car_no": car,
                "row": 2,
                "letter": "F",
            },
            format="json",
        )
        assert taken.status_code == 400
        other = Seat.objects.get(worker=world.workers[2])
        swapped = api.post(
            f"{API}/plans/{plan.pk}/swap/", {"seat_a": seat.pk, "seat_b": other.pk}, format="json"
        )
        assert swapped.status_code == 200 and swapped.json()[1]["label"] == f"{car:02d}车02F"

    def test_officials_cannot_plan(self, api, official_a, world):
        response = _as(api, official_a).post(
            f"{API}/plans/", {"campaign": world.campaign.code}, format="json"
        )
        assert response.status_code == 403 and not TransportPlan.objects.exists()

    def test_manifests_download(self, api, coordinator, planned, world):
        _as(api, coordinator)
        car = Seat.objects.filter(released_at=None).first().car.car_no
        data = api.get(f"{API}/trips/{world.train.pk}/manifest/?car={car}").json()
        held = Seat.objects.filter(car__car_no=car, released_at=None).count()
        assert data["travellers"] == held > 0
        response = api.get(f"{API}/trips/{world.train.pk}/manifest/?format=xlsx")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        load_workbook(io.BytesIO(response.content))
        bus = Bus.objects.first()
        assert api.get(f"{API}/buses/{bus.pk}/manifest/").json()["travellers"] == bus.occupied
        assert api.get(f"{API}/trips/{world.train.pk}/manifest/?car=42").status_code == 400

    def test_manifests_are_for_coordinators(self, api, official_a, hr_x, planned, world):
        for user in (official_a, hr_x):
            _as(api, user)
            assert api.get(f"{API}/trips/{world.train.pk}/manifest/").status_code == 404
            response = api.post(f"{API}/trips/{world.train.pk}/carrier-export/", {"reason": "核验"})
            assert response.status_code == 404
        assert not AuditEvent.objects.filter(action="trip.carrier_export").exists()

    def test_carrier_export_is_audited(self, api, coordinator, planned, world):
        _as(api, coordinator)
        assert api.post(f"{API}/trips/{world.train.pk}/carrier-export/", {}).status_code == 400
        response = api.post(
            f"{API}/trips/{world.train.pk}/carrier-export/", {"reason": "实名制核验"}
        )
        assert response.status_code == 200
        assert AuditEvent.objects.get(action="trip.carrier_export").reason == "实名制核验"

    def test_roll_call_and_notifications(self, api, coordinator, official_a, hr_x, planned, world):
        seat = Seat.objects.get(worker=world.workers[0])
        response = _as(api, coordinator).post(
            f"{API}/seats/{seat.pk}/roll-call/", {"status": "no_show"}
        )
        assert response.status_code == 200 and response.json()["release_reason"] == "no_show"
        notice = Message.objects.get()
        county_side = (
            official_a if world.workers[0].home_county_id == official_a.county_id else None
        )
        employer_side = hr_x if world.matches[0].vacancy.employer_id == hr_x.employer_id else None
        for user in filter(None, (county_side, employer_side)):
            assert _ids(_as(api, user).get(f"{API}/notifications/")) == {notice.pk}

    def test_roll_call_is_for_coordinators(self, api, official_a, hr_x, planned, world):
        seat = Seat.objects.get(worker=world.workers[0])
        for user in (official_a, hr_x):
            response = _as(api, user).post(
                f"{API}/seats/{seat.pk}/roll-call/", {"status": "no_show"}
            )
            assert response.status_code in (403, 404)
        assert Seat.objects.get(pk=seat.pk).released_at is None

    def test_check_in_by_the_right_hr_only(self, api, hr_x, hr_y, official_a, planned):
        seat = Seat.objects.filter(match__vacancy__employer=hr_x.employer).first()
        assert _as(api, hr_y).post(f"{API}/seats/{seat.pk}/check-in/").status_code == 404
        assert _as(api, official_a).post(f"{API}/seats/{seat.pk}/check-in/").status_code in (
            403,
            404,
        )
        response = _as(api, hr_x).post(
            f"{API}/seats/{seat.pk}/check-in/", {"confirm_not_roll_called": True}
        )
        assert response.status_code == 200 and response.json()["checked_in_at"]
        assert Match.objects.get(pk=seat.match_id).status == MatchStatus.HIRED

    def test_coordinator_of_another_pairing_sees_nothing(self, api, planned, world):
        other = make_user(
            "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
        )
        _as(api, other)
        for path in ("trips", "plans", "seats", "buses", "notifications"):
            assert _ids(api.get(f"{API}/{path}/")) == set(), path
        assert api.get(f"{API}/trips/{world.train.pk}/manifest/").status_code == 404
        assert api.post(f"{API}/plans/{planned.pk}/confirm/").status_code == 404


def _endpoints(world, plan):
    """Every transport endpoint that reads beyond one's own or writes, with a request body."""
    seat = Seat.objects.filter(released_at=None).order_by("pk").first()
    other = Seat.objects.filter(released_at=None).exclude(pk=seat.pk).order_by("pk").first()
    bus = Bus.objects.order_by("pk").first()
    trip = world.train.pk
    return [
        (
            "post",
            f"{API}/trips/",
            {
                "campaign": world.campaign.code,
                "mode": "chartered_bus",
                "service_number": "B9",
                "origin": "dingxi-north",
                "destination": "qingdao",
                "departure_at": "2026-03-01T06:00:00+08:00",
                "arrival_at": "2026-03-02T06:00:00+08:00",
                "cars": 1,
                "seats_per_car": 50,
            },
        ),
        ("patch", f"{API}/trips/{trip}/", {"operator": "x"}),
        ("get", f"{API}/trips/{trip}/manifest/", None),
        ("post", f"{API}/trips/{trip}/carrier-export/", {"reason": "核验"}),
        ("get", f"{API}/plans/{plan.pk}/", None),
        ("post", f"{API}/plans/", {"campaign": world.campaign.code}),
        ("post", f"{API}/plans/{plan.pk}/confirm/", None),
        (
            "post",
            f"{API}/plans/{plan.pk}/move/",
            {"seat": seat.pk, "trip": trip, "car_no": 8, "row": 9, "letter": "A"},
        ),
        ("post", f"{API}/plans/{plan.pk}/swap/", {"seat_a": seat.pk, "seat_b": other.pk}),
        ("get", f"{API}/plans/{plan.pk}/costs/", None),
        ("post", f"{API}/plans/{plan.pk}/fares/", {"feeder_bus_fare": 1, "arrival_bus_fare": 1}),
        ("get", f"{API}/buses/{bus.pk}/", None),
        ("get", f"{API}/buses/{bus.pk}/manifest/", None),
        ("patch", f"{API}/buses/{bus.pk}/", {"plate_number": "甘J12345"}),
        ("post", f"{API}/seats/{seat.pk}/roll-call/", {"status": "no_show"}),
        ("post", f"{API}/seats/{seat.pk}/undo-no-show/", None),
    ]


@pytest.mark.parametrize("user", ["anonymous", "official_a", "official_b", "hr_x", "hr_y", "other"])
def test_every_coordinator_endpoint_refuses_everyone_else(api, request, user, planned, world):
    if user == "other":
        api.force_authenticate(
            make_user(
                "coordinator_jz",
                Role.COORDINATOR,
                pairing=Pairing.objects.get(code="jiaozhou-tongwei"),
            )
        )
    elif user != "anonymous":
        api.force_authenticate(request.getfixturevalue(user))
    before = list(
        Seat.objects.order_by("pk").values_list("pk", "car_id", "row", "letter", "released_at")
    )
    for method, url, data in _endpoints(world, planned):
        response = (
            getattr(api, method)(url, data, format="json") if data else getattr(api, method)(url)
        )
        assert response.status_code in (401, 403, 404), (user, method, url, response.status_code)
    assert (
        list(
            Seat.objects.order_by("pk").values_list("pk", "car_id", "row", "letter", "released_at")
        )
        == before
    )
    assert TransportPlan.objects.count() == 1 and Trip.objects.count() == 3
    assert not AuditEvent.objects.filter(action="trip.carrier_export").exists()
    assert not Bus.objects.exclude(plate_number="").exists()
    assert TransportPlan.objects.get().params["feeder_bus_fare"] == 1500
