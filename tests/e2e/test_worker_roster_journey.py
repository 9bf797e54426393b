"""Done means: a county official, in a browser, downloads the roster template, fills it in,
uploads it, reads the preview, fixes the rejected rows, imports them again and finds every
worker in the list."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from laborbridge.models import Role
from tests.e2e.conftest import login, nav
from tests.factories import ANDING, PASSWORD, make_user
from tests.imports.helpers import celery_eager_fixture, id_number

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    (
        "马建国",
        id_number(ANDING, dt.date(1986, 4, 1), 101),
        "13909310001",
        "凤翔镇",
        "脱贫劳动力",
        "焊工",
        "青岛市、胶州市",
    ),
    (
        "李秀英",
        id_number(ANDING, dt.date(1990, 7, 9), 102),
        "13909310002",
        "内官营镇",
        "监测对象",
        "缝纫工",
        "青岛市",
    ),
    (
        "张小军",
        id_number(ANDING, dt.date(1995, 1, 23), 103),
        "13909310003",
        "凤翔镇",
        "一般农村劳动力",
        "",
        "胶州市",
    ),
    (
        "王桂兰",
        id_number(ANDING, dt.date(1979, 11, 2), 104),
        "1390931",
        "巉口镇",
        "脱贫劳动力",
        "",
        "",
    ),
    ("赵志强", id_number(ANDING, dt.date(1988, 3, 15), 105), "13909310005", "凤翔镇", "", "", ""),
]


@pytest.fixture
def official(reference_data):
    return make_user("official_anding_e2e", Role.COUNTY_OFFICIAL, county_id=ANDING)


@pytest.fixture(autouse=True)
def eager():
    yield from celery_eager_fixture()


def _fill_template(path, people, scientific_row: int):
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    column = {header: index + 1 for index, header in enumerate(headers)}
    for offset, (name, number, phone, township, poverty, occupation, cities) in enumerate(people):
        row = offset + 2
        sheet.cell(row=row, column=column["姓名"], value=name)
        # The last person's number was typed into a "General" cell: Excel kept 15 digits.
        sheet.cell(
            row=row,
            column=column["身份证号"],
            value=float(number) if offset == scientific_row else number,
        )
        sheet.cell(row=row, column=column["手机号"], value=phone)
        sheet.cell(row=row, column=column["乡镇"], value=township)
        sheet.cell(row=row, column=column["帮扶身份"], value=poverty or None)
        sheet.cell(row=row, column=column["意向工种"], value=occupation or None)
        sheet.cell(row=row, column=column["意向城市"], value=cities or None)
        sheet.cell(row=row, column=column["授权日期"], value=dt.date(2026, 1, 10))
        sheet.cell(row=row, column=column["授权方式"], value="纸质签字")
    workbook.save(path)


def _counts(page) -> dict:
    return {
        key: int(page.locator(f"[data-count={key}]").inner_text())
        for key in ("created", "updated", "unchanged", "rejected")
    }


def test_official_round_trips_the_roster_in_a_browser(page, official, tmp_path):
    login(page, official.username, PASSWORD)
    nav(page, "导入花名册")
    assert "导入劳动力花名册" in page.locator("h1").inner_text()

    # 1. Download the template and fill it in (as Excel would save it).
    with page.expect_download() as download:
        page.click("text=下载导入模板（.xlsx）")
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    assert load_workbook(template).sheetnames == ["劳动力花名册", "选项", "填写说明"]
    _fill_template(template, PEOPLE, scientific_row=4)

    # 2. Upload it and read the preview: three good rows, two rejected with reasons.
    page.set_input_files("input[name=file]", str(template))
    page.click("text=上传并检查")
    page.wait_for_selector("#import-counts")
    assert _counts(page) == {"created": 3, "updated": 0, "unchanged": 0, "rejected": 2}
    errors = page.locator("#import-errors tbody tr").all_inner_texts()
    assert len(errors) == 2
    assert errors[0].startswith("5") and "手机号应为 11 位" in errors[0]
    assert errors[1].startswith("6") and "科学计数法" in errors[1] and "文本" in errors[1]
    page.shot("import-preview")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入已完成")
    assert _counts(page)["created"] == 3

    # 3. Download the rejected rows, fix them and upload that file again.
    with page.expect_download() as download:
        page.click("text=下载被拒绝的行（含错误原因）")
    rejected = tmp_path / "rejected.xlsx"
    download.value.save_as(rejected)
    workbook = load_workbook(rejected)
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[-2:] == ["错误原因", "原行号"]
    phone, number = headers.index("手机号") + 1, headers.index("身份证号") + 1
    sheet.cell(row=2, column=phone, value="13909310004")
    sheet.cell(row=3, column=number, value=PEOPLE[4][1])  # retyped in the text-formatted column
    workbook.save(rejected)
    page.click("text=继续导入")
    page.set_input_files("input[name=file]", str(rejected))
    page.click("text=上传并检查")
    page.wait_for_selector("#import-counts")
    assert _counts(page) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert page.locator("#import-errors").count() == 0
    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入已完成")

    # 4. Every worker is in the list, ID numbers masked; a full-number search finds one.
    page.click("text=查看名册")
    table = page.locator("#worker-table").inner_text()
    for name, number, *_rest in PEOPLE:
        assert name in table and number not in table
        assert f"{number[:6]}********{number[-4:]}" in table
    page.fill("input[name=q]", PEOPLE[1][1])
    page.click("button:has-text('搜索')")
    page.wait_for_load_state("networkidle")
    assert PEOPLE[1][1] not in page.url
    rows = page.locator("#worker-table tbody tr")
    assert rows.count() == 1 and "李秀英" in rows.first.inner_text()
    page.shot("roster-search")
