"""Demo transport data: Dingxi's county pickup points, the G2096 special train and buses,
and the Spring Festival coaches home (返乡包车) of those already at work in Qingdao.

``demo_transport_load()`` is safe to run again: pickup points are keyed by (county, name)
and a campaign that has trips gets no more, so a second run adds nothing. The trips run in the
coming weeks, relative to the day the demo is loaded (``laborbridge.demo.DemoCalendar``).
The timetable, fares and the pickup points' addresses are plausible, not quoted.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from laborbridge.demo import (
    DEMO_CAMPAIGN,
    DEMO_LIAISON_PHONE,
    DemoCalendar,
    demo_calendar,
    demo_campaigns_ensure,
)
from laborbridge.models import Campaign, Region, Station, User
from transport.models import PickupPoint, TransportPlan, Trip, TripDirection, TripMode
from transport.runs import plan_execute
from transport.services import pickup_points as pickup_point_services
from transport.services import plans as plan_services
from transport.services import trips as trip_services

CAMPAIGN = DEMO_CAMPAIGN
CHINA = ZoneInfo("Asia/Shanghai")

# (county code, pickup point, address) — one default point per county, near the county seat.
PICKUP_POINTS = (
    ("621102", "安定区集合点（区人社局）", "定西市安定区 区人社局门前广场"),
    ("621121", "通渭县集合点（县人社局）", "通渭县 县人社局门前广场"),
    ("621122", "陇西县集合点（县人社局）", "陇西县 县人社局门前广场"),
    ("621123", "渭源县集合点（县人社局）", "渭源县 县人社局门前广场"),
    ("621124", "临洮县集合点（县人社局）", "临洮县 县人社局门前广场"),
    ("621125", "漳县集合点（县人社局）", "漳县 县人社局门前广场"),
    ("621126", "岷县集合点（县人社局）", "岷县 县人社局门前广场"),
)

# The Spring Festival trip home leaves this many days after the special train arrives.
RETURN_AFTER_TRAIN_DAYS = 30

# G2096 定西北 → 青岛 (in 2026 on 02-25; in the demo two weeks after loading): an eight-car CRH set, 576 seats (the seeds: 500 workers);
# the end cars are smaller (first class, the crew's corner).
G2096_CAR_SEATS = (28, 75, 85, 85, 85, 85, 85, 48)


@dataclass
class TransportDemoResult:
    pickup_points_created: int = 0
    trips_created: int = 0


def _at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day.isoformat()}T{hhmm}").replace(tzinfo=CHINA)


def _trips(campaign: Campaign, calendar: DemoCalendar) -> list[dict]:
    dingxi_north = Station.objects.get(code="dingxi-north")
    qingdao = Station.objects.get(code="qingdao")
    qingdao_north = Station.objects.get(code="qingdao-north")
    trips = [
        {
            "mode": TripMode.SPECIAL_TRAIN,
            "service_number": "G2096",
            "origin": dingxi_north,
            "destination": qingdao,
            "departure_at": _at(calendar.train_day, "08:12"),
            "arrival_at": _at(calendar.train_day, "19:48"),
            "cars": len(G2096_CAR_SEATS),
            "seats_per_car": max(G2096_CAR_SEATS),
            "car_seats": list(G2096_CAR_SEATS),
            "operator": "中国铁路兰州局集团有限公司",
            "escort_name": "定西市人社局 带队组",
            "escort_phone": "13919000000",
            "fare_per_seat": 380,
            "note": "返岗专列：定西北 → 青岛，免车费、免餐费。",
        }
    ]
    # Chartered coaches for those whose jobs start later (~30 h by road, one night on board).
    for day in calendar.bus_days:
        trips.append(
            {
                "mode": TripMode.CHARTERED_BUS,
                "service_number": f"DXQD-{day:%m%d}",
                "origin": dingxi_north,
                "destination": qingdao_north,
                "departure_at": _at(day, "06:00"),
                "arrival_at": _at(day, "12:00") + dt.timedelta(days=1),
                "cars": 3,
                "seats_per_car": 50,
                "operator": "定西汽车运输集团（包车）",
                "escort_name": "定西驻青岛劳务工作站",
                "escort_phone": "13919000001",
                "fare_per_vehicle": 24000,
                "note": "包车：定西 → 青岛，途中一晚。",
            }
        )
    return trips


@transaction.atomic
def demo_transport_load(*, calendar: DemoCalendar | None = None) -> TransportDemoResult:
    """Create the demo's pickup points and the trips of its Dingxi → Qingdao campaign."""
    calendar = calendar or demo_calendar()
    demo_campaigns_ensure(calendar)
    result = TransportDemoResult()
    counties = Region.objects.in_bulk([code for code, _name, _address in PICKUP_POINTS])
    for code, name, address in PICKUP_POINTS:
        county = counties[code]
        if PickupPoint.objects.filter(county=county, name=name).exists():
            continue
        pickup_point_services.pickup_point_create(
            actor=None,
            county=county,
            name=name,
            address=address,
            latitude=county.latitude,
            longitude=county.longitude,
            is_default=not PickupPoint.objects.filter(county=county, is_default=True).exists(),
        )
        result.pickup_points_created += 1
    campaign = Campaign.objects.get(code=CAMPAIGN)
    # A campaign that has its trips keeps them: loading again (on a later day too) keeps the
    # trips and their seats rather than adding a second train.
    if Trip.objects.filter(campaign=campaign).exists():
        return result
    for values in _trips(campaign, calendar):
        trip_services.trip_create(actor=None, campaign=campaign, **values)
        result.trips_created += 1
    return result


def _return_trip(calendar: DemoCalendar) -> dict:
    """The Spring Festival coaches home (返乡包车) of those at work in Qingdao now — the
    workers placed months ago — collected at their employers' gates (what the planner does
    for a 返乡 trip), a month after the special train."""
    home_day = calendar.train_day + dt.timedelta(days=RETURN_AFTER_TRAIN_DAYS)
    return {
        "mode": TripMode.CHARTERED_BUS,
        "direction": TripDirection.RETURN_HOME,
        "service_number": f"QDDX-{home_day:%m%d}",
        "origin": Station.objects.get(code="qingdao-north"),
        "destination": Station.objects.get(code="dingxi-north"),
        "departure_at": _at(home_day, "07:00"),
        "arrival_at": _at(home_day, "13:00") + dt.timedelta(days=1),
        "cars": 2,
        "seats_per_car": 50,
        "operator": "定西汽车运输集团（包车）",
        "escort_name": "定西驻青岛劳务工作站",
        "escort_phone": DEMO_LIAISON_PHONE,
        "fare_per_vehicle": 24000,
        "note": "春节返乡包车：青岛 → 定西，企业门口上车，途中一晚。",
    }


@transaction.atomic
def demo_return_trip_load(*, calendar: DemoCalendar | None = None) -> int:
    """Add the Spring Festival coaches home to the demo campaign (planned with the
    travellers by ``demo_plan_confirm``); return 1 when added, 0 when the campaign already
    has a trip home or its plan (a later run must not add a trip nobody is planned on)."""
    calendar = calendar or demo_calendar()
    campaign = Campaign.objects.get(code=CAMPAIGN)
    if (
        Trip.objects.filter(campaign=campaign, direction=TripDirection.RETURN_HOME).exists()
        or TransportPlan.objects.filter(campaign=campaign).exists()
    ):
        return 0
    trip_services.trip_create(actor=None, campaign=campaign, **_return_trip(calendar))
    return 1


def demo_plan_confirm(*, seed: int = 2026) -> None:
    """Plan the confirmed travellers onto the demo trips and confirm the plan, as the
    coordinator would on the plan page; the planner runs here rather than in Celery.

    Does nothing if the demo campaign already has a plan."""
    campaign = Campaign.objects.get(code=CAMPAIGN)
    admin = User.objects.get(username="admin")
    if TransportPlan.objects.filter(campaign=campaign).exists():
        return
    plan = TransportPlan.objects.create(
        campaign=campaign,
        version=1,
        seed=seed,
        params=plan_services.plan_params_clean(seed=seed, params=None),
        created_by=admin,
    )
    if plan_execute(plan_id=plan.pk, task_id="demo"):
        plan.refresh_from_db()
        plan_services.plan_confirm(actor=admin, plan=plan)
