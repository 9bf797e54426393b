"""Writes of trips: create and edit a trip and its cars; new times move its buses."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.identifiers import validate_mobile
from laborbridge.models import Campaign, Station, User
from laborbridge.services import audit_record, model_changes
from transport.changes import RETIME, travellers_moved_send
from transport.models import Bus, BusKind, BusRider, Trip, TripCar, TripDirection, TripMode
from transport.plan_params import BUS_FARE_MAX

_TRIP_FIELDS = (
    "mode",
    "direction",
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
# Changing these changes what a traveller was told (outreach texts them a change notice).
_TRAVELLER_FIELDS = frozenset({"service_number", "origin", "departure_at"})
# Changing these re-draws the cars, so they are refused once anyone holds a seat.
_LAYOUT_FIELDS = frozenset(
    {"mode", "direction", "cars", "seats_per_car", "car_seats", "first_car_no", "seat_letters"}
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
    values["direction"] = values.get("direction") or TripDirection.OUTBOUND
    if values["direction"] not in TripDirection.values:
        errors["direction"] = _("未知的车次方向。")
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
    direction: str = TripDirection.OUTBOUND,
) -> Trip:
    """Create a trip of ``campaign`` with its cars. ``actor=None`` is the system (demo data).
    ``direction``: outbound (default), return_home (返乡) or back_to_work (返岗), see
    ``transport.inputs`` for who travels on each."""
    if (
        actor is not None
        and not access.transport_campaigns_managed_by(actor).filter(pk=campaign.pk).exists()
    ):
        raise PermissionDenied(_("您无权为该招聘行动安排车次。"))
    values = _trip_values_clean(
        {
            "mode": mode,
            "direction": direction,
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
    if _TRAVELLER_FIELDS & set(changes):
        travellers_moved_send(
            actor=actor,
            seat_ids=trip.seats.filter(released_at=None).values_list("pk", flat=True),
            cause=RETIME,
        )
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
