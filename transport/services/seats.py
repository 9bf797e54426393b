"""The coordinator's seat adjustments: move a traveller, swap two seats."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import User
from laborbridge.services import audit_record
from transport import changes, planner
from transport.inputs import trip_of
from transport.models import Bus, BusRider, Seat, Trip, TripCar
from transport.planner.domain import seat_position
from transport.services.bus_rides import bus_rides_add, bus_rides_drop
from transport.services.capacity import car_release, car_take, cars_lock, seat_locked
from transport.services.errors import SeatTaken, require


def _seat_is_free(car: TripCar, row: int, letter: str) -> bool:
    return not Seat.objects.filter(car=car, row=row, letter=letter, released_at=None).exists()


def _seat_must_exist(trip: Trip, car_no: int, row: int, letter: str) -> None:
    position = seat_position(trip_of(trip), planner.Seat(car_no, row, letter))
    require(
        position is not None,
        _("%(trip)s 没有座位 %(car)02d车%(row)02d%(letter)s。")
        % {"trip": trip.service_number, "car": car_no, "row": row, "letter": letter},
        "no_such_seat",
    )


def _plan_adjustable(seat: Seat) -> None:
    require(seat.released_at is None, _("该座位已释放，不能调整。"))
    require(seat.checked_in_at is None, _("该劳动力已到岗签到，不能调整座位。"))
    require(seat.plan.is_current, _("只能调整当前方案的座位。"))


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
    require(
        target is not None,
        _("%(trip)s 没有第 %(car)s 节车厢。") % {"trip": trip.service_number, "car": car_no},
        "no_such_car",
    )
    before = Seat.objects.values_list("car_id", flat=True).get(pk=seat.pk)
    cars = cars_lock([before, target.pk])
    seat = seat_locked(seat.pk)
    require(seat.car_id == before, _("该座位刚被他人调整，请刷新后重试。"), "stale")
    _plan_adjustable(seat)
    require(trip.campaign_id == seat.trip.campaign_id, _("只能调整到同一招聘行动的车次。"))
    _seat_must_exist(trip, car_no, row, letter)
    if (seat.car_id, seat.row, seat.letter) == (target.pk, row, letter):
        return seat
    if not _seat_is_free(cars[target.pk], row, letter):
        raise SeatTaken(_("座位已有人，请换一个座位或使用“交换座位”。"), code="seat_taken")
    if target.pk != seat.car_id:
        car_take(target.pk)
        car_release(seat.car_id)
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
        bus_rides_drop(seat)
        bus_rides_add(seat)
    changes.travellers_moved_send(actor=actor, seat_ids=[seat.pk], cause=changes.MOVE)
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
    cars_lock(before.values())
    locked = {s.pk: seat_locked(s.pk) for s in sorted([seat_a, seat_b], key=lambda s: s.pk)}
    a, b = locked[seat_a.pk], locked[seat_b.pk]
    require(
        a.car_id == before[a.pk] and b.car_id == before[b.pk],
        _("座位刚被他人调整，请刷新后重试。"),
        "stale",
    )
    for seat in (a, b):
        _plan_adjustable(seat)
    require(a.trip_id == b.trip_id, _("只能交换同一车次的座位；换车次请用“调座”。"))
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
    changes.travellers_moved_send(actor=actor, seat_ids=[a.pk, b.pk], cause=changes.SWAP)
    return a, b
