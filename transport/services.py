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
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.identifiers import validate_mobile
from laborbridge.models import Campaign, Region, Station, User
from laborbridge.services import audit_record, model_changes
from laborbridge.tasking import enqueue_on_commit
from matching.services import match_mark_hired
from transport import planner
from transport.inputs import trip_of
from transport.models import (
    BoardingStatus,
    Bus,
    BusKind,
    BusRider,
    Notification,
    NotificationKind,
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
from transport.planner.domain import seat_position

# Cost of a chartered feeder / arrival bus for one run, in yuan, when a plan does not say.
BUS_FARE_DEFAULTS = {"feeder_bus_fare": 1500, "arrival_bus_fare": 800}
# The planner parameters a coordinator may set for a run (the rest keep their defaults).
PLANNER_PARAMS = (
    "max_wait_days",
    "station_buffer_minutes",
    "airport_buffer_minutes",
    "feeder_bus_seats",
    "arrival_bus_seats",
    "feeder_max_ride_minutes",
    "arrival_max_ride_minutes",
    "min_fill_special_train",
    "min_fill_reserved_carriage",
    "min_fill_chartered_bus",
    "min_fill_charter_flight",
    "own_bus_min_fill",
)


class CarFull(ValidationError):
    """Raised when the last seat of a car or bus was taken by someone else."""


class SeatTaken(ValidationError):
    """Raised when the chosen seat is held by another traveller."""


def _require(condition: bool, message: str, code: str = "invalid") -> None:
    if not condition:
        raise ValidationError(message, code=code)


# --- pickup points ----------------------------------------------------------------------


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
    if actor is not None and not (
        access.has_role(actor, "admin")
        or (
            access.has_role(actor, "coordinator")
            and any(county.code.startswith(p) for p in access.west_prefixes_of(actor))
        )
    ):
        raise PermissionDenied(_("您无权为该县设置集合点。"))
    _require(county.level == Region.Level.COUNTY, _("集合点必须属于一个县级行政区。"))
    _require(
        township is None or township.parent_id == county.code,
        _("乡镇不属于所选县区。"),
    )
    _require(bool(name.strip()), _("请填写集合点名称。"))
    _require(-90 <= latitude <= 90 and -180 <= longitude <= 180, _("经纬度超出范围。"))
    if is_default:
        PickupPoint.objects.filter(county=county, is_default=True).update(is_default=False)
    point = PickupPoint.objects.create(
        county=county,
        township=township,
        name=name.strip(),
        address=address.strip(),
        latitude=latitude,
        longitude=longitude,
        is_default=is_default,
    )
    audit_record(
        actor=actor,
        action="pickup_point.create",
        target=point,
        changes={"county": county.code, "name": point.name, "default": is_default},
    )
    return point


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
    """Change a trip. Its cars and seats cannot change once anyone holds a seat on it."""
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
    for name in changes:
        setattr(trip, name, merged[name])
    trip.save(update_fields=[*changes, "updated_at"])
    if _LAYOUT_FIELDS & set(changes):
        trip.car_rows.all().delete()
        _trip_cars_create(trip)
    audit_record(actor=actor, action="trip.update", target=trip, changes=changes)
    return trip


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
    if any(not isinstance(v, int | float) or v < 0 for v in fares.values()):
        raise ValidationError(_("大巴费用不能为负数。"))
    return {**knobs, **fares}


def planner_params(plan: TransportPlan) -> planner.Params:
    knobs = {k: v for k, v in plan.params.items() if k in PLANNER_PARAMS}
    return planner.Params(seed=plan.seed, **knobs)


@transaction.atomic
def plan_create(
    *, actor: User, campaign: Campaign, seed: int = 0, params: dict | None = None
) -> TransportPlan:
    """Queue a planning run for ``campaign``; the Celery task starts after commit."""
    from transport.tasks import transport_plan_run  # the task module imports this one

    if not access.transport_campaigns_managed_by(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("您无权为该招聘行动规划运输。"))
    _require(seed >= 0, _("随机种子不能为负数。"))
    stored = plan_params_clean(seed=seed, params=params)
    # Lock the campaign so two coordinators pressing "plan" get versions 1 and 2, not a clash.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    busy = TransportPlan.objects.filter(
        campaign=campaign, run_status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).first()
    if busy is not None:
        raise ValidationError(
            _("该招聘行动的运输方案 v%(version)s 正在规划，请等待其完成。")
            % {"version": busy.version}
        )
    _require(
        Trip.objects.filter(campaign=campaign).exists(),
        _("请先为该招聘行动添加车次。"),
    )
    version = (
        TransportPlan.objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    plan = TransportPlan.objects.create(
        campaign=campaign, version=version, seed=seed, params=stored, created_by=actor
    )
    audit_record(
        actor=actor,
        action="transport_plan.create",
        target=plan,
        changes={"version": version, "seed": seed, "params": stored},
    )
    enqueue_on_commit(transport_plan_run, plan.pk)
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
    for bus in buses:
        Bus.objects.filter(pk=bus.pk, occupied__gt=0).update(
            occupied=F("occupied") - 1, updated_at=timezone.now()
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
    """Put a traveller moved to another trip on that trip's feeder and arrival buses: a bus
    of the same group with a free seat, else a new bus (marked as adjusted by hand)."""
    from transport.inputs import pickup_point_for

    trip, plan = seat.trip, seat.plan
    worker, employer = seat.worker, seat.match.vacancy.employer
    points = list(PickupPoint.objects.filter(county_id=worker.home_county_id).order_by("pk"))
    point = pickup_point_for(worker, points)
    params = planner_params(plan)
    for kind, key in ((BusKind.FEEDER, trip.origin.code), (BusKind.ARRIVAL, employer.district_id)):
        place_id = point.pk if kind == BusKind.FEEDER and point else employer.pk
        place_kind = "pickup_point" if kind == BusKind.FEEDER else "employer"
        if kind == BusKind.FEEDER and point is None:
            continue  # no pickup point in the county: nobody to collect them from
        candidates = list(
            Bus.objects.select_for_update()
            .filter(plan=plan, trip=trip, kind=kind, key=key)
            .order_by("pk")
        )
        bus = next((b for b in candidates if _bus_take(b.pk)), None)
        if bus is None:
            bus = _bus_new(plan, trip, kind, key, params, employer)
            _bus_take(bus.pk)
        stop = next(
            (s for s in bus.stops if s.get("kind") == place_kind and s.get("id") == place_id), None
        )
        if stop is None:
            name = point.name if kind == BusKind.FEEDER else employer.name
            stops = list(bus.stops)
            stops.insert(
                -1 if kind == BusKind.FEEDER else len(stops),
                {"kind": place_kind, "id": place_id, "name": name, "time": None},
            )
            Bus.objects.filter(pk=bus.pk).update(stops=stops, adjusted=True)
        BusRider.objects.create(
            bus=bus,
            seat=seat,
            kind=kind,
            pickup_point=point if kind == BusKind.FEEDER else None,
            employer=employer if kind == BusKind.ARRIVAL else None,
            stop_time=dt.datetime.fromisoformat(stop["time"])
            if stop and stop.get("time")
            else None,
        )


def _bus_new(
    plan: TransportPlan, trip: Trip, kind: str, key: str, params: planner.Params, employer
) -> Bus:
    index = (
        Bus.objects.filter(plan=plan, trip=trip, kind=kind, key=key).aggregate(
            n=Max("vehicle_index")
        )["n"]
        or 0
    ) + 1
    mode = planner.Mode(trip.mode)
    if kind == BusKind.FEEDER:
        arrival = timezone.localtime(trip.departure_at) - dt.timedelta(
            minutes=params.station_buffer(mode)
        )
        departure = arrival - dt.timedelta(hours=1)
        capacity = params.feeder_bus_seats
        station = {
            "kind": "station",
            "id": trip.origin.code,
            "name": trip.origin.name_zh,
            "time": arrival.isoformat(),
        }
        stops = [station]
    else:
        departure = timezone.localtime(trip.arrival_at) + dt.timedelta(
            minutes=params.disembark(mode)
        )
        arrival = departure + dt.timedelta(hours=1)
        capacity = params.arrival_bus_seats
        stops = [
            {
                "kind": "station",
                "id": trip.destination.code,
                "name": trip.destination.name_zh,
                "time": departure.isoformat(),
            }
        ]
    return Bus.objects.create(
        plan=plan,
        trip=trip,
        kind=kind,
        key=key,
        district_id=key if kind == BusKind.ARRIVAL else None,
        vehicle_index=index,
        capacity=capacity,
        departure_at=departure,
        arrival_at=arrival,
        stops=stops,
        adjusted=True,
    )


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
            _("该座位已释放（点名未到）。如本人已赶到，请重新规划或调座安排。"), code="released"
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


def _no_show_notify(*, actor: User, seat: Seat) -> Notification:
    worker, trip = seat.worker, seat.trip
    employer = seat.match.vacancy.employer
    departure = timezone.localtime(trip.departure_at)
    return Notification.objects.create(
        kind=NotificationKind.NO_SHOW,
        title=_("%(name)s 未按时上车（%(trip)s %(date)s）")
        % {"name": worker.name, "trip": trip.service_number, "date": f"{departure:%m-%d %H:%M}"},
        body=_(
            "%(name)s（%(id)s）在 %(trip)s 上车点名时未到，原座位 %(seat)s 已释放。"
            "请县人社局尽快联系本人；%(employer)s 请相应调整到岗安排。"
        )
        % {
            "name": worker.name,
            "id": worker.id_number_masked,
            "trip": trip.service_number,
            "seat": seat.label,
            "employer": employer.name,
        },
        county_id=worker.home_county_id,
        employer=employer,
        worker=worker,
        match=seat.match,
        trip=trip,
        seat=seat,
        created_by=actor,
    )


@transaction.atomic
def seat_check_in(*, actor: User, seat: Seat) -> Seat:
    """Confirm at the factory gate that the traveller has arrived: the match becomes hired
    and the worker employed (``matching.services.match_mark_hired``).

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
    match_mark_hired(actor=actor, match=seat.match)
    seat.checked_in_at, seat.checked_in_by = timezone.now(), actor
    fields = ["checked_in_at", "checked_in_by", "updated_at"]
    if seat.boarding == BoardingStatus.PENDING:
        seat.boarding = BoardingStatus.PRESENT  # they evidently travelled
        fields.append("boarding")
    seat.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="seat.check_in",
        target=seat,
        changes={"worker": seat.worker_id, "match": seat.match_id, "trip": seat.trip_id},
    )
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
