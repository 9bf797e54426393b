"""Fixtures of the jobs tests: vacancies of employer X and Y, a campaign, candidates."""

import datetime as dt

import pytest

from jobs.models import VacancyStatus
from laborbridge.models import Campaign, CertificateType, Occupation
from matching.models import Match, MatchStatus
from tests.factories import VacancyFactory, WorkerFactory

CAMPAIGN = "2026-chunfeng-dingxi-qingdao"


@pytest.fixture
def campaign(db):
    return Campaign.objects.get(code=CAMPAIGN)


@pytest.fixture
def occupation(db):
    return Occupation.objects.order_by("code").first()


@pytest.fixture
def forklift_certificate(db):
    return CertificateType.objects.order_by("code").first()


@pytest.fixture
def vacancy_x(employer_x, campaign):
    return VacancyFactory(employer=employer_x, title="X 电子装配工", campaign=campaign)


@pytest.fixture
def vacancy_y(employer_y, campaign):
    return VacancyFactory(employer=employer_y, title="Y 食品包装工", campaign=campaign)


def offer(vacancy, *, status=MatchStatus.OFFERED, reasons=None, **worker):
    """Return a match of a new worker to ``vacancy``, already offered to both sides."""
    return Match.objects.create(
        worker=WorkerFactory(**worker),
        vacancy=vacancy,
        status=status,
        score=42.5,
        reasons=reasons if reasons is not None else [],
    )


@pytest.fixture
def candidate_x(vacancy_x):
    return offer(
        vacancy_x,
        name="王小明",
        min_wage=5000,  # the expectation the wage reason below is measured against
        reasons=[
            {"side": "worker", "code": "wage_above_expectation", "points": 16, "amount": 800},
            {"side": "vacancy", "code": "poverty_priority", "points": 10},
            {"side": "worker", "code": "travel_distance", "points": -4, "km": 1700},
        ],
    )


@pytest.fixture
def candidate_y(vacancy_y):
    return offer(vacancy_y, name="李小红")


def draft(employer, **fields):
    return VacancyFactory(employer=employer, status=VacancyStatus.DRAFT, **fields)


START = dt.date(2026, 3, 1)
