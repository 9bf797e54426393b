"""Issue 13, "done means": after the factory gate, on the demo (dates relative to today). The
Qingdao workstation liaison sees the follow-ups due and records one with unpaid wages; the
worker opens their personal link on a phone (it shows the liaison's phone and the Spring
Festival coach home) and files the wage complaint; the coordinator sees the case with its
deadline, and the coaches home among the trips; the Anding official's census and
poverty-monitoring export show the worker's months worked, the travel page the coach home;
a job change and a return home are recorded and the worker's history shows them."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from followups.models import FollowUp, FollowUpKind
from laborbridge.demo import DEMO_LIAISON_PHONE, DEMO_PASSWORD
from laborbridge.models import User
from placement.rosters import months_worked
from selfservice import services as selfservice_services
from tests.e2e.conftest import login, logout, nav
from transport.models import Seat, TripDirection

pytestmark = pytest.mark.django_db(transaction=True)

ANDING = "621102"


@pytest.fixture
def demo(reference_data):
    """The demo with travellers, small: its past placements (1–6 months ago) are what the
    follow-ups, cases and exports work on."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    call_command(
        "demo", "--with-travellers", workers=120, employers=10, vacancies=20, stdout=io.StringIO()
    )
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def _followup_to_record() -> FollowUp:
    """The liaison's oldest open follow-up of a worker from Anding (the demo official's
    county) who has no case yet."""
    return (
        FollowUp.objects.filter(
            assignee__username="liaison_qd",
            kind=FollowUpKind.SCHEDULED,
            done_at__isnull=True,
            employment__worker__home_county__code=ANDING,
            employment__worker__cases__isnull=True,
        )
        .select_related("employment__worker", "employment__employer")
        .order_by("due_on", "pk")
        .first()
    )


def test_after_the_gate(page, demo, tmp_path):
    followup = _followup_to_record()
    assert followup is not None, "the demo gives the liaison an Anding worker's follow-up"
    employment = followup.employment
    worker = employment.worker
    home_seat = Seat.objects.select_related("trip").get(
        worker=worker, released_at=None, trip__direction=TripDirection.RETURN_HOME
    )  # the demo plans the coaches home for those at work

    # 1. The liaison sees the follow-ups due in Qingdao and records one with unpaid wages.
    login(page, "liaison_qd", DEMO_PASSWORD)
    nav(page, "我的回访")
    expect(page.locator("h1")).to_have_text("我的回访")
    table = page.locator("table.table")
    expect(table).to_contain_text("到岗第")  # the point in words, not the code (m1)
    expect(table).not_to_contain_text(re.compile(r"· [wm]\d"))
    page.shot("1-liaison-followups")
    page.goto(page.base_url + reverse("followups:record", args=[followup.pk]))
    expect(page.locator("h1")).to_contain_text(worker.name)
    page.check("input[name=reached][value=yes]")
    page.select_option("#id_contact_method", "phone")
    page.select_option("#id_still_employed", "yes")
    page.fill("#id_wage_last_month", "1800")
    page.check("input[name=problems][value=wage_arrears]")
    page.fill("#id_next_action", "联系企业人事核实工资发放")
    page.shot("2-liaison-record-form")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("domcontentloaded")
    page.shot("3-liaison-recorded")
    logout(page)

    # 2. The worker opens their personal link and files the wage complaint.
    coordinator = User.objects.get(username="coordinator")
    _link, token = selfservice_services.link_issue(actor=coordinator, worker=worker)
    page.goto(page.base_url + reverse("selfservice_public:me", args=[token]))
    expect(page.locator("h1")).to_contain_text(worker.name)
    # The liaison's phone, to call; the Spring Festival coach home, boarding at the gate.
    expect(page.locator("#me-contacts")).to_contain_text(DEMO_LIAISON_PHONE)
    expect(page.locator("#me-trip")).to_contain_text(home_seat.trip.service_number)
    expect(page.locator("#me-trip")).to_contain_text(employment.employer.name)
    page.shot("4-worker-own-page")
    page.click("text=我有问题")
    page.shot("5-worker-problem-form")
    page.select_option("#id_kind", "wage_arrears")
    page.fill("#id_description", "上个月工资只发了1800元，剩下的说下个月再说。")
    page.select_option("#id_sector", "non_construction")
    page.fill("#id_employer_name", employment.employer.name)
    page.fill("#id_employer_address", "胶州市")
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    page.fill("#id_owed_from", last_month)
    page.fill("#id_owed_to", last_month)
    page.fill("#id_amount_owed", "4100")
    page.click("button:has-text('提交')")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("#me-cases")).to_contain_text("欠薪")
    page.shot("6-worker-case-filed")
    case = worker.cases.get()

    # 3. The coordinator sees the case with its deadline.
    login(page, "coordinator", DEMO_PASSWORD)
    nav(page, "问题反映")
    row = page.locator("tr", has_text=worker.name).first
    expect(row).to_contain_text(case.deadline.isoformat())
    page.shot("7-coordinator-cases")
    row.get_by_role("link").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.shot("8-coordinator-case")
    # The coaches home are among the coordinator's trips.
    page.goto(page.base_url + reverse("transport:trip_list"))
    expect(page.locator("main")).to_contain_text(home_seat.trip.service_number)
    expect(page.locator("main")).to_contain_text("返乡")
    page.shot("8b-coordinator-trips")
    logout(page)

    # 4. The Anding official: the census shows the worker, their page the months worked,
    # the poverty-monitoring export the same months.
    months = months_worked(employment, timezone.localdate())
    login(page, "official_anding", DEMO_PASSWORD)
    nav(page, "我的回访")
    page.select_option("select[name=kind]", FollowUpKind.CENSUS)
    page.click("button:has-text('筛选')")
    page.wait_for_load_state("domcontentloaded")
    page.shot("9-official-census")
    page.locator("tr", has_text=worker.name).get_by_role("link").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.shot("10-official-census-record")
    page.click("text=查看劳动力信息与就业经历")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text(re.compile(rf"累计务工\s*{months} 个月"))
    page.shot("11-official-worker")
    nav(page, "防返贫监测导出")
    page.shot("12-official-exports")
    page.locator("table a").first.click()
    page.wait_for_load_state("domcontentloaded")
    page.shot("13-official-export")
    with page.expect_download() as download:
        page.click("text=下载 .xlsx")
    path = tmp_path / "poverty.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(headers, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    (row,) = [r for r in rows if r["姓名"] == worker.name]
    assert row["务工时间（月）"] == months
    assert row["务工企业名称"] == employment.employer.name

    # The county's travel page: its people on the coaches home, under their own tab.
    nav(page, "出行安排")
    page.locator("nav.followup-tabs a", has_text="返乡").click()
    page.wait_for_load_state("domcontentloaded")
    travel = page.locator("tr", has_text=worker.name)
    expect(travel).to_contain_text(home_seat.trip.service_number)
    expect(travel).to_contain_text(employment.employer.name)
    page.shot("13b-official-travel-home")

    # 5. A job change and a return home, recorded on the worker's history.
    page.goto(page.base_url + reverse("workers:detail", args=[worker.pk]))
    page.click("text=记录就业变化")
    page.wait_for_load_state("domcontentloaded")
    page.shot("14-official-event-form")
    expect(page.locator("main a", has_text="劳动力信息")).to_have_count(1)  # the way back
    page.select_option("#id_kind", "job_change")
    options = page.locator("#id_employer option").all()
    page.select_option("#id_employer", options[-1].get_attribute("value"))
    page.fill("#id_monthly_wage", "6200")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("main")).to_contain_text("换岗")
    page.shot("15-official-job-changed")
    page.locator("a", has_text="记录就业变化").last.click()
    page.wait_for_load_state("domcontentloaded")
    page.select_option("#id_kind", "returned_home")
    page.select_option("#id_reason", index=1)
    page.click("button:has-text('保存')")
    page.wait_for_load_state("domcontentloaded")
    history = page.locator("main")
    expect(history).to_contain_text("返乡")
    expect(history).to_contain_text("换岗")
    expect(history).to_contain_text("本人反映问题")  # the change log, in words
    expect(history).not_to_contain_text("personal_link.")
    page.shot("16-official-history")
