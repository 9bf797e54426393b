"""List pages and list APIs cost a fixed number of queries, however many rows they show
(no N+1): each is measured with a few rows, then with many, and must not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import MatchStatus
from tests.factories import ANDING, EmployerFactory, VacancyFactory, WorkerFactory
from tests.jobs.conftest import offer

pytestmark = pytest.mark.django_db

# Session, user, count, page of rows and their prefetches, menu badges: measured 5–11.
MAX_QUERIES = 16


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(context.captured_queries)


def _grow_registry(n):
    WorkerFactory.create_batch(n, home_county_id=ANDING)


def _grow_jobs(n):
    for _ in range(n):
        VacancyFactory(employer=EmployerFactory(district_id="370214"))


def _grow_matches(n, vacancy):
    for _ in range(n):
        offer(vacancy, status=MatchStatus.OFFERED, home_county_id=ANDING)


@pytest.mark.parametrize(
    "user_fixture,url,grow",
    [
        ("official_a", "/api/v1/workers/", "registry"),
        ("coordinator", "/api/v1/workers/", "registry"),
        ("official_a", reverse("workers:list"), "registry"),
        ("coordinator", "/api/v1/employers/", "jobs"),
        ("coordinator", "/api/v1/vacancies/", "jobs"),
        ("official_a", "/api/v1/vacancies/", "jobs"),
        ("official_a", "/api/v1/matches/", "matches"),
        ("coordinator", "/api/v1/matches/", "matches"),
        ("hr_x", "/api/v1/matches/", "matches"),
        ("coordinator", "/api/v1/rounds/", "matches"),
    ],
)
def test_list_does_not_grow_with_rows(client, request, employer_x, user_fixture, url, grow):
    client.force_login(request.getfixturevalue(user_fixture))
    vacancy = VacancyFactory(employer=employer_x, headcount=100)
    growers = {
        "registry": _grow_registry,
        "jobs": _grow_jobs,
        "matches": lambda n: _grow_matches(n, vacancy),
    }
    growers[grow](2)
    _queries(client, url)  # steady state: per-process caches (the filters' reference options) warm
    few = _queries(client, url)
    growers[grow](15)
    _queries(client, url)  # steady state again: a count kept until rows change (workers.counts)
    many = _queries(client, url)

    assert many <= MAX_QUERIES, (url, many)
    assert many == few, (url, few, many)
