"""The employers and vacancies API: scoping, HR writes, lifecycle, anonymous refusal."""

import datetime as dt

import pytest
from django.utils import timezone

from jobs.models import Vacancy, VacancyStatus, VerificationStatus
from tests.factories import make_credit_code

pytestmark = pytest.mark.django_db


def new_vacancy(occupation, **fields):
    payload = {
        "occupation": occupation.code,
        "title": "叉车司机",
        "headcount": 5,
        "wage_min": 6000,
        "wage_max": 8000,
        "start_date": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
    }
    payload.update(fields)
    return payload


class TestAnonymous:
    @pytest.mark.parametrize(
        "method,path",
        [
            ("get", "/api/v1/vacancies/"),
            ("get", "/api/v1/vacancies/{v}/"),
            ("post", "/api/v1/vacancies/"),
            ("patch", "/api/v1/vacancies/{v}/"),
            ("post", "/api/v1/vacancies/{v}/transition/"),
            ("get", "/api/v1/employers/"),
            ("get", "/api/v1/employers/{e}/"),
            ("post", "/api/v1/employers/"),
            ("patch", "/api/v1/employers/{e}/"),
            ("post", "/api/v1/employers/{e}/verify/"),
        ],
    )
    def test_refused(self, client, vacancy_x, method, path):
        url = path.format(v=vacancy_x.pk, e=vacancy_x.employer_id)
        response = getattr(client, method)(url, {}, content_type="application/json")
        assert response.status_code in (401, 403)


class TestScope:
    def test_hr_y_cannot_see_or_change_employer_x(self, client, hr_y, vacancy_x, vacancy_y):
        client.force_login(hr_y)
        listed = client.get("/api/v1/vacancies/").json()["results"]
        assert [v["id"] for v in listed] == [vacancy_y.pk]
        assert client.get(f"/api/v1/vacancies/{vacancy_x.pk}/").status_code == 404
        response = client.patch(
            f"/api/v1/vacancies/{vacancy_x.pk}/", {"title": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
        response = client.post(
            f"/api/v1/vacancies/{vacancy_x.pk}/transition/",
            {"status": "closed"},
            content_type="application/json",
        )
        assert response.status_code == 404
        employer = vacancy_x.employer_id
        assert client.get(f"/api/v1/employers/{employer}/").status_code == 404
        response = client.patch(
            f"/api/v1/employers/{employer}/", {"name": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
        assert Vacancy.objects.get(pk=vacancy_x.pk).status == "open"

    def test_official_reads_but_cannot_write(self, client, official_a, vacancy_x):
        client.force_login(official_a)
        assert client.get(f"/api/v1/vacancies/{vacancy_x.pk}/").status_code == 200
        response = client.patch(
            f"/api/v1/vacancies/{vacancy_x.pk}/", {"headcount": 1}, content_type="application/json"
        )
        assert response.status_code == 403
        response = client.post(
            f"/api/v1/vacancies/{vacancy_x.pk}/transition/",
            {"status": "closed"},
            content_type="application/json",
        )
        assert response.status_code == 403
        response = client.post(
            "/api/v1/vacancies/",
            new_vacancy(vacancy_x.occupation, employer=vacancy_x.employer_id),
            content_type="application/json",
        )
        assert response.status_code == 404
        assert Vacancy.objects.get(pk=vacancy_x.pk).headcount == 10


class TestHrWrites:
    def test_create_publish_update_and_close(self, client, hr_x, occupation, campaign):
        client.force_login(hr_x)
        response = client.post(
            "/api/v1/vacancies/",
            new_vacancy(occupation, campaign=campaign.code, meals=True, publish=True),
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["status"] == "open" and body["district"] == "370214"
        assert body["headcount_remaining"] == 5 and body["campaign"] == campaign.code
        pk = body["id"]
        response = client.patch(
            f"/api/v1/vacancies/{pk}/",
            {"headcount": 8, "required_certificates": []},
            content_type="application/json",
        )
        assert response.json()["headcount"] == 8
        response = client.post(
            f"/api/v1/vacancies/{pk}/transition/",
            {"status": "closed"},
            content_type="application/json",
        )
        assert response.json()["status"] == "closed"
        response = client.post(
            f"/api/v1/vacancies/{pk}/transition/",
            {"status": "open"},
            content_type="application/json",
        )
        assert response.status_code == 400
        assert response.json() == {
            "code": "invalid",
            "message": "岗位状态不能从“已关闭”变为“招聘中”。",
            "fields": {},
        }

    def test_field_errors_come_back_by_field(self, client, hr_x, occupation):
        client.force_login(hr_x)
        response = client.post(
            "/api/v1/vacancies/",
            new_vacancy(occupation, wage_max=100, description="只招男工"),
            content_type="application/json",
        )
        assert response.status_code == 400
        errors = response.json()["fields"]
        assert "wage_max" in errors and "歧视性条件" in errors["description"][0]

    def test_hr_updates_the_profile_and_cannot_verify_itself(self, client, hr_x, employer_x):
        client.force_login(hr_x)
        response = client.patch(
            f"/api/v1/employers/{employer_x.pk}/",
            {"has_canteen": True, "canteen_details": "三餐", "credit_code": "123"},
            content_type="application/json",
        )
        assert response.status_code == 400 and "credit_code" in response.json()["fields"]
        response = client.patch(
            f"/api/v1/employers/{employer_x.pk}/",
            {"has_canteen": True, "canteen_details": "三餐"},
            content_type="application/json",
        )
        assert response.status_code == 200 and response.json()["has_canteen"] is True
        response = client.post(
            f"/api/v1/employers/{employer_x.pk}/verify/",
            {"approve": True},
            content_type="application/json",
        )
        assert response.status_code == 403


class TestCoordinator:
    def test_registers_and_verifies(self, client, coordinator):
        client.force_login(coordinator)
        response = client.post(
            "/api/v1/employers/",
            {
                "name": "青岛新工厂有限公司",
                "credit_code": make_credit_code("370211"),
                "city": "370200",
                "district": "370211",
                "industry": "C",
            },
            content_type="application/json",
        )
        assert response.status_code == 201
        pk = response.json()["id"]
        assert response.json()["verification_status"] == VerificationStatus.PENDING
        response = client.post(
            f"/api/v1/employers/{pk}/verify/", {"approve": False}, content_type="application/json"
        )
        assert response.status_code == 400 and "reason" in response.json()["fields"]
        response = client.post(
            f"/api/v1/employers/{pk}/verify/", {"approve": True}, content_type="application/json"
        )
        assert response.json()["verification_status"] == VerificationStatus.VERIFIED

    def test_cannot_edit_vacancies(self, client, coordinator, vacancy_x):
        client.force_login(coordinator)
        response = client.post(
            f"/api/v1/vacancies/{vacancy_x.pk}/transition/",
            {"status": VacancyStatus.PAUSED},
            content_type="application/json",
        )
        assert response.status_code == 403


def test_schema_has_unique_component_names(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    for name in (
        "VacancyCreateInput",
        "VacancyUpdateInput",
        "VacancyTransitionInput",
        "EmployerVerifyInput",
        "BoardVacancyOutput",
    ):
        assert name in body
