"""Issue 4, "done means": in a browser, an HR clerk completes the company profile, posts
three vacancies (one by importing the downloaded template), a coordinator verifies the
employer, the three show on the campaign's public job board (on a phone too), and the clerk
closes one, which leaves the board."""

import datetime as dt
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from jobs.models import Employer, Vacancy, VacancyStatus, VerificationStatus
from laborbridge.models import Campaign, Occupation, Pairing, Role
from tests.e2e.conftest import login, logout, nav
from tests.factories import PASSWORD, make_credit_code, make_user

# Vacancies may not start in the past: two months from the day the tests run.
START = (dt.datetime.now(tz=dt.UTC).date() + dt.timedelta(days=60)).isoformat()

pytestmark = pytest.mark.django_db(transaction=True)

CAMPAIGN = "2026-chunfeng-dingxi-qingdao"


@pytest.fixture
def celery_eager():
    """Run the import's preview and commit in the request, whatever broker is configured."""
    from laborbridge.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


@pytest.fixture
def world(reference_data, celery_eager):
    """A newly registered (pending) employer with its HR login, and the pairing's coordinator."""
    employer = Employer.objects.create(
        name="青岛海川电子有限公司",
        credit_code=make_credit_code("370214"),
        city_id="370200",
        district_id="370214",
        industry="C",
        verification_status=VerificationStatus.PENDING,
    )
    make_user("hr_haichuan", Role.EMPLOYER_HR, employer=employer, first_name="刘人事")
    make_user(
        "coordinator_qd",
        Role.COORDINATOR,
        pairing=Pairing.objects.get(east_region_id="370200", west_region_id="621100"),
    )
    return {
        "employer": employer,
        "campaign": Campaign.objects.get(code=CAMPAIGN),
        "assembly": Occupation.objects.get(code="6-14-02-00-01"),  # 注塑工
        "welding": Occupation.objects.get(code="6-18-02-04"),  # 焊工
        "sewing": Occupation.objects.get(code="6-05-01-03"),  # 缝纫工
    }


def _post_vacancy(page, world, *, title: str, occupation, headcount: str, publish: bool) -> None:
    page.goto(f"{page.base_url}/jobs/vacancies/")
    page.click("text=发布新岗位")
    page.fill("#id_title", title)
    page.select_option("#id_occupation", label=f"{occupation.name_zh}（{occupation.code}）")
    page.fill("#id_headcount", headcount)
    page.fill("#id_wage_min", "6000")
    page.fill("#id_wage_max", "7500")
    page.select_option("#id_shift_pattern", "two_shifts")
    page.fill("#id_start_date", START)
    page.select_option("#id_campaign", label=world["campaign"].name_zh)
    expect(page.locator("#id_dormitory")).to_be_checked()  # from the company profile
    page.click("button[name=publish]" if publish else "button[name=save]")
    expect(page.locator("h1")).to_contain_text(title)


def test_hr_profile_three_vacancies_verified_board_and_close(page, browser, world, tmp_path):
    employer, campaign = world["employer"], world["campaign"]
    board = f"{page.base_url}/c/{campaign.code}/"

    # 1. The HR clerk completes the company profile; a mistyped credit code is caught.
    login(page, "hr_haichuan", PASSWORD)
    nav(page, "企业信息")
    expect(page.locator("h1")).to_contain_text("待审核")
    good_code = employer.credit_code
    page.fill("#id_credit_code", good_code[:-1] + ("1" if good_code[-1] != "1" else "2"))
    page.fill("#id_address", "城阳区春阳路 88 号")
    page.select_option("#id_size", "300-999")
    page.check("#id_has_dormitory")
    page.fill("#id_dormitory_details", "4 人间，空调、独立卫浴，免住宿费")
    page.check("#id_has_canteen")
    page.fill("#id_canteen_details", "三餐补贴每天 15 元，设清真窗口")
    page.click("text=保存企业信息")
    expect(page.locator(".errorlist")).to_contain_text("校验位不正确")
    page.fill("#id_credit_code", good_code.lower())
    page.click("text=保存企业信息")
    expect(page.locator(".messages")).to_contain_text("企业信息已保存")
    employer.refresh_from_db()
    assert employer.has_dormitory and employer.address == "城阳区春阳路 88 号"

    # 2. Two vacancies through the form: one published at once, one drafted then published.
    _post_vacancy(
        page,
        world,
        title="注塑工（两班倒）",
        occupation=world["assembly"],
        headcount="20",
        publish=True,
    )
    expect(page.locator(".messages")).to_contain_text("企业通过认证后")
    _post_vacancy(
        page, world, title="电焊工", occupation=world["welding"], headcount="6", publish=False
    )
    expect(page.locator("h1 .badge")).to_have_text("草稿")
    page.click("button[data-action=open]")
    expect(page.locator("h1 .badge")).to_have_text("招聘中")

    # 3. The third by import: download the template, fill one row, upload, preview, confirm.
    page.goto(f"{page.base_url}/jobs/vacancies/")
    page.click("text=从 Excel 导入岗位")
    with page.expect_download() as download:
        page.click("text=下载导入模板")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    workbook = load_workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = {
        "岗位名称": "缝纫工",
        "工种": "缝纫工",
        "招聘人数": 15,
        "月薪下限（元）": 5500,
        "月薪上限（元）": 7000,
        "计薪方式": "计件",
        "到岗日期": START,
        "提供宿舍": "是",
        "提供工作餐": "是",
        "招聘行动": campaign.name_zh,
        "状态": "招聘中",
    }
    for name, value in row.items():
        sheet.cell(row=2, column=header.index(name) + 1, value=value)
    filled = tmp_path / "岗位清单.xlsx"
    workbook.save(filled)
    page.set_input_files("input[type=file]", str(filled))
    page.click("text=上传并检查")
    expect(page.locator("[data-count=created]")).to_have_text("1")
    expect(page.locator("[data-count=rejected]")).to_have_text("0")
    page.click("button:has-text('确认导入')")
    expect(page.locator("text=导入已完成")).to_be_visible()
    assert Vacancy.objects.filter(employer=employer, status=VacancyStatus.OPEN).count() == 3

    # Nothing is public while the employer is unverified.
    anonymous = browser.new_context(locale="zh-CN")
    visitor = anonymous.new_page()
    visitor.goto(board)
    expect(visitor.locator("#board .job")).to_have_count(0)
    page.shot("import-done")
    logout(page)

    # 4. The coordinator verifies the employer.
    login(page, "coordinator_qd", PASSWORD)
    nav(page, "企业")
    page.click(f"text={employer.name}")
    page.check("input[name=decision][value=verified]")
    page.click("text=提交审核结果")
    expect(page.locator(".messages")).to_contain_text("已认证")
    page.shot("employer-verified")
    logout(page)

    # 5. The three are on the public board, with what a worker needs and nothing about HR.
    visitor.goto(board)
    cards = visitor.locator("#board .job")
    expect(cards).to_have_count(3)
    text = visitor.locator("#board").inner_text()
    for expected in (
        "注塑工（两班倒）",
        "电焊工",
        "缝纫工",
        "6000–7500 元/月",
        "城阳区",
        "包住宿",
        "还招 20 人",
        "还招 6 人",
        "还招 15 人",
    ):
        assert expected in text, expected
    assert "刘人事" not in visitor.content() and "hr_haichuan" not in visitor.content()
    visitor.select_option("select[name=occupation]", world["welding"].code)
    visitor.click("text=筛选")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("电焊工")

    # On a phone the cards stack in one column.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    mobile = phone.new_page()
    mobile.goto(board)
    first, second = (mobile.locator("#board .job").nth(i).bounding_box() for i in range(2))
    assert first["width"] > 300 and second["y"] > first["y"] + first["height"] - 1
    phone.close()

    # 6. The clerk closes one vacancy; it leaves the board at once.
    login(page, "hr_haichuan", PASSWORD)
    nav(page, "本企业岗位")
    page.click("text=电焊工")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-action=closed]")
    expect(page.locator("h1 .badge")).to_have_text("已关闭")
    page.shot("vacancy-closed")
    visitor.goto(board)
    expect(visitor.locator("#board .job")).to_have_count(2)
    assert "电焊工" not in visitor.locator("#board").inner_text()
    assert re.search(r"共 2 个岗位", visitor.locator("#board-summary").inner_text())
    anonymous.close()


def test_import_preview_lists_row_errors_in_the_browser(page, world, tmp_path):
    """The clerk sees each rejected row with its column and reason before anything is saved."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(
        ["岗位名称", "工种", "招聘人数", "月薪下限", "月薪上限", "到岗日期", "岗位描述"]
    )
    workbook.active.append(["普工", "注塑工", 10, 5000, 6000, START, ""])
    workbook.active.append(["普工二", "注塑工", 10, 7000, 6000, START, ""])
    workbook.active.append(["普工三", "注塑工", 10, 5000, 6000, START, "女工优先"])
    path = tmp_path / "jobs.xlsx"
    workbook.save(path)
    login(page, "hr_haichuan", PASSWORD)
    page.goto(f"{page.base_url}/jobs/vacancies/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("text=上传并检查")
    expect(page.locator("[data-count=created]")).to_have_text("1")
    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("月薪上限不能低于下限")
    expect(errors).to_contain_text("歧视性条件")
    assert not Vacancy.objects.exists()
    with page.expect_download() as download:
        page.click("text=下载被拒绝的行")
    download.value.save_as(tmp_path / "rejected.xlsx")
    rejected = load_workbook(tmp_path / "rejected.xlsx").worksheets[0]
    assert rejected.max_row == 3  # header + the two rejected rows, with their reasons
