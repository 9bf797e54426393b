"""Pages and API of the approval chain (issue 14, H5): what each role sees and may do, the
printable and the public notice, the payment batch pages and the report; other counties,
other townships, HR and anonymous visitors are refused."""

import io
import json
import re

import pytest
from openpyxl import load_workbook
from rest_framework.test import APIClient

from subsidies import approval
from subsidies.chain_selectors import mask_name
from subsidies.models import Application, ApplicationStatus, PaymentBatch
from tests.factories import NEIGUANYING
from tests.subsidies.chain_support import application, days_ago, policy_with_budget

S = ApplicationStatus
pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(db):
    return policy_with_budget()


@pytest.fixture
def notice(policy, township_officer):
    apps = [
        application(policy, status=S.TOWNSHIP_REVIEWED, name=name) for name in ("张小明", "李四")
    ]
    return approval.township_notice_publish(
        actor=township_officer, application_ids=[a.pk for a in apps], starts_on=days_ago(1)
    )


def test_mask_name():
    assert mask_name("张小明") == "张*明"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳小明") == "欧**明"


def test_public_notice_masks_names_and_shows_no_id_numbers(client, notice):
    page = client.get(f"/notice/{notice.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "张*明" in html and "李*" in html and "张小明" not in html
    app = notice.applications.first()
    assert app.worker.id_number_masked not in html
    assert notice.starts_on.isoformat() in html and notice.ends_on.isoformat() in html
    for column in ("姓名", "性别", "年龄", "务工时间（起止）", "务工地点", "务工单位", "金额"):
        assert column in html
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get("/notice/not-a-real-slug/").status_code == 404


def test_notice_page_is_scoped(
    client, notice, township_officer, township_officer_b, official_a, official_b, hr_x
):
    url = f"/subsidies/chain/notices/{notice.pk}/"
    for user, expected in (
        (township_officer, 200),
        (official_a, 200),
        (township_officer_b, 404),
        (official_b, 404),
        (hr_x, 403),
    ):
        client.force_login(user)
        assert client.get(url).status_code == expected, user.username
    client.logout()
    assert client.get(url).status_code == 302


def test_chain_list_and_action_through_the_page(
    client, policy, township_officer, township_officer_b
):
    mine = application(policy, name="王五")
    other = application(policy, township=NEIGUANYING, name="赵六")
    client.force_login(township_officer)
    html = client.get("/subsidies/chain/applications/").content.decode()
    assert "王五" in html and "赵六" not in html
    response = client.post(
        "/subsidies/chain/applications/action/", {"action": "village_list", "ids": [mine.pk]}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=mine.pk).status == S.VILLAGE_LISTED
    # Another township's application in the selection: refused, nothing moves.
    client.post(
        "/subsidies/chain/applications/action/",
        {"action": "township_review", "ids": [mine.pk, other.pk]},
    )
    assert Application.objects.get(pk=mine.pk).status == S.VILLAGE_LISTED
    assert client.get(f"/subsidies/chain/applications/{other.pk}/").status_code == 404
    client.force_login(township_officer_b)
    assert client.get(f"/subsidies/chain/applications/{mine.pk}/").status_code == 404


def test_objection_through_the_page_blocks_until_answered(client, notice, township_officer):
    client.force_login(township_officer)
    app = notice.applications.order_by("pk").first()
    client.post(
        f"/subsidies/chain/notices/{notice.pk}/objections/",
        {"application": app.pk, "text": "实际未外出务工", "raised_on": days_ago(0).isoformat()},
    )
    objection = app.objections.get()
    assert not objection.resolved
    client.post(
        f"/subsidies/chain/objections/{objection.pk}/answer/",
        {"answer": "经核实在青岛务工", "resolved": "1"},
    )
    objection.refresh_from_db()
    assert objection.resolved and objection.answered_by == township_officer


def test_batch_pages_export_and_refusals(
    client, policy, official_a, official_b, hr_x, township_officer
):
    application(policy, status=S.APPROVED, name="钱七")
    client.force_login(official_a)
    response = client.post("/subsidies/chain/payments/new/", {"month": "2026-11-15"})
    batch = PaymentBatch.objects.get()
    assert response.status_code == 302 and batch.month.day == 1
    assert "钱七" in client.get(f"/subsidies/chain/payments/{batch.pk}/").content.decode()
    export = client.post(f"/subsidies/chain/payments/{batch.pk}/export/")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份证号", "社保卡号/账号", "金额", "备注")
    assert export["Cache-Control"] == "no-store"
    client.post(f"/subsidies/chain/payments/{batch.pk}/paid/", {"bank_reference": "GS2026"})
    batch.refresh_from_db()
    assert batch.status == "paid" and batch.bank_reference == "GS2026"
    for user, expected in ((official_b, 404), (township_officer, 404), (hr_x, 404)):
        client.force_login(user)
        assert client.get(f"/subsidies/chain/payments/{batch.pk}/").status_code == expected
        assert client.post(f"/subsidies/chain/payments/{batch.pk}/export/").status_code == expected
    client.force_login(hr_x)
    assert client.get("/subsidies/chain/payments/").status_code == 403


def test_report_page_and_xlsx(client, policy, official_a, coordinator, hr_x, township_officer):
    application(policy, status=S.APPROVED)
    application(policy, status=S.TOWNSHIP_NOTICE)
    client.force_login(official_a)
    html = client.get("/subsidies/chain/report/").content.decode()
    assert "安定区" in html and "100000" in html and "99400" in html
    # The chart beside the table carries the same amounts (approved 600, budget 100000).
    response = client.get("/subsidies/chain/report/")
    chart = json.loads(
        re.search(r'id="chart-subsidy-budget"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    series = {s["name"]: s["data"] for s in chart["series"]}
    assert series == {"已审批金额": [600], "已发放金额": [0], "预算": [100000]}
    assert "echarts.min.js" in response.content.decode()
    export = client.get("/subsidies/chain/report/export/")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[1][3] == 2 and rows[1][4] == 1 and rows[1][6] == 600
    client.force_login(coordinator)
    assert client.get("/subsidies/chain/report/").status_code == 200
    for user in (hr_x, township_officer):
        client.force_login(user)
        assert client.get("/subsidies/chain/report/").status_code == 403


def test_api_chain_and_refusals(policy, township_officer, official_a, official_b, hr_x):
    app = application(policy)
    api = APIClient()
    api.force_authenticate(township_officer)
    response = api.post(
        "/api/v1/subsidy-applications/chain/",
        {"action": "village_list", "ids": [app.pk]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1
    response = api.post(
        f"/api/v1/subsidy-applications/{app.pk}/send-back/",
        {"reason": "村里名单有误"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == S.SENT_BACK
    api.force_authenticate(official_b)
    assert api.get(f"/api/v1/subsidy-applications/{app.pk}/").status_code == 404
    response = api.post(
        "/api/v1/subsidy-applications/chain/", {"action": "approve", "ids": [app.pk]}, format="json"
    )
    assert response.status_code == 403
    api.force_authenticate(hr_x)
    assert api.get("/api/v1/subsidy-applications/").status_code == 403
    assert api.get("/api/v1/subsidy-payment-batches/").status_code == 403
    api.force_authenticate(None)
    assert api.get("/api/v1/subsidy-notices/").status_code in (401, 403)
    api.force_authenticate(official_a)
    assert api.get("/api/v1/subsidy-report/").status_code == 200


def test_the_applications_list_reads_a_page_in_a_fixed_number_of_queries(
    client, policy, township_officer, query_count
):
    for n in range(12):
        application(policy, name=f"孙{n}")
    client.force_login(township_officer)
    with query_count(12):
        html = client.get("/subsidies/chain/applications/").content.decode()
    assert html.count('name="ids"') == 12
