"""The demo lives in today: its campaigns are open now (one upcoming), its trips leave in the
coming weeks, its vacancies start after them; with travellers, each HR login has candidates
to decide and arrivals to check in, and some workers were placed months ago."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.models import Vacancy, VacancyStatus
from jobs.selectors import AWAITING_EMPLOYER
from laborbridge.demo import (
    DEMO_CAMPAIGN,
    DEMO_CAMPAIGNS,
    DemoCalendar,
    demo_calendar,
    demo_campaigns_ensure,
)
from laborbridge.models import Campaign, User
from matching.models import Match
from transport.demo import CHINA
from transport.models import Seat, TransportPlan, Trip, TripDirection
from workers.models import Employment

pytestmark = pytest.mark.django_db


def _quiet(*args, **options):
    import io

    call_command("demo", *args, stdout=io.StringIO(), **options)


def test_campaigns_are_open_now_and_one_is_upcoming():
    _quiet(workers=40, employers=12, vacancies=24)
    today = timezone.localdate()
    current = Campaign.objects.get(code=DEMO_CAMPAIGN)
    assert current.is_running and current.starts_on <= today <= current.ends_on
    upcoming = Campaign.objects.get(code="demo-next-dingxi-qingdao")
    assert upcoming.starts_on > today and not upcoming.is_running
    # The reference campaigns keep their shipped dates.
    reference = Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")
    assert (reference.starts_on, reference.ends_on) == (dt.date(2026, 1, 15), dt.date(2026, 4, 30))


def test_trips_leave_in_the_coming_weeks_and_vacancies_start_after_the_train():
    _quiet(workers=40, employers=12, vacancies=24)
    today = timezone.localdate()
    outbound = Trip.objects.filter(direction=TripDirection.OUTBOUND)
    departures = [t.departure_at.astimezone(CHINA).date() for t in outbound]
    assert departures and all(today < day <= today + dt.timedelta(days=42) for day in departures)
    # The coaches home run before the coming Spring Festival, after the trains out.
    home = [
        t.departure_at.astimezone(CHINA).date()
        for t in Trip.objects.filter(direction=TripDirection.RETURN_HOME)
    ]
    assert all(max(departures) < day < today + dt.timedelta(days=120) for day in home)
    train = Trip.objects.get(service_number="G2096")
    train_day = train.arrival_at.astimezone(CHINA).date()
    campaign_vacancies = Vacancy.objects.filter(campaign__isnull=False).select_related("campaign")
    starts = [v.start_date for v in campaign_vacancies]
    assert starts and min(starts) > train_day
    assert all(v.campaign.is_running for v in campaign_vacancies)
    # The only vacancy outside a campaign is the closed one of the self-travelling workers
    # the subsidy demo places (they went on their own, months ago).
    assert set(Vacancy.objects.filter(campaign__isnull=True).values_list("title", "status")) <= {
        ("普工（自主外出）", VacancyStatus.CLOSED)
    }


def test_run_twice_adds_nothing_and_a_later_day_moves_the_dates():
    _quiet(workers=40, employers=12, vacancies=24)
    counts = (Campaign.objects.count(), Trip.objects.count(), Vacancy.objects.count())
    _quiet(workers=40, employers=12, vacancies=24)
    assert (Campaign.objects.count(), Trip.objects.count(), Vacancy.objects.count()) == counts
    later = DemoCalendar(today=timezone.localdate() + dt.timedelta(days=200))
    campaigns = demo_campaigns_ensure(later)
    assert len(campaigns) == len(DEMO_CAMPAIGNS) and Campaign.objects.count() == counts[0]
    moved = Campaign.objects.get(code=DEMO_CAMPAIGN)
    assert moved.starts_on == later.campaign_starts and str(later.campaign_starts.year) in (
        moved.name_zh
    )


def test_calendar_orders_the_season():
    calendar = demo_calendar()
    assert calendar.campaign_starts <= calendar.today < calendar.train_day < calendar.first_start
    assert calendar.first_start < calendar.bus_days[0] < calendar.bus_days[1]
    assert calendar.campaign_ends < calendar.upcoming_starts


def test_with_travellers_hr_has_candidates_and_arrivals_and_history():
    _quiet("--with-travellers", workers=400, employers=24, vacancies=80)
    plan = TransportPlan.objects.get(campaign__code=DEMO_CAMPAIGN)
    assert plan.status == "confirmed"
    for username in ("hr_qingdao", "hr_jiaozhou"):
        employer = User.objects.get(username=username).employer
        matches = Match.objects.filter(vacancy__employer=employer)
        statuses = sorted(matches.values_list("status", flat=True))
        assert matches.filter(AWAITING_EMPLOYER).exists(), (username, statuses)
    # Arrivals: at this small size only the Qingdao login is sure to have seated travellers
    # (the full demo seats both).
    arrivals = Seat.objects.filter(
        match__vacancy__employer=User.objects.get(username="hr_qingdao").employer,
        confirmed=True,
        released_at=None,
    )
    assert arrivals.exists()
    today = timezone.localdate()
    started = list(Employment.objects.values_list("started_on", flat=True))
    assert len(started) >= 30
    assert all(
        today - dt.timedelta(days=200) <= day <= today - dt.timedelta(days=30) for day in started
    )
    # Loading again adds nothing: no second round, plan or placement.
    before = (Match.objects.count(), TransportPlan.objects.count(), Employment.objects.count())
    _quiet("--with-travellers", workers=400, employers=24, vacancies=80)
    assert (
        Match.objects.count(),
        TransportPlan.objects.count(),
        Employment.objects.count(),
    ) == before
