"""Realistic synthetic campaigns: Dingxi's seven counties → Qingdao's districts.

Coordinates are approximate public centroids; fares and timetables are plausible, not quoted.
The generator is deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import numpy as np

from transport.planner.domain import (
    Employer,
    GroupKind,
    Mode,
    PickupPoint,
    Station,
    Traveller,
    Trip,
)

CHINA_TZ = timezone(timedelta(hours=8), "CST")

# (GB/T 2260 code, name, lat, lng, share of travellers)
DINGXI_COUNTIES = (
    ("621102", "安定区", 35.580, 104.626, 0.20),
    ("621121", "通渭县", 35.210, 105.242, 0.14),
    ("621122", "陇西县", 35.004, 104.634, 0.18),
    ("621123", "渭源县", 35.136, 104.215, 0.10),
    ("621124", "临洮县", 35.395, 103.860, 0.18),
    ("621125", "漳县", 34.849, 104.471, 0.07),
    ("621126", "岷县", 34.438, 104.036, 0.13),
)

# (code, name, lat, lng, share of employers, spread in degrees)
QINGDAO_DISTRICTS = (
    ("370202", "市南区", 36.067, 120.383, 0.02, 0.02),
    ("370203", "市北区", 36.087, 120.374, 0.03, 0.02),
    ("370211", "黄岛区", 35.960, 120.198, 0.25, 0.08),
    ("370212", "崂山区", 36.107, 120.469, 0.05, 0.04),
    ("370213", "李沧区", 36.145, 120.433, 0.05, 0.03),
    ("370214", "城阳区", 36.307, 120.396, 0.15, 0.04),
    ("370215", "即墨区", 36.390, 120.447, 0.12, 0.06),
    ("370281", "胶州市", 36.264, 120.034, 0.15, 0.05),
    ("370283", "平度市", 36.777, 119.988, 0.10, 0.08),
    ("370285", "莱西市", 36.887, 120.518, 0.08, 0.06),
)

DINGXI_NORTH = Station("dingxi-north", 35.617, 104.598, "定西北站")
DINGXI = Station("dingxi", 35.575, 104.618, "定西站")
LANZHOU_AIRPORT = Station("lanzhou-zhongchuan", 36.515, 103.620, "兰州中川国际机场")
QINGDAO_NORTH = Station("qingdao-north", 36.171, 120.372, "青岛北站")
QINGDAO = Station("qingdao", 36.064, 120.313, "青岛站")
QINGDAO_AIRPORT = Station("qingdao-jiaodong", 36.362, 120.088, "青岛胶东国际机场")


@dataclass(frozen=True, slots=True)
class Scenario:
    travellers: tuple[Traveller, ...]
    trips: tuple[Trip, ...]
    pickup_points: tuple[PickupPoint, ...]


def pickup_points_dingxi(rng: np.random.Generator, per_county: int = 3) -> list[PickupPoint]:
    """Return pickup points: each county seat plus townships within ~15 km."""
    points = []
    for code, name, lat, lng, _share in DINGXI_COUNTIES:
        for k in range(per_county):
            jitter = (0.0, 0.0) if k == 0 else tuple(rng.normal(0.0, 0.07, 2))
            points.append(
                PickupPoint(
                    f"{code}-{k + 1:02d}",
                    code,
                    round(lat + jitter[0], 4),
                    round(lng + jitter[1], 4),
                    f"{name}{k + 1}",
                )
            )
    return points


def employers_qingdao(rng: np.random.Generator, count: int) -> tuple[list[Employer], np.ndarray]:
    """Return employers spread over Qingdao's districts and their hiring weights (a few big ones).

    Most factories sit in one of a district's two or three industrial parks (开发区 / 工业园);
    a fifth are scattered over the district.
    """
    shares = np.array([d[4] for d in QINGDAO_DISTRICTS])
    parks = [
        [
            (lat + dlat, lng + dlng)
            for dlat, dlng in rng.normal(0.0, spread, (int(rng.integers(2, 4)), 2))
        ]
        for _code, _name, lat, lng, _share, spread in QINGDAO_DISTRICTS
    ]
    districts = rng.choice(len(QINGDAO_DISTRICTS), size=count, p=shares / shares.sum())
    employers = []
    for k, d in enumerate(districts):
        code, _name, lat, lng, _share, spread = QINGDAO_DISTRICTS[d]
        if rng.random() < 0.8:
            lat, lng = parks[d][int(rng.integers(len(parks[d])))]
            spread = 0.012
        dlat, dlng = rng.normal(0.0, spread, 2)
        employers.append(
            Employer(f"E{k + 1:04d}", code, round(lat + dlat, 4), round(lng + dlng, 4))
        )
    weights = rng.lognormal(0.0, 1.0, count)
    return employers, weights / weights.sum()


def trips_offered(rng: np.random.Generator, start: date, days: int) -> list[Trip]:
    """Return each day's offers: a special train, reserved carriages, a charter flight and coaches."""
    trips = []
    for d in range(days):
        day = start + timedelta(days=d)

        def at(hhmm: str, plus_days: int = 0, day: date = day) -> datetime:
            h, m = map(int, hhmm.split(":"))
            return datetime.combine(day + timedelta(days=plus_days), time(h, m), tzinfo=CHINA_TZ)

        cars = int(rng.integers(7, 9))
        car_seats = tuple(
            int(s) for s in rng.choice((56, 75, 85, 90), size=cars, p=(0.15, 0.25, 0.3, 0.3))
        )
        tag = day.strftime("%m%d")
        trips.append(
            Trip(
                f"G2093-{tag}",
                Mode.SPECIAL_TRAIN,
                DINGXI_NORTH,
                QINGDAO_NORTH,
                at("08:10"),
                at("19:30"),
                cars=cars,
                seats_per_car=max(car_seats),
                car_seats=car_seats,
                fare_per_seat=380.0,
            )
        )
        trips.append(
            Trip(
                f"K1060-{tag}",
                Mode.RESERVED_CARRIAGE,
                DINGXI,
                QINGDAO,
                at("20:40"),
                at("17:50", 1),
                cars=6,
                seats_per_car=90,
                first_car_no=7,
                fare_per_seat=260.0,
            )
        )
        trips.append(
            Trip(
                f"CF-{tag}",
                Mode.CHARTER_FLIGHT,
                LANZHOU_AIRPORT,
                QINGDAO_AIRPORT,
                at("13:30"),
                at("16:45"),
                cars=1,
                seats_per_car=174,
                fare_per_vehicle=150_000.0,
            )
        )
        trips.append(
            Trip(
                f"BUS-{tag}",
                Mode.CHARTERED_BUS,
                DINGXI,
                QINGDAO,
                at("06:00"),
                at("08:00", 1),
                cars=10,
                seats_per_car=50,
                fare_per_vehicle=24_000.0,
            )
        )
    return trips


def scenario_synthetic(
    *,
    travellers: int = 600,
    employers: int = 100,
    days: int = 1,
    seed: int = 0,
    start: date = date(2026, 2, 25),
) -> Scenario:
    """Return a campaign: families of 2–4 (~20 % of households), village groups of 3–15, singles."""
    rng = np.random.default_rng(seed)
    points = pickup_points_dingxi(rng)
    county_share = np.array([c[4] for c in DINGXI_COUNTIES])
    county_share = county_share / county_share.sum()
    companies, weights = employers_qingdao(rng, employers)
    by_district: dict[str, list[int]] = {}
    for k, e in enumerate(companies):
        by_district.setdefault(e.district_code, []).append(k)

    def employer_pick() -> int:
        return int(rng.choice(len(companies), p=weights))

    def colleague_pick(anchor: int) -> int:
        """Return another employer, usually in the same district."""
        if rng.random() < 0.7:
            same = by_district[companies[anchor].district_code]
            w = weights[same] / weights[same].sum()
            return int(same[int(rng.choice(len(same), p=w))])
        return employer_pick()

    people: list[Traveller] = []
    unit = 0
    while len(people) < travellers:
        unit += 1
        left = travellers - len(people)
        roll = rng.random()
        if roll < 0.22:
            kind, size = GroupKind.FAMILY, int(rng.choice((2, 3, 4), p=(0.45, 0.35, 0.20)))
        elif roll < 0.34:
            kind, size = GroupKind.VILLAGE, int(min(15, 3 + rng.geometric(0.18) - 1))
        else:
            kind, size = GroupKind.NONE, 1
        size = min(size, left)
        if size < (3 if kind is GroupKind.VILLAGE else 2):
            kind, size = GroupKind.NONE, 1
        county = int(rng.choice(len(DINGXI_COUNTIES), p=county_share))
        county_points = [p for p in points if p.county_code == DINGXI_COUNTIES[county][0]]
        point = county_points[int(rng.integers(len(county_points)))]
        earliest = start + timedelta(days=int(rng.integers(days)))
        anchor = employer_pick()
        group_id = f"{kind.value[0].upper()}{unit:05d}" if kind is not GroupKind.NONE else None
        if kind is GroupKind.VILLAGE:
            pool = [anchor] + [colleague_pick(anchor) for _ in range(int(rng.integers(0, 3)))]
        else:
            pool = [anchor]
        for member in range(size):
            if kind is GroupKind.FAMILY and member and rng.random() < 0.3:
                employer = colleague_pick(anchor)
            else:
                employer = pool[int(rng.integers(len(pool)))]
            people.append(
                Traveller(
                    f"T{len(people) + 1:06d}",
                    point.id,
                    companies[employer],
                    earliest,
                    group_id,
                    kind,
                )
            )
    return Scenario(tuple(people), tuple(trips_offered(rng, start, days)), tuple(points))
