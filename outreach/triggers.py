"""What is sent on its own: texts queued when the floors below change their records.

Outreach is the top floor; the services below (transport, matching, placement, cases) must
not know it exists. So outreach listens to their models' ``post_save`` — every such write is
a service's ``save(update_fields=[…])``, which names what changed — and queues its texts in
the same transaction (they exist exactly when their cause does). Bulk ``.update()`` calls
send no signal: plan confirmation is caught on the plan's own save; a seat *swap* (two
``.update()``s) sends no change notice (README, "not yet").

* a plan confirmed → each traveller's departure reminders, two days and one day before at
  09:00 local (queued now, sent by the drain when due — the beat's minute drain);
* a seat moved to another trip / car / seat, or a trip's departure time changed → the
  traveller's queued reminders are suppressed ("rescheduled"), new ones queued, and a change
  notice sent;
* a match offered → the offer;
* a traveller checked in at the gate → the arrival welcome with a liaison's phone;
* a case of the worker changed status → the progress;
* follow-ups due today (beat, ``followups_due_queue``) → the follow-up text.
"""

from __future__ import annotations

import datetime as dt

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from cases.models import Case
from followups.models import FollowUp
from laborbridge.models import Role, User
from matching.models import Match, MatchStatus
from outreach import catalogue
from outreach.models import SmsMessage, SmsReason
from outreach.services import Draft, sms_cancel, sms_queue_many
from transport.models import BusKind, BusRider, PlanStatus, Seat, TransportPlan, Trip

REMINDER_DAYS = (2, 1)
REMINDER_AT = dt.time(9, 0)
LINK_HINT = "见出行通知二维码"
# A train leaves the station; travellers are asked to be there this long before.
STATION_EARLY = dt.timedelta(hours=1)


def _when(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def _feeder_rides(seats: list[Seat]) -> dict[int, BusRider]:
    """Return each seat's feeder-bus ride (pickup point and time), in one query."""
    rides = (
        BusRider.objects.filter(seat__in=[seat.pk for seat in seats], kind=BusKind.FEEDER)
        .exclude(pickup_point=None)
        .select_related("bus", "pickup_point")
    )
    return {ride.seat_id: ride for ride in rides}


def _travel_params(seat: Seat, ride: BusRider | None) -> dict:
    trip = seat.trip
    if ride is not None:
        pickup, pickup_time = ride.pickup_point.name, ride.bus.departure_at
    else:
        pickup, pickup_time = trip.origin.name_zh, trip.departure_at - STATION_EARLY
    return {
        "trip": trip.service_number,
        "departure": _when(trip.departure_at),
        "pickup": pickup,
        "pickup_time": _when(pickup_time),
        "seat": str(seat.label),
        "escort_phone": trip.escort_phone or "—",
        "link": LINK_HINT,
    }


def _reminder_prefix(seat: Seat) -> str:
    return f"remind:{seat.pk}:"


def reminder_drafts(
    seat: Seat, ride: BusRider | None, *, now: dt.datetime | None = None
) -> list[Draft]:
    """Return the seat's departure reminders still in the future (two days and one before)."""
    now = now or timezone.now()
    trip = seat.trip
    departure_on = timezone.localtime(trip.departure_at).date()
    params = _travel_params(seat, ride)
    drafts = []
    for days in REMINDER_DAYS:
        at = dt.datetime.combine(
            departure_on - dt.timedelta(days=days),
            REMINDER_AT,
            tzinfo=timezone.get_current_timezone(),
        )
        if at <= now:
            continue
        drafts.append(
            Draft(
                worker=seat.worker,
                key=catalogue.DEPARTURE_REMINDER,
                params=params,
                idempotency_key=(
                    f"{_reminder_prefix(seat)}{trip.pk}:"
                    f"{timezone.localtime(trip.departure_at):%Y%m%d%H%M}:"
                    f"{seat.car_id}-{seat.row}{seat.letter}:d{days}"
                ),
                scheduled_for=at,
                departure_on=departure_on,
            )
        )
    return drafts


def reminders_schedule(seats, *, actor: User | None = None) -> int:
    """Queue the reminders of ``seats``; return how many rows were written."""
    seats = list(seats)
    rides = _feeder_rides(seats)
    now = timezone.now()
    drafts: list[Draft] = []
    for seat in seats:
        drafts += reminder_drafts(seat, rides.get(seat.pk), now=now)
    return sms_queue_many(drafts=drafts, actor=actor)


def seat_changed(seat: Seat, *, actor: User | None = None) -> None:
    """Re-schedule a confirmed traveller's reminders and send a change notice."""
    seat = Seat.objects.select_related("trip__origin", "car", "worker", "plan").get(pk=seat.pk)
    if seat.released_at is not None or not seat.confirmed:
        return
    sms_cancel(
        messages=SmsMessage.objects.filter(
            worker_id=seat.worker_id, idempotency_key__startswith=_reminder_prefix(seat)
        ),
        reason=SmsReason.RESCHEDULED,
    )
    if seat.trip.departure_at <= timezone.now():
        return
    ride = _feeder_rides([seat]).get(seat.pk)
    params = _travel_params(seat, ride)
    change = Draft(
        worker=seat.worker,
        key=catalogue.TRIP_CHANGED,
        params=params,
        idempotency_key=(
            f"change:{seat.pk}:{seat.trip_id}:"
            f"{timezone.localtime(seat.trip.departure_at):%Y%m%d%H%M}:"
            f"{seat.car_id}-{seat.row}{seat.letter}"
        ),
        departure_on=timezone.localtime(seat.trip.departure_at).date(),
    )
    sms_queue_many(drafts=[change, *reminder_drafts(seat, ride)], actor=actor)


def _fields(kwargs) -> set[str]:
    return set(kwargs.get("update_fields") or ())


@receiver(post_save, sender=TransportPlan, dispatch_uid="outreach.plan_confirmed")
def _plan_saved(sender, instance: TransportPlan, created: bool, **kwargs) -> None:
    if "status" not in _fields(kwargs) or instance.status != PlanStatus.CONFIRMED:
        return
    seats = (
        Seat.objects.filter(plan=instance, released_at=None)
        .select_related("trip__origin", "car", "worker")
        .order_by("pk")
    )
    reminders_schedule(seats, actor=instance.confirmed_by)


@receiver(post_save, sender=Seat, dispatch_uid="outreach.seat_saved")
def _seat_saved(sender, instance: Seat, created: bool, **kwargs) -> None:
    fields = _fields(kwargs)
    if fields & {"trip", "car", "row", "letter"}:
        seat_changed(instance)
    if "checked_in_at" in fields and instance.checked_in_at is not None:
        _arrival_welcome(instance)


@receiver(post_save, sender=Trip, dispatch_uid="outreach.trip_saved")
def _trip_saved(sender, instance: Trip, created: bool, **kwargs) -> None:
    if "departure_at" not in _fields(kwargs):
        return
    for seat in Seat.objects.filter(trip=instance, released_at=None, confirmed=True):
        seat_changed(seat)


@receiver(post_save, sender=Match, dispatch_uid="outreach.match_saved")
def _match_saved(sender, instance: Match, created: bool, **kwargs) -> None:
    if "status" not in _fields(kwargs) or instance.status != MatchStatus.OFFERED:
        return
    match = Match.objects.select_related("worker__home_county", "vacancy__employer").get(
        pk=instance.pk
    )
    vacancy = match.vacancy
    wage = (
        f"{vacancy.wage_min}"
        if vacancy.wage_min == vacancy.wage_max
        else f"{vacancy.wage_min}-{vacancy.wage_max}"
    )
    sms_queue_many(
        drafts=[
            Draft(
                worker=match.worker,
                key=catalogue.OFFER_MADE,
                params={
                    "employer": vacancy.employer.name[:35],
                    "job": vacancy.title[:35],
                    "wage": wage,
                    "county": match.worker.home_county.name,
                },
                idempotency_key=f"offer:{match.pk}",
            )
        ]
    )


def _arrival_welcome(seat: Seat) -> None:
    seat = Seat.objects.select_related("worker", "match__vacancy__employer", "trip__campaign").get(
        pk=seat.pk
    )
    liaison = (
        User.objects.filter(
            role=Role.LIAISON, pairing_id=seat.trip.campaign.pairing_id, is_active=True
        )
        .exclude(phone="")
        .order_by("pk")
        .first()
    )
    sms_queue_many(
        drafts=[
            Draft(
                worker=seat.worker,
                key=catalogue.ARRIVAL_WELCOME,
                params={
                    "employer": seat.match.vacancy.employer.name[:35],
                    "liaison_phone": liaison.phone if liaison else seat.trip.escort_phone or "—",
                },
                idempotency_key=f"welcome:{seat.pk}",
            )
        ]
    )


@receiver(post_save, sender=Case, dispatch_uid="outreach.case_saved")
def _case_saved(sender, instance: Case, created: bool, **kwargs) -> None:
    if "status" not in _fields(kwargs) or instance.worker_id is None:
        return
    case = Case.objects.select_related("worker").get(pk=instance.pk)
    sms_queue_many(
        drafts=[
            Draft(
                worker=case.worker,
                key=catalogue.COMPLAINT_STATUS,
                params={"status": str(case.get_status_display()), "link": "见个人页"},
                idempotency_key=f"case:{case.pk}:{case.status}",
            )
        ]
    )


def followups_due_queue(*, today: dt.date | None = None) -> int:
    """Queue the follow-up text of each open follow-up due today; return rows written."""
    today = today or timezone.localdate()
    followups = (
        FollowUp.objects.filter(due_on=today, done_at=None)
        .select_related("employment__worker")
        .order_by("pk")
    )
    return sms_queue_many(
        drafts=[
            Draft(
                worker=followup.employment.worker,
                key=catalogue.FOLLOWUP_DUE,
                params={},
                idempotency_key=f"followup:{followup.pk}",
                scheduled_for=dt.datetime.combine(
                    today, REMINDER_AT, tzinfo=timezone.get_current_timezone()
                ),
            )
            for followup in followups
        ]
    )
