"""Scoping: each role sees exactly its county, employer or pairing — through pages and API."""

import pytest
from django.urls import reverse

from laborbridge import access
from tests.factories import ANDING, TONGWEI, VacancyFactory, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_a():
    return WorkerFactory(home_county_id=ANDING, name="安定张三")


@pytest.fixture
def worker_b():
    return WorkerFactory(home_county_id=TONGWEI, name="通渭李四")


@pytest.fixture
def vacancy_x(employer_x):
    return VacancyFactory(employer=employer_x, title="X 电子装配工")


@pytest.fixture
def vacancy_y(employer_y):
    return VacancyFactory(employer=employer_y, title="Y 食品包装工")


class TestWorkerScope:
    def test_official_sees_only_their_county(self, official_a, worker_a, worker_b):
        assert list(access.workers_visible_to(official_a)) == [worker_a]

    def test_official_cannot_open_another_countys_worker(self, client, official_a, worker_b):
        client.force_login(official_a)
        assert client.get(reverse("workers:detail", args=[worker_b.pk])).status_code == 404

    def test_official_opens_their_own_worker(self, client, official_a, worker_a):
        client.force_login(official_a)
        response = client.get(reverse("workers:detail", args=[worker_a.pk]))
        assert response.status_code == 200
        assert worker_a.id_number_masked in response.content.decode()

    def test_list_page_shows_only_own_county(self, client, official_b, worker_a, worker_b):
        client.force_login(official_b)
        body = client.get(reverse("workers:list")).content.decode()
        assert "通渭李四" in body and "安定张三" not in body

    def test_hr_sees_no_worker_registry(self, client, hr_x, worker_a):
        assert not access.workers_visible_to(hr_x).exists()
        client.force_login(hr_x)
        assert client.get(reverse("workers:detail", args=[worker_a.pk])).status_code == 404

    def test_coordinator_sees_the_western_side_of_their_pairing(
        self, coordinator, worker_a, worker_b
    ):
        other = WorkerFactory(home_county_id="622901")  # Linxia city: not in Qingdao–Dingxi
        visible = set(access.workers_visible_to(coordinator))
        assert {worker_a, worker_b} <= visible and other not in visible

    def test_coordinator_reads_but_does_not_edit_workers(self, coordinator, worker_a):
        assert not access.workers_editable_by(coordinator).exists()

    def test_api_is_scoped_and_masked(self, client, official_a, worker_a, worker_b):
        client.force_login(official_a)
        rows = client.get("/api/v1/workers/").json()["results"]
        assert [row["id"] for row in rows] == [worker_a.pk]
        assert "*" in rows[0]["id_number_masked"] and "*" in rows[0]["phone_masked"]
        assert client.get(f"/api/v1/workers/{worker_b.pk}/").status_code == 404


class TestVacancyScope:
    def test_hr_sees_only_their_employers_vacancies(self, hr_x, vacancy_x, vacancy_y):
        assert list(access.vacancies_visible_to(hr_x)) == [vacancy_x]

    def test_hr_cannot_open_another_employers_vacancy(self, client, hr_x, vacancy_y):
        client.force_login(hr_x)
        assert client.get(reverse("jobs:vacancy_detail", args=[vacancy_y.pk])).status_code == 404
        assert client.get(f"/api/v1/vacancies/{vacancy_y.pk}/").status_code == 404

    def test_hr_edits_only_their_own(self, hr_x, vacancy_x, vacancy_y):
        assert list(access.vacancies_editable_by(hr_x)) == [vacancy_x]

    def test_official_reads_paired_vacancies_but_edits_none(self, official_a, vacancy_x):
        assert vacancy_x in access.vacancies_visible_to(official_a)
        assert not access.vacancies_editable_by(official_a).exists()

    def test_official_does_not_see_drafts_or_unverified_employers(self, official_a, employer_x):
        draft = VacancyFactory(employer=employer_x, status="draft")
        employer_x.verification_status = "pending"
        employer_x.save()
        pending = VacancyFactory(employer=employer_x)
        visible = set(access.vacancies_visible_to(official_a))
        assert draft not in visible and pending not in visible

    def test_coordinator_sees_eastern_employers_of_their_pairing(self, coordinator, employer_x):
        from tests.factories import EmployerFactory

        jinan = EmployerFactory(district_id="370103", city_id="370100")
        visible = set(access.employers_visible_to(coordinator))
        assert employer_x in visible and jinan not in visible


class TestAnonymous:
    @pytest.mark.parametrize(
        "name", ["home", "workers:list", "jobs:vacancy_list", "jobs:employer_list"]
    )
    def test_pages_send_anonymous_users_to_login(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize(
        "path", ["/api/v1/workers/", "/api/v1/vacancies/", "/api/v1/employers/"]
    )
    def test_api_refuses_anonymous_users(self, client, path):
        assert client.get(path).status_code in (401, 403)

    def test_nothing_is_visible_to_anonymous(self, worker_a, vacancy_x):
        from django.contrib.auth.models import AnonymousUser

        anonymous = AnonymousUser()
        assert not access.workers_visible_to(anonymous).exists()
        assert not access.vacancies_visible_to(anonymous).exists()
