"""Riders put on or taken off a trip's feeder and arrival buses by hand.

Used when a coordinator moves a traveller to another trip and when a no-show is taken back;
the services choose the bus and move the counters, ``transport.planner.rides`` works out the
times, distances and stops.
"""

import datetime as dt

from django.db.models import F, Max
from django.utils import timezone

from jobs.models import Employer
from transport.inputs import employer_of, pickup_point_for, trip_of
from transport.models import Bus, BusKind, BusRider, PickupPoint, Seat
from transport.plan_params import planner_params
from transport.planner.rides import (
    BusRoute,
    Place,
    RouteClock,
    arrival_bus_new,
    arrival_stop_append,
    boarding_stop_index,
    feeder_bus_new,
    stop_index,
    stops_count,
)
from transport.services.capacity import bus_take


def bus_rides_add(seat: Seat) -> None:
    """Put a traveller who joins a trip by hand (moved there, or a no-show undone) on its
    feeder and arrival buses, with the times they board and get off.

    Feeder: a bus that already stops at their pickup point and has a free seat, else a new
    bus from that point, reaching the station the planner's buffer before departure.
    Arrival: a bus that already stops at their employer's gate, else one of the same
    district with room (their gate is added as its last stop), else a new bus leaving the
    planner's disembarking time after arrival. Drive times are estimated like the planner
    does (``transport.planner.rides``). Buses locked in pk order.
    """
    worker, employer = seat.worker, seat.match.vacancy.employer
    points = list(
        PickupPoint.objects.filter(county_id=worker.home_county_id, is_active=True).order_by("pk")
    )
    point = pickup_point_for(worker, points)
    route = RouteClock(trip_of(seat.trip), planner_params(seat.plan))
    if point is not None:  # else nobody can collect them: the county has no pickup point
        _feeder_ride_add(seat, point, route)
    _arrival_ride_add(seat, employer, route)


def _candidate_buses(seat: Seat, kind: str, key: str) -> list[Bus]:
    return list(
        Bus.objects.select_for_update()
        .filter(plan=seat.plan, trip=seat.trip, kind=kind, key=key)
        .order_by("pk")
    )


def _ride_create(seat: Seat, bus: Bus, index: int, **place) -> None:
    """Seat the traveller on ``bus`` at its stop ``index`` (already taken: see bus_take)."""
    stops = stops_count(bus.stops, index, +1)
    Bus.objects.filter(pk=bus.pk).update(stops=stops)
    BusRider.objects.create(
        bus=bus,
        seat=seat,
        kind=bus.kind,
        stop_time=dt.datetime.fromisoformat(stops[index]["time"]),
        **place,
    )


def _gate(employer: Employer) -> Place:
    at = employer_of(employer, {})
    return Place("employer", employer.pk, employer.name, at.lat, at.lng)


def _feeder_ride_add(seat: Seat, point: PickupPoint, route: RouteClock) -> None:
    key = seat.trip.origin.code
    for bus in _candidate_buses(seat, BusKind.FEEDER, key):
        index = boarding_stop_index(bus.stops, "pickup_point", point.pk)
        if index is not None and bus_take(bus.pk):
            _ride_create(seat, bus, index, pickup_point=point)
            return
    place = Place("pickup_point", point.pk, point.name, point.latitude, point.longitude)
    new = feeder_bus_new(route, place)
    bus = _bus_new(
        seat, kind=BusKind.FEEDER, key=key, capacity=route.params.feeder_bus_seats, route=new
    )
    _ride_create(seat, bus, 0, pickup_point=point)


def _arrival_ride_add(seat: Seat, employer: Employer, route: RouteClock) -> None:
    gate = _gate(employer)
    buses = _candidate_buses(seat, BusKind.ARRIVAL, employer.district_id)
    for bus in buses:
        index = boarding_stop_index(bus.stops, "employer", employer.pk)
        if index is not None and bus_take(bus.pk):
            _ride_create(seat, bus, index, employer=employer)
            return
    for bus in buses:
        # A bus of the district with room drives on to their gate after its last stop; a
        # company's own bus (专车) stays its own.
        if bus.dedicated_employer_id or not bus.stops or not bus_take(bus.pk):
            continue
        last = bus.stops[-1]
        if last.get("kind") == "employer":
            start = _gate(Employer.objects.select_related("district").get(pk=last["id"])).at
        else:
            start = route.destination
        added = arrival_stop_append(route, bus.stops, gate, start)
        Bus.objects.filter(pk=bus.pk).update(
            stops=added.stops,
            arrival_at=added.arrival,
            ride_minutes=F("ride_minutes") + added.minutes,
            distance_km=round(bus.distance_km + added.km, 1),
            adjusted=True,
        )
        bus.stops = added.stops
        _ride_create(seat, bus, len(added.stops) - 1, employer=employer)
        return
    new = arrival_bus_new(route, gate)
    bus = _bus_new(
        seat,
        kind=BusKind.ARRIVAL,
        key=employer.district_id,
        capacity=route.params.arrival_bus_seats,
        route=new,
    )
    _ride_create(seat, bus, 1, employer=employer)


def _bus_new(seat: Seat, *, kind: str, key: str, capacity: int, route: BusRoute) -> Bus:
    """Create a bus of the seat's trip for hand adjustments, its first seat already taken."""
    index = (
        Bus.objects.filter(plan=seat.plan, trip=seat.trip, kind=kind, key=key).aggregate(
            n=Max("vehicle_index")
        )["n"]
        or 0
    ) + 1
    return Bus.objects.create(
        plan=seat.plan,
        trip=seat.trip,
        kind=kind,
        key=key,
        district_id=key if kind == BusKind.ARRIVAL else None,
        vehicle_index=index,
        capacity=capacity,
        occupied=1,
        departure_at=route.departure,
        arrival_at=route.arrival,
        ride_minutes=route.minutes,
        distance_km=round(route.km, 1),
        stops=route.stops,
        adjusted=True,
    )


def bus_rides_drop(seat: Seat) -> None:
    """Take the traveller off their feeder and arrival buses (buses locked in pk order)."""
    rides = list(BusRider.objects.filter(seat=seat).order_by("bus_id"))
    buses = list(
        Bus.objects.select_for_update().filter(pk__in=[r.bus_id for r in rides]).order_by("pk")
    )
    ride_of = {r.bus_id: r for r in rides}
    for bus in buses:
        ride = ride_of[bus.pk]
        place = ("pickup_point", ride.pickup_point_id) if ride.pickup_point_id else None
        place = ("employer", ride.employer_id) if ride.employer_id else place
        index = stop_index(bus.stops, *place) if place else None
        stops = stops_count(bus.stops, index, -1) if index is not None else bus.stops
        Bus.objects.filter(pk=bus.pk, occupied__gt=0).update(
            occupied=F("occupied") - 1, stops=stops, updated_at=timezone.now()
        )
    BusRider.objects.filter(pk__in=[r.pk for r in rides]).delete()
