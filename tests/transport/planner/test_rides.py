"""Rides added by hand after planning: times, distances and stops (pure, no database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.transport.planner.builders import DESTINATION, ORIGIN, at, trip
from transport.planner import Mode, Params
from transport.planner.geo import haversine_km, minutes_for_km
from transport.planner.rides import (
    Place,
    RouteClock,
    arrival_bus_new,
    arrival_stop_append,
    boarding_stop_index,
    feeder_bus_new,
    stop_index,
    stops_count,
)

POINT = Place("pickup_point", 7, "安定区集合点", 35.58, 104.63)
GATE = Place("employer", 3, "青岛某电子厂", 36.30, 120.40)
GATE_2 = Place("employer", 4, "城阳某服装厂", 36.31, 120.37)


def _route(mode: Mode = Mode.RESERVED_CARRIAGE, **params) -> RouteClock:
    return RouteClock(trip(mode=mode), Params(**params))


def test_feeder_buses_reach_the_station_the_buffer_before_departure():
    route = _route()
    assert route.at_station == at(0) - dt.timedelta(minutes=90)
    flight = _route(Mode.CHARTER_FLIGHT)
    assert flight.at_station == at(0) - dt.timedelta(minutes=150)


def test_arrival_buses_leave_the_disembarking_time_after_arrival():
    assert _route().leave_station == at(0) + dt.timedelta(hours=11, minutes=30)
    assert _route(Mode.CHARTER_FLIGHT).leave_station == at(0) + dt.timedelta(hours=11, minutes=60)


def test_a_new_feeder_bus_picks_up_early_enough_to_reach_the_station():
    route = _route()
    bus = feeder_bus_new(route, POINT)
    km = float(haversine_km(POINT.lat, POINT.lng, ORIGIN.lat, ORIGIN.lng)) * 1.3
    assert bus.km == pytest.approx(km)
    assert bus.minutes == int(minutes_for_km(km, 60.0))
    assert bus.arrival == route.at_station
    assert bus.departure == route.at_station - dt.timedelta(minutes=bus.minutes)
    assert bus.stops == [
        {
            "kind": "pickup_point",
            "id": 7,
            "name": "安定区集合点",
            "time": bus.departure.isoformat(),
            "people": 0,
        },
        {
            "kind": "station",
            "id": ORIGIN.id,
            "name": ORIGIN.name,
            "time": route.at_station.isoformat(),
            "people": 0,
        },
    ]


def test_a_new_arrival_bus_drives_from_the_station_straight_to_the_gate():
    route = _route()
    bus = arrival_bus_new(route, GATE)
    km = float(haversine_km(DESTINATION.lat, DESTINATION.lng, GATE.lat, GATE.lng)) * 1.3
    assert bus.km == pytest.approx(km)
    assert bus.departure == route.leave_station
    assert bus.arrival == route.leave_station + dt.timedelta(minutes=bus.minutes)
    assert [(s["kind"], s["id"]) for s in bus.stops] == [
        ("station", DESTINATION.id),
        ("employer", 3),
    ]
    assert bus.stops[1]["time"] == bus.arrival.isoformat()


def test_a_gate_added_after_another_gate_waits_the_drop_off_dwell():
    route = _route()
    bus = arrival_bus_new(route, GATE)
    added = arrival_stop_append(route, bus.stops, GATE_2, GATE.at)
    km, minutes = route.drive(GATE.at, GATE_2.at, speed=55.0)
    assert added.minutes == minutes + 5
    assert added.km == pytest.approx(km)
    assert added.arrival == bus.arrival + dt.timedelta(minutes=minutes + 5)
    assert added.stops[:2] == bus.stops and len(bus.stops) == 2  # the bus's list untouched
    assert added.stops[2] == {
        "kind": "employer",
        "id": 4,
        "name": GATE_2.name,
        "time": added.arrival.isoformat(),
        "people": 0,
    }


def test_a_gate_added_after_the_station_waits_no_dwell():
    route = _route()
    station_only = arrival_bus_new(route, GATE).stops[:1]
    added = arrival_stop_append(route, station_only, GATE_2, route.destination)
    assert added.minutes == route.drive(route.destination, GATE_2.at, speed=55.0)[1]
    assert added.arrival == route.leave_station + dt.timedelta(minutes=added.minutes)


def test_riders_join_only_at_a_timed_stop_of_their_place():
    stops = [
        {"kind": "pickup_point", "id": 1, "time": None},
        {"kind": "pickup_point", "id": 2, "time": "2026-02-25T06:00:00+08:00"},
        {"kind": "station", "id": "dx", "time": "2026-02-25T06:30:00+08:00"},
    ]
    assert stop_index(stops, "pickup_point", 1) == 0
    assert boarding_stop_index(stops, "pickup_point", 1) is None
    assert boarding_stop_index(stops, "pickup_point", 2) == 1
    assert stop_index(stops, "employer", 2) is None


def test_counting_a_rider_changes_their_stop_and_the_station_only():
    stops = [
        {"kind": "pickup_point", "id": 1, "people": 3},
        {"kind": "pickup_point", "id": 2, "people": 0},
        {"kind": "station", "id": "dx", "people": 3},
    ]
    assert [s["people"] for s in stops_count(stops, 0, +1)] == [4, 0, 4]
    assert [s["people"] for s in stops_count(stops, 1, -1)] == [3, 0, 2]  # never below zero
    assert [s["people"] for s in stops] == [3, 0, 3]  # the stops given are not modified


LAT = st.floats(min_value=-60, max_value=60, allow_nan=False)
LNG = st.floats(min_value=-179, max_value=179, allow_nan=False)
SPEED = st.floats(min_value=5, max_value=120, allow_nan=False)


@settings(max_examples=80, deadline=None)
@given(LAT, LNG, LAT, LNG, SPEED, st.floats(min_value=1.0, max_value=2.0))
def test_drive_times_are_the_planners_whole_minutes(lat1, lng1, lat2, lng2, speed, factor):
    route = RouteClock(trip(), Params(road_factor=factor))
    km, minutes = route.drive((lat1, lng1), (lat2, lng2), speed=speed)
    assert km == pytest.approx(float(haversine_km(lat1, lng1, lat2, lng2)) * factor)
    assert minutes == int(minutes_for_km(km, speed))
    assert route.drive((lat2, lng2), (lat1, lng1), speed=speed)[1] == pytest.approx(minutes, abs=1)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["pickup_point", "station"]), st.integers(0, 60)),
        min_size=1,
        max_size=6,
    ),
    st.data(),
)
def test_a_rider_counted_on_and_off_leaves_the_stops_as_they_were(places, data):
    stops = [{"kind": kind, "id": i, "people": n} for i, (kind, n) in enumerate(places)]
    index = data.draw(st.integers(0, len(stops) - 1))
    assert stops_count(stops_count(stops, index, +1), index, -1) == stops
    assert all(s["people"] >= 0 for s in stops_count(stops, index, -100))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 300), st.integers(0, 300), st.sampled_from(list(Mode)))
def test_new_buses_keep_the_trips_buffers(buffer, disembark, mode):
    params = replace(
        Params(),
        station_buffer_minutes=buffer,
        airport_buffer_minutes=buffer,
        disembark_minutes=disembark,
        airport_disembark_minutes=disembark,
    )
    route = RouteClock(trip(mode=mode), params)
    feeder, arrival = feeder_bus_new(route, POINT), arrival_bus_new(route, GATE)
    assert route.trip.departure - feeder.arrival == dt.timedelta(minutes=buffer)
    assert arrival.departure - route.trip.arrival == dt.timedelta(minutes=disembark)
    assert feeder.departure <= feeder.arrival and arrival.departure <= arrival.arrival
