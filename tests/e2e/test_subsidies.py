"""Issue 14, "done means", on the demo: the coordinator loads the Gansu 2024 transport rule
from an .xlsx on the policy import page and sets Anding's budget under it; the Anding official sees who is eligible and why
others are not and creates the applications in one action (免申即享); the township officer
records the village list, reviews, and publishes the township notice; an objection is recorded
and resolved; after the notice the county verifies, publishes its notice and approves; a
payment batch is exported and marked paid; the same person cannot be paid twice for the year;
another county, another township, HR and anonymous visitors are refused. Notice periods are
passed by dating the notices back (the chain waits for them to end)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from laborbridge.demo import DEMO_PASSWORD
from laborbridge.models import User
from subsidies.models import (
    Application,
    ApplicationStatus,
    ApprovalStep,
    Notice,
    Objection,
    PaymentBatch,
    PaymentLine,
    Policy,
    PolicyBudget,
)
from tests.e2e.conftest import login, logout, nav

# The demo load plus two roles' walk through the chain: past the default timeout under load.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

ANDING = "621102"
POLICY = "gansu-2024-transport"


@pytest.fixture
def demo(reference_data):
    """The small demo, with the chain's own demo walk undone: the journey starts from the
    policy and the computed eligibility, before any application exists."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    call_command(
        "demo", "--with-travellers", workers=120, employers=10, vacancies=20, stdout=io.StringIO()
    )
    PaymentLine.objects.all().delete()
    PaymentBatch.objects.all().delete()
    Objection.objects.all().delete()
    ApprovalStep.objects.all().delete()
    Notice.objects.all().delete()
    Application.objects.all().delete()
    PolicyBudget.objects.filter(policy__code=POLICY).delete()  # the coordinator sets it
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def _date_back(level: str, days: int) -> None:
    """Let the notices of ``level`` have ended (as if ``days`` had passed)."""
    for notice in Notice.objects.filter(level=level):
        Notice.objects.filter(pk=notice.pk).update(
            starts_on=notice.starts_on - dt.timedelta(days=days),
            ends_on=notice.ends_on - dt.timedelta(days=days),
        )


def _select_all_and_act(page, status: str, action: str, note: str = "", starts_on=None) -> None:
    page.goto(page.base_url + reverse("subsidy_chain:applications") + f"?status={status}")
    boxes = page.locator("#chain-table input[name=ids]")
    assert boxes.count() > 0, f"no applications at {status}"
    for index in range(boxes.count()):
        boxes.nth(index).check()
    page.select_option("#id_action", action)
    if note:
        page.fill("#id_note", note)
    if starts_on:
        page.fill("#id_starts_on", starts_on.isoformat())
    page.click("button:has-text('对所选申请执行')")
    page.wait_for_load_state("domcontentloaded")


# The rule as a coordinator types it from 甘人社通〔2024〕155号, in the import's columns.
GANSU_2024_ROW = {
    "政策编码": POLICY,
    "政策名称": "甘肃省脱贫劳动力外出务工一次性交通补贴",
    "补贴类别": "一次性交通补贴",
    "发文地区代码": "620000",
    "政策年度": 2024,
    "文件文号": "甘人社通〔2024〕155号",
    "发文单位": "甘肃省人力资源和社会保障厅、甘肃省农业农村厅、甘肃省财政厅、甘肃省发展和改革委员会",
    "补贴对象": "脱贫劳动力、监测对象",
    "连续务工月数": 3,
    "仅限自主外出": "是",
    "证明材料": "劳动合同、工资银行流水、务工地社保缴费记录、用工单位务工证明",
    "可用承诺书": "是",
    "公示天数": 7,
    "发放方式": "先审后发",
    "补贴标准": "陕西省:400；宁夏回族自治区:400；省外其他地区:600；省内市外:300；市内县外:200",
}


def _policy_file(path) -> str:
    book = Workbook()
    sheet = book.active
    sheet.append(list(GANSU_2024_ROW))
    sheet.append(list(GANSU_2024_ROW.values()))
    book.save(path)
    return str(path)


def test_subsidies_done_means(page, demo, tmp_path):
    policy = Policy.objects.get(code=POLICY)
    township = User.objects.get(username="township_anding")
    eligibility_url = page.base_url + reverse("subsidies:eligibility", args=[policy.pk, ANDING])

    # 0. The coordinator loads the rule from an .xlsx and sets Anding's budget under it.
    login(page, "coordinator", DEMO_PASSWORD)
    page.goto(page.base_url + reverse("subsidies:policy_import"))
    page.set_input_files("input[name=file]", _policy_file(tmp_path / "gansu-2024.xlsx"))
    page.click("button:has-text('导入')")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text("已导入 1 条补贴政策。")
    assert sorted(policy.amounts.values_list("amount", flat=True)) == [200, 300, 400, 400, 600]
    page.goto(page.base_url + reverse("subsidies:policy", args=[policy.pk]))
    expect(page.locator("#policy-facts")).to_contain_text("甘人社通〔2024〕155号")
    page.select_option("#budget-form select[name=county]", ANDING)
    page.fill("#budget-form input[name=amount]", "200000")
    page.click("#budget-form button")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#budget-table")).to_contain_text("200000")
    assert PolicyBudget.objects.get(policy=policy, county_id=ANDING).amount == 200_000
    page.shot("0-coordinator-policy-and-budget")
    logout(page)

    # 1. The Anding official: who is eligible, why others are not; 免申即享.
    login(page, "official_anding", DEMO_PASSWORD)
    page.goto(eligibility_url)
    expect(page.locator("main")).to_contain_text("符合条件")
    page.shot("1-official-eligibility")
    page.click("#apply-all")
    page.wait_for_load_state("domcontentloaded")
    mine = Application.objects.filter(policy=policy, township_id=township.township_id)
    assert mine.exists(), "the demo gives 凤翔镇 eligible people"
    page.shot("2-official-applied")
    logout(page)

    # 2. The township officer: village list, review, township notice; an objection.
    login(page, "township_anding", DEMO_PASSWORD)
    nav(page, "补贴审批")
    expect(page.locator("#chain-table")).to_contain_text(mine.first().worker.name)
    page.shot("3-township-list")
    _select_all_and_act(page, "draft", "village_list")
    _select_all_and_act(page, "village_listed", "township_review", note="已核对务工记录")
    _select_all_and_act(page, "township_reviewed", "township_notice")
    expect(page.locator("#notice-table")).to_be_visible()
    page.shot("4-township-notice", fits=False)
    target = mine.order_by("pk").first()
    page.select_option("#objection-form select[name=application]", str(target.pk))
    page.fill("#objection-form input[name=text]", "村民反映此人春节后已返乡")
    page.locator("#objection-form button").scroll_into_view_if_needed()
    page.click("#objection-form button")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#objections")).to_contain_text("未解决")
    notice = Notice.objects.get(level="township")
    public_url = page.base_url + reverse("subsidy_public:notice", args=[notice.slug])
    page.fill("#objections input[name=answer]", "经核实本人仍在青岛务工，有劳动合同")
    page.click("#objections button")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#objections")).to_contain_text("已解决")
    page.shot("5-township-objection-resolved")
    logout(page)

    # 3. Anyone, no login: the public notice — masked names, dates, no ID numbers.
    page.goto(public_url)
    table = page.locator("#notice-table")
    expect(table).to_contain_text("*")
    expect(table).not_to_contain_text(target.worker.name)
    expect(page.locator("main")).not_to_contain_text(target.worker.id_number_masked)
    expect(page.locator("main")).to_contain_text(notice.ends_on.isoformat())
    page.shot("6-public-notice")

    # 4. Seven days later the county verifies, publishes its notice, and approves.
    _date_back("township", policy.notice_days + 1)
    login(page, "official_anding", DEMO_PASSWORD)
    _select_all_and_act(page, "township_notice", "county_verify", note="电话核实本人在岗")
    back = timezone.localdate() - dt.timedelta(days=policy.notice_days + 1)
    _select_all_and_act(page, "county_verified", "county_notice", starts_on=back)
    page.shot("7-county-notice", fits=False)
    _select_all_and_act(page, "county_notice", "approve")
    approved = Application.objects.filter(policy=policy, status=ApplicationStatus.APPROVED)
    assert approved.count() == mine.count()
    page.shot("8-county-approved")

    # 5. The payment batch: created, exported, marked paid; nobody paid twice.
    nav(page, "补贴发放")
    page.click("#batch-form button")
    page.wait_for_load_state("domcontentloaded")
    with page.expect_download() as download:
        page.click("#export-masked")
    content = io.BytesIO(download.value.path().read_bytes())
    rows = list(load_workbook(content).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "身份证号", "社保卡号/账号", "金额", "备注")
    assert rows[-1][0] == "合计"
    page.fill("#id_bank_reference", "GS-DEMO-0001")
    page.click("#paid-form button.primary")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#batch-status")).to_have_text("已发放")
    page.shot("9-batch-paid")
    nav(page, "补贴发放")
    page.click("#batch-form button")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text("没有待发放")
    assert PaymentBatch.objects.count() == 1
    batch_url = page.base_url + reverse("subsidy_chain:batch", args=[PaymentBatch.objects.get().pk])
    notice_url = page.base_url + reverse("subsidy_chain:notice", args=[notice.pk])
    logout(page)

    # 6. Refusals: another county, HR, anonymous.
    for username in ("official_tongwei", "hr_qingdao"):
        login(page, username, DEMO_PASSWORD)
        for url in (batch_url, notice_url, eligibility_url):
            response = page.goto(url)
            assert response.status in (403, 404), (username, url, response.status)
        page.context.clear_cookies()  # an error page has no menu to sign out from
    page.goto(notice_url)
    assert "/accounts/login/" in page.url
