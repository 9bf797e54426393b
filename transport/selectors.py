"""Reads for the transport pages and API, always starting from ``laborbridge.access``."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import Campaign, User
from matching.models import Match
from transport.models import (
    Bus,
    BusKind,
    BusRider,
    PickupPoint,
    PlanStatus,
    ReleaseReason,
    RunStatus,
    Seat,
    TransportPlan,
    Trip,
    TripCar,
    TripMode,
)
from transport.plan_params import BUS_FARE_DEFAULTS
from transport.reasons import split_label, trip_refusal_text, unplaced_label
from workers.models import TravelGroup, Worker

WHOLE_BOOKING_MODES = (TripMode.SPECIAL_TRAIN, TripMode.CHARTER_FLIGHT)


def pickup_points_for(user: User) -> QuerySet[PickupPoint]:
    """Return the active pickup points of the counties whose points the user manages."""
    return (
        access.pickup_points_managed_by(user)
        .filter(is_active=True)
        .select_related("county", "township")
        .order_by("county_id", "-is_default", "name")
    )


def pickup_points_inactive_count(user: User) -> int:
    return access.pickup_points_managed_by(user).filter(is_active=False).count()


def trips_for_campaign(user: User, campaign: Campaign) -> QuerySet[Trip]:
    """Return the campaign's trips the user manages, with their occupancy."""
    return (
        access.trips_managed_by(user)
        .filter(campaign=campaign)
        .select_related("origin", "destination")
        .annotate(seated=Sum("car_rows__occupied"))
        .order_by("departure_at", "pk")
    )


def plans_for_campaign(user: User, campaign: Campaign) -> QuerySet[TransportPlan]:
    return (
        access.transport_plans_visible_to(user)
        .filter(campaign=campaign)
        .select_related("created_by")
        .order_by("-version")
    )


def plan_current(campaign: Campaign) -> TransportPlan | None:
    return (
        TransportPlan.objects.filter(campaign=campaign, run_status=RunStatus.SUCCEEDED)
        .exclude(status=PlanStatus.SUPERSEDED)
        .first()
    )


def trip_bus_count(trip: Trip) -> int:
    return Bus.objects.filter(trip=trip).count()


def trip_cars(trip: Trip) -> list[TripCar]:
    return list(trip.car_rows.order_by("car_no"))


def buses_of(plan: TransportPlan, trip: Trip | None = None) -> QuerySet[Bus]:
    buses = Bus.objects.filter(plan=plan).select_related(
        "trip__origin", "district", "dedicated_employer"
    )
    if trip is not None:
        buses = buses.filter(trip=trip)
    return buses.order_by("trip__departure_at", "trip_id", "kind", "key", "vehicle_index")


@dataclass
class TripView:
    trip: Trip
    cars: list[TripCar]
    feeder: list[Bus]
    arrival: list[Bus]
    cost: float
    seated: int
    bus_cost: float = 0.0


def plan_review(plan: TransportPlan) -> dict:
    """Return what the plan page shows: trips with cars and buses, reasons, charts, costs."""
    trip_ids = set(
        Seat.objects.filter(plan=plan, released_at=None).values_list("trip_id", flat=True)
    ) | {entry["trip"] for entry in plan.trunk}
    trips = list(
        Trip.objects.filter(pk__in=trip_ids)
        .select_related("origin", "destination")
        .prefetch_related(Prefetch("car_rows", queryset=TripCar.objects.order_by("car_no")))
        .order_by("departure_at", "pk")
    )
    buses = defaultdict(list)
    early = []
    for bus in buses_of(plan) if plan.is_current else []:
        buses[(bus.trip_id, bus.kind)].append(bus)
        if bus.kind == BusKind.FEEDER:
            early += [dict(stop, bus=bus) for stop in _flag_early_pickups(bus)]
    costs = plan_costs(plan) if plan.is_current else None
    views = [
        TripView(
            trip=trip,
            cars=list(trip.car_rows.all()),
            feeder=buses[(trip.pk, BusKind.FEEDER)],
            arrival=buses[(trip.pk, BusKind.ARRIVAL)],
            cost=costs["trip_cost"].get(trip.pk, 0.0) if costs else 0.0,
            seated=sum(c.occupied for c in trip.car_rows.all()),
            bus_cost=costs["trip_bus_cost"].get(trip.pk, 0.0) if costs else 0.0,
        )
        for trip in trips
    ]
    names = {t.pk: t.service_number for t in trips}
    places = _leg_places(plan.leg_reports, trips)
    legs = leg_rows(plan.leg_reports, names, places)
    return {
        "trips": views,
        "unplaced": unplaced_rows(plan.unplaced),
        "splits": split_rows(plan.group_splits),
        "legs": legs,
        "legs_chart": [
            {
                "label": _("%(leg)s（下界 %(bound)s）")
                % {"leg": leg["label"], "bound": leg["lower_bound"]},
                "value": leg["vehicles"],
            }
            for leg in legs
        ],
        "fill_chart": [{"label": leg["label"], "value": leg["fill_percent"]} for leg in legs],
        "unplaced_chart": _count_series(unplaced_label(u["reason"]) for u in plan.unplaced),
        "costs": costs,
        "early_pickups": early,
        "early_pickup_hour": EARLY_PICKUP_HOUR,
    }


# A pickup before this hour (local time) means a night on the road for the county's people
# and its officials: the review page flags it so the coordinator can move the trip or the bus.
EARLY_PICKUP_HOUR = 5


def _flag_early_pickups(bus: Bus) -> list[dict]:
    """Mark the feeder bus's pickup stops before EARLY_PICKUP_HOUR; return those stops."""
    flagged = []
    for stop in bus.stops or []:
        if stop.get("kind") != "pickup_point" or not stop.get("time"):
            continue
        try:
            when = datetime.fromisoformat(stop["time"])
        except (TypeError, ValueError):
            continue
        if timezone.is_aware(when):
            when = timezone.localtime(when)
        stop["clock"] = f"{when:%H:%M}"
        if when.hour < EARLY_PICKUP_HOUR:
            stop["early"] = True
            flagged.append(stop)
    return flagged


def _leg_kind_label(kind: str) -> str:
    return {"trunk": _("干线"), "feeder": _("送站"), "arrival": _("接站")}.get(kind, kind)


def _count_series(labels) -> list[dict]:
    counts: dict[str, int] = defaultdict(int)
    for label in labels:
        counts[label] += 1
    return [{"label": k, "value": v} for k, v in sorted(counts.items(), key=lambda kv: -kv[1])]


def unplaced_rows(entries: list[dict]) -> list[dict]:
    """Return the plan's unplaced travellers with names and the reason in words."""
    workers = Worker.objects.in_bulk([e["worker"] for e in entries])
    matches = Match.objects.select_related("vacancy__employer").in_bulk(
        [e["match"] for e in entries]
    )
    trip_ids = {row["trip"] for e in entries for row in e.get("trips") or []}
    trips = Trip.objects.in_bulk(trip_ids) if trip_ids else {}
    rows = []
    for entry in entries:
        worker, match = workers.get(entry["worker"]), matches.get(entry["match"])
        refusals = []
        for row in sorted(
            entry.get("trips") or [],
            key=lambda r: (trips[r["trip"]].departure_at, r["trip"]) if r["trip"] in trips else 0,
        ):
            trip = trips.get(row["trip"])
            if trip is not None:
                name = f"{trip.service_number}（{timezone.localtime(trip.departure_at):%m-%d}）"
                refusals.append(trip_refusal_text(row, name))
        rows.append(
            {
                "worker": worker,
                "employer": match.vacancy.employer.name if match else "",
                "reason": unplaced_label(entry["reason"]),
                "code": entry["reason"],
                # the planner's detail is for developers (English, ids); people read the trips
                "trips": refusals,
            }
        )
    return rows


def split_rows(entries: list[dict]) -> list[dict]:
    groups = TravelGroup.objects.prefetch_related(
        Prefetch("members", queryset=Worker.objects.only("pk", "name", "travel_group_id"))
    ).in_bulk([e["group"] for e in entries])
    return [
        {
            "group": groups.get(e["group"]),
            # a group is known by its people, not by its (often coded) name
            "members": [m.name for m in groups[e["group"]].members.all()]
            if e["group"] in groups
            else [],
            "kind": e["kind"],
            "reason": split_label(e["reason"]),
            "sizes": [len(part) for part in e["parts"]],
        }
        for e in entries
    ]


def _leg_places(entries: list[dict], trips: list[Trip]) -> dict[str, str]:
    """Return readable names of the legs' keys: stations (feeder), districts (arrival)."""
    from laborbridge.models import Region, Station

    names = {trip.origin.code: trip.origin.name for trip in trips}
    codes = {e["key"] for e in entries if e["kind"] == "arrival"}
    names.update({r.code: r.name for r in Region.objects.filter(code__in=codes)})
    stations = {e["key"] for e in entries if e["kind"] == "feeder"} - set(names)
    names.update({s.code: s.name for s in Station.objects.filter(code__in=stations)})
    return names


def leg_rows(entries: list[dict], names: dict[int, str], places: dict[str, str]) -> list[dict]:
    rows = []
    for entry in entries:
        trip = names.get(entry["trip"], entry["trip"])
        place = "" if entry["kind"] == "trunk" else places.get(entry["key"], entry["key"])
        rows.append(
            dict(
                entry,
                trip_name=trip,
                place=place,
                kind_label=_leg_kind_label(entry["kind"]),
                label=" ".join(str(x) for x in (trip, _leg_kind_label(entry["kind"]), place) if x),
                fill_percent=round(100 * entry["fill_rate"]),
                # plans made before the ride-cap bound was reported: the seat bound
                ride_bound=entry.get("ride_bound", entry["lower_bound"]),
            )
        )
    return rows


def trip_cost(trip: Trip, booked_car_nos: set[int], cars: list[TripCar]) -> float:
    """Return what the trip costs: the whole train / aircraft, or each booked or used unit."""
    seated = any(c.occupied for c in cars)
    if not seated and not booked_car_nos:
        return 0.0
    per_seat, per_vehicle = float(trip.fare_per_seat), float(trip.fare_per_vehicle)
    if trip.mode in WHOLE_BOOKING_MODES:
        return per_vehicle + per_seat * sum(c.seats for c in cars)
    used = [c for c in cars if c.occupied or c.car_no in booked_car_nos]
    return sum(per_vehicle + per_seat * c.seats for c in used)


def plan_bus_fares(plan: TransportPlan | None) -> dict[str, float]:
    """Return the plan's feeder and arrival bus fares (the defaults without a plan)."""
    params = plan.params if plan is not None else {}
    return {k: params.get(k, v) for k, v in BUS_FARE_DEFAULTS.items()}


def bus_fare_of(trip: Trip, kind: str, fares: dict[str, float]) -> float:
    """Return what one bus of ``kind`` of ``trip`` costs: the trip's own fare, else the plan's."""
    name = "feeder_bus_fare" if kind == BusKind.FEEDER else "arrival_bus_fare"
    own = getattr(trip, name)
    return float(own) if own is not None else fares[name]


def plan_costs(plan: TransportPlan) -> dict:
    """Return the plan's costs ("免车费" accounts): per trip, per mode, per county, total.

    A trip costs its booking (see ``trip_cost``); a chartered feeder or arrival bus its fare
    — the trip's own bus fare when it has one, else the plan's. Each traveller carries an
    equal share of their trip and of each bus they ride; a county's total is its
    travellers' shares.
    """
    fares = {k: float(plan.params.get(k, v)) for k, v in BUS_FARE_DEFAULTS.items()}
    booked = {entry["trip"]: set(entry["booked_car_nos"]) for entry in plan.trunk}
    seats = list(
        Seat.objects.filter(plan=plan, released_at=None).values_list(
            "pk", "trip_id", "worker__home_county__name"
        )
    )
    buses = list(
        Bus.objects.filter(plan=plan)
        .annotate(n=Count("riders"))
        .values_list("pk", "kind", "n", "trip_id")
    )
    trip_ids = (
        {trip_id for _pk, trip_id, _county in seats}
        | set(booked)
        | {trip_id for *_rest, trip_id in buses}
    )
    trips = {t.pk: t for t in Trip.objects.filter(pk__in=trip_ids).prefetch_related("car_rows")}
    trip_cost_of = {
        pk: round(trip_cost(t, booked.get(pk, set()), list(t.car_rows.all())), 2)
        for pk, t in trips.items()
    }
    riders = defaultdict(int)
    for _pk, trip_id, _county in seats:
        riders[trip_id] += 1
    share: dict[int, float] = {}
    for pk, trip_id, _county in seats:
        share[pk] = trip_cost_of[trip_id] / riders[trip_id]
    bus_fare = {pk: bus_fare_of(trips[trip_id], kind, fares) for pk, kind, _n, trip_id in buses}
    bus_riders = {pk: n for pk, _kind, n, _trip in buses}
    for bus_id, seat_id in BusRider.objects.filter(bus__plan=plan).values_list("bus_id", "seat_id"):
        if seat_id in share and bus_riders[bus_id]:
            share[seat_id] += bus_fare[bus_id] / bus_riders[bus_id]
    by_mode: dict[str, float] = defaultdict(float)
    for pk, cost in trip_cost_of.items():
        by_mode[str(TripMode(trips[pk].mode).label)] += cost
    trip_bus_cost: dict[int, float] = defaultdict(float)
    for pk, kind, _n, trip_id in buses:
        label = _("送站大巴") if kind == BusKind.FEEDER else _("接站分流大巴")
        by_mode[label] += bus_fare[pk]
        trip_bus_cost[trip_id] += bus_fare[pk]
    by_county: dict[str, float] = defaultdict(float)
    for pk, _trip_id, county in seats:
        by_county[county] += share[pk]
    total = sum(by_mode.values())
    return {
        "total": round(total, 2),
        "per_traveller": round(total / len(seats), 2) if seats else 0.0,
        "travellers": len(seats),
        "trip_cost": trip_cost_of,
        "trip_bus_cost": {pk: round(v, 2) for pk, v in trip_bus_cost.items()},
        "by_mode": [
            {"label": k, "value": round(v)}
            for k, v in sorted(by_mode.items(), key=lambda kv: -kv[1])
        ],
        "by_county": [
            {"label": k, "value": round(v)}
            for k, v in sorted(by_county.items(), key=lambda kv: -kv[1])
        ],
        "bus_fares": fares,
    }


def seat_rows(trip: Trip, car_no: int | None = None) -> QuerySet[Seat]:
    """Return the trip's seats (held ones; no-shows too, so the roll call shows them)."""
    seats = (
        Seat.objects.filter(trip=trip)
        .filter(Q(released_at=None) | Q(release_reason=ReleaseReason.NO_SHOW))
        .select_related("car", "worker__home_county", "match__vacancy__employer")
        .order_by("car__car_no", "row", "letter", "pk")
    )
    if car_no is not None:
        seats = seats.filter(car__car_no=car_no)
    return seats


def _travel_prefetch() -> Prefetch:
    return Prefetch(
        "bus_rides",
        queryset=BusRider.objects.select_related("pickup_point", "bus", "employer"),
    )


def county_travel(user: User) -> QuerySet[Seat]:
    """Return the official's workers' seats: trip, car, seat, pickup time and place."""
    return (
        access.seats_visible_to(user)
        .filter(released_at=None)
        .select_related(
            "trip__origin",
            "trip__destination",
            "car",
            "plan",
            "worker",
            "match__vacancy__employer",
        )
        .prefetch_related(_travel_prefetch())
        .order_by("trip__departure_at", "worker__name", "pk")
    )


def county_unplaced(user: User) -> list[dict]:
    """Return the official's workers the current plans could not place, with the reason."""
    rows = []
    for plan in TransportPlan.objects.filter(
        campaign__in=access.campaigns_visible_to(user), run_status=RunStatus.SUCCEEDED
    ).exclude(status=PlanStatus.SUPERSEDED):
        mine = set(
            access.workers_visible_to(user)
            .filter(pk__in=[e["worker"] for e in plan.unplaced])
            .values_list("pk", flat=True)
        )
        rows += [
            dict(row, plan=plan)
            for row in unplaced_rows([e for e in plan.unplaced if e["worker"] in mine])
        ]
    return rows


def arrivals(user: User) -> QuerySet[Seat]:
    """Return the seats of the people coming to the HR user's company, by arrival time."""
    return (
        access.seats_checkable_in_by(user)
        .filter(released_at=None, confirmed=True)
        .select_related(
            "trip__origin",
            "trip__destination",
            "car",
            "worker",
            "match__vacancy",
        )
        .prefetch_related(_travel_prefetch())
        .order_by("trip__arrival_at", "checked_in_at", "worker__name", "pk")
    )


def rides_of(seat: Seat) -> dict[str, BusRider]:
    """Return the seat's feeder and arrival rides (from the prefetched ``bus_rides``)."""
    return {ride.kind: ride for ride in seat.bus_rides.all()}
