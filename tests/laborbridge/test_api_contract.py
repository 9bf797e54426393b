"""The API contract: one error body for every app, ranges checked, the schema says so.

Every error is ``{"code", "message", "fields"}`` with the message in the reader's language;
ids are integers in the URL; numbers are bounded by their columns; date-times by 2000–2100;
``/api/v1/`` lists every resource; the OpenAPI schema documents the error responses.
"""

import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from jobs.models import VacancyStatus
from laborbridge.api import Conflict, ServiceUnavailable
from tests.factories import ANDING, VacancyFactory, WorkerFactory, make_id_number
from tests.transport import scenario
from transport.models import PickupPoint

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def world(employer_x, employer_y):
    return scenario.build([employer_x, employer_y], per_employer=3, family=0)


def _as(api, user, language: str | None = None):
    api.force_authenticate(user)
    if language:
        api.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return api


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == code, body
    assert body["message"], body
    return body


class TestOneErrorBody:
    def test_serializer_error_names_the_field_and_the_limit(self, api, coordinator, world):
        response = _as(api, coordinator).post(
            f"{API}/rounds/", {"campaign": world.campaign.code, "seed": 2**40}, format="json"
        )
        body = _error(response, 400, "invalid")
        assert list(body["fields"]) == ["seed"]
        assert "2147483647" in body["fields"]["seed"][0]
        assert "seed" in body["message"]

    def test_service_error_of_jobs(self, api, hr_x, employer_x):
        vacancy = VacancyFactory(employer=employer_x, status=VacancyStatus.CLOSED)
        response = _as(api, hr_x).post(
            f"{API}/vacancies/{vacancy.pk}/transition/", {"status": "open"}, format="json"
        )
        body = _error(response, 400, "invalid")
        assert body["fields"] == {}
        assert "已关闭" in body["message"] and "招聘中" in body["message"]

    def test_service_error_of_workers_keeps_the_field(self, api, official_a):
        number = make_id_number(ANDING)
        WorkerFactory(home_county_id=ANDING, id_number=number)
        response = _as(api, official_a).post(
            f"{API}/workers/",
            {"name": "重复", "id_number": number, "phone": "13800000000"},
            format="json",
        )
        body = _error(response, 400, "invalid")
        assert "安定区" in body["fields"]["id_number"][0], body

    def test_service_error_of_transport(self, api, coordinator, world):
        point = PickupPoint.objects.filter(county_id=ANDING, is_active=True).first()
        response = _as(api, coordinator).patch(
            f"{API}/transport/pickup-points/{point.pk}/",
            {"latitude": 91},
            format="json",
        )
        body = _error(response, 400, "invalid")
        assert list(body["fields"]) == ["latitude"]

    def test_service_error_of_matching(self, api, official_a, world):
        match = next(m for m in world.matches if m.worker.home_county_id == ANDING)
        response = _as(api, official_a).post(
            f"{API}/matches/{match.pk}/decide/", {"decision": "approve"}, format="json"
        )
        assert response.status_code in (400, 403)
        _error(response, response.status_code, response.json()["code"])

    def test_permission_denied_carries_the_services_reason(self, api, official_a, world):
        response = _as(api, official_a).post(f"{API}/transport/trips/", {}, format="json")
        body = _error(response, 403, "permission_denied")
        assert body["message"] == "只有协作专员可以安排运输。"

    @pytest.mark.parametrize(
        "url",
        ["/regions/", "/workers/", "/transport/trips/", "/rounds/", "/vacancies/"],
    )
    def test_anonymous(self, api, url):
        body = _error(api.get(API + url), 403, "not_authenticated")
        assert body["fields"] == {}

    def test_message_in_the_readers_language(self, api, coordinator):
        chinese = _error(_as(api, coordinator).get(f"{API}/workers/999999/"), 404, "not_found")
        english = _error(
            _as(APIClient(), coordinator, "en").get(f"{API}/workers/999999/"), 404, "not_found"
        )
        assert chinese["message"] == "未找到。"
        assert english["message"] == "Not found."

    def test_our_own_messages_in_english_too(self, api, coordinator):
        body = _error(
            _as(api, coordinator, "en").get(f"{API}/transport/trips/abc/"), 404, "not_found"
        )
        assert body["message"].startswith("No such address")


class TestIdsAndRanges:
    @pytest.mark.parametrize(
        "url",
        [
            "/transport/pickup-points/abc/",
            "/transport/pickup-points/1.5/",
            "/transport/trips/abc/manifest/",
            "/transport/trips/-1/",
            "/workers/0x10/",
            "/no-such-resource/",
        ],
    )
    def test_a_non_integer_id_is_a_json_404(self, api, coordinator, url):
        _error(_as(api, coordinator).get(API + url), 404, "not_found")

    def test_an_id_beyond_the_column_is_a_404(self, api, coordinator):
        _error(_as(api, coordinator).get(f"{API}/transport/trips/{10**30}/"), 404, "not_found")

    def test_headcount_beyond_the_column_is_400(self, api, hr_x, employer_x):
        vacancy = VacancyFactory(employer=employer_x)
        response = _as(api, hr_x).patch(
            f"{API}/vacancies/{vacancy.pk}/", {"headcount": 2**31}, format="json"
        )
        body = _error(response, 400, "invalid")
        assert "2147483647" in body["fields"]["headcount"][0]

    def test_manifest_error_of_an_xlsx_download_is_json(self, api, coordinator, world):
        response = _as(api, coordinator).get(
            f"{API}/transport/trips/{world.train.pk}/manifest/", {"format": "xlsx", "car": 999}
        )
        body = _error(response, 400, "invalid")
        assert "999" in body["fields"]["car"][0]


class TestDateTimes:
    def _trip(self, world, **fields):
        return {
            "campaign": world.campaign.code,
            "mode": "chartered_bus",
            "service_number": "包车9",
            "origin": world.train.origin.code,
            "destination": world.train.destination.code,
            "departure_at": "2026-02-27T08:00:00",
            "arrival_at": "2026-02-28T08:00:00",
            "cars": 1,
            "seats_per_car": 50,
            **fields,
        }

    def test_year_545_is_refused(self, api, coordinator, world):
        response = _as(api, coordinator).post(
            f"{API}/transport/trips/",
            self._trip(world, departure_at="0545-02-27T08:00:00"),
            format="json",
        )
        body = _error(response, 400, "invalid")
        assert "2000" in body["fields"]["departure_at"][0]

    def test_naive_time_is_beijing_time_never_lmt(self, api, coordinator, world):
        response = _as(api, coordinator).post(
            f"{API}/transport/trips/", self._trip(world), format="json"
        )
        assert response.status_code == 201, response.json()
        assert response.json()["departure_at"] == "2026-02-27T08:00:00+08:00"
        patched = api.patch(
            f"{API}/transport/trips/{response.json()['id']}/",
            {"departure_at": "2100-12-31T23:00:00Z"},
            format="json",
        )
        assert patched.status_code in (200, 400), patched.json()
        if patched.status_code == 200:
            assert patched.json()["departure_at"].endswith("+08:00")


class TestNullsMatchTheSchema:
    def test_township_name_is_null_without_a_township(self, api, coordinator, world):
        point = PickupPoint.objects.filter(county_id=ANDING).first()
        PickupPoint.objects.filter(pk=point.pk).update(township=None)
        row = _as(api, coordinator).get(f"{API}/transport/pickup-points/{point.pk}/").json()
        assert row["township"] is None and row["township_name"] is None


class TestRaisedByViews:
    """The exceptions other engineers' views raise render with the same body."""

    def _view(self, error):
        class Raising(APIView):
            permission_classes: list = []
            authentication_classes: list = []

            def get(self, request):
                raise error

        return Raising.as_view()

    def test_conflict(self):
        response = self._view(Conflict("本活动已有一轮匹配在排队。"))(APIRequestFactory().get("/"))
        assert response.status_code == 409
        assert response.data == {
            "code": "conflict",
            "message": "本活动已有一轮匹配在排队。",
            "fields": {},
        }

    def test_service_unavailable_says_when_to_retry(self):
        error = ServiceUnavailable("任务队列暂时不可用。", retry_after=30)
        response = self._view(error)(APIRequestFactory().get("/"))
        assert response.status_code == 503 and response["Retry-After"] == "30"
        assert response.data["code"] == "service_unavailable"

    def test_django_validation_error_with_conflict_code_is_409(self):
        error = DjangoValidationError("已有方案在计算。", code="conflict")
        response = self._view(error)(APIRequestFactory().get("/"))
        assert response.status_code == 409 and response.data["message"] == "已有方案在计算。"

    def test_nested_fields_are_dotted(self):
        from rest_framework.exceptions import ValidationError

        error = ValidationError(
            {"consent": {"scope": ["必填。"]}, "skills": [{}, {"level": ["x"]}]}
        )
        response = self._view(error)(APIRequestFactory().get("/"))
        assert response.data["fields"] == {"consent.scope": ["必填。"], "skills.1.level": ["x"]}


class TestRootAndSchema:
    def test_root_lists_every_resource(self, api, coordinator):
        root = _as(api, coordinator).get(f"{API}/").json()
        for name in [
            "regions",
            "occupations",
            "campaigns",
            "workers",
            "worker-imports",
            "employers",
            "vacancies",
            "vacancy-imports",
            "rounds",
            "matches",
            "transport/trips",
            "transport/plans",
            "transport/seats",
            "transport/buses",
            "transport/pickup-points",
            "transport/notifications",
        ]:
            assert name in root, name
        for name, url in root.items():  # every URL leads to its resource (HR-only ones refuse)
            assert api.get(url).status_code in (200, 403), (name, url)
        assert api.get(root["transport/trips"]).status_code == 200

    def test_root_refuses_anonymous(self, api):
        _error(api.get(f"{API}/"), 403, "not_authenticated")

    def test_schema_documents_the_errors_of_every_operation(self, api, coordinator):
        schema = yaml.safe_load(_as(api, coordinator).get("/api/schema/").content)
        error = schema["components"]["schemas"]["Error"]
        assert set(error["required"]) == {"code", "message", "fields"}
        operations = 0
        for route, item in schema["paths"].items():
            for method, operation in item.items():
                if method not in {"get", "post", "put", "patch", "delete"}:
                    continue
                operations += 1
                codes = set(operation["responses"])
                assert {"400", "403", "404", "429"} <= codes, (method, route)
                if method != "get":
                    assert {"409", "415", "503"} <= codes, (method, route)
                if "{id}" in route:
                    parameter = next(p for p in operation["parameters"] if p["name"] == "id")
                    assert parameter["schema"]["type"] == "integer", (method, route)
                body = operation["responses"]["404"]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}
        assert operations > 50

    def test_column_limits_are_in_the_schema(self, api, coordinator):
        schema = yaml.safe_load(_as(api, coordinator).get("/api/schema/").content)
        components = schema["components"]["schemas"]
        seed = components["RoundCreateInput"]["properties"]["seed"]
        assert seed["maximum"] == 2147483647 and seed["minimum"] == 0
        headcount = components["PatchedVacancyUpdateInput"]["properties"]["headcount"]
        assert headcount["maximum"] == 2147483647 and headcount["minimum"] == 1
