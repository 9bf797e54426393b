"""Placed workers and the named users of the employment-history tests."""

import datetime as dt

import pytest

from laborbridge.models import Pairing, Role
from matching.models import Match, MatchStatus
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory, make_user
from workers.models import Employment


def place(employer, *, county=ANDING, started_on=dt.date(2026, 6, 1)) -> Employment:
    """Return an employment record as the gate check-in opens it (hired match)."""
    vacancy = VacancyFactory(employer=employer)
    worker = WorkerFactory(home_county_id=county)
    match = Match.objects.create(worker=worker, vacancy=vacancy, status=MatchStatus.HIRED)
    return Employment.objects.create(
        worker=worker,
        employer=employer,
        vacancy=vacancy,
        match=match,
        started_on=started_on,
        # What the gate check-in (workers.services.employment_open) derives at arrival.
        current_employer=employer,
        current_employer_name=employer.name,
        current_workplace_id=vacancy.district_id,
        current_monthly_wage=vacancy.wage_min,
        working_since=started_on,
    )


@pytest.fixture
def employment(employer_x):
    return place(employer_x)


@pytest.fixture
def employment_tongwei(employer_x):
    return place(employer_x, county=TONGWEI)


@pytest.fixture
def coordinator_other(db):
    """A coordinator of another pairing (Qingdao–Longnan: same east, other west)."""
    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("coordinator_other", Role.COORDINATOR, pairing=pairing)
