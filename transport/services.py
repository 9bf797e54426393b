"""Writes of point-to-point transport: keyword-only, atomic, audited.

Pickup points and trips are created and edited here; a plan is queued here and its Celery
task runs ``transport.runs``; the coordinator then reviews and adjusts it (move a traveller,
swap two seats), confirms it, calls the roll at boarding, and HR checks people in at the gate.

Capacity is guarded twice: every car and bus carries an ``occupied`` counter that moves only
by a conditional ``UPDATE … SET occupied = occupied + 1 WHERE occupied < seats`` (with a check
constraint behind it), and seats are held once by partial unique indexes. Rows are locked in
one order everywhere — trip cars, then seats, then buses, each in ``pk`` order — so two
services never deadlock.
"""

import datetime as dt
import math
import re
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Employer
from laborbridge import access
from laborbridge.background import RunBusy, run_create
from laborbridge.identifiers import validate_mobile
from laborbridge.models import Campaign, Message, Region, Station, User
from laborbridge.notifications.services import Audience, notify
from laborbridge.services import audit_record, model_changes
from matching.services import match_mark_hired
from transport import messages, planner
from transport.inputs import trip_of
from transport.models import (
    BoardingStatus,
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
from transport.plan_params import (
    BUS_FARE_DEFAULTS,
    BUS_FARE_MAX,
    PLANNER_PARAMS,
    planner_params,
)
from transport.planner.domain import seat_position
from transport.runs import PLANS


class CarFull(ValidationError):
    """Raised when the last seat of a car or bus was taken by someone else."""


class SeatTaken(ValidationError):
    """Raised when the chosen seat is held by another traveller."""


def _require(condition: bool, message: str, code: str = "invalid") -> None:
    if not condition:
        raise ValidationError(message, code=code)


# --- pickup points ----------------------------------------------------------------------


def _pickup_point_values_clean(*, county: Region, values: dict) -> dict:
    """Return the point's values normalised, or raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values = dict(values)
    values["name"] = (values.get("name") or "").strip()
    values["address"] = (values.get("address") or "").strip()
    if not values["name"]:
        errors["name"] = _("请填写集合点名称。")
    township = values.get("township")
    if township is not None and (
        township.level != Region.Level.TOWNSHIP or township.parent_id != county.code
    ):
        errors["township"] = _("乡镇不属于该集合点所在的县区。")
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if latitude is None or not -90 <= latitude <= 90:
        errors["latitude"] = _("纬度应在 -90 到 90 之间。")
    if longitude is None or not -180 <= longitude <= 180:
        errors["longitude"] = _("经度应在 -180 到 180 之间。")
    values["is_default"] = bool(values.get("is_default"))
    if errors:
        raise ValidationError(errors)
    return values


def _pickup_point_name_free(county: Region, name: str, exclude_pk: int | None = None) -> None:
    taken = PickupPoint.objects.filter(county=county, name=name, is_active=True)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": _("本县已有名为“%(name)s”的集合点。") % {"name": name}})


@transaction.atomic
def pickup_point_create(
    *,
    actor: User | None,
    county: Region,
    name: str,
    latitude: float,
    longitude: float,
    township: Region | None = None,
    address: str = "",
    is_default: bool = False,
) -> PickupPoint:
    """Create a county pickup point; the default one replaces the county's previous default.
    ``actor=None`` is the system (reference and demo data)."""
    if (
        actor is not None
        and not access.pickup_point_counties_managed_by(actor).filter(pk=county.pk).exists()
    ):
        raise PermissionDenied(_("您无权为该县设置集合点。"))
    _require(county.level == Region.Level.COUNTY, _("集合点必须属于一个县级行政区。"))
    values = _pickup_point_values_clean(
        county=county,
        values={
            "name": name,
            "address": address,
            "township": township,
            "latitude": latitude,
            "longitude": longitude,
            "is_default": is_default,
        },
    )
    _pickup_point_name_free(county, values["name"])
    if values["is_default"]:
        PickupPoint.objects.filter(county=county, is_default=True).update(is_default=False)
    point = PickupPoint.objects.create(county=county, **values)
    audit_record(
        actor=actor,
        action="pickup_point.create",
        target=point,
        changes={
            "county": county.code,
            "township": point.township_id,
            "name": point.name,
            "default": point.is_default,
        },
    )
    return point


_PICKUP_POINT_FIELDS = ("name", "address", "township", "latitude", "longitude", "is_default")


def _pickup_point_locked(actor: User, point: PickupPoint) -> PickupPoint:
    locked = (
        access.pickup_points_managed_by(actor)
        .select_for_update()
        .select_related("county")
        .filter(pk=point.pk)
        .first()
    )
    if locked is None:
        raise PermissionDenied(_("您无权修改该集合点。"))
    _require(locked.is_active, _("该集合点已停用，不能再修改。"), "inactive")
    return locked


@transaction.atomic
def pickup_point_update(*, actor: User, point: PickupPoint, **values) -> PickupPoint:
    """Change a pickup point's name, address, township, coordinates or default flag. Its
    county stays: a point in another county is a new point.

    Seats and buses already planned keep their stops and times; the next planning run
    uses the new place."""
    unknown = set(values) - set(_PICKUP_POINT_FIELDS)
    if unknown:
        raise TypeError(f"pickup_point_update() got unexpected fields {sorted(unknown)}")
    point = _pickup_point_locked(actor, point)
    merged = {name: getattr(point, name) for name in _PICKUP_POINT_FIELDS}
    merged.update(values)
    merged = _pickup_point_values_clean(county=point.county, values=merged)
    changes = model_changes(point, list(_PICKUP_POINT_FIELDS), merged)
    if not changes:
        return point
    if "name" in changes:
        _pickup_point_name_free(point.county, merged["name"], exclude_pk=point.pk)
    if merged["is_default"] and not point.is_default:
        PickupPoint.objects.filter(county=point.county, is_default=True).exclude(
            pk=point.pk
        ).update(is_default=False)
    for name in changes:
        setattr(point, name, merged[name])
    point.save(update_fields=[*changes, "updated_at"])
    audit_record(actor=actor, action="pickup_point.update", target=point, changes=changes)
    return point


def pickup_point_riders_waiting(point: PickupPoint):
    """Return the held seats that still start their journey at ``point``: a feeder ride from
    it on a seat neither released nor checked in at the gate (draft or confirmed plan)."""
    return Seat.objects.filter(
        released_at=None,
        checked_in_at=None,
        bus_rides__pickup_point=point,
        bus_rides__kind=BusKind.FEEDER,
    ).distinct()


def _bus_stops_at(bus_stops: list, point_id: int) -> bool:
    return any(s.get("kind") == "pickup_point" and s.get("id") == point_id for s in bus_stops)


@transaction.atomic
def pickup_point_remove(*, actor: User, point: PickupPoint) -> str:
    """Remove a pickup point, refused while a planned or confirmed journey starts there.

    A point no record mentions is deleted; one that past journeys used (bus riders, bus
    stops) is deactivated instead, so that history keeps its place. Returns ``"deleted"``
    or ``"deactivated"``."""
    point = _pickup_point_locked(actor, point)
    waiting = pickup_point_riders_waiting(point)
    count = waiting.count()
    if count:
        trips = sorted(set(waiting.values_list("trip__service_number", flat=True)))
        raise ValidationError(
            _(
                "集合点“%(name)s”已安排 %(count)s 人在此上车（%(trips)s），不能删除。"
                "请先为这些人调整行程或重新规划运输方案。"
            )
            % {"name": point.name, "count": count, "trips": "、".join(trips)},
            code="in_use",
        )
    # A bus of a current plan whose journey has not happened yet (none of its riders checked
    # in at a gate) may stop there even when nobody boards there any more.
    current = (
        Bus.objects.filter(kind=BusKind.FEEDER, plan__run_status=RunStatus.SUCCEEDED)
        .exclude(plan__status=PlanStatus.SUPERSEDED)
        .exclude(riders__seat__checked_in_at__isnull=False)
    )
    if any(
        _bus_stops_at(stops or [], point.pk) for stops in current.values_list("stops", flat=True)
    ):
        raise ValidationError(
            _("集合点“%(name)s”仍是已安排送站大巴的停靠点，不能删除；请先重新规划。")
            % {"name": point.name},
            code="in_use",
        )
    used = BusRider.objects.filter(pickup_point=point).exists() or any(
        _bus_stops_at(bus_stops or [], point.pk)
        for bus_stops in Bus.objects.filter(kind=BusKind.FEEDER).values_list("stops", flat=True)
    )
    changes = {"county": point.county_id, "name": point.name, "default": point.is_default}
    if used:
        point.is_active, point.is_default = False, False
        point.save(update_fields=["is_active", "is_default", "updated_at"])
        audit_record(actor=actor, action="pickup_point.deactivate", target=point, changes=changes)
        return "deactivated"
    audit_record(actor=actor, action="pickup_point.delete", target=point, changes=changes)
    point.delete()
    return "deleted"


# --- trips ------------------------------------------------------------------------------

_TRIP_FIELDS = (
    "mode",
    "service_number",
    "origin",
    "destination",
    "departure_at",
    "arrival_at",
    "cars",
    "seats_per_car",
    "car_seats",
    "first_car_no",
    "seat_letters",
    "operator",
    "escort_name",
    "escort_phone",
    "fare_per_seat",
    "fare_per_vehicle",
    "feeder_bus_fare",
    "arrival_bus_fare",
    "note",
)
# Changing these re-draws the cars, so they are refused once anyone holds a seat.
_LAYOUT_FIELDS = frozenset(
    {"mode", "cars", "seats_per_car", "car_seats", "first_car_no", "seat_letters"}
)


def _trip_values_clean(values: dict) -> dict:
    """Return the trip's values normalised, or raise ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    values = dict(values)
    values["service_number"] = (values.get("service_number") or "").strip().upper()
    if not values["service_number"]:
        errors["service_number"] = _("请填写车次/航班号。")
    if values.get("mode") not in TripMode.values:
        errors["mode"] = _("未知的运输方式。")
    origin, destination = values.get("origin"), values.get("destination")
    if origin is not None and destination is not None and origin.pk == destination.pk:
        errors["destination"] = _("到达站不能与出发站相同。")
    departure, arrival = values.get("departure_at"), values.get("arrival_at")
    if departure and arrival and arrival <= departure:
        errors["arrival_at"] = _("到达时间必须晚于出发时间。")
    cars = values.get("cars") or 0
    if not 1 <= cars <= 40:
        errors["cars"] = _("车厢/车辆数应在 1 到 40 之间。")
    seats = values.get("seats_per_car") or 0
    car_seats = [int(n) for n in (values.get("car_seats") or [])]
    values["car_seats"] = car_seats
    if car_seats:
        if len(car_seats) != cars:
            errors["car_seats"] = _("逐节座位数的个数应与车厢数相同。")
        elif min(car_seats) < 1 or max(car_seats) > 400:
            errors["car_seats"] = _("每节车厢座位数应在 1 到 400 之间。")
        else:
            values["seats_per_car"] = seats = max(car_seats)
    if not 1 <= seats <= 400:
        errors["seats_per_car"] = _("每节车厢座位数应在 1 到 400 之间。")
    letters = (values.get("seat_letters") or "").strip().upper()
    values["seat_letters"] = letters
    if letters and (not letters.isalpha() or len(set(letters)) != len(letters)):
        errors["seat_letters"] = _("座位字母应为不重复的英文字母，如 ABCDF。")
    if (values.get("first_car_no") or 0) < 1:
        errors["first_car_no"] = _("起始车厢号至少为 1。")
    phone = (values.get("escort_phone") or "").strip()
    if phone:
        try:
            values["escort_phone"] = validate_mobile(phone)
        except ValidationError as error:
            errors["escort_phone"] = error.messages[0]
    for name in ("fare_per_seat", "fare_per_vehicle"):
        fare = Decimal(str(values.get(name) or 0))
        values[name] = fare
        if fare < 0:
            errors[name] = _("票价不能为负数。")
    for name in ("feeder_bus_fare", "arrival_bus_fare"):
        fare = values.get(name)
        values[name] = None if fare is None or fare == "" else Decimal(str(fare))
        if values[name] is not None and not 0 <= values[name] < BUS_FARE_MAX:
            errors[name] = _("大巴费用应在 0 到 %(max)s 元之间。") % {"max": BUS_FARE_MAX}
    for name in ("operator", "escort_name", "note"):
        values[name] = (values.get(name) or "").strip()
    if errors:
        raise ValidationError(errors)
    return values


def _trip_cars_create(trip: Trip) -> None:
    TripCar.objects.bulk_create(
        [
            TripCar(trip=trip, car_no=trip.first_car_no + i, seats=trip.seats_in_car(i))
            for i in range(trip.cars)
        ]
    )


@transaction.atomic
def trip_create(
    *,
    actor: User | None,
    campaign: Campaign,
    mode: str,
    service_number: str,
    origin: Station,
    destination: Station,
    departure_at: dt.datetime,
    arrival_at: dt.datetime,
    cars: int,
    seats_per_car: int = 0,
    car_seats: Iterable[int] = (),
    first_car_no: int = 1,
    seat_letters: str = "",
    operator: str = "",
    escort_name: str = "",
    escort_phone: str = "",
    fare_per_seat: Decimal | float = 0,
    fare_per_vehicle: Decimal | float = 0,
    feeder_bus_fare: Decimal | float | None = None,
    arrival_bus_fare: Decimal | float | None = None,
    note: str = "",
) -> Trip:
    """Create a trip of ``campaign`` with its cars. ``actor=None`` is the system (demo data)."""
    if (
        actor is not None
        and not access.transport_campaigns_managed_by(actor).filter(pk=campaign.pk).exists()
    ):
        raise PermissionDenied(_("您无权为该招聘行动安排车次。"))
    values = _trip_values_clean(
        {
            "mode": mode,
            "service_number": service_number,
            "origin": origin,
            "destination": destination,
            "departure_at": departure_at,
            "arrival_at": arrival_at,
            "cars": cars,
            "seats_per_car": seats_per_car,
            "car_seats": list(car_seats),
            "first_car_no": first_car_no,
            "seat_letters": seat_letters,
            "operator": operator,
            "escort_name": escort_name,
            "escort_phone": escort_phone,
            "fare_per_seat": fare_per_seat,
            "fare_per_vehicle": fare_per_vehicle,
            "feeder_bus_fare": feeder_bus_fare,
            "arrival_bus_fare": arrival_bus_fare,
            "note": note,
        }
    )
    if Trip.objects.filter(
        campaign=campaign,
        service_number=values["service_number"],
        departure_at=values["departure_at"],
    ).exists():
        raise ValidationError({"service_number": _("该招聘行动已有同一时间的同名车次。")})
    trip = Trip.objects.create(
        campaign=campaign, created_by=actor if actor and actor.is_authenticated else None, **values
    )
    _trip_cars_create(trip)
    audit_record(
        actor=actor,
        action="trip.create",
        target=trip,
        changes={
            "campaign": campaign.code,
            "mode": trip.mode,
            "service_number": trip.service_number,
            "departure_at": trip.departure_at.isoformat(),
            "seats": trip.total_seats,
        },
    )
    return trip


@transaction.atomic
def trip_update(*, actor: User, trip: Trip, **values) -> Trip:
    """Change a trip. Its cars and seats cannot change once anyone holds a seat on it; new
    departure or arrival times move its feeder and arrival buses with them."""
    unknown = set(values) - set(_TRIP_FIELDS)
    if unknown:
        raise TypeError(f"trip_update() got unexpected fields {sorted(unknown)}")
    trip = access.trips_managed_by(actor).select_for_update().filter(pk=trip.pk).first()
    if trip is None:
        raise PermissionDenied(_("您无权修改该车次。"))
    merged = {name: getattr(trip, name) for name in _TRIP_FIELDS}
    merged.update(values)
    if "seats_per_car" in values and "car_seats" not in values:
        merged["car_seats"] = []  # a single seat count replaces the per-car list
    merged = _trip_values_clean(merged)
    changes = model_changes(trip, list(_TRIP_FIELDS), merged)
    if not changes:
        return trip
    if _LAYOUT_FIELDS & set(changes) and trip.seats.exists():
        raise ValidationError(
            _("该车次已安排座位，不能再修改方式、车厢和座位；请新建车次后重新规划。")
        )
    shifts = {
        BusKind.FEEDER: merged["departure_at"] - trip.departure_at,
        BusKind.ARRIVAL: merged["arrival_at"] - trip.arrival_at,
    }
    for name in changes:
        setattr(trip, name, merged[name])
    trip.save(update_fields=[*changes, "updated_at"])
    if _LAYOUT_FIELDS & set(changes):
        trip.car_rows.all().delete()
        _trip_cars_create(trip)
    audit_record(actor=actor, action="trip.update", target=trip, changes=changes)
    if any(shifts.values()):
        _trip_buses_retime(actor=actor, trip=trip, shifts=shifts)
    return trip


def _trip_buses_retime(*, actor: User, trip: Trip, shifts: dict[str, dt.timedelta]) -> list[int]:
    """Move the trip's buses with its new times: feeder buses by the change of departure (so
    they keep their buffer before it), arrival buses by the change of arrival (so they
    still leave the same time after it) — stops and riders' times with them."""
    buses = list(Bus.objects.select_for_update().filter(trip=trip).order_by("pk"))
    moved: dict[str, list[int]] = {BusKind.FEEDER: [], BusKind.ARRIVAL: []}
    now = timezone.now()
    for bus in buses:
        shift = shifts[bus.kind]
        if not shift:
            continue
        stops = [
            dict(s, time=(dt.datetime.fromisoformat(s["time"]) + shift).isoformat())
            if s.get("time")
            else s
            for s in bus.stops
        ]
        Bus.objects.filter(pk=bus.pk).update(
            departure_at=bus.departure_at + shift,
            arrival_at=bus.arrival_at + shift,
            stops=stops,
            updated_at=now,
        )
        BusRider.objects.filter(bus=bus, stop_time__isnull=False).update(
            stop_time=F("stop_time") + shift
        )
        moved[bus.kind].append(bus.pk)
    if moved[BusKind.FEEDER] or moved[BusKind.ARRIVAL]:
        audit_record(
            actor=actor,
            action="trip.buses_retime",
            target=trip,
            changes={
                "feeder_shift_minutes": shifts[BusKind.FEEDER].total_seconds() / 60,
                "arrival_shift_minutes": shifts[BusKind.ARRIVAL].total_seconds() / 60,
                "feeder_buses": moved[BusKind.FEEDER],
                "arrival_buses": moved[BusKind.ARRIVAL],
            },
        )
    return moved[BusKind.FEEDER] + moved[BusKind.ARRIVAL]


# --- plans ------------------------------------------------------------------------------


def plan_params_clean(*, seed: int, params: dict | None) -> dict:
    """Return the run's stored parameters: the planner knobs given plus the bus fares."""
    params = dict(params or {})
    unknown = set(params) - set(PLANNER_PARAMS) - set(BUS_FARE_DEFAULTS)
    if unknown:
        raise ValidationError(_("未知的参数：%(names)s") % {"names": ", ".join(sorted(unknown))})
    knobs = {k: v for k, v in params.items() if k in PLANNER_PARAMS}
    try:
        planner.Params(seed=seed, **knobs)
    except (planner.PlanInputError, TypeError) as error:
        raise ValidationError(_("参数无效：%(error)s") % {"error": error}) from None
    fares = {k: params.get(k, v) for k, v in BUS_FARE_DEFAULTS.items()}
    if any(
        isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < BUS_FARE_MAX
        for v in fares.values()
    ):
        raise ValidationError(
            _("大巴费用应在 0 到 %(max)s 元之间。") % {"max": BUS_FARE_MAX}, code="bad_fare"
        )
    return {**knobs, **fares}


@transaction.atomic
def plan_bus_fares_update(
    *, actor: User, plan: TransportPlan, feeder_bus_fare: float, arrival_bus_fare: float
) -> TransportPlan:
    """Set what one feeder and one arrival bus cost in the current plan's accounts (trips may
    set their own, see ``Trip.feeder_bus_fare``). Only the costs change, never the plan."""
    plan = access.transport_plans_visible_to(actor).select_for_update().filter(pk=plan.pk).first()
    if plan is None:
        raise PermissionDenied(_("您无权修改该运输方案。"))
    _require(plan.is_current, _("只能修改当前方案的大巴费用。"), "not_current")
    errors = {}
    fares = {}
    for name, value in (
        ("feeder_bus_fare", feeder_bus_fare),
        ("arrival_bus_fare", arrival_bus_fare),
    ):
        try:
            fare = float(value)
        except (TypeError, ValueError):
            fare = -1.0
        if not 0 <= fare < BUS_FARE_MAX:
            errors[name] = _("大巴费用应在 0 到 %(max)s 元之间。") % {"max": BUS_FARE_MAX}
        fares[name] = int(fare) if fare.is_integer() else round(fare, 2)
    if errors:
        raise ValidationError(errors)
    old = {k: plan.params.get(k, v) for k, v in BUS_FARE_DEFAULTS.items()}
    changes = {k: [old[k], fares[k]] for k in fares if old[k] != fares[k]}
    if not changes:
        return plan
    plan.params = {**plan.params, **fares}
    plan.save(update_fields=["params", "updated_at"])
    audit_record(actor=actor, action="transport_plan.bus_fares", target=plan, changes=changes)
    return plan


class PlanBusy(RunBusy):
    """The campaign's trips are already being planned."""

    def __init__(self, busy: TransportPlan | None) -> None:
        self.plan = busy
        super().__init__(
            _("该招聘行动的运输方案 v%(version)s 正在规划，请等待其完成。")
            % {"version": busy.version if busy else "?"}
        )


def _live_plan(campaign: Campaign) -> TransportPlan | None:
    return TransportPlan.objects.filter(
        campaign=campaign, run_status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()


@transaction.atomic
def plan_create(
    *, actor: User, campaign: Campaign, seed: int = 0, params: dict | None = None
) -> TransportPlan:
    """Queue a planning run for ``campaign``; the Celery task starts after commit."""
    if not access.transport_campaigns_managed_by(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("您无权为该招聘行动规划运输。"))
    _require(seed >= 0, _("随机种子不能为负数。"))
    stored = plan_params_clean(seed=seed, params=params)
    # Lock the campaign so two coordinators pressing "plan" get versions 1 and 2, not a clash.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    _require(
        Trip.objects.filter(campaign=campaign).exists(),
        _("请先为该招聘行动添加车次。"),
    )
    version = (
        TransportPlan.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    # The campaign lock above serialises creates; the partial unique index
    # (transport_plan_one_run_at_a_time) is the guard should any path skip it. A failed
    # publish (broker down) fails the plan with the reason and raises EnqueueFailed.
    plan = run_create(
        job=PLANS,
        live=lambda: _live_plan(campaign),
        busy=PlanBusy,
        create=lambda: TransportPlan.objects.create(
            campaign=campaign, version=version, seed=seed, params=stored, created_by=actor
        ),
    )
    audit_record(
        actor=actor,
        action="transport_plan.create",
        target=plan,
        changes={"version": version, "seed": seed, "params": stored},
    )
    return plan


@transaction.atomic
def plan_confirm(*, actor: User, plan: TransportPlan) -> TransportPlan:
    """Confirm the current plan: its seats become fixed (kept by every later re-plan)."""
    plan = access.transport_plans_visible_to(actor).select_for_update().filter(pk=plan.pk).first()
    if plan is None:
        raise PermissionDenied(_("您无权确认该运输方案。"))
    if plan.status == PlanStatus.CONFIRMED:
        return plan
    _require(
        plan.run_status == RunStatus.SUCCEEDED and plan.status == PlanStatus.DRAFT,
        _("只能确认已完成规划的当前方案。"),
        "illegal_transition",
    )
    now = timezone.now()
    confirmed = Seat.objects.filter(plan=plan, released_at=None, confirmed=False).update(
        confirmed=True, updated_at=now
    )
    plan.status = PlanStatus.CONFIRMED
    plan.confirmed_by = actor
    plan.confirmed_at = now
    plan.save(update_fields=["status", "confirmed_by", "confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action="transport_plan.confirm",
        target=plan,
        changes={"status": [PlanStatus.DRAFT, PlanStatus.CONFIRMED], "seats_confirmed": confirmed},
    )
    return plan


# --- seats: counters and locks ----------------------------------------------------------


def _cars_lock(car_ids: Iterable[int]) -> dict[int, TripCar]:
    """Lock the cars in pk order (the first step of every seat change)."""
    return {
        car.pk: car
        for car in TripCar.objects.select_for_update().filter(pk__in=set(car_ids)).order_by("pk")
    }


def _car_take(car_id: int) -> None:
    taken = TripCar.objects.filter(pk=car_id, occupied__lt=F("seats")).update(
        occupied=F("occupied") + 1
    )
    if not taken:
        raise CarFull(_("该车厢已满。"), code="car_full")


def _car_release(car_id: int) -> None:
    TripCar.objects.filter(pk=car_id, occupied__gt=0).update(occupied=F("occupied") - 1)


def _bus_take(bus_id: int) -> bool:
    return bool(
        Bus.objects.filter(pk=bus_id, occupied__lt=F("capacity")).update(
            occupied=F("occupied") + 1, updated_at=timezone.now()
        )
    )


def _bus_rides_drop(seat: Seat) -> None:
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
        index = _stop_index(bus.stops, *place) if place else None
        stops = _stops_count(bus.stops, index, -1) if index is not None else bus.stops
        Bus.objects.filter(pk=bus.pk, occupied__gt=0).update(
            occupied=F("occupied") - 1, stops=stops, updated_at=timezone.now()
        )
    BusRider.objects.filter(pk__in=[r.pk for r in rides]).delete()


def _seat_locked(seat_id: int) -> Seat:
    return (
        Seat.objects.select_for_update()
        .select_related("car", "trip", "plan", "worker", "match__vacancy__employer")
        .get(pk=seat_id)
    )


def _seat_is_free(car: TripCar, row: int, letter: str) -> bool:
    return not Seat.objects.filter(car=car, row=row, letter=letter, released_at=None).exists()


def _seat_must_exist(trip: Trip, car_no: int, row: int, letter: str) -> None:
    position = seat_position(trip_of(trip), planner.Seat(car_no, row, letter))
    _require(
        position is not None,
        _("%(trip)s 没有座位 %(car)02d车%(row)02d%(letter)s。")
        % {"trip": trip.service_number, "car": car_no, "row": row, "letter": letter},
        "no_such_seat",
    )


def _plan_adjustable(seat: Seat) -> None:
    _require(seat.released_at is None, _("该座位已释放，不能调整。"))
    _require(seat.checked_in_at is None, _("该劳动力已到岗签到，不能调整座位。"))
    _require(seat.plan.is_current, _("只能调整当前方案的座位。"))


@transaction.atomic
def seat_move(*, actor: User, seat: Seat, trip: Trip, car_no: int, row: int, letter: str) -> Seat:
    """Move a traveller to another seat — in the same car, another car or another trip of
    the campaign — if it exists and is free and its car has room."""
    if not access.seats_managed_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权调整该座位。"))
    if not access.trips_managed_by(actor).filter(pk=trip.pk).exists():
        raise PermissionDenied(_("您无权调整该车次。"))
    letter = letter.strip().upper()
    target = TripCar.objects.filter(trip=trip, car_no=car_no).first()
    _require(
        target is not None,
        _("%(trip)s 没有第 %(car)s 节车厢。") % {"trip": trip.service_number, "car": car_no},
        "no_such_car",
    )
    before = Seat.objects.values_list("car_id", flat=True).get(pk=seat.pk)
    cars = _cars_lock([before, target.pk])
    seat = _seat_locked(seat.pk)
    _require(seat.car_id == before, _("该座位刚被他人调整，请刷新后重试。"), "stale")
    _plan_adjustable(seat)
    _require(trip.campaign_id == seat.trip.campaign_id, _("只能调整到同一招聘行动的车次。"))
    _seat_must_exist(trip, car_no, row, letter)
    if (seat.car_id, seat.row, seat.letter) == (target.pk, row, letter):
        return seat
    if not _seat_is_free(cars[target.pk], row, letter):
        raise SeatTaken(_("座位已有人，请换一个座位或使用“交换座位”。"), code="seat_taken")
    if target.pk != seat.car_id:
        _car_take(target.pk)
        _car_release(seat.car_id)
    old_label, old_trip = seat.label, seat.trip
    seat.trip, seat.car, seat.row, seat.letter = trip, cars[target.pk], row, letter
    try:
        with transaction.atomic():
            seat.save(update_fields=["trip", "car", "row", "letter", "updated_at"])
    except IntegrityError:
        raise SeatTaken(_("座位已有人，或该劳动力在该车次已有座位。"), code="seat_taken") from None
    if old_trip.pk != trip.pk:
        # Lock every bus this move touches at once, in pk order, before changing any.
        touched = set(BusRider.objects.filter(seat=seat).values_list("bus_id", flat=True))
        touched |= set(Bus.objects.filter(plan=seat.plan, trip=trip).values_list("pk", flat=True))
        list(Bus.objects.select_for_update().filter(pk__in=touched).order_by("pk"))
        _bus_rides_drop(seat)
        _bus_rides_add(seat)
    audit_record(
        actor=actor,
        action="seat.move",
        target=seat,
        changes={
            "trip": [old_trip.service_number, trip.service_number],
            "seat": [old_label, seat.label],
            "worker": seat.worker_id,
        },
    )
    return seat


@transaction.atomic
def seats_swap(*, actor: User, seat_a: Seat, seat_b: Seat) -> tuple[Seat, Seat]:
    """Exchange the places of two travellers on the same trip."""
    managed = access.seats_managed_by(actor)
    if managed.filter(pk__in=[seat_a.pk, seat_b.pk]).count() != 2 or seat_a.pk == seat_b.pk:
        raise PermissionDenied(_("您无权调整这两个座位。"))
    before = dict(Seat.objects.filter(pk__in=[seat_a.pk, seat_b.pk]).values_list("pk", "car_id"))
    _cars_lock(before.values())
    locked = {s.pk: _seat_locked(s.pk) for s in sorted([seat_a, seat_b], key=lambda s: s.pk)}
    a, b = locked[seat_a.pk], locked[seat_b.pk]
    _require(
        a.car_id == before[a.pk] and b.car_id == before[b.pk],
        _("座位刚被他人调整，请刷新后重试。"),
        "stale",
    )
    for seat in (a, b):
        _plan_adjustable(seat)
    _require(a.trip_id == b.trip_id, _("只能交换同一车次的座位；换车次请用“调座”。"))
    labels = (a.label, b.label)
    place_a, place_b = (a.car_id, a.row, a.letter), (b.car_id, b.row, b.letter)
    now = timezone.now()
    # The unique index holds mid-swap too: seat a steps out of it (released) for a moment.
    Seat.objects.filter(pk=a.pk).update(released_at=now)
    Seat.objects.filter(pk=b.pk).update(
        car_id=place_a[0], row=place_a[1], letter=place_a[2], updated_at=now
    )
    Seat.objects.filter(pk=a.pk).update(
        car_id=place_b[0], row=place_b[1], letter=place_b[2], released_at=None, updated_at=now
    )
    a.refresh_from_db()
    b.refresh_from_db()
    for seat, old in ((a, labels[0]), (b, labels[1])):
        audit_record(
            actor=actor,
            action="seat.swap",
            target=seat,
            changes={"seat": [old, seat.label], "worker": seat.worker_id},
        )
    return a, b


def _bus_rides_add(seat: Seat) -> None:
    """Put a traveller who joins a trip by hand (moved there, or a no-show undone) on its
    feeder and arrival buses, with the times they board and get off.

    Feeder: a bus that already stops at their pickup point and has a free seat, else a new
    bus from that point, reaching the station the planner's buffer before departure.
    Arrival: a bus that already stops at their employer's gate, else one of the same
    district with room (their gate is added as its last stop), else a new bus leaving the
    planner's disembarking time after arrival. Drive times are estimated like the planner
    does (great-circle distance × road factor at the bus speed). Buses locked in pk order.
    """
    from transport.inputs import pickup_point_for

    worker, employer = seat.worker, seat.match.vacancy.employer
    points = list(
        PickupPoint.objects.filter(county_id=worker.home_county_id, is_active=True).order_by("pk")
    )
    point = pickup_point_for(worker, points)
    route = _RouteClock(seat.trip, planner_params(seat.plan))
    if point is not None:  # else nobody can collect them: the county has no pickup point
        _feeder_ride_add(seat, point, route)
    _arrival_ride_add(seat, employer, route)


class _RouteClock:
    """Times and distances of one trip's bus legs, estimated the way the planner does."""

    def __init__(self, trip: Trip, params: planner.Params) -> None:
        from transport.inputs import station_of

        self.trip, self.params = trip, params
        self.mode = planner.Mode(trip.mode)
        origin, destination = station_of(trip.origin), station_of(trip.destination)
        self.origin = (origin.lat, origin.lng)
        self.destination = (destination.lat, destination.lng)

    def drive(self, a: tuple[float, float], b: tuple[float, float], *, speed: float):
        """Return (km, whole minutes) by road from ``a`` to ``b``."""
        from transport.planner.geo import haversine_km

        km = float(haversine_km(a[0], a[1], b[0], b[1])) * self.params.road_factor
        return km, math.ceil(km / speed * 60.0 - 1e-9)

    @property
    def at_station(self) -> dt.datetime:
        """When feeder buses reach the departure station."""
        return timezone.localtime(self.trip.departure_at) - dt.timedelta(
            minutes=self.params.station_buffer(self.mode)
        )

    @property
    def leave_station(self) -> dt.datetime:
        """When arrival buses leave the arrival station."""
        return timezone.localtime(self.trip.arrival_at) + dt.timedelta(
            minutes=self.params.disembark(self.mode)
        )


def _stop_index(stops: list[dict], kind: str, place_id) -> int | None:
    return next(
        (i for i, s in enumerate(stops) if s.get("kind") == kind and s.get("id") == place_id),
        None,
    )


def _stops_count(stops: list[dict], index: int, change: int) -> list[dict]:
    """Return ``stops`` with the people of stop ``index`` and of the station changed."""
    stops = [dict(s) for s in stops]
    for i, stop in enumerate(stops):
        if i == index or stop.get("kind") == "station":
            stop["people"] = max(0, int(stop.get("people") or 0) + change)
    return stops


def _candidate_buses(seat: Seat, kind: str, key: str) -> list[Bus]:
    return list(
        Bus.objects.select_for_update()
        .filter(plan=seat.plan, trip=seat.trip, kind=kind, key=key)
        .order_by("pk")
    )


def _ride_create(seat: Seat, bus: Bus, index: int, **place) -> None:
    """Seat the traveller on ``bus`` at its stop ``index`` (already taken: see _bus_take)."""
    stops = _stops_count(bus.stops, index, +1)
    Bus.objects.filter(pk=bus.pk).update(stops=stops)
    BusRider.objects.create(
        bus=bus,
        seat=seat,
        kind=bus.kind,
        stop_time=dt.datetime.fromisoformat(stops[index]["time"]),
        **place,
    )


def _feeder_ride_add(seat: Seat, point: PickupPoint, route: _RouteClock) -> None:
    trip = seat.trip
    for bus in _candidate_buses(seat, BusKind.FEEDER, trip.origin.code):
        index = _stop_index(bus.stops, "pickup_point", point.pk)
        if index is not None and bus.stops[index].get("time") and _bus_take(bus.pk):
            _ride_create(seat, bus, index, pickup_point=point)
            return
    params = route.params
    km, minutes = route.drive(
        (point.latitude, point.longitude), route.origin, speed=params.feeder_speed_kmh
    )
    at_station = route.at_station
    pickup = at_station - dt.timedelta(minutes=minutes)
    bus = _bus_new(
        seat,
        kind=BusKind.FEEDER,
        key=trip.origin.code,
        capacity=params.feeder_bus_seats,
        departure=pickup,
        arrival=at_station,
        minutes=minutes,
        km=km,
        stops=[
            {"kind": "pickup_point", "id": point.pk, "name": point.name, "time": pickup},
            {
                "kind": "station",
                "id": trip.origin.code,
                "name": trip.origin.name_zh,
                "time": at_station,
            },
        ],
    )
    _ride_create(seat, bus, 0, pickup_point=point)


def _arrival_ride_add(seat: Seat, employer, route: _RouteClock) -> None:
    from transport.inputs import employer_of

    trip, params = seat.trip, route.params
    gate = employer_of(employer, {})
    buses = _candidate_buses(seat, BusKind.ARRIVAL, employer.district_id)
    for bus in buses:
        index = _stop_index(bus.stops, "employer", employer.pk)
        if index is not None and bus.stops[index].get("time") and _bus_take(bus.pk):
            _ride_create(seat, bus, index, employer=employer)
            return
    for bus in buses:
        # A bus of the district with room drives on to their gate after its last stop; a
        # company's own bus (专车) stays its own.
        if bus.dedicated_employer_id or not bus.stops or not _bus_take(bus.pk):
            continue
        last = bus.stops[-1]
        if last.get("kind") == "employer":
            here = employer_of(Employer.objects.select_related("district").get(pk=last["id"]), {})
            start = (here.lat, here.lng)
        else:
            start = route.destination
        km, minutes = route.drive(start, (gate.lat, gate.lng), speed=params.arrival_speed_kmh)
        minutes += params.dropoff_dwell_minutes if last.get("kind") == "employer" else 0
        when = dt.datetime.fromisoformat(last["time"]) + dt.timedelta(minutes=minutes)
        stops = [
            *bus.stops,
            {
                "kind": "employer",
                "id": employer.pk,
                "name": employer.name,
                "time": when.isoformat(),
                "people": 0,
            },
        ]
        Bus.objects.filter(pk=bus.pk).update(
            stops=stops,
            arrival_at=when,
            ride_minutes=F("ride_minutes") + minutes,
            distance_km=round(bus.distance_km + km, 1),
            adjusted=True,
        )
        bus.stops = stops
        _ride_create(seat, bus, len(stops) - 1, employer=employer)
        return
    depart = route.leave_station
    km, minutes = route.drive(
        route.destination, (gate.lat, gate.lng), speed=params.arrival_speed_kmh
    )
    at_gate = depart + dt.timedelta(minutes=minutes)
    bus = _bus_new(
        seat,
        kind=BusKind.ARRIVAL,
        key=employer.district_id,
        capacity=params.arrival_bus_seats,
        departure=depart,
        arrival=at_gate,
        minutes=minutes,
        km=km,
        stops=[
            {
                "kind": "station",
                "id": trip.destination.code,
                "name": trip.destination.name_zh,
                "time": depart,
            },
            {"kind": "employer", "id": employer.pk, "name": employer.name, "time": at_gate},
        ],
    )
    _ride_create(seat, bus, 1, employer=employer)


def _bus_new(
    seat: Seat,
    *,
    kind: str,
    key: str,
    capacity: int,
    departure: dt.datetime,
    arrival: dt.datetime,
    minutes: int,
    km: float,
    stops: list[dict],
) -> Bus:
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
        departure_at=departure,
        arrival_at=arrival,
        ride_minutes=minutes,
        distance_km=round(km, 1),
        stops=[dict(s, time=s["time"].isoformat(), people=0) for s in stops],
        adjusted=True,
    )


# --- buses: the vehicle and its driver --------------------------------------------------

# 甘J·12345, 鲁B12345, 鲁B·D12345 (new energy): a province character, the city letter, then
# five or six letters and digits. Written with or without the dot or spaces.
_PLATE = re.compile(r"^[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}$")
_BUS_VEHICLE_FIELDS = ("plate_number", "driver_name", "driver_phone")


def plate_number_normalize(value: str) -> str:
    """Return a licence plate as stored ("甘J12345"), or raise ValidationError."""
    plate = re.sub(r"[\s·•.\-]", "", value or "").upper()
    if plate and not _PLATE.match(plate):
        raise ValidationError(
            _("车牌号格式不正确，应如“甘J·12345”或“鲁B·D12345”。"), code="invalid_plate"
        )
    return plate


@transaction.atomic
def bus_update(*, actor: User, bus: Bus, **values) -> Bus:
    """Record the vehicle hired for a feeder or arrival bus: its licence plate, the driver's
    name and mobile. Only the fields given change; an empty value clears one."""
    unknown = set(values) - set(_BUS_VEHICLE_FIELDS)
    if unknown:
        raise TypeError(f"bus_update() got unexpected fields {sorted(unknown)}")
    bus = (
        access.buses_visible_to(actor)
        .select_for_update()
        .select_related("plan", "trip")
        .filter(pk=bus.pk)
        .first()
    )
    if bus is None:
        raise PermissionDenied(_("您无权修改该大巴。"))
    _require(bus.plan.is_current, _("只能修改当前方案的大巴。"), "not_current")
    errors: dict[str, str] = {}
    merged = {name: getattr(bus, name) for name in _BUS_VEHICLE_FIELDS}
    merged.update({k: (v or "").strip() for k, v in values.items()})
    try:
        merged["plate_number"] = plate_number_normalize(merged["plate_number"])
    except ValidationError as error:
        errors["plate_number"] = error.messages[0]
    if len(merged["driver_name"]) > 50:
        errors["driver_name"] = _("司机姓名不能超过 50 个字。")
    if merged["driver_phone"]:
        try:
            merged["driver_phone"] = validate_mobile(merged["driver_phone"])
        except ValidationError as error:
            errors["driver_phone"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    changes = model_changes(bus, list(_BUS_VEHICLE_FIELDS), merged)
    if not changes:
        return bus
    for name in changes:
        setattr(bus, name, merged[name])
    bus.save(update_fields=[*changes, "updated_at"])
    audit_record(
        actor=actor,
        action="bus.update",
        target=bus,
        changes={**changes, "trip": bus.trip.service_number, "kind": bus.kind},
    )
    return bus


# --- boarding and arrival ---------------------------------------------------------------


@transaction.atomic
def seat_roll_call(*, actor: User, seat: Seat, present: bool) -> Seat:
    """Record at boarding whether the traveller is there. A no-show's seat is released and
    a notification goes to both their county official and the employer's HR."""
    if not access.seats_managed_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权为该车次点名。"))
    car_id = Seat.objects.values_list("car_id", flat=True).get(pk=seat.pk)
    _cars_lock([car_id])
    seat = _seat_locked(seat.pk)
    if seat.released_at is not None:
        if seat.boarding == BoardingStatus.NO_SHOW and not present:
            return seat
        raise ValidationError(
            _(
                "该座位已释放（点名未到）。如系误记，请点“撤销未到”；"
                "如本人后来赶到，请重新规划或调座安排。"
            ),
            code="released",
        )
    _require(seat.confirmed, _("运输方案确认后才能点名。"), "not_confirmed")
    status = BoardingStatus.PRESENT if present else BoardingStatus.NO_SHOW
    if seat.boarding == status:
        return seat
    old = seat.boarding
    now = timezone.now()
    seat.boarding, seat.boarding_marked_at, seat.boarding_marked_by = status, now, actor
    fields = ["boarding", "boarding_marked_at", "boarding_marked_by", "updated_at"]
    if not present:
        seat.released_at, seat.release_reason = now, ReleaseReason.NO_SHOW
        fields += ["released_at", "release_reason"]
    seat.save(update_fields=fields)
    if not present:
        _car_release(seat.car_id)
        _bus_rides_drop(seat)
        _no_show_notify(actor=actor, seat=seat)
    audit_record(
        actor=actor,
        action="seat.board" if present else "seat.no_show",
        target=seat,
        changes={"boarding": [old, status], "seat": seat.label, "worker": seat.worker_id},
    )
    return seat


@transaction.atomic
def seat_no_show_undo(*, actor: User, seat: Seat) -> Seat:
    """Take back a no-show recorded by mistake at the roll call: the traveller gets their
    seat back — only if nobody has taken it since and they hold no other seat — goes back
    on their buses and is "not yet called"; the county official and HR are told that the
    no-show notice was a mistake."""
    from matching.models import MatchStatus

    if not access.seats_managed_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权为该车次点名。"))
    car_id = Seat.objects.values_list("car_id", flat=True).get(pk=seat.pk)
    _cars_lock([car_id])
    seat = _seat_locked(seat.pk)
    if seat.released_at is None and seat.boarding != BoardingStatus.NO_SHOW:
        return seat  # already undone (a second tap)
    _require(
        seat.boarding == BoardingStatus.NO_SHOW and seat.release_reason == ReleaseReason.NO_SHOW,
        _("该座位不是因点名未到而释放的，无法撤销。"),
        "not_no_show",
    )
    name = seat.worker.name
    _require(
        seat.match.status in (MatchStatus.CONFIRMED, MatchStatus.HIRED),
        _("%(name)s 的匹配已结束，不能恢复座位。") % {"name": name},
        "match_ended",
    )
    elsewhere = (
        Seat.objects.filter(
            worker=seat.worker, released_at=None, trip__campaign_id=seat.trip.campaign_id
        )
        .select_related("trip", "car")
        .first()
    )
    if elsewhere is not None:
        raise ValidationError(
            _("%(name)s 已另有座位（%(trip)s %(seat)s），不能恢复原座位。")
            % {"name": name, "trip": elsewhere.trip.service_number, "seat": elsewhere.label},
            code="has_seat",
        )
    holder = (
        Seat.objects.filter(car=seat.car, row=seat.row, letter=seat.letter, released_at=None)
        .select_related("worker")
        .first()
    )
    if holder is not None:
        raise SeatTaken(
            _(
                "原座位 %(seat)s 已安排给 %(other)s，无法撤销“未到”。"
                "如 %(name)s 确已上车，请为其调座或重新规划。"
            )
            % {"seat": seat.label, "other": holder.worker.name, "name": name},
            code="seat_taken",
        )
    try:
        _car_take(seat.car_id)
    except CarFull:
        raise CarFull(
            _("原座位所在车厢已满，无法撤销“未到”；请为 %(name)s 调座或重新规划。")
            % {"name": name},
            code="car_full",
        ) from None
    from transport.selectors import plan_current

    # A re-plan since the roll call moved the trip's held seats to the new current plan.
    current = plan_current(seat.trip.campaign)
    if current is not None and current.pk != seat.plan_id:
        seat.plan = current
    seat.released_at, seat.release_reason = None, ""
    seat.boarding, seat.boarding_marked_at, seat.boarding_marked_by = (
        BoardingStatus.PENDING,
        timezone.now(),
        actor,
    )
    try:
        with transaction.atomic():
            seat.save(
                update_fields=[
                    "plan",
                    "released_at",
                    "release_reason",
                    "boarding",
                    "boarding_marked_at",
                    "boarding_marked_by",
                    "updated_at",
                ]
            )
    except IntegrityError:
        raise SeatTaken(
            _("原座位已有人，或 %(name)s 在该车次已有座位，无法撤销“未到”。") % {"name": name},
            code="seat_taken",
        ) from None
    list(Bus.objects.select_for_update().filter(trip=seat.trip).order_by("pk"))
    _bus_rides_add(seat)
    _no_show_undo_notify(actor=actor, seat=seat)
    audit_record(
        actor=actor,
        action="seat.no_show_undo",
        target=seat,
        changes={
            "boarding": [BoardingStatus.NO_SHOW, BoardingStatus.PENDING],
            "seat": seat.label,
            "worker": seat.worker_id,
        },
    )
    return seat


def _no_show_undo_notify(*, actor: User, seat: Seat) -> Message:
    return _no_show_message(actor=actor, seat=seat, key=messages.NO_SHOW_UNDO)


def _no_show_notify(*, actor: User, seat: Seat) -> Message:
    return _no_show_message(actor=actor, seat=seat, key=messages.NO_SHOW)


def _no_show_message(*, actor: User, seat: Seat, key: str) -> Message:
    """Tell the worker's county officials, the employer's HR and the pairing's coordinators
    (in this transaction) about a no-show or its correction; see ``transport.messages``."""
    worker, trip = seat.worker, seat.trip
    employer = seat.match.vacancy.employer
    return notify(
        key=key,
        params={
            "name": worker.name,
            "id": worker.id_number_masked,
            "trip": trip.service_number,
            "departure_at": trip.departure_at.isoformat(),
            "car": seat.car.car_no,
            "row": seat.row,
            "letter": seat.letter,
            "employer": employer.name,
            "worker_id": worker.pk,
            "trip_id": trip.pk,
            "seat_id": seat.pk,
            "match_id": seat.match_id,
            "employer_id": employer.pk,
        },
        audiences=[
            Audience.county(worker.home_county_id),
            Audience.employer(employer.pk),
            Audience.pairing(trip.campaign.pairing_id),
        ],
        cause=seat,
        actor=actor,
    )


@transaction.atomic
def seat_check_in(*, actor: User, seat: Seat, confirm_not_roll_called: bool = False) -> Seat:
    """Confirm at the factory gate that the traveller has arrived: the match becomes hired
    and the worker employed (``matching.services.match_mark_hired``).

    Someone nobody roll-called on the trip may not be who the seat was for: HR must say
    they checked (``confirm_not_roll_called``), and the audit row records that the check-in
    happened without a roll call.

    Opening the worker's employment record belongs to the placement / follow-up issue of
    ``workers``; when it lands, it is called here, in this transaction.
    """
    if not access.seats_checkable_in_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权为该劳动力办理到岗签到。"))
    seat = _seat_locked(seat.pk)
    if seat.checked_in_at is not None:
        return seat
    _require(
        seat.released_at is None,
        _("该座位已释放（点名未到），不能签到；如本人已到岗，请联系协作专员。"),
        "released",
    )
    _require(seat.confirmed, _("运输方案确认后才能签到。"), "not_confirmed")
    not_roll_called = seat.boarding == BoardingStatus.PENDING
    _require(
        not not_roll_called or confirm_not_roll_called,
        _(
            "%(name)s 在行程中没有上车点名记录。请核对本人身份证件后勾选"
            "“未经点名，已核实本人”再确认到岗；系统会记录这次未经点名的签到。"
        )
        % {"name": seat.worker.name},
        "not_roll_called",
    )
    match_mark_hired(actor=actor, match=seat.match)
    seat.checked_in_at, seat.checked_in_by = timezone.now(), actor
    fields = ["checked_in_at", "checked_in_by", "updated_at"]
    changes = {"worker": seat.worker_id, "match": seat.match_id, "trip": seat.trip_id}
    if not_roll_called:
        seat.boarding = BoardingStatus.PRESENT  # they evidently travelled
        fields.append("boarding")
        changes["boarding"] = [BoardingStatus.PENDING, BoardingStatus.PRESENT]
        changes["not_roll_called"] = True
    seat.save(update_fields=fields)
    audit_record(actor=actor, action="seat.check_in", target=seat, changes=changes)
    return seat


# --- the carrier's real-name check ------------------------------------------------------


@transaction.atomic
def trip_carrier_export(*, actor: User, trip: Trip, reason: str) -> bytes:
    """Return the workbook with full ID numbers the carrier needs for its real-name check,
    and record who exported it, when and why (``trip.carrier_export``)."""
    from transport import manifests

    trip = access.trips_managed_by(actor).filter(pk=trip.pk).first()
    if trip is None:
        raise PermissionDenied(_("您无权导出该车次的实名信息。"))
    reason = reason.strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请说明导出完整身份证号的原因。")})
    export = manifests.carrier_export_build(trip)
    audit_record(
        actor=actor,
        action="trip.carrier_export",
        target=trip,
        changes={
            "seats": export.rows,
            "id_numbers": export.revealed,
            "withheld_no_consent": export.withheld,
            "workers": export.worker_ids,
        },
        reason=reason,
    )
    return export.content


def seat_worker_phone_for_call(*, actor: User, seat: Seat) -> str:
    """Return the traveller's full phone for the escort to call from the roll call; audited.

    The roll call shows the masked number; tapping it calls through here, so every full
    number an escort dials is recorded with who, whom and on which trip.
    """
    if not access.seats_managed_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权为该车次点名。"))
    worker = seat.worker
    audit_record(
        actor=actor,
        action="worker.phone_call",
        target=worker,
        reason=_("上车点名：%(trip)s %(seat)s")
        % {"trip": seat.trip.service_number, "seat": seat.label},
    )
    return worker.reveal_phone()
