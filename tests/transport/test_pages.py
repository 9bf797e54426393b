"""Transport pages: what each role may open, what it sees, and that lists stay cheap."""

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laborbridge.models import AuditEvent, Pairing, Role
from laborbridge.notifications.models import Message
from matching.models import Match, MatchStatus
from tests.factories import make_user
from tests.transport.conftest import empty_car, plan_now
from transport.models import (
    BoardingStatus,
    Bus,
    PlanStatus,
    Seat,
    TransportPlan,
    Trip,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_other(db):
    """The coordinator of another pairing (Jiaozhou ↔ Tongwei)."""
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


def _seat(world, index=0) -> Seat:
    return Seat.objects.get(worker=world.workers[index], released_at=None)


# (name, method, url builder, POST data builder) of every coordinator page.
COORDINATOR_PAGES = [
    ("trip_list", "get", lambda w, p: reverse("transport:trip_list"), None),
    ("trip_create", "get", lambda w, p: reverse("transport:trip_create"), None),
    ("trip_detail", "get", lambda w, p: reverse("transport:trip_detail", args=[w.train.pk]), None),
    ("trip_update", "get", lambda w, p: reverse("transport:trip_update", args=[w.train.pk]), None),
    (
        "trip_manifest",
        "get",
        lambda w, p: reverse("transport:trip_manifest", args=[w.train.pk]) + "?car=1",
        None,
    ),
    (
        "carrier_export",
        "get",
        lambda w, p: reverse("transport:carrier_export", args=[w.train.pk]),
        None,
    ),
    ("roll_call", "get", lambda w, p: reverse("transport:roll_call", args=[w.train.pk]), None),
    (
        "bus_manifest",
        "get",
        lambda w, p: reverse("transport:bus_manifest", args=[Bus.objects.first().pk]),
        None,
    ),
    ("plan_detail", "get", lambda w, p: reverse("transport:plan_detail", args=[p.pk]), None),
    (
        "plan_run",
        "post",
        lambda w, p: reverse("transport:plan_run"),
        lambda w: {"campaign": w.campaign.pk},
    ),
    ("plan_confirm", "post", lambda w, p: reverse("transport:plan_confirm", args=[p.pk]), None),
    (
        "plan_move",
        "post",
        lambda w, p: reverse("transport:plan_move", args=[p.pk]),
        lambda w: {
            "from_trip": w.train.pk,
            "from_seat": "1-1A",
            "to_trip": w.train.pk,
            "to_seat": "5-1A",
        },
    ),
    ("plan_swap", "post", lambda w, p: reverse("transport:plan_swap", args=[p.pk]), None),
    (
        "plan_fares",
        "post",
        lambda w, p: reverse("transport:plan_fares", args=[p.pk]),
        lambda w: {"feeder_bus_fare": "1", "arrival_bus_fare": "1"},
    ),
    (
        "roll_call_undo",
        "post",
        lambda w, p: reverse("transport:roll_call_undo", args=[_seat(w).pk]),
        None,
    ),
    (
        "bus_update",
        "post",
        lambda w, p: reverse("transport:bus_update", args=[Bus.objects.first().pk]),
        lambda w: {"plate_number": "甘J12345", "driver_name": "张师傅"},
    ),
    (
        "roll_call_mark",
        "post",
        lambda w, p: reverse("transport:roll_call_mark", args=[_seat(w).pk]),
        lambda w: {"present": "0"},
    ),
]
SCOPED = {
    "trip_detail",
    "trip_update",
    "trip_manifest",
    "carrier_export",
    "roll_call",
    "bus_manifest",
    "plan_detail",
    "plan_confirm",
    "plan_move",
    "plan_swap",
    "roll_call_mark",
    "roll_call_undo",
    "bus_update",
    "plan_fares",
}


def _open(client, page, world, plan):
    name, method, url, data = page
    call = client.post if method == "post" else client.get
    return call(url(world, plan), data(world) if data else {})


class TestCoordinatorPagesRefuseOthers:
    @pytest.mark.parametrize("page", COORDINATOR_PAGES, ids=[p[0] for p in COORDINATOR_PAGES])
    @pytest.mark.parametrize("user", ["official_a", "official_b", "hr_x", "hr_y"])
    def test_officials_and_hr_are_refused(self, client, request, planned, world, page, user):
        client.force_login(request.getfixturevalue(user))
        assert _open(client, page, world, planned).status_code == 403
        assert Seat.objects.filter(boarding=BoardingStatus.NO_SHOW).count() == 0
        assert TransportPlan.objects.count() == 1
        assert not Bus.objects.exclude(plate_number="").exists()
        assert TransportPlan.objects.get().params["feeder_bus_fare"] == 1500

    @pytest.mark.parametrize("page", COORDINATOR_PAGES, ids=[p[0] for p in COORDINATOR_PAGES])
    def test_anonymous_is_sent_to_login(self, client, planned, world, page):
        response = _open(client, page, world, planned)
        assert response.status_code == 302 and reverse("login") in response["Location"]

    @pytest.mark.parametrize(
        "page",
        [p for p in COORDINATOR_PAGES if p[0] in SCOPED],
        ids=[p[0] for p in COORDINATOR_PAGES if p[0] in SCOPED],
    )
    def test_coordinator_of_another_pairing_gets_404(
        self, client, coordinator_other, planned, world, page
    ):
        client.force_login(coordinator_other)
        assert _open(client, page, world, planned).status_code == 404
        assert Seat.objects.filter(boarding=BoardingStatus.NO_SHOW).count() == 0
        assert not Bus.objects.exclude(plate_number="").exists()


class TestCoordinatorJourney:
    def test_trip_list_shows_trips_and_plans_cheaply(
        self, client, coordinator, planned, world, query_count
    ):
        client.force_login(coordinator)
        with query_count(20):
            body = client.get(reverse("transport:trip_list")).content.decode()
        assert "G2096" in body and "DXQD-0303" in body and "v1" in body

    def test_create_and_edit_a_trip(self, client, coordinator, world):
        client.force_login(coordinator)
        data = {
            "campaign": world.campaign.pk,
            "mode": "charter_flight",
            "service_number": "CF8801",
            "origin": world.train.origin.pk,
            "destination": world.train.destination.pk,
            "departure_at": "2026-03-05T13:30",
            "arrival_at": "2026-03-05T16:45",
            "cars": 1,
            "seats_per_car": 174,
            "first_car_no": 1,
            "seat_letters": "ABCDEF",
            "fare_per_seat": "0",
            "fare_per_vehicle": "150000",
        }
        response = client.post(reverse("transport:trip_create"), data)
        trip = Trip.objects.get(service_number="CF8801")
        assert response.status_code == 302
        assert response["Location"] == reverse("transport:trip_detail", args=[trip.pk])
        data["operator"] = "东方航空"
        client.post(reverse("transport:trip_update", args=[trip.pk]), data)
        trip.refresh_from_db()
        assert trip.operator == "东方航空" and trip.total_seats == 174
        bad = dict(data, service_number="CF8802", arrival_at="2026-03-05T10:00")
        body = client.post(reverse("transport:trip_create"), bad).content.decode()
        assert "到达时间必须晚于出发时间" in body

    def test_start_a_plan_and_watch_it(
        self,
        client,
        coordinator,
        world,
        eager_celery,
        django_capture_on_commit_callbacks,
        query_count,
    ):
        client.force_login(coordinator)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("transport:plan_run"),
                {
                    "campaign": world.campaign.pk,
                    "seed": 0,
                    "max_wait_days": 5,
                    "station_buffer_minutes": 90,
                    "feeder_bus_seats": 50,
                    "arrival_bus_seats": 50,
                    "min_fill_percent": 0,
                },
            )
        plan = TransportPlan.objects.get()
        assert response["Location"] == reverse("transport:plan_detail", args=[plan.pk])
        plan.refresh_from_db()
        assert plan.run_status == "succeeded" and plan.stats["placed"] == 6
        with query_count(20):  # constant: 16 for 6 travellers and for 36
            body = client.get(response["Location"]).content.decode()
        assert 'id="plan-review"' in body and "确认方案" in body and "费用按县区" in body
        client.post(reverse("transport:plan_confirm", args=[plan.pk]))
        plan.refresh_from_db()
        assert plan.status == PlanStatus.CONFIRMED

    def test_progress_partial_polls_while_running(self, client, coordinator, world):
        plan = TransportPlan.objects.create(
            campaign=world.campaign,
            version=1,
            run_status="running",
            progress_stage="trunk",
            progress_percent=37,
        )
        client.force_login(coordinator)
        body = client.get(
            reverse("transport:plan_detail", args=[plan.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert 'aria-valuenow="37"' in body and "every 1s" in body and "选择干线车次" in body

    def test_move_and_swap_from_the_plan_page(self, client, coordinator, planned, world):
        client.force_login(coordinator)
        first, second = _seat(world, 0), _seat(world, 3)
        target = f"{empty_car(world.train):02d}车02B"
        client.post(
            reverse("transport:plan_move", args=[planned.pk]),
            {
                "from_trip": world.train.pk,
                "from_seat": first.label,
                "to_trip": world.train.pk,
                "to_seat": target,
            },
        )
        first.refresh_from_db()
        assert first.label == target
        client.post(
            reverse("transport:plan_swap", args=[planned.pk]),
            {"trip": world.train.pk, "seat_a": target.replace("车", "-"), "seat_b": second.label},
        )
        assert _seat(world, 3).label == target
        response = client.post(
            reverse("transport:plan_move", args=[planned.pk]),
            {
                "from_trip": world.train.pk,
                "from_seat": target,
                "to_trip": world.train.pk,
                "to_seat": _seat(world, 1).label,
            },
            follow=True,
        )
        assert "座位已有人" in response.content.decode()

    def test_manifest_print_and_xlsx(self, client, coordinator, planned, world):
        client.force_login(coordinator)
        url = reverse("transport:trip_manifest", args=[world.train.pk])
        car = _seat(world, 0).car.car_no
        body = client.get(url + f"?car={car}").content.decode()
        held = Seat.objects.filter(trip=world.train, car__car_no=car, released_at=None)
        assert body.count("<tr><td>") == held.count() > 0
        # A4 print rules live in the one stylesheet; the signature column has its own class
        assert 'class="manifest"' in body and "css/app.css" in body and "方案 v1" in body
        assert body.count('<td class="sign">') == held.count()
        response = client.get(url + "?format=xlsx")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        # the file and its title name the trip as people say it: number, route, day
        disposition = unquote(response["Content-Disposition"])
        trip = world.train
        assert trip.service_number in disposition and trip.origin.name in disposition
        title = load_workbook(io.BytesIO(response.content)).active["A1"].value
        assert (
            title.startswith("乘车名单 " + trip.service_number) and trip.destination.name in title
        )
        assert client.get(url + "?car=99").status_code == 404

    def test_carrier_export_asks_why_and_records_it(self, client, coordinator, planned, world):
        client.force_login(coordinator)
        url = reverse("transport:carrier_export", args=[world.train.pk])
        assert "导出原因" in client.get(url).content.decode()
        assert client.post(url, {"reason": ""}).status_code == 200
        response = client.post(url, {"reason": "铁路实名制核验"})
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert AuditEvent.objects.get(action="trip.carrier_export").reason == "铁路实名制核验"

    def test_roll_call_on_a_phone(self, client, coordinator, planned, world, query_count):
        client.force_login(coordinator)
        car = _seat(world, 0).car.car_no
        with query_count(15):
            body = client.get(
                reverse("transport:roll_call", args=[world.train.pk]) + f"?car={car}"
            ).content.decode()
        assert world.workers[0].name in body and 'name="viewport"' in body
        seat = _seat(world, 1)
        response = client.post(
            reverse("transport:roll_call_mark", args=[seat.pk]),
            {"present": "0"},
            HTTP_HX_REQUEST="true",
        )
        assert "座位已释放" in response.content.decode()
        assert Message.objects.filter(params__worker_id=world.workers[1].pk).exists()


class TestCountyTravel:
    def test_official_sees_their_workers_with_seat_and_pickup(
        self, client, official_a, planned, world, query_count
    ):
        client.force_login(official_a)
        with query_count(15):
            body = client.get(reverse("transport:county_travel")).content.decode()
        for worker in world.workers:
            seat = Seat.objects.get(worker=worker)
            assert (worker.name in body) == (worker.home_county_id == official_a.county_id)
            if worker.home_county_id == official_a.county_id:
                assert seat.label in body
        assert "安定区集合点" in body and "通渭县集合点" not in body and "已确认" in body

    def test_no_show_notification_reaches_the_right_official_only(
        self, client, coordinator, official_a, official_b, planned, world
    ):
        from transport.services.boarding import seat_roll_call

        anding = next(w for w in world.workers if w.home_county_id == official_a.county_id)
        seat_roll_call(actor=coordinator, seat=Seat.objects.get(worker=anding), present=False)
        client.force_login(official_a)
        assert "未按时上车" in client.get(reverse("transport:county_travel")).content.decode()
        client.force_login(official_b)
        assert "未按时上车" not in client.get(reverse("transport:county_travel")).content.decode()

    def test_unplaced_workers_are_shown_with_the_reason(
        self, client, coordinator, official_a, world
    ):
        plan_now(coordinator, world.campaign)  # too few for a whole train
        client.force_login(official_a)
        assert (
            "人数不足最低上座率" in client.get(reverse("transport:county_travel")).content.decode()
        )

    @pytest.mark.parametrize("user", ["hr_x", "coordinator"])
    def test_others_are_refused(self, client, request, user):
        client.force_login(request.getfixturevalue(user))
        assert client.get(reverse("transport:county_travel")).status_code == 403

    def test_anonymous_is_sent_to_login(self, client):
        assert client.get(reverse("transport:county_travel")).status_code == 302


class TestArrivals:
    def test_hr_sees_who_arrives_and_checks_them_in(
        self, client, hr_x, planned, world, query_count
    ):
        client.force_login(hr_x)
        with query_count(15):
            body = client.get(reverse("transport:arrivals")).content.decode()
        mine = [m for m in world.matches if m.vacancy.employer_id == hr_x.employer_id]
        others = [m for m in world.matches if m.vacancy.employer_id != hr_x.employer_id]
        assert all(m.worker.name in body for m in mine)
        assert not any(m.worker.name in body for m in others)
        seat = Seat.objects.get(worker=mine[0].worker)
        client.post(
            reverse("transport:check_in", args=[seat.pk]), {"confirm_not_roll_called": "on"}
        )
        assert Match.objects.get(pk=mine[0].pk).status == MatchStatus.HIRED
        assert "已到岗" in client.get(reverse("transport:arrivals")).content.decode()

    def test_hr_of_another_employer_gets_404(self, client, hr_y, hr_x, planned, world):
        seat = Seat.objects.filter(match__vacancy__employer=hr_x.employer).first()
        client.force_login(hr_y)
        assert client.post(reverse("transport:check_in", args=[seat.pk])).status_code == 404
        assert Match.objects.get(pk=seat.match_id).status == MatchStatus.CONFIRMED

    @pytest.mark.parametrize("user", ["official_a", "coordinator"])
    def test_others_are_refused(self, client, request, user, planned):
        client.force_login(request.getfixturevalue(user))
        assert client.get(reverse("transport:arrivals")).status_code == 403
        seat = Seat.objects.first()
        assert client.post(reverse("transport:check_in", args=[seat.pk])).status_code == 403

    def test_anonymous_is_sent_to_login(self, client, planned):
        assert client.get(reverse("transport:arrivals")).status_code == 302
        seat = Seat.objects.first()
        assert client.post(reverse("transport:check_in", args=[seat.pk])).status_code == 302
