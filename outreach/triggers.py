"""What is sent on its own: texts queued when the floors below change their records.

Outreach is the top floor; the services below (transport, matching, placement, cases) must
not know it exists. So outreach listens — to their models' ``post_save`` where a service's
``save(update_fields=[…])`` names what changed, and to transport's ``travellers_moved`` hook
where a change is not one save (a seat swap is two ``.update()``s; a move redoes the bus
rides after the seat's save; a new time moves the feeder buses after the trip's save) — and
queues its texts in the same transaction (they exist exactly when their cause does).

* a plan confirmed → each traveller's departure reminders, two days and one day before at
  09:00 local (queued now, sent by the drain when due — the beat's minute drain);
* a traveller moved to another trip / car / seat, two seats swapped, or a trip's departure
  time, number or station changed (``transport.changes``) → the traveller's queued
  reminders are suppressed ("rescheduled"), new ones queued, and a change notice sent;
* a seat released (the match ended, a no-show) → its queued reminders suppressed;
* a match offered → the offer;
* a traveller checked in at the gate → the arrival welcome with a liaison's phone;
* a case of the worker changed status → the progress;
* follow-ups due today (beat, ``followups_due_queue``) → the follow-up text, with the
  worker's personal link when one can be sent (``outreach.links``).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from cases.models import Case
from followups.models import FollowUp
from laborbridge.models import Role, User
from matching.models import Match, MatchStatus
from outreach import catalogue
from outreach.links import personal_link_param
from outreach.models import SmsMessage, SmsReason
from outreach.services import Draft, sms_cancel, sms_queue_many
from subsidies.changes import applications_paid
from subsidies.models import Application
from transport.changes import travellers_moved
from transport.models import BusKind, BusRider, PlanStatus, Seat, TransportPlan

REMINDER_DAYS = (2, 1)
REMINDER_AT = dt.time(9, 0)
LINK_HINT = "见出行通知二维码"
OFFER_LINK_HINT = "请咨询县人社局"
FOLLOWUP_LINK_HINT = "（扫出行通知上的二维码）"
SUBSIDY_LINK_HINT = "请咨询县人社局"
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
    seat: Seat, ride: BusRider | None, *, now: dt.datetime | None = None, generation: str = ""
) -> list[Draft]:
    """Return the seat's departure reminders still in the future (two days and one before).

    ``generation`` tells apart the reminders queued after a change: a traveller moved away
    and back again must get new reminders, not find the suppressed ones under the same key.
    """
    now = now or timezone.now()
    trip = seat.trip
    departure_on = timezone.localtime(trip.departure_at).date()
    params = _travel_params(seat, ride)
    suffix = f":{generation}" if generation else ""
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
                    f"{seat.car_id}-{seat.row}{seat.letter}:d{days}{suffix}"
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


def _reminders_cancel(seat_ids: list[int], *, reason: str) -> int:
    keys = Q()
    for pk in seat_ids:
        keys |= Q(idempotency_key__startswith=f"remind:{pk}:")
    return sms_cancel(
        messages=SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER).filter(keys),
        reason=reason,
    )


def seats_changed(seat_ids, *, actor: User | None = None) -> int:
    """Re-schedule the confirmed travellers' reminders and send each a change notice; return
    how many rows were written. Seats not yet confirmed were never told anything."""
    seats = list(
        Seat.objects.filter(pk__in=list(seat_ids), released_at=None, confirmed=True)
        .select_related("trip__origin", "car", "worker")
        .order_by("pk")
    )
    if not seats:
        return 0
    _reminders_cancel([seat.pk for seat in seats], reason=SmsReason.RESCHEDULED)
    now = timezone.now()
    generation = f"{now:%y%m%d%H%M%S%f}"
    rides = _feeder_rides(seats)
    drafts: list[Draft] = []
    for seat in seats:
        if seat.trip.departure_at <= now:
            continue
        ride = rides.get(seat.pk)
        drafts.append(
            Draft(
                worker=seat.worker,
                key=catalogue.TRIP_CHANGED,
                params=_travel_params(seat, ride),
                idempotency_key=f"change:{seat.pk}:{generation}",
                departure_on=timezone.localtime(seat.trip.departure_at).date(),
            )
        )
        drafts += reminder_drafts(seat, ride, now=now, generation=generation)
    return sms_queue_many(drafts=drafts, actor=actor)


@receiver(travellers_moved, dispatch_uid="outreach.travellers_moved")
def _travellers_moved(sender, *, actor=None, seat_ids=(), **kwargs) -> None:
    seats_changed(seat_ids, actor=actor)


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
    if "released_at" in fields and instance.released_at is not None:
        _reminders_cancel([instance.pk], reason=SmsReason.RELEASED)
    if "checked_in_at" in fields and instance.checked_in_at is not None:
        _arrival_welcome(instance)


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
                    "link": personal_link_param(match.worker, hint=OFFER_LINK_HINT),
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


@transaction.atomic
def followups_due_queue(*, today: dt.date | None = None) -> int:
    """Queue the follow-up text of each open follow-up due today; return rows written.

    Follow-ups already texted are left out before any link is issued for them: a personal
    link is issued only with the message that carries it (one transaction)."""
    today = today or timezone.localdate()
    followups = list(
        FollowUp.objects.filter(due_on=today, done_at=None)
        .select_related("employment__worker")
        .order_by("pk")
    )
    texted = set(
        SmsMessage.objects.filter(
            idempotency_key__in=[f"followup:{f.pk}" for f in followups]
        ).values_list("idempotency_key", flat=True)
    )
    return sms_queue_many(
        drafts=[
            Draft(
                worker=followup.employment.worker,
                key=catalogue.FOLLOWUP_DUE,
                params={
                    "link": personal_link_param(followup.employment.worker, hint=FOLLOWUP_LINK_HINT)
                },
                idempotency_key=f"followup:{followup.pk}",
                scheduled_for=dt.datetime.combine(
                    today, REMINDER_AT, tzinfo=timezone.get_current_timezone()
                ),
            )
            for followup in followups
            if f"followup:{followup.pk}" not in texted
        ]
    )


def subsidies_paid_queue(application_ids, *, actor: User | None = None) -> int:
    """Text each worker whose subsidy was paid (补贴发放): the policy, the frozen amount and
    their personal link; once per application (idempotency key)."""
    applications = (
        Application.objects.filter(pk__in=application_ids)
        .select_related("worker", "policy")
        .order_by("pk")
    )
    return sms_queue_many(
        drafts=[
            Draft(
                worker=application.worker,
                key=catalogue.SUBSIDY_PAID,
                params={
                    "name": application.worker.name,
                    "subsidy": application.policy.name,
                    "amount": str(application.amount_frozen or application.amount),
                    "link": personal_link_param(application.worker, hint=SUBSIDY_LINK_HINT),
                },
                idempotency_key=f"subsidy_paid:{application.pk}",
            )
            for application in applications
        ],
        actor=actor,
    )


@receiver(applications_paid, dispatch_uid="outreach.applications_paid")
def _applications_paid(sender, *, actor=None, application_ids=(), **kwargs) -> None:
    subsidies_paid_queue(application_ids, actor=actor)
