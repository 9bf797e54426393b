"""Returns (issue 13): the Spring Festival trip home (返乡) of the pairing's workers at work,
collected at their employer's gate and dropped at their home county's pickup point, and the
trip back out (返岗) of those who went home — to the last job they held, after any 换岗; the
roll call of such a trip writes 返乡 / 再次外出 on the history, dated by each worker's own
trip; the trip form's direction; refusals."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from jobs.models import Vacancy
from laborbridge.models import Pairing, Region, Role, Station
from matching.models import Match, MatchStatus
from placement import services as placement_services
from placement.models import EventKind
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory, make_user
from tests.transport.conftest import plan_now
from transport.inputs import plan_inputs_load
from transport.manifests import trip_manifest
from transport.models import BusKind, BusRider, PickupPoint, Seat, Trip, TripDirection
from transport.services.boarding import seat_roll_call
from transport.services.plans import plan_confirm
from transport.services.trips import trip_create
from workers.models import Employment, EmploymentStatus

HOLIDAY = dt.date(2027, 1, 28)
CHINA = ZoneInfo("Asia/Shanghai")


def _placed(world, employer, county, *, status=EmploymentStatus.EMPLOYED) -> Employment:
    """A worker placed through the world's campaign at ``employer`` (what the gate check-in
    derives); ``status`` home: they went home since."""
    vacancy = VacancyFactory(employer=employer, campaign=world.campaign)
    worker = WorkerFactory(home_county_id=county)
    match = Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.HIRED)
    at_work = status == EmploymentStatus.EMPLOYED
    return Employment.objects.create(
        worker=worker,
        employer=employer,
        vacancy=vacancy,
        match=match,
        started_on=dt.date(2026, 3, 1),
        status=status,
        current_employer=employer if at_work else None,
        current_employer_name=employer.name if at_work else "",
        current_workplace_id=employer.district_id if at_work else None,
        working_since=dt.date(2026, 3, 1) if at_work else None,
    )


def _trip(
    world, coordinator, direction, number, day, origin, destination, *, cars=2, seats_per_car=20
) -> Trip:
    return trip_create(
        actor=coordinator,
        campaign=world.campaign,
        mode="special_train",
        direction=direction,
        service_number=number,
        origin=Station.objects.get(code=origin),
        destination=Station.objects.get(code=destination),
        departure_at=dt.datetime.combine(day, dt.time(8, 0), tzinfo=CHINA),
        arrival_at=dt.datetime.combine(day, dt.time(19, 30), tzinfo=CHINA),
        cars=cars,
        seats_per_car=seats_per_car,
    )


@pytest.fixture
def coordinator_other(db):
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


@pytest.fixture
def home_trip(world, coordinator):
    return _trip(
        world, coordinator, TripDirection.RETURN_HOME, "D9527", HOLIDAY, "qingdao", "dingxi-north"
    )


def test_return_trip_carries_the_workers_at_work_from_the_gate_to_their_home_county(
    world, coordinator, employer_x, employer_y, home_trip
):
    at_work = [_placed(world, employer_x, ANDING), _placed(world, employer_y, TONGWEI)]
    _placed(world, employer_x, ANDING, status=EmploymentStatus.LEFT)  # left: not carried
    plan = plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})

    seats = Seat.objects.filter(plan=plan, released_at=None)
    on_home_trip = {s.worker_id: s for s in seats.filter(trip=home_trip)}
    assert set(on_home_trip) == {e.worker_id for e in at_work}
    assert on_home_trip[at_work[0].worker_id].match_id == at_work[0].match_id
    # The new recruits ride the outbound train, never the trip home.
    assert {s.worker_id for s in seats.exclude(trip=home_trip)} >= {w.pk for w in world.workers}
    riders = BusRider.objects.filter(bus__trip=home_trip)
    feeder = {r.seat.worker_id: r for r in riders.filter(kind=BusKind.FEEDER)}
    arrival = {r.seat.worker_id: r for r in riders.filter(kind=BusKind.ARRIVAL)}
    for employment in at_work:
        assert feeder[employment.worker_id].employer_id == employment.employer_id
        assert feeder[employment.worker_id].pickup_point_id is None
        point = PickupPoint.objects.get(pk=arrival[employment.worker_id].pickup_point_id)
        assert point.county_id == employment.worker.home_county_id
    stop_kinds = {s["kind"] for b in home_trip.buses.filter(kind=BusKind.FEEDER) for s in b.stops}
    assert stop_kinds == {"employer", "station"}
    # The manifest says where each boards: their employer's gate.
    rows = {r.name: r for r in trip_manifest(home_trip).rows}
    assert rows[at_work[1].worker.name].pickup_point == employer_y.name


def test_back_to_work_trip_carries_those_who_went_home_to_their_employer(
    world, coordinator, employer_x, home_trip
):
    home = _placed(world, employer_x, TONGWEI, status=EmploymentStatus.HOME)
    at_work = _placed(world, employer_x, ANDING)
    back = _trip(
        world,
        coordinator,
        TripDirection.BACK_TO_WORK,
        "D9528",
        HOLIDAY + dt.timedelta(days=10),
        "dingxi-north",
        "qingdao",
    )
    inputs = plan_inputs_load(campaign=world.campaign)
    directions = {t.id: t.direction for t in inputs.travellers}
    assert directions[f"w{home.worker_id}"] == "outbound"
    assert directions[f"w{at_work.worker_id}"] == "return"
    plan = plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})
    seat = Seat.objects.get(plan=plan, worker=home.worker, released_at=None)
    assert seat.trip_id in {back.pk, world.train.pk}
    drop = BusRider.objects.get(seat=seat, kind=BusKind.ARRIVAL)
    assert drop.employer_id == employer_x.pk


def test_no_return_travellers_without_a_return_trip(world, employer_x):
    placed = _placed(world, employer_x, ANDING)
    inputs = plan_inputs_load(campaign=world.campaign)
    assert f"w{placed.worker_id}" not in {t.id for t in inputs.travellers}


def test_coordinator_of_another_pairing_cannot_add_a_return_trip(world, coordinator_other):
    with pytest.raises(PermissionDenied):
        _trip(
            world,
            coordinator_other,
            TripDirection.RETURN_HOME,
            "D9527",
            HOLIDAY,
            "qingdao",
            "dingxi-north",
        )


class TestTripFormDirection:
    def _data(self, world):
        return {
            "campaign": world.campaign.pk,
            "mode": "special_train",
            "direction": "return_home",
            "service_number": "D9527",
            "origin": "qingdao",
            "destination": "dingxi-north",
            "departure_at": "2027-01-28T08:00",
            "arrival_at": "2027-01-28T19:30",
            "cars": 2,
            "seats_per_car": 20,
            "first_car_no": 1,
            "fare_per_seat": "0",
            "fare_per_vehicle": "0",
        }

    def test_coordinator_adds_a_return_trip(self, client, coordinator, world):
        client.force_login(coordinator)
        assert "返乡" in client.get(reverse("transport:trip_create")).content.decode()
        data = self._data(world)
        data["origin"] = Station.objects.get(code="qingdao").pk
        data["destination"] = Station.objects.get(code="dingxi-north").pk
        response = client.post(reverse("transport:trip_create"), data)
        trip = Trip.objects.get(service_number="D9527")
        assert response.status_code == 302 and trip.direction == TripDirection.RETURN_HOME
        body = client.get(reverse("transport:trip_detail", args=[trip.pk])).content.decode()
        assert "（返乡）" in body

    def test_others_cannot_add_one(self, client, coordinator_other, official_a, world):
        data = self._data(world)
        data["origin"] = Station.objects.get(code="qingdao").pk
        data["destination"] = Station.objects.get(code="dingxi-north").pk
        for user in (coordinator_other, official_a):
            client.force_login(user)
            response = client.post(reverse("transport:trip_create"), data)
            assert response.status_code in (200, 403, 404)
        client.logout()
        assert client.post(reverse("transport:trip_create"), data).status_code == 302
        assert not Trip.objects.filter(service_number="D9527").exists()


def test_api_creates_and_filters_a_return_trip(world, coordinator, coordinator_other):
    from rest_framework.test import APIClient

    body = {
        "campaign": world.campaign.code,
        "mode": "special_train",
        "direction": "return_home",
        "service_number": "D9527",
        "origin": "qingdao",
        "destination": "dingxi-north",
        "departure_at": "2027-01-28T08:00:00+08:00",
        "arrival_at": "2027-01-28T19:30:00+08:00",
        "cars": 2,
        "seats_per_car": 20,
    }
    other = APIClient()
    other.force_authenticate(coordinator_other)
    assert other.post("/api/v1/transport/trips/", body, format="json").status_code in (403, 404)
    assert APIClient().post("/api/v1/transport/trips/", body, format="json").status_code in (
        401,
        403,
    )
    api = APIClient()
    api.force_authenticate(coordinator)
    response = api.post("/api/v1/transport/trips/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["direction"] == "return_home"
    listed = api.get("/api/v1/transport/trips/", {"direction": "return_home"}).json()
    assert [t["service_number"] for t in listed["results"]] == ["D9527"]


# --- the roll call of a return trip writes the history -------------------------------------


def _confirmed_plan(world, coordinator):
    plan = plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})
    plan_confirm(actor=coordinator, plan=plan)
    return plan


def test_roll_call_on_a_return_trip_records_going_home_on_the_workers_own_trip_day(
    world, coordinator, employer_x, employer_y
):
    """Two trips home a few days apart, the first with one seat: each worker's 返乡 is dated
    by the trip they rode, not by the campaign's first trip home."""
    today = timezone.localdate()
    early, late = today - dt.timedelta(days=9), today - dt.timedelta(days=4)
    first = _trip(
        world,
        coordinator,
        TripDirection.RETURN_HOME,
        "K101",
        early,
        "qingdao",
        "dingxi-north",
        cars=1,
        seats_per_car=1,
    )
    second = _trip(
        world, coordinator, TripDirection.RETURN_HOME, "K102", late, "qingdao", "dingxi-north"
    )
    placed = [_placed(world, employer_x, ANDING), _placed(world, employer_y, TONGWEI)]
    plan = _confirmed_plan(world, coordinator)
    seats = list(
        Seat.objects.filter(plan=plan, released_at=None, trip__in=[first, second])
        .select_related("trip")
        .order_by("trip__departure_at")
    )
    assert {s.worker_id for s in seats} == {e.worker_id for e in placed}
    assert {s.trip_id for s in seats} == {first.pk, second.pk}
    for seat in seats:
        seat_roll_call(actor=coordinator, seat=seat, present=True)
        seat_roll_call(actor=coordinator, seat=seat, present=True)  # a second tap: no second 返乡
    for seat in seats:
        employment = Employment.objects.get(worker_id=seat.worker_id)
        events = list(employment.events.filter(kind=EventKind.RETURNED_HOME))
        assert [e.occurred_on for e in events] == [early if seat.trip_id == first.pk else late]
        assert seat.trip.service_number in events[0].note
        assert employment.status == EmploymentStatus.HOME
        assert employment.ended_on == events[0].occurred_on


def test_roll_call_on_an_outbound_trip_writes_no_history(world, coordinator, employer_x):
    placed = _placed(world, employer_x, ANDING)
    plan = _confirmed_plan(world, coordinator)
    seat = Seat.objects.filter(plan=plan, released_at=None).first()
    seat_roll_call(actor=coordinator, seat=seat, present=True)
    assert not placed.events.exists()


def _gone_home_after_a_job_change(coordinator, employment, **job) -> Employment:
    """Record a 换岗 (to ``job``) and then 返乡 on the worker's history."""
    today = timezone.localdate()
    placement_services.record_job_change(
        actor=coordinator, employment=employment, occurred_on=dt.date(2026, 6, 1), **job
    )
    placement_services.record_return_home(
        actor=coordinator,
        employment=employment,
        occurred_on=today - dt.timedelta(days=20),
        reason="family",
    )
    employment.refresh_from_db()
    assert employment.status == EmploymentStatus.HOME
    return employment


def test_back_to_work_trip_takes_them_to_their_last_employer(
    world, coordinator, employer_x, employer_y
):
    """Arrived at X, changed to Y, went home: the 返岗 trip drops them at Y's gate, the
    manifest names Y, and the roll call records 再次外出 to Y on the trip's day; someone whose
    last job was off the platform is dropped at that job's county."""
    moved = _gone_home_after_a_job_change(
        coordinator,
        _placed(world, employer_x, ANDING, status=EmploymentStatus.EMPLOYED),
        employer=employer_y,
        monthly_wage=6100,
    )
    off_platform = _gone_home_after_a_job_change(
        coordinator,
        _placed(world, employer_x, TONGWEI, status=EmploymentStatus.EMPLOYED),
        employer_name="城阳某物流公司",
        workplace=Region.objects.get(pk="370214"),
    )
    day = timezone.localdate() - dt.timedelta(days=2)
    back = _trip(
        world, coordinator, TripDirection.BACK_TO_WORK, "K202", day, "dingxi-north", "qingdao"
    )
    inputs = plan_inputs_load(campaign=world.campaign)
    employer_of = {t.id: t.employer for t in inputs.travellers}
    assert employer_of[f"w{moved.worker_id}"].id == f"e{employer_y.pk}"
    assert employer_of[f"w{off_platform.worker_id}"].id == "d370214"
    assert employer_of[f"w{off_platform.worker_id}"].name == "城阳某物流公司"

    plan = _confirmed_plan(world, coordinator)
    seat = Seat.objects.get(plan=plan, worker=moved.worker, released_at=None)
    assert seat.trip_id == back.pk  # not last spring's train, which left before they went home
    assert BusRider.objects.get(seat=seat, kind=BusKind.ARRIVAL).employer_id == employer_y.pk
    rows = {r.name: r for r in trip_manifest(seat.trip).rows}
    assert rows[moved.worker.name].employer == employer_y.name
    seat_roll_call(actor=coordinator, seat=seat, present=True)
    moved.refresh_from_db()
    went_out = moved.events.get(kind=EventKind.WENT_OUT)
    assert went_out.occurred_on == day and went_out.employer_id == employer_y.pk
    assert went_out.monthly_wage == 6100
    assert moved.status == EmploymentStatus.EMPLOYED
    assert moved.current_employer_id == employer_y.pk


def test_return_trip_carries_workers_placed_outside_any_campaign_of_the_pairing(
    world, coordinator, employer_x, home_trip
):
    """Placed before the platform's campaigns (no campaign on the vacancy, no round): a
    Dingxi worker at a Qingdao employer rides Qingdao–Dingxi's trip home; a Longnan worker
    at the same employer belongs to another pairing and does not."""
    own, other = (_placed(world, employer_x, county) for county in (ANDING, "621202"))
    Vacancy.objects.filter(pk__in=[own.vacancy_id, other.vacancy_id]).update(campaign=None)
    travellers = {t.id for t in plan_inputs_load(campaign=world.campaign).travellers}
    assert f"w{own.worker_id}" in travellers
    assert f"w{other.worker_id}" not in travellers


def test_the_county_sees_its_people_on_the_trip_home_under_its_own_tab(
    world, coordinator, employer_x, home_trip, official_a, official_b, client
):
    anding = _placed(world, employer_x, ANDING)
    plan_now(coordinator, world.campaign, params={"min_fill_special_train": 0})
    url = reverse("transport:county_travel")
    client.force_login(official_a)
    everything = client.get(url).content.decode()
    assert "返乡</a>" in everything and "去程</a>" in everything  # one tab per direction
    html = client.get(url, {"direction": "return_home"}).content.decode()
    assert home_trip.service_number in html and anding.worker.name in html
    assert employer_x.name in html  # boards at the employer's gate
    assert "G2096" not in html  # the outbound train is under its own tab
    client.force_login(official_b)
    assert anding.worker.name not in client.get(url, {"direction": "return_home"}).content.decode()
    client.logout()
    assert client.get(url).status_code == 302
