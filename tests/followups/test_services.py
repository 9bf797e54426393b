"""Follow-up services: generation (schedule, census, assignment, idempotence), recording
(feeding the history and the actual wages), reminders, the schedule settings."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from followups import services
from followups.models import FollowUp, FollowUpKind, FollowUpSide, Problem
from laborbridge.models import Campaign, Role
from laborbridge.notifications.models import Message
from placement.models import EmploymentEvent, EventKind, MonthlyWage
from tests.factories import ANDING, TONGWEI, make_user, place_worker
from tests.followups.conftest import followup_for, today

pytestmark = pytest.mark.django_db


def test_schedule_points_default_first_week_and_months():
    points = services.schedule_points(services.DEFAULT_RULE, dt.date(2026, 1, 31))

    assert points == [
        ("w1", dt.date(2026, 2, 7)),
        ("m1", dt.date(2026, 2, 28)),
        ("m3", dt.date(2026, 4, 30)),
        ("m6", dt.date(2026, 7, 31)),
    ]


def test_generation_makes_due_points_and_the_census_once(placed, liaison, official_a):
    as_of = today()
    scheduled, census = services.followups_generate(as_of=as_of)

    rows = {(f.kind, f.period): f for f in FollowUp.objects.filter(employment=placed)}
    # arrived 40 days ago: the first week (overdue, still within a month) and the first
    # month are due; 3 and 6 months are not yet
    assert set(rows) == {
        (FollowUpKind.SCHEDULED, "w1"),
        (FollowUpKind.SCHEDULED, "m1"),
        (FollowUpKind.CENSUS, services.census_period(as_of)),
    }
    assert (scheduled, census) == (2, 1)
    # scheduled ones to the eastern liaison, the census to the county official
    assert rows[(FollowUpKind.SCHEDULED, "m1")].assignee == liaison
    assert rows[(FollowUpKind.SCHEDULED, "m1")].side == FollowUpSide.EAST
    census_row = rows[(FollowUpKind.CENSUS, services.census_period(as_of))]
    assert census_row.assignee == official_a and census_row.side == FollowUpSide.WEST
    # a second run adds nothing
    assert services.followups_generate(as_of=as_of) == (0, 0)
    assert FollowUp.objects.count() == 3


def test_without_a_liaison_the_official_gets_the_visits(placed, official_a):
    services.followups_generate(as_of=today())

    assert set(FollowUp.objects.values_list("assignee", flat=True)) == {official_a.pk}


def test_a_liaison_who_chose_the_district_comes_first(placed, liaison, pairing_qd_dx):
    specific = make_user("liaison_cy", Role.LIAISON, pairing=pairing_qd_dx)
    specific.districts.set([placed.employer.district_id])

    services.followups_generate(as_of=today())

    visits = FollowUp.objects.filter(kind=FollowUpKind.SCHEDULED)
    assert set(visits.values_list("assignee", flat=True)) == {specific.pk}


def test_a_campaign_schedule_changes_the_points(placed, coordinator, pairing_qd_dx):
    campaign = Campaign.objects.filter(pairing=pairing_qd_dx).first()
    placed.vacancy.campaign = campaign
    placed.vacancy.save(update_fields=["campaign"])
    services.followup_schedule_set(
        actor=coordinator,
        campaign=campaign,
        first_week=False,
        months=[1, 2],
        census=False,
        due_days=10,
        census_due_day=20,
    )

    services.followups_generate(as_of=today())

    assert set(FollowUp.objects.values_list("period", flat=True)) == {"m1"}


def test_left_workers_get_no_follow_ups(placed, official_a):
    placed.status = "left"
    placed.save(update_fields=["status"])

    assert services.followups_generate(as_of=today()) == (0, 0)


def test_schedule_refused_outside_the_pairing(official_a, pairing_qd_dx):
    campaign = Campaign.objects.filter(pairing=pairing_qd_dx).first()
    with pytest.raises(PermissionDenied):
        services.followup_schedule_set(
            actor=official_a,
            campaign=campaign,
            first_week=True,
            months=[1],
            census=True,
            due_days=7,
            census_due_day=25,
        )


def test_schedule_months_are_checked(coordinator, pairing_qd_dx):
    campaign = Campaign.objects.filter(pairing=pairing_qd_dx).first()
    with pytest.raises(ValidationError) as error:
        services.followup_schedule_set(
            actor=coordinator,
            campaign=campaign,
            first_week=True,
            months=[0, 99],
            census=True,
            due_days=7,
            census_due_day=25,
        )
    assert "months" in error.value.message_dict


def test_record_feeds_confirmation_wage_and_tells_of_problems(followup, liaison, coordinator):
    services.followup_record(
        actor=liaison,
        followup=followup,
        reached=True,
        contact_method="visit",
        still_employed=True,
        wage_last_month=3000,
        housing_food="fair",
        problems=[Problem.WAGE_ARREARS, Problem.NO_CONTRACT],
        next_action="约企业核实工资",
    )

    followup.refresh_from_db()
    assert followup.done_at is not None and followup.recorded_by == liaison
    assert EmploymentEvent.objects.filter(
        employment=followup.employment, kind=EventKind.CONFIRMED, occurred_on=today()
    ).exists()
    wage = MonthlyWage.objects.get(employment=followup.employment)
    assert wage.gross == 3000 and wage.source == "follow_up"
    problems = Message.objects.get(key="followups.problems")
    assert problems.params["problems"] == ["wage_arrears", "no_contract"]
    from laborbridge import access

    assert problems in access.messages_visible_to(coordinator)
    assert problems in access.messages_visible_to(liaison)
    with pytest.raises(ValidationError):  # once only
        services.followup_record(
            actor=liaison, followup=followup, reached=False, contact_method="phone"
        )


def test_record_not_reached_takes_no_answers(followup, liaison):
    with pytest.raises(ValidationError) as error:
        services.followup_record(
            actor=liaison,
            followup=followup,
            reached=False,
            contact_method="phone",
            still_employed=True,
        )
    assert "reached" in error.value.message_dict
    services.followup_record(
        actor=liaison, followup=followup, reached=False, contact_method="phone"
    )
    assert not EmploymentEvent.objects.exists()


@pytest.mark.parametrize("who", ["official_b", "hr_x", "coordinator", "liaison_longnan"])
def test_record_refused_to_others(request, followup, who):
    with pytest.raises(PermissionDenied):
        services.followup_record(
            actor=request.getfixturevalue(who),
            followup=followup,
            reached=False,
            contact_method="phone",
        )


def test_the_county_official_may_record_too(followup, official_a):
    services.followup_record(
        actor=official_a,
        followup=followup,
        reached=True,
        contact_method="phone",
        still_employed=True,
    )
    assert FollowUp.objects.get(pk=followup.pk).done_at is not None


def test_reminders_once_a_day_per_follow_up(placed, liaison, employer_x):
    other = place_worker(employer_x, county=TONGWEI)
    yesterday = today() - dt.timedelta(days=1)
    followup_for(placed, assignee=liaison, due_on=yesterday)
    followup_for(other, assignee=liaison, due_on=yesterday - dt.timedelta(days=3))
    followup_for(placed, assignee=liaison, due_on=today(), period="m3")  # not overdue

    assert services.followups_remind_overdue(today=today()) == 1
    message = Message.objects.get(key="followups.overdue")
    assert message.params == {"count": 2, "oldest": (yesterday - dt.timedelta(days=3)).isoformat()}
    assert services.followups_remind_overdue(today=today()) == 0
    assert services.followups_remind_overdue(today=today() + dt.timedelta(days=1)) == 1


def test_the_run_generates_through_the_kit(placed, official_a):
    run = services.followup_run_create()  # eager Celery in tests without a broker
    services.followup_run_execute(run.pk, "test")

    run.refresh_from_db()
    assert run.status == "done"
    assert run.census_created == 1
    assert FollowUp.objects.filter(employment=placed).exists()
    assert ANDING == placed.worker.home_county_id
