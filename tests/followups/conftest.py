"""Placed workers and follow-ups of the follow-up tests."""

import datetime as dt

import pytest
from django.utils import timezone

from followups.models import FollowUp, FollowUpKind, FollowUpSide
from tests.factories import ANDING, place_worker


def today() -> dt.date:
    return timezone.localdate()


def followup_for(
    employment,
    *,
    assignee=None,
    due_on=None,
    kind=FollowUpKind.SCHEDULED,
    period="m1",
    side=FollowUpSide.EAST,
) -> FollowUp:
    """Return a follow-up of ``employment`` made directly (the generator is tested apart)."""
    return FollowUp.objects.create(
        employment=employment,
        kind=kind,
        period=period,
        due_on=due_on or today(),
        assignee=assignee,
        side=side,
        home_county_id=employment.worker.home_county_id,
        work_district_id=employment.employer.district_id,
    )


@pytest.fixture
def placed(employer_x):
    """A Dingxi (Anding) worker placed at a Qingdao (Chengyang) employer 40 days ago."""
    return place_worker(employer_x, county=ANDING, started_on=today() - dt.timedelta(days=40))


@pytest.fixture
def followup(placed, liaison):
    return followup_for(placed, assignee=liaison)
