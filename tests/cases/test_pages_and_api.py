"""The case pages, the worker-page section and the API: who is let in, who is refused."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus

pytestmark = pytest.mark.django_db

OTHERS = ["official_b", "hr_x", "coordinator_other", "liaison_longnan"]
WAGE_FORM = {
    "kind": "wage_arrears",
    "description": "三个月工资没发",
    "sector": "non_construction",
    "owed_from": "2026-08",
    "owed_to": "2026-10",
    "amount_owed": "15000",
}


def _login(client, user):
    client.force_login(user)
    return client


class TestPages:
    def test_worker_page_section_and_the_intake(self, client, official_a, employment):
        _login(client, official_a)
        open_url = reverse("cases:open", args=[employment.worker_id])
        body = client.get(reverse("workers:detail", args=[employment.worker_id])).content
        assert open_url in body.decode()
        form = client.get(open_url).content.decode()
        assert employment.employer.name in form  # prefilled from the employment
        response = client.post(open_url, WAGE_FORM)
        case = Case.objects.get()
        assert response.status_code == 302 and response.url == reverse(
            "cases:detail", args=[case.pk]
        )
        assert (case.amount_owed, str(case.owed_from)) == (15000, "2026-08-01")

    def test_intake_errors_stay_on_the_form(self, client, official_a, employment):
        _login(client, official_a)
        response = client.post(
            reverse("cases:open", args=[employment.worker_id]), {"kind": "wage_arrears"}
        )
        assert response.status_code == 200 and "请填写欠薪金额" in response.content.decode()
        assert not Case.objects.exists()

    def test_list_filters_and_query_count(self, client, coordinator, wage_case, query_count):
        _login(client, coordinator)
        with query_count(12):
            body = client.get(reverse("cases:list")).content.decode()
        assert wage_case.worker.name in body
        overdue = client.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
        assert wage_case.worker.name not in overdue
        Case.objects.filter(pk=wage_case.pk).update(
            deadline=timezone.localdate().replace(year=2025)
        )
        overdue = client.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
        assert wage_case.worker.name in overdue and "已逾期" in overdue

    def test_detail_and_a_step(self, client, liaison, wage_case):
        _login(client, liaison)
        detail = reverse("cases:detail", args=[wage_case.pk])
        body = client.get(detail).content.decode()
        assert wage_case.worker.id_number_masked in body and "办理记录" in body
        response = client.post(
            reverse("cases:step", args=[wage_case.pk]), {"action": "handling", "note": "已约谈企业"}
        )
        assert response.status_code == 302
        wage_case.refresh_from_db()
        assert wage_case.status == CaseStatus.HANDLING
        bad = client.post(reverse("cases:step", args=[wage_case.pk]), {"action": "referred"})
        assert bad.status_code == 400 and "移交的人社部门" in bad.content.decode()

    def test_go_home_case_closes_with_the_return_on_the_page(self, client, official_a, employment):
        from cases import services

        case = services.open_case(
            worker=employment.worker, kind="go_home", opened_via="worker_link"
        )
        _login(client, official_a)
        assert "记录返乡" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
        response = client.post(
            reverse("cases:return_home", args=[case.pk]),
            {"occurred_on": timezone.localdate().isoformat(), "reason": "family"},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.status == CaseStatus.RESOLVED

    @pytest.mark.parametrize("who", OTHERS)
    def test_others_are_refused(self, client, request, employment, wage_case, who):
        _login(client, request.getfixturevalue(who))
        assert client.get(reverse("cases:detail", args=[wage_case.pk])).status_code in (403, 404)
        step = client.post(reverse("cases:step", args=[wage_case.pk]), {"action": "handling"})
        assert step.status_code in (403, 404)
        open_url = reverse("cases:open", args=[employment.worker_id])
        assert client.post(open_url, WAGE_FORM).status_code in (403, 404)
        listing = client.get(reverse("cases:list"))
        assert listing.status_code == 403 or wage_case.worker.name not in listing.content.decode()
        assert Case.objects.get().status == CaseStatus.RECEIVED and Case.objects.count() == 1

    def test_anonymous_is_sent_to_sign_in(self, client, wage_case):
        for url in (reverse("cases:list"), reverse("cases:detail", args=[wage_case.pk])):
            response = client.get(url)
            assert response.status_code == 302 and "login" in response.url


API = "/api/v1/cases/"


class TestApi:
    def test_list_detail_create_step(self, client, coordinator, official_a, employment, wage_case):
        _login(client, coordinator)
        listed = client.get(API, {"kind": "wage_arrears"}).json()
        assert [c["id"] for c in listed["results"]] == [wage_case.pk]
        detail = client.get(f"{API}{wage_case.pk}/").json()
        assert detail["steps"][0]["action"] == "opened" and detail["overdue"] is False
        response = client.post(
            f"{API}{wage_case.pk}/steps/",
            {"action": "referred", "referred_to": "城阳区人社局", "note": "已移交"},
            content_type="application/json",
        )
        assert response.status_code == 201 and response.json()["status"] == "referred"
        _login(client, official_a)
        created = client.post(
            API,
            {"worker": employment.worker_id, "kind": "housing", "description": "宿舍漏雨"},
            content_type="application/json",
        )
        assert created.status_code == 201, created.json()
        assert created.json()["employer_name"] == employment.employer.name
        duplicate = client.post(
            API,
            {"worker": employment.worker_id, "kind": "housing", "description": "又漏雨"},
            content_type="application/json",
        )
        assert duplicate.status_code == 400

    def test_return_home(self, client, liaison, employment):
        from cases import services

        case = services.open_case(
            worker=employment.worker, kind="go_home", opened_via="worker_link"
        )
        _login(client, liaison)
        response = client.post(
            f"{API}{case.pk}/return-home/",
            {"occurred_on": timezone.localdate().isoformat(), "reason": "family"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["steps"][-1]["action"] == "returned_home"

    @pytest.mark.parametrize("who", OTHERS)
    def test_others_are_refused(self, client, request, employment, wage_case, who):
        _login(client, request.getfixturevalue(who))
        assert client.get(f"{API}{wage_case.pk}/").status_code in (403, 404)
        listing = client.get(API)
        assert listing.status_code == 403 or listing.json()["results"] == []
        step = client.post(
            f"{API}{wage_case.pk}/steps/", {"action": "handling"}, content_type="application/json"
        )
        assert step.status_code in (403, 404)
        created = client.post(
            API,
            {"worker": employment.worker_id, "kind": "other", "description": "x"},
            content_type="application/json",
        )
        assert created.status_code in (400, 403)
        assert Case.objects.count() == 1 and Case.objects.get().status == CaseStatus.RECEIVED

    def test_anonymous_is_refused(self, client, wage_case):
        assert client.get(API).status_code in (401, 403)
        assert client.get(f"{API}{wage_case.pk}/").status_code in (401, 403)
