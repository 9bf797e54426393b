"""HR's candidate pages moved from jobs to matching: the old addresses still lead there."""

import pytest
from django.urls import reverse

from tests.factories import VacancyFactory
from tests.jobs.conftest import offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def vacancy_x(employer_x):
    return VacancyFactory(employer=employer_x, title="X 电子装配工")


@pytest.fixture
def candidate(vacancy_x):
    return offer(vacancy_x, name="王小明")


def test_the_old_list_address_redirects_with_its_query(client, hr_x, candidate):
    client.force_login(hr_x)
    response = client.get("/jobs/candidates/?show=all")
    assert response.status_code == 307
    assert response["Location"] == reverse("matching:candidates") + "?show=all"
    assert "王" in client.get(response["Location"]).content.decode()


def test_the_old_vacancy_address_redirects(client, hr_x, vacancy_x, candidate):
    client.force_login(hr_x)
    response = client.get(reverse("jobs:vacancy_candidates", args=[vacancy_x.pk]))
    assert response["Location"] == reverse("matching:vacancy_candidates", args=[vacancy_x.pk])


def test_a_decision_posted_to_the_old_address_is_still_a_post(client, hr_x, candidate):
    client.force_login(hr_x)
    old = reverse("jobs:candidate_decide", args=[candidate.pk])
    response = client.post(old, {"decision": "confirm"})
    assert response.status_code == 307  # the browser re-sends the POST to the new address
    response = client.post(response["Location"], {"decision": "confirm"})
    candidate.refresh_from_db()
    assert candidate.employer_decision == "yes"
