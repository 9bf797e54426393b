"""Hypothesis strategies: small, cramped planning problems that exercise every rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from hypothesis import strategies as st

from tests.transport.planner.builders import DAY0, at
from transport.planner import (
    Employer,
    GroupKind,
    Mode,
    Params,
    PickupPoint,
    Station,
    Traveller,
    Trip,
)

ORIGINS = (
    Station("dx-n", 35.617, 104.598),
    Station("dx", 35.575, 104.618),
    Station("lz-air", 36.515, 103.620),
)
DESTINATIONS = (
    Station("qd-n", 36.171, 120.372),
    Station("qd", 36.064, 120.313),
    Station("qd-air", 36.362, 120.088),
)
DISTRICTS = ("370211", "370214", "370283")


@dataclass(frozen=True)
class Instance:
    travellers: tuple[Traveller, ...]
    trips: tuple[Trip, ...]
    pickup_points: tuple[PickupPoint, ...]
    params: Params


@st.composite
def trips_st(draw: st.DrawFn, index: int) -> Trip:
    mode = draw(st.sampled_from(list(Mode)))
    cars = draw(st.integers(1, 4))
    uniform = draw(st.booleans())
    seats = draw(st.integers(2, 14))
    car_seats = (
        () if uniform else tuple(draw(st.lists(st.integers(2, 14), min_size=cars, max_size=cars)))
    )
    day = draw(st.integers(0, 3))
    departure = at(day, draw(st.sampled_from(["06:00", "08:10", "13:30", "20:40"])))
    return Trip(
        f"TR{index}",
        mode,
        draw(st.sampled_from(ORIGINS)),
        draw(st.sampled_from(DESTINATIONS)),
        departure,
        departure + timedelta(hours=draw(st.integers(3, 26))),
        cars=cars,
        seats_per_car=seats,
        car_seats=car_seats,
        fare_per_seat=draw(st.sampled_from([0.0, 200.0, 380.0])),
        fare_per_vehicle=draw(st.sampled_from([0.0, 5000.0, 24000.0])),
        first_car_no=draw(st.integers(1, 5)),
        seat_letters=draw(st.sampled_from(["", "AB", "ABCDF"])),
    )


@st.composite
def instances(draw: st.DrawFn, max_travellers: int = 40) -> Instance:
    points = tuple(
        PickupPoint(
            f"P{k}",
            "6211",
            draw(st.floats(34.4, 35.9)),
            draw(st.floats(103.8, 105.3)),
        )
        for k in range(draw(st.integers(1, 4)))
    )
    employers = [
        Employer(
            f"E{k}",
            draw(st.sampled_from(DISTRICTS)),
            draw(st.floats(35.9, 36.9)),
            draw(st.floats(119.9, 120.6)),
        )
        for k in range(draw(st.integers(1, 6)))
    ]
    trips = tuple(draw(trips_st(k)) for k in range(draw(st.integers(0, 4))))
    travellers: list[Traveller] = []
    target = draw(st.integers(0, max_travellers))
    unit = 0
    while len(travellers) < target:
        unit += 1
        kind = draw(
            st.sampled_from([GroupKind.NONE, GroupKind.NONE, GroupKind.FAMILY, GroupKind.VILLAGE])
        )
        size = (
            1
            if kind is GroupKind.NONE
            else draw(st.integers(2, 4 if kind is GroupKind.FAMILY else 9))
        )
        point = draw(st.sampled_from([p.id for p in points] + ["P-unknown"]))
        day = draw(st.integers(0, 3))
        for _ in range(size):
            travellers.append(
                Traveller(
                    f"W{len(travellers):03d}",
                    point
                    if draw(st.integers(0, 9))
                    else draw(st.sampled_from([p.id for p in points])),
                    draw(st.sampled_from(employers)),
                    DAY0
                    + timedelta(days=day if draw(st.integers(0, 9)) else draw(st.integers(0, 3))),
                    None if kind is GroupKind.NONE else f"G{unit}",
                    kind,
                )
            )
    params = Params(
        seed=draw(st.integers(0, 3)),
        trunk_deterministic_time=1.0,
        trunk_time_limit_s=5.0,
        routing_time_limit_s=1.0,
        max_wait_days=draw(st.integers(0, 3)),
        min_fill_special_train=draw(st.sampled_from([0.0, 0.5])),
        min_fill_reserved_carriage=draw(st.sampled_from([0.0, 0.5, 0.9])),
        min_fill_charter_flight=draw(st.sampled_from([0.0, 0.5])),
        feeder_bus_seats=draw(st.integers(3, 12)),
        arrival_bus_seats=draw(st.integers(3, 12)),
        own_bus_min_fill=draw(st.sampled_from([0.5, 0.8, 1.0])),
        bus_chunk_size=draw(st.integers(1, 6)),
        arrival_max_ride_minutes=draw(st.sampled_from([120, 180])),
    )
    return Instance(tuple(travellers), trips, points, params)
