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
QINGDAO = Station("qingdao", 36.064, 120.313)
HUANGDAO = "370211"
CHENGYANG = "370214"
LAIXI = "370285"

# Employer gates in Laixi (莱西) of one trip of synthetic seed 2, with their workers: 119 to
# 151 minutes from Qingdao station, 20 minutes less from Qingdao North.
LAIXI_GATES = (
    ((36.9107, 120.5078), 10),
    ((36.8164, 120.4641), 1),
    ((36.8134, 120.4713), 1),
    ((36.8299, 120.4664), 2),
    ((36.9065, 120.4851), 4),
    ((36.9998, 120.5560), 2),
    ((36.9064, 120.6005), 2),
    ((36.8142, 120.4568), 2),
    ((36.8395, 120.5144), 6),
    ((36.9965, 120.5282), 1),
    ((36.8123, 120.4026), 4),
    ((36.8063, 120.4742), 2),
    ((36.8167, 120.4407), 2),
)


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
