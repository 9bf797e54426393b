"""Texts queued on their own by the services below: plan confirmed, seat moved, trip retimed,
offer made, arrival at the gate, a complaint's progress, follow-ups due."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from matching import services as matching_services
from matching.models import Match, MatchStatus
from outreach import catalogue, triggers
from outreach.models import SmsMessage, SmsReason, SmsStatus
from tests.factories import VacancyFactory, WorkerFactory
from tests.outreach.conftest import consenting, place
from transport.models import Bus, BusKind, BusRider, PickupPoint, Seat, Trip, TripCar
from transport.services import boarding, plans, seats, trips

pytestmark = pytest.mark.django_db


def _at_nine(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def test_confirming_a_plan_schedules_two_reminders(traveller, coordinator):
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    rows = list(
        SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER).order_by("scheduled_for")
    )
    departure_on = timezone.localtime(traveller.trip.departure_at).date()
    assert [r.scheduled_for for r in rows] == [
        _at_nine(departure_on - dt.timedelta(days=2)),
        _at_nine(departure_on - dt.timedelta(days=1)),
    ]
    assert all(r.status == SmsStatus.QUEUED and r.departure_on == departure_on for r in rows)
    assert "G2096" in rows[0].text and "03车07F" in rows[0].text and "13800138000" in rows[0].text
    assert rows[0].essential
    # Confirming again (idempotent service) queues nothing more.
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    assert SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER).count() == 2


def test_moving_a_traveller_reschedules_and_sends_a_change_notice(traveller, coordinator):
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    old = traveller.trip
    later = old.departure_at + dt.timedelta(days=2)
    other = Trip.objects.create(
        campaign=old.campaign,
        mode=old.mode,
        service_number="G2098",
        origin=old.origin,
        destination=old.destination,
        departure_at=later,
        arrival_at=later + dt.timedelta(hours=11),
        cars=8,
        seats_per_car=80,
        escort_phone="13800138001",
    )
    TripCar.objects.create(trip=other, car_no=2, seats=80, occupied=0)
    seats.seat_move(actor=coordinator, seat=traveller, trip=other, car_no=2, row=1, letter="A")
    old_rows = SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER, text__contains="G2096")
    assert {(r.status, r.reason) for r in old_rows} == {
        (SmsStatus.SUPPRESSED, SmsReason.RESCHEDULED)
    }
    new_rows = SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER, status=SmsStatus.QUEUED)
    assert new_rows.count() == 2 and all(
        "G2098" in r.text and "02车01A" in r.text for r in new_rows
    )
    change = SmsMessage.objects.get(key=catalogue.TRIP_CHANGED)
    assert "G2098" in change.text and change.status == SmsStatus.QUEUED
    assert change.scheduled_for <= timezone.now()


def test_retiming_a_trip_reschedules_its_travellers(traveller, coordinator):
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    trip = traveller.trip
    trips.trip_update(
        actor=coordinator,
        trip=trip,
        departure_at=trip.departure_at + dt.timedelta(hours=2),
        arrival_at=trip.arrival_at + dt.timedelta(hours=2),
    )
    assert SmsMessage.objects.filter(key=catalogue.TRIP_CHANGED).count() == 1
    assert (
        SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER, status=SmsStatus.QUEUED).count()
        == 2
    )


def _queued_reminders(seat):
    return SmsMessage.objects.filter(
        key=catalogue.DEPARTURE_REMINDER,
        worker=seat.worker,
        status=SmsStatus.QUEUED,
    )


def _fellow(traveller, employer_x, *, letter):
    """A second confirmed-to-be traveller in the same car, plan and trip."""
    _worker, match, _employment = place(employer_x, employed=False)
    consenting(match.worker)
    TripCar.objects.filter(pk=traveller.car_id).update(occupied=2)
    return Seat.objects.create(
        plan=traveller.plan,
        trip=traveller.trip,
        car=traveller.car,
        row=traveller.row,
        letter=letter,
        match=match,
        worker=match.worker,
    )


def test_swapping_two_seats_tells_both_travellers(traveller, employer_x, coordinator):
    # The swap writes with QuerySet.update() (no post_save): transport's hook tells outreach.
    fellow = _fellow(traveller, employer_x, letter="A")
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    assert SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER).count() == 4
    seats.seats_swap(actor=coordinator, seat_a=traveller, seat_b=fellow)
    for seat, now_in in ((traveller, "03车07A"), (fellow, "03车07F")):
        change = SmsMessage.objects.get(key=catalogue.TRIP_CHANGED, worker=seat.worker)
        assert now_in in change.text and change.status == SmsStatus.QUEUED and change.essential
        assert [now_in in r.text for r in _queued_reminders(seat)] == [True, True]
    suppressed = SmsMessage.objects.filter(
        key=catalogue.DEPARTURE_REMINDER, status=SmsStatus.SUPPRESSED
    )
    assert suppressed.count() == 4 and {r.reason for r in suppressed} == {SmsReason.RESCHEDULED}


def test_moving_away_and_back_queues_fresh_reminders(traveller, coordinator):
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    seats.seat_move(
        actor=coordinator, seat=traveller, trip=traveller.trip, car_no=3, row=8, letter="A"
    )
    seats.seat_move(
        actor=coordinator, seat=traveller, trip=traveller.trip, car_no=3, row=7, letter="F"
    )
    # The reminders of 03车07F were suppressed by the first move; the way back queues new ones
    # (their key names the change) instead of finding the suppressed ones under the old key.
    assert [("03车07F" in r.text) for r in _queued_reminders(traveller)] == [True, True]
    changes = SmsMessage.objects.filter(key=catalogue.TRIP_CHANGED).order_by("pk")
    assert ["03车08A" in changes[0].text, "03车07F" in changes[1].text] == [True, True]


def test_a_seat_not_yet_confirmed_is_not_texted(traveller, coordinator):
    seats.seat_move(
        actor=coordinator, seat=traveller, trip=traveller.trip, car_no=3, row=8, letter="A"
    )
    assert not SmsMessage.objects.exists()


def test_retiming_tells_the_new_pickup_time_of_the_feeder_bus(traveller, coordinator):
    trip = traveller.trip
    point = PickupPoint.objects.create(
        county_id="621102", name="安定区汽车站", latitude=35.58, longitude=104.62
    )
    bus_leaves = trip.departure_at - dt.timedelta(hours=3)
    bus = Bus.objects.create(
        plan=traveller.plan,
        trip=trip,
        kind=BusKind.FEEDER,
        key="621102",
        vehicle_index=1,
        capacity=45,
        departure_at=bus_leaves,
        arrival_at=bus_leaves + dt.timedelta(hours=2),
    )
    BusRider.objects.create(
        bus=bus, seat=traveller, kind=BusKind.FEEDER, pickup_point=point, stop_time=bus_leaves
    )
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    trips.trip_update(
        actor=coordinator,
        trip=trip,
        departure_at=trip.departure_at + dt.timedelta(hours=2),
        arrival_at=trip.arrival_at + dt.timedelta(hours=2),
    )
    change = SmsMessage.objects.get(key=catalogue.TRIP_CHANGED)
    moved = timezone.localtime(bus_leaves + dt.timedelta(hours=2))
    # The notice is written after the feeder bus moved with the train, not before.
    assert f"{moved:%H:%M}前到安定区汽车站" in change.text
    assert all(f"{moved:%H:%M}前" in r.text for r in _queued_reminders(traveller))


def test_a_no_show_release_suppresses_the_queued_reminders(traveller, coordinator):
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    boarding.seat_roll_call(actor=coordinator, seat=traveller, present=False)
    rows = SmsMessage.objects.filter(key=catalogue.DEPARTURE_REMINDER)
    assert {(r.status, r.reason) for r in rows} == {(SmsStatus.SUPPRESSED, SmsReason.RELEASED)}


def test_an_offer_is_texted_once(employer_x, coordinator):
    worker = consenting(WorkerFactory(home_county_id="621102"))
    vacancy = VacancyFactory(employer=employer_x, title="电子装配工", wage_min=5000, wage_max=6500)
    match = Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.APPROVED)
    matching_services.match_offer(actor=coordinator, match=match)
    sms = SmsMessage.objects.get(key=catalogue.OFFER_MADE)
    assert "电子装配工" in sms.text and "5000-6500" in sms.text and employer_x.name in sms.text
    assert not sms.essential


def test_a_complaint_progress_is_texted(placed, official_a):
    consenting(placed.worker)
    case = case_services.open_case(
        worker=placed.worker,
        kind="other",
        opened_via="official",
        by=official_a,
        description="宿舍漏水",
    )
    case_services.case_transition(actor=official_a, case=case, action="handling", note="已联系企业")
    sms = SmsMessage.objects.get(key=catalogue.COMPLAINT_STATUS)
    assert "处理中" in sms.text and sms.essential


def test_follow_ups_due_today_are_texted(placed):
    from followups.models import FollowUp

    FollowUp.objects.create(
        employment=placed,
        kind="scheduled",
        period="m1",
        due_on=timezone.localdate(),
        home_county_id=placed.worker.home_county_id,
        work_district_id=placed.employer.district_id,
    )
    assert triggers.followups_due_queue() == 1
    assert triggers.followups_due_queue() == 0  # idempotent


def test_the_demo_prints_the_scheduled_reminders(traveller, coordinator):
    from outreach.demo import demo_sms_summary

    assert demo_sms_summary(base_url="http://demo") == []
    plans.plan_confirm(actor=coordinator, plan=traveller.plan)
    (line,) = demo_sms_summary(base_url="http://demo")
    assert "2 departure reminders" in line and "http://demo/outreach/" in line
