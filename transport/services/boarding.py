"""Boarding and arrival: the roll call (no-shows, their correction, the escort's call to a
traveller) and the gate check-in.

A no-show and its correction are written to the notification outbox in the same transaction
(``transport.messages`` registers their keys).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laborbridge import access
from laborbridge.models import Message, User
from laborbridge.notifications.services import Audience, notify
from laborbridge.services import audit_record
from matching.models import MatchStatus
from matching.services import match_mark_hired
from transport import messages
from transport.models import BoardingStatus, Bus, ReleaseReason, Seat, TripDirection
from transport.returns import return_trip_boarded, trip_day
from transport.selectors import plan_current
from transport.services.bus_rides import bus_rides_add, bus_rides_drop
from transport.services.capacity import car_release, car_take, cars_lock, seat_locked
from transport.services.errors import CarFull, SeatTaken, require


@transaction.atomic
def seat_roll_call(*, actor: User, seat: Seat, present: bool) -> Seat:
    """Record at boarding whether the traveller is there. A no-show's seat is released and
    a notification goes to both their county official and the employer's HR. Present on a
    返乡 / 返岗 trip: ``transport.returns.return_trip_boarded`` is sent (the history's 返乡 /
    再次外出, dated by the seat's own trip)."""
    if not access.seats_managed_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权为该车次点名。"))
    car_id = Seat.objects.values_list("car_id", flat=True).get(pk=seat.pk)
    cars_lock([car_id])
    seat = seat_locked(seat.pk)
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
    require(seat.confirmed, _("运输方案确认后才能点名。"), "not_confirmed")
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
        car_release(seat.car_id)
        bus_rides_drop(seat)
        _no_show_notify(actor=actor, seat=seat)
    audit_record(
        actor=actor,
        action="seat.board" if present else "seat.no_show",
        target=seat,
        changes={"boarding": [old, status], "seat": seat.label, "worker": seat.worker_id},
    )
    if present and seat.trip.direction != TripDirection.OUTBOUND:
        # On board the trip home (返乡) or back out (返岗): the history records it, dated by
        # this traveller's own trip (placement receives the signal, same transaction).
        return_trip_boarded.send(
            sender=Seat,
            actor=actor,
            seat=seat,
            direction=seat.trip.direction,
            occurred_on=trip_day(seat.trip),
        )
    return seat


@transaction.atomic
def seat_no_show_undo(*, actor: User, seat: Seat) -> Seat:
    """Take back a no-show recorded by mistake at the roll call: the traveller gets their
    seat back — only if nobody has taken it since and they hold no other seat — goes back
    on their buses and is "not yet called"; the county official and HR are told that the
    no-show notice was a mistake."""
    if not access.seats_managed_by(actor).filter(pk=seat.pk).exists():
        raise PermissionDenied(_("您无权为该车次点名。"))
    car_id = Seat.objects.values_list("car_id", flat=True).get(pk=seat.pk)
    cars_lock([car_id])
    seat = seat_locked(seat.pk)
    if seat.released_at is None and seat.boarding != BoardingStatus.NO_SHOW:
        return seat  # already undone (a second tap)
    require(
        seat.boarding == BoardingStatus.NO_SHOW and seat.release_reason == ReleaseReason.NO_SHOW,
        _("该座位不是因点名未到而释放的，无法撤销。"),
        "not_no_show",
    )
    name = seat.worker.name
    require(
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
        car_take(seat.car_id)
    except CarFull:
        raise CarFull(
            _("原座位所在车厢已满，无法撤销“未到”；请为 %(name)s 调座或重新规划。")
            % {"name": name},
            code="car_full",
        ) from None
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
    bus_rides_add(seat)
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
    seat = seat_locked(seat.pk)
    if seat.checked_in_at is not None:
        return seat
    require(
        seat.released_at is None,
        _("该座位已释放（点名未到），不能签到；如本人已到岗，请联系协作专员。"),
        "released",
    )
    require(seat.confirmed, _("运输方案确认后才能签到。"), "not_confirmed")
    not_roll_called = seat.boarding == BoardingStatus.PENDING
    require(
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
