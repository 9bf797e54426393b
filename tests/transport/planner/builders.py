"""Small constructors for planner inputs: places near Dingxi and Qingdao, trips, travellers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from transport.planner import Employer, GroupKind, Mode, PickupPoint, Station, Traveller, Trip
from transport.planner.synthetic import CHINA_TZ

DAY0 = date(2026, 2, 25)
ORIGIN = Station("dingxi-north", 35.617, 104.598)
DESTINATION = Station("qingdao-north", 36.171, 120.372)
POINT = PickupPoint("P1", "621102", 35.58, 104.63)
POINT_FAR = PickupPoint("P2", "621121", 35.21, 105.24)  # Tongwei, ~1 h 40 min away
HUANGDAO = "370211"
CHENGYANG = "370214"


def at(day: int, hhmm: str = "08:00") -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime.combine(DAY0 + timedelta(days=day), time(h, m), tzinfo=CHINA_TZ)


def employer(
    eid: str = "E1", district: str = CHENGYANG, lat: float = 36.30, lng: float = 120.40
) -> Employer:
    return Employer(eid, district, lat, lng)


def trip(
    tid: str = "T1",
    mode: Mode = Mode.RESERVED_CARRIAGE,
    *,
    day: int = 0,
    cars: int = 4,
    seats: int = 10,
    car_seats: tuple[int, ...] = (),
    fare_per_seat: float = 100.0,
    fare_per_vehicle: float = 0.0,
    hours: int = 11,
    letters: str = "",
) -> Trip:
    return Trip(
        tid,
        mode,
        ORIGIN,
        DESTINATION,
        at(day),
        at(day) + timedelta(hours=hours),
        cars=cars,
        seats_per_car=seats,
        car_seats=car_seats,
        fare_per_seat=fare_per_seat,
        fare_per_vehicle=fare_per_vehicle,
        seat_letters=letters,
    )


def people(
    n: int,
    *,
    prefix: str = "W",
    point: str = "P1",
    boss: Employer | None = None,
    day: int = 0,
    group: str | None = None,
    kind: GroupKind = GroupKind.NONE,
    start: int = 0,
) -> list[Traveller]:
    boss = boss or employer()
    return [
        Traveller(f"{prefix}{start + k:04d}", point, boss, DAY0 + timedelta(days=day), group, kind)
        for k in range(n)
    ]
