"""Pages and API of subsidies part 1 (policies, eligibility, applications, evidence): what
each role sees and does, and that other counties, townships, HR, liaisons and anonymous
users are refused."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from laborbridge.models import AuditEvent
from subsidies import services
from subsidies.models import Application, ApplicationEvidence, EligibilityRun, Policy
from tests.documents import pdf_bytes
from tests.factories import ANDING, HUANGDAO, EmployerFactory, place_worker
from workers.models import PovertyStatus

pytestmark = pytest.mark.django_db
PDF = pdf_bytes()
OUTSIDERS = ["official_b", "hr_x", "liaison"]


@pytest.fixture
def gansu(db):
    call_command("load_subsidy_policies", verbosity=0)
    return Policy.objects.get(code="gansu-2024-transport")


def placed(days=120, county=ANDING, township=None):
    employment = place_worker(EmployerFactory(district_id=HUANGDAO), county=county)
    since = timezone.localdate() - dt.timedelta(days=days)
    employment.started_on = employment.working_since = since
    employment.current_workplace_id = HUANGDAO
    employment.current_employer_name = employment.employer.name
    employment.save()
    worker = employment.worker
    worker.poverty_status = PovertyStatus.POVERTY_ALLEVIATED
    worker.home_township_id = township
    worker.save()
    return employment


@pytest.fixture
def computed(gansu, official_a):
    from laborbridge.models import Region

    ok, soon = placed(), placed(days=30)
    run = services.eligibility_run_create(
        actor=official_a, policy=gansu, county=Region.objects.get(pk=ANDING)
    )
    services.eligibility_run_execute(run.pk, "test")
    return ok, soon


def test_policy_pages_for_readers(client, gansu, official_a, coordinator, township_officer):
    for user in (official_a, coordinator, township_officer):
        client.force_login(user)
        listing = client.get(reverse("subsidies:policies"))
        assert listing.status_code == 200
        assert gansu in listing.context["policies"]
        detail = client.get(reverse("subsidies:policy", args=[gansu.pk]))
        assert "甘人社通〔2024〕155号" in detail.content.decode()
    # Heilongjiang's policy is not in Dingxi's area.
    hlj = Policy.objects.get(code="heilongjiang-job-retention")
    client.force_login(official_a)
    assert client.get(reverse("subsidies:policy", args=[hlj.pk])).status_code == 404


@pytest.mark.parametrize("outsider", ["hr_x", "liaison"])
def test_policy_pages_refuse_hr_and_liaison(client, gansu, outsider, request):
    client.force_login(request.getfixturevalue(outsider))
    assert client.get(reverse("subsidies:policies")).status_code == 403
    assert client.get(reverse("subsidies:policy", args=[gansu.pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, gansu):
    for url in (
        reverse("subsidies:policies"),
        reverse("subsidies:eligibility", args=[gansu.pk, ANDING]),
    ):
        assert client.get(url).status_code == 302
    assert client.get("/api/v1/subsidy-policies/").status_code in (401, 403)


def test_coordinator_creates_and_edits_a_policy(client, coordinator, official_a):
    client.force_login(coordinator)
    data = {
        "code": "dingxi-2026-retention",
        "name": "定西市稳岗补贴",
        "kind": "job_retention",
        "issuing_region": "621100",
        "year": "2026",
        "target_groups": ["poverty_alleviated"],
        "evidence_kinds": ["labour_contract"],
        "min_consecutive_months": "6",
        "notice_days": "7",
        "payment_mode": "check_then_pay",
        "once_per_year": "on",
        "is_active": "on",
        "amounts-TOTAL_FORMS": "6",
        "amounts-INITIAL_FORMS": "0",
        "amounts-0-zone": "other_province",
        "amounts-0-amount": "500",
    }
    page = client.post(reverse("subsidies:policy_create"), data)
    assert page.status_code == 302, page.context["form"].errors
    policy = Policy.objects.get(code="dingxi-2026-retention")
    assert list(policy.amounts.values_list("zone", "amount")) == [("other_province", 500)]
    bad = client.post(
        reverse("subsidies:policy_edit", args=[policy.pk]), {**data, "amounts-0-amount": ""}
    )
    assert "金额须为 1 至" in bad.content.decode()
    client.force_login(official_a)
    assert client.get(reverse("subsidies:policy_create")).status_code == 403
    assert client.get(reverse("subsidies:policy_edit", args=[policy.pk])).status_code == 403


def _xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "policies.xlsx"
    return buffer


HEADER = [
    "政策编码",
    "政策名称",
    "补贴类别",
    "发文地区代码",
    "政策年度",
    "补贴对象",
    "连续务工月数",
    "仅限自主外出",
    "补贴标准",
]


def test_policy_import_names_row_and_column(client, coordinator):
    client.force_login(coordinator)
    bad = _xlsx(
        [
            HEADER,
            ["a", "甲", "稳岗补贴", "621100", "2026", "脱贫劳动力", "三", "是", "省外其他地区:600"],
            ["b", "乙", "飞行补贴", "621100", "2026", "脱贫劳动力", "3", "否", "火星:600"],
        ]
    )
    page = client.post(reverse("subsidies:policy_import"), {"file": bad})
    errors = page.context["errors"]
    assert "第 2 行「连续务工月数」：应为整数" in errors
    assert any(e.startswith("第 3 行「补贴类别」") for e in errors)
    assert any(e.startswith("第 3 行「补贴标准」") for e in errors)
    assert not Policy.objects.filter(code__in=["a", "b"]).exists()
    good = _xlsx(
        [
            HEADER,
            [
                "a",
                "甲",
                "稳岗补贴",
                "621100",
                "2026",
                "脱贫劳动力、监测对象",
                "3",
                "是",
                "陕西省:400；省外其他地区:600；省内市外:300",
            ],
        ]
    )
    assert client.post(reverse("subsidies:policy_import"), {"file": good}).status_code == 302
    policy = Policy.objects.get(code="a")
    assert policy.target_groups == ["poverty_alleviated", "monitored"]
    assert policy.amounts.count() == 3


def test_eligibility_page_counts_reasons_and_filter(
    client, computed, gansu, official_a, query_count
):
    ok, soon = computed
    client.force_login(official_a)
    url = reverse("subsidies:eligibility", args=[gansu.pk, ANDING])
    with query_count(25):
        page = client.get(url)
    assert page.context["counts"] == {"eligible": 1, "not_yet": 1, "not_eligible": 0}
    assert "再工作" in page.content.decode()
    filtered = client.get(url, {"outcome": "not_yet"})
    assert [row["result"].worker_id for row in filtered.context["rows"]] == [soon.worker_id]


def test_eligibility_page_refuses_other_counties_and_roles(client, computed, gansu, request):
    url = reverse("subsidies:eligibility", args=[gansu.pk, ANDING])
    client.force_login(request.getfixturevalue("official_b"))
    assert client.get(url).status_code == 404
    for name in ("hr_x", "liaison"):
        client.force_login(request.getfixturevalue(name))
        assert client.get(url).status_code == 403


def test_township_officer_sees_only_their_township(client, gansu, official_a, township_officer):
    from laborbridge.models import Region

    mine = placed(township=township_officer.township_id)
    placed(township="621102102")  # another township of Anding
    run = services.eligibility_run_create(
        actor=official_a, policy=gansu, county=Region.objects.get(pk=ANDING)
    )
    services.eligibility_run_execute(run.pk, "test")
    client.force_login(township_officer)
    page = client.get(reverse("subsidies:eligibility", args=[gansu.pk, ANDING]))
    assert [row["result"].worker_id for row in page.context["rows"]] == [mine.worker_id]
    assert page.context["may_apply"] is False
    assert (
        client.post(reverse("subsidies:applications_auto", args=[gansu.pk, ANDING])).status_code
        == 403
    )


def test_run_button_queues_a_run(client, gansu, official_a):
    client.force_login(official_a)
    response = client.post(reverse("subsidies:eligibility_run", args=[gansu.pk, ANDING]))
    assert response.status_code == 302
    assert EligibilityRun.objects.filter(policy=gansu, county_id=ANDING).count() == 1
    page = client.get(reverse("subsidies:eligibility", args=[gansu.pk, ANDING]))
    assert page.context["progress"].live
    poll = client.get(
        reverse("subsidies:eligibility", args=[gansu.pk, ANDING]), HTTP_HX_REQUEST="true"
    )
    assert b"eligibility-progress" in poll.content


def test_apply_all_twice_creates_once(client, computed, gansu, official_a, coordinator, official_b):
    url = reverse("subsidies:applications_auto", args=[gansu.pk, ANDING])
    client.force_login(coordinator)
    assert client.post(url).status_code == 403
    client.force_login(official_b)
    assert client.post(url).status_code == 404
    client.force_login(official_a)
    client.post(url)
    client.post(url)
    assert Application.objects.filter(policy=gansu).count() == 1


def test_one_by_one_and_evidence_flow(
    client, computed, gansu, official_a, official_b, coordinator, hr_x
):
    ok, soon = computed
    client.force_login(official_a)
    refused = client.post(
        reverse("subsidies:application_create", args=[gansu.pk, ANDING, soon.worker_id]),
        follow=True,
    )
    assert "不符合申报条件" in refused.content.decode()
    response = client.post(
        reverse("subsidies:application_create", args=[gansu.pk, ANDING, ok.worker_id])
    )
    application = Application.objects.get(worker=ok.worker)
    assert response.url == reverse("subsidies:evidence", args=[application.pk])
    upload = io.BytesIO(PDF)
    upload.name = "合同.pdf"
    client.post(
        reverse("subsidies:evidence", args=[application.pk]),
        {"kind": "labour_contract", "file": upload},
    )
    item = ApplicationEvidence.objects.get(application=application)
    wrong = io.BytesIO(b"<html>")
    wrong.name = "x.pdf"
    page = client.post(
        reverse("subsidies:evidence", args=[application.pk]),
        {"kind": "labour_contract", "file": wrong},
    )
    assert "只接受 PDF、PNG 或 JPG 文件" in page.content.decode()
    download = reverse("subsidies:evidence_download", args=[item.pk])
    assert client.get(download).content == PDF
    assert client.get(reverse("subsidies:pledge", args=[application.pk])).status_code == 200
    client.post(
        reverse("subsidies:evidence", args=[application.pk]),
        {"signed_on": timezone.localdate().isoformat()},
    )
    application.refresh_from_db()
    assert application.pledge_signed_on == timezone.localdate()
    client.force_login(coordinator)  # reads, may not upload
    assert client.get(download).status_code == 200
    assert (
        client.post(
            reverse("subsidies:evidence", args=[application.pk]), {"kind": "pledge"}
        ).status_code
        == 403
    )
    client.force_login(official_b)
    assert client.get(download).status_code == 404
    assert client.get(reverse("subsidies:evidence", args=[application.pk])).status_code == 404
    assert client.get(reverse("subsidies:pledge", args=[application.pk])).status_code == 404
    client.force_login(hr_x)
    assert client.get(download).status_code == 403
    assert AuditEvent.objects.filter(action="subsidy.evidence_downloaded").count() == 2


def test_api_policies_eligibility_apply_and_evidence(
    client, computed, gansu, official_a, official_b, hr_x
):
    ok, soon = computed
    client.force_login(official_a)
    listing = client.get("/api/v1/subsidy-policies/").json()
    assert gansu.pk in [p["id"] for p in listing["results"]]
    results = client.get(
        f"/api/v1/subsidy-policies/{gansu.pk}/eligibility/", {"county": ANDING}
    ).json()
    assert {r["outcome"] for r in results["results"]} == {"eligible", "not_yet"}
    made = client.post(
        f"/api/v1/subsidy-policies/{gansu.pk}/apply/",
        {"county": ANDING},
        content_type="application/json",
    )
    assert made.status_code == 201 and len(made.json()) == 1
    again = client.post(
        f"/api/v1/subsidy-policies/{gansu.pk}/apply/",
        {"county": ANDING},
        content_type="application/json",
    )
    assert again.json() == []
    one = client.post(
        f"/api/v1/subsidy-policies/{gansu.pk}/apply/",
        {"worker": soon.worker_id},
        content_type="application/json",
    )
    assert one.status_code == 400
    application = Application.objects.get(worker=ok.worker)
    upload = io.BytesIO(PDF)
    upload.name = "a.pdf"
    created = client.post(
        "/api/v1/subsidy-evidence/",
        {"application": application.pk, "kind": "work_certificate", "file": upload},
    )
    assert created.status_code == 201, created.content
    run = client.post(
        f"/api/v1/subsidy-policies/{gansu.pk}/eligibility-runs/",
        {"county": ANDING},
        content_type="application/json",
    )
    assert run.status_code == 202
    client.force_login(official_b)
    assert (
        client.get(
            f"/api/v1/subsidy-policies/{gansu.pk}/eligibility/", {"county": ANDING}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/subsidy-policies/{gansu.pk}/apply/",
            {"county": ANDING},
            content_type="application/json",
        ).status_code
        == 404
    )
    upload.seek(0)
    assert (
        client.post(
            "/api/v1/subsidy-evidence/",
            {"application": application.pk, "kind": "work_certificate", "file": upload},
        ).status_code
        == 404
    )
    client.force_login(hr_x)
    assert client.get("/api/v1/subsidy-policies/").status_code == 403


@pytest.fixture
def coordinator_longnan(db):
    """A coordinator of another pairing (Qingdao–Longnan)."""
    from laborbridge.models import Pairing, Role
    from tests.factories import make_user

    pairing = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    return make_user("coordinator_longnan", Role.COORDINATOR, pairing=pairing)


def test_coordinator_of_another_pairing_is_refused(client, computed, gansu, coordinator_longnan):
    ok, _soon = computed
    application = services.application_create(actor=_official(), policy=gansu, worker=ok.worker)
    client.force_login(coordinator_longnan)
    # The Gansu rule is public to every Gansu pairing; Anding's people are not.
    assert client.get(reverse("subsidies:policy", args=[gansu.pk])).status_code == 200
    assert client.get(reverse("subsidies:eligibility", args=[gansu.pk, ANDING])).status_code == 404
    assert client.get(reverse("subsidies:evidence", args=[application.pk])).status_code == 404
    assert client.get(reverse("subsidies:pledge", args=[application.pk])).status_code == 404
    api = client.get(f"/api/v1/subsidy-policies/{gansu.pk}/eligibility/", {"county": ANDING})
    assert api.status_code == 404
    # …and may not edit a Dingxi county's policy.
    dingxi = Policy.objects.create(
        code="anding-x",
        name="x",
        kind="job_retention",
        issuing_region_id=ANDING,
        year=2026,
        target_groups=["monitored"],
    )
    assert client.get(reverse("subsidies:policy_edit", args=[dingxi.pk])).status_code == 404


def _official():
    from laborbridge.models import User

    return User.objects.get(username="official_a")


def _anding_budget(policy):
    return policy.budgets.filter(county_id=ANDING).values_list("amount", flat=True).first()


def test_coordinator_sets_a_county_budget_on_the_page(client, gansu, coordinator):
    client.force_login(coordinator)
    detail = client.get(reverse("subsidies:policy", args=[gansu.pk]))
    assert 'id="budget-form"' in detail.content.decode()
    url = reverse("subsidies:policy_budget", args=[gansu.pk])
    response = client.post(url, {"county": ANDING, "amount": "50000"}, follow=True)
    assert _anding_budget(gansu) == 50000
    assert "已设置安定区的预算：50000 元。" in response.content.decode()
    assert AuditEvent.objects.filter(action="subsidy.budget_set").count() == 1
    # Set again: the same row changes; a negative figure is refused with its reason.
    client.post(url, {"county": ANDING, "amount": "80000"})
    assert _anding_budget(gansu) == 80000
    refused = client.post(url, {"county": ANDING, "amount": "-1"}, follow=True)
    assert "预算不能为负数。" in refused.content.decode()
    assert _anding_budget(gansu) == 80000


def test_a_budget_is_never_set_below_what_is_approved(client, computed, gansu, coordinator):
    from laborbridge.models import Region

    services.policy_budget_set(
        actor=coordinator, policy=gansu, county=Region.objects.get(pk=ANDING), amount=10_000
    )
    ok, _soon = computed
    application = services.application_create(actor=_official(), policy=gansu, worker=ok.worker)
    Application.objects.filter(pk=application.pk).update(status="approved", amount_frozen=600)
    client.force_login(coordinator)
    url = reverse("subsidies:policy_budget", args=[gansu.pk])
    refused = client.post(url, {"county": ANDING, "amount": "500"}, follow=True)
    assert "预算不能低于已审批金额 600 元。" in refused.content.decode()
    assert _anding_budget(gansu) == 10_000
    client.post(url, {"county": ANDING, "amount": "600"})
    assert _anding_budget(gansu) == 600
    page = client.get(reverse("subsidies:policy", args=[gansu.pk])).content.decode()
    assert 'id="budget-table"' in page


def test_budget_page_and_api_refuse_others(
    client, gansu, official_a, township_officer, hr_x, coordinator_longnan, coordinator
):
    url = reverse("subsidies:policy_budget", args=[gansu.pk])
    api = f"/api/v1/subsidy-policies/{gansu.pk}/budget/"
    for user in (official_a, township_officer, hr_x):
        client.force_login(user)
        assert client.post(url, {"county": ANDING, "amount": "1"}).status_code == 403
        assert client.post(api, {"county": ANDING, "amount": 1}).status_code == 403
    # Readers of the policy see no budget form.
    for user in (official_a, township_officer):
        client.force_login(user)
        detail = client.get(reverse("subsidies:policy", args=[gansu.pk]))
        assert detail.status_code == 200
        assert 'id="budget-form"' not in detail.content.decode()
    # Another pairing's coordinator may set Longnan's budgets under the provincial rule, not
    # Anding's: the county is not among the form's choices, and the API does not find it.
    client.force_login(coordinator_longnan)
    response = client.post(url, {"county": ANDING, "amount": "1"}, follow=True)
    assert "选择一个有效的选项" in response.content.decode()
    assert client.post(api, {"county": ANDING, "amount": 1}).status_code == 404
    client.logout()
    assert client.post(url, {"county": ANDING, "amount": "1"}).status_code == 302
    assert client.post(api, {"county": ANDING, "amount": 1}).status_code == 403
    assert _anding_budget(gansu) is None
    # The API for the coordinator of the pairing: set, then refused below zero.
    client.force_login(coordinator)
    assert client.post(api, {"county": ANDING, "amount": 700}).json() == {
        "county": ANDING,
        "amount": 700,
    }
    assert client.post(api, {"county": ANDING, "amount": -5}).status_code == 400
    assert _anding_budget(gansu) == 700


def test_policy_page_reads_budgets_in_the_same_queries_however_many(client, gansu, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from laborbridge.models import Region

    counties = list(Region.objects.filter(level="county", code__startswith="6211")[:3])
    client.force_login(coordinator)
    url = reverse("subsidies:policy", args=[gansu.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.policy_budget_set(actor=coordinator, policy=gansu, county=counties[0], amount=900)
    queries()  # steady state: the menu's badge counts kept (laborbridge.badges)
    one = queries()
    for county in counties[1:]:
        services.policy_budget_set(actor=coordinator, policy=gansu, county=county, amount=900)
    assert queries() == one
    page = client.get(url).content.decode()
    assert page.count('<td class="num" data-label="预算（元）">900</td>') == 3
