"""Bus rides added by hand after planning: times, distances and stops of one more rider.

When a coordinator moves a traveller to another trip, or takes back a no-show, the services
put them on that trip's feeder and arrival buses without re-planning: a bus that already
stops at their pickup point or gate, else a bus of the district that drives on to their gate,
else a new bus. The services choose the bus (that takes locks and counters); this module
works out what the ride costs in time and where it stops, estimated the way the planner does
(great-circle distance × road factor at the bus speed, whole minutes rounded up).

Stops are the JSON dicts stored on a bus: ``kind`` ("pickup_point", "station" or "employer"),
``id``, ``name``, ``time`` (ISO 8601 with offset) and ``people``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from transport.planner.domain import Params, Trip
from transport.planner.geo import haversine_km

LatLng = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Place:
    """A place a bus stops at, as its stop records it, and where it is."""

    kind: str
    id: int | str
    name: str
    lat: float
    lng: float

    @property
    def at(self) -> LatLng:
        return (self.lat, self.lng)


@dataclass(frozen=True, slots=True)
class RouteClock:
    """Times and distances of one trip's bus legs, estimated the way the planner does.

    ``trip`` is the planner's view of the trip, its times in local time (as
    ``transport.inputs.trip_of`` gives them)."""

    trip: Trip
    params: Params

    @property
    def origin(self) -> LatLng:
        return (self.trip.origin.lat, self.trip.origin.lng)

    @property
    def destination(self) -> LatLng:
        return (self.trip.destination.lat, self.trip.destination.lng)

    def drive(self, a: LatLng, b: LatLng, *, speed: float) -> tuple[float, int]:
        """Return (km, whole minutes) by road from ``a`` to ``b`` at ``speed`` km/h."""
        km = float(haversine_km(a[0], a[1], b[0], b[1])) * self.params.road_factor
        return km, math.ceil(km / speed * 60.0 - 1e-9)

    @property
    def departure_station(self) -> Place:
        station = self.trip.origin
        return Place("station", station.id, station.name, station.lat, station.lng)

    @property
    def arrival_station(self) -> Place:
        station = self.trip.destination
        return Place("station", station.id, station.name, station.lat, station.lng)

    @property
    def at_station(self) -> dt.datetime:
        """When feeder buses reach the departure station."""
        return self.trip.departure - dt.timedelta(
            minutes=self.params.station_buffer(self.trip.mode)
        )

    @property
    def leave_station(self) -> dt.datetime:
        """When arrival buses leave the arrival station."""
        return self.trip.arrival + dt.timedelta(minutes=self.params.disembark(self.trip.mode))


@dataclass(frozen=True, slots=True)
class BusRoute:
    """A new bus's schedule: when it leaves and arrives, its ride and its stops."""

    departure: dt.datetime
    arrival: dt.datetime
    minutes: int
    km: float
    stops: list[dict]


@dataclass(frozen=True, slots=True)
class StopAdded:
    """An existing bus's stops with one more gate at the end, and what that adds."""

    stops: list[dict]
    arrival: dt.datetime
    minutes: int
    km: float


def _stop(place: Place, time: dt.datetime) -> dict:
    return {
        "kind": place.kind,
        "id": place.id,
        "name": place.name,
        "time": time.isoformat(),
        "people": 0,
    }


def stop_index(stops: list[dict], kind: str, place_id) -> int | None:
    """Return the index of the first stop at the place, or None."""
    return next(
        (i for i, s in enumerate(stops) if s.get("kind") == kind and s.get("id") == place_id),
        None,
    )


def boarding_stop_index(stops: list[dict], kind: str, place_id) -> int | None:
    """Return the index of the timed stop at the place where a rider can join, or None."""
    index = stop_index(stops, kind, place_id)
    return index if index is not None and stops[index].get("time") else None


def stops_count(stops: list[dict], index: int, change: int) -> list[dict]:
    """Return ``stops`` with the people of stop ``index`` and of the station changed (never
    below zero); the stops given are not modified."""
    stops = [dict(s) for s in stops]
    for i, stop in enumerate(stops):
        if i == index or stop.get("kind") == "station":
            stop["people"] = max(0, int(stop.get("people") or 0) + change)
    return stops


def feeder_bus_new(route: RouteClock, point: Place) -> BusRoute:
    """Return a new feeder bus from ``point`` reaching the departure station the planner's
    buffer before departure."""
    km, minutes = route.drive(point.at, route.origin, speed=route.params.feeder_speed_kmh)
    at_station = route.at_station
    pickup = at_station - dt.timedelta(minutes=minutes)
    return BusRoute(
        departure=pickup,
        arrival=at_station,
        minutes=minutes,
        km=km,
        stops=[_stop(point, pickup), _stop(route.departure_station, at_station)],
    )


def arrival_bus_new(route: RouteClock, gate: Place) -> BusRoute:
    """Return a new arrival bus leaving the arrival station the planner's disembarking time
    after arrival and driving straight to ``gate``."""
    depart = route.leave_station
    km, minutes = route.drive(route.destination, gate.at, speed=route.params.arrival_speed_kmh)
    at_gate = depart + dt.timedelta(minutes=minutes)
    return BusRoute(
        departure=depart,
        arrival=at_gate,
        minutes=minutes,
        km=km,
        stops=[_stop(route.arrival_station, depart), _stop(gate, at_gate)],
    )


def arrival_stop_append(
    route: RouteClock, stops: list[dict], gate: Place, start: LatLng
) -> StopAdded:
    """Return an arrival bus's ``stops`` (not empty) with ``gate`` added after the last one.

    ``start`` is where the last stop is (a gate's coordinates, or the station's). The bus
    drives on from there, after the drop-off dwell if the last stop is a gate."""
    last = stops[-1]
    km, minutes = route.drive(start, gate.at, speed=route.params.arrival_speed_kmh)
    minutes += route.params.dropoff_dwell_minutes if last.get("kind") == "employer" else 0
    when = dt.datetime.fromisoformat(last["time"]) + dt.timedelta(minutes=minutes)
    return StopAdded(stops=[*stops, _stop(gate, when)], arrival=when, minutes=minutes, km=km)
