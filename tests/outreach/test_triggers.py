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
from tests.outreach.conftest import consenting
from transport.models import Trip, TripCar
from transport.services import plans, seats, trips

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
