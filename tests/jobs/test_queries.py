"""List pages cost a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EmployerFactory, VacancyFactory
from tests.jobs.conftest import offer

pytestmark = pytest.mark.django_db

# Session, user, count, page, and one or two for the menu: measured 6–7; a little headroom.
MAX_QUERIES = 10


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "user_fixture,url_name",
    [
        ("hr_x", "jobs:vacancy_list"),
        ("hr_x", "jobs:dashboard"),
        ("coordinator", "jobs:vacancy_list"),
        ("official_a", "jobs:vacancy_list"),
        ("coordinator", "jobs:employer_list"),
    ],
)
def test_list_pages_do_not_grow_with_rows(
    client, request, employer_x, campaign, django_assert_max_num_queries, user_fixture, url_name
):
    client.force_login(request.getfixturevalue(user_fixture))
    url = reverse(url_name)
    VacancyFactory.create_batch(2, employer=employer_x, campaign=campaign)
    _queries(client, url)  # steady state: the menu's badge counts kept (laborbridge.badges)
    few = _queries(client, url)
    for _ in range(5):
        employer = EmployerFactory(district_id="370214")
        VacancyFactory.create_batch(3, employer=employer, campaign=campaign)
    VacancyFactory.create_batch(20, employer=employer_x, campaign=campaign)
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url)
    assert _queries(client, url) == few


def test_candidate_pages_do_not_grow_with_candidates(
    client, hr_x, vacancy_x, django_assert_max_num_queries
):
    client.force_login(hr_x)
    offer(vacancy_x, reasons=[{"code": "holds_certificate", "points": 5, "cert_id": 1}])
    urls = [
        reverse("matching:vacancy_candidates", args=[vacancy_x.pk]),
        reverse("matching:candidates"),
    ]
    few = [_queries(client, url) for url in urls]
    for index in range(12):
        offer(
            vacancy_x,
            reasons=[
                {"code": "holds_certificate", "points": 5, "cert_id": 1 + index},
                {"code": "skill_level", "points": 8, "occupation_id": 1 + index, "level": 2},
            ],
        )
    for url, count in zip(urls, few, strict=True):
        with django_assert_max_num_queries(MAX_QUERIES + 4):
            client.get(url)
        assert _queries(client, url) <= count + 1  # + the occupation lookup, once
