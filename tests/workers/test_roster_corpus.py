"""Real county rosters import without losing people (first-contact issue #11).

Six roster shapes that differ from our template — a two-row header under a merged title, a
ledger in its own words with colloquial 工种, a GBK CSV with 是/否 columns, an Excel 97–2003
.xls (and an .ods), the 防返贫监测 system's person export, a ledger of √/×/1/0 columns — each
with the expected outcome of every row: who is stored with which poverty status, township,
skill or 待归类 word, and which rows are rejected, by name, column and reason.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl import Workbook

from laborbridge.imports.models import ImportJob
from tests.factories import ANDING
from tests.imports.helpers import csv_bytes, id_number, run_import
from workers.models import PovertyStatus, Worker

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
NONE, POOR, WATCHED = (
    PovertyStatus.NONE,
    PovertyStatus.POVERTY_ALLEVIATED,
    PovertyStatus.MONITORED,
)
FENGXIANG, NEIGUANYING, CHANKOU, XIANGQUAN, BAILU = (
    "621102101",
    "621102102",
    "621102103",
    "621102110",
    "621102204",
)
_serials = itertools.count(100)
_phones = itertools.count(1)


def new_id(born: dt.date = dt.date(1990, 1, 1)) -> str:
    return id_number(ANDING, born, next(_serials))


def new_phone() -> str:
    return f"1390000{next(_phones):04d}"


@dataclass
class Person:
    """What one roster row must become."""

    name: str
    id: str = field(default_factory=new_id)
    phone: str = field(default_factory=new_phone)
    poverty: str = NONE
    township: str | None = None
    village: str = ""
    skill: str | None = None  # occupation name
    unclassified: str = ""  # the 待归类 skill word
    wishes: tuple[str, ...] = ()
    wishes_unclassified: str = ""
    dormitory: bool = True
    shift: bool = True


@dataclass
class Rejected:
    """A row that must be refused, named in the preview."""

    name: str
    column: str
    message: str  # a part of the reason
    id: str = field(default_factory=new_id)
    phone: str = field(default_factory=new_phone)


def check_preview(job: ImportJob, people: list, *, unknown=()) -> None:
    assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
    accepted = [p for p in people if isinstance(p, Person)]
    rejected = [p for p in people if isinstance(p, Rejected)]
    assert job.counts["created"] == len(accepted), job.errors
    assert job.counts["rejected"] == len(rejected), job.errors
    assert job.preview["unknown_headers"] == list(unknown)
    names = job.preview["rejected_names"]
    got = sorted((names[str(e["row"])], e["column"], e["message"]) for e in job.errors)
    assert len(got) == len(rejected)
    for (name, column, message), expected in zip(
        got, sorted(rejected, key=lambda r: r.name), strict=True
    ):
        assert (name, column) == (expected.name, expected.column)
        assert expected.message in message, message
    assert sorted(a["name"] for a in job.preview["additions"]) == sorted(p.name for p in accepted)
    for addition in job.preview["additions"]:
        assert "*" in addition["id"]  # masked


def check_stored(people: list) -> None:
    for person in people:
        if isinstance(person, Rejected):
            assert not Worker.objects.filter(name=person.name).exists(), person.name
            continue
        worker = Worker.objects.get(name=person.name)
        assert worker.reveal_id_number() == person.id
        got = {
            "poverty": worker.poverty_status,
            "township": worker.home_township_id,
            "village": worker.village_display,
            "skill": [s.occupation.name_zh for s in worker.skills.all()] or [None],
            "unclassified": worker.skill_unclassified,
            "wishes": tuple(
                link.occupation.name_zh for link in worker.wish_occupation_links.order_by("rank")
            ),
            "wishes_unclassified": worker.wishes_unclassified,
            "dormitory": worker.accepts_dormitory,
            "shift": worker.accepts_shift_work,
        }
        expected = {
            "poverty": person.poverty,
            "township": person.township,
            "village": person.village,
            "skill": [person.skill],
            "unclassified": person.unclassified,
            "wishes": person.wishes,
            "wishes_unclassified": person.wishes_unclassified,
            "dormitory": person.dormitory,
            "shift": person.shift,
        }
        assert got == expected, person.name


def import_and_check(capture, official, data, name, people, *, unknown=()) -> ImportJob:
    job = run_import(capture, official, data, name=name)
    check_preview(job, people, unknown=unknown)
    assert Worker.objects.count() == 0  # the preview stores nothing
    job = run_import(capture, official, data, name=name, commit=True)
    assert job.status == ImportJob.Status.COMMITTED, job.failure_reason
    check_stored(people)
    return job


# 1. Two-row header under a merged title, merged group headers, √ marks ----------------------
def two_row_header_workbook(people: list) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["安定区2026年春季劳动力转移就业台账"])
    sheet.merge_cells("A1:J1")
    sheet.append(["序号", "姓名", "身份证号", "家庭住址", None, "帮扶身份", None, "联系电话"])
    sheet["I2"], sheet["J2"] = "工种", "备注"
    sheet.append([None, None, None, "乡镇", "村", "脱贫户", "监测户"])
    for column in "ABCHIJ":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("F2:G2")
    cells = {
        "甲一": ["凤翔", "孟河村", "√", None, "厨师"],
        "乙二": ["内官营镇", "", None, "√", "月嫂"],
        "丙三": ["巉口镇", "", None, None, "普工"],
        "丁四": ["凤翔镇", "", "√", None, "司机"],
    }
    for number, person in enumerate(people, start=1):
        township, village, poor, watched, trade = cells.get(person.name, ["", "", None, None, ""])
        sheet.append(
            [
                number,
                person.name,
                person.id,
                township,
                village,
                poor,
                watched,
                person.phone,
                trade,
                "",
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_two_row_header_under_a_merged_title(official_a, django_capture_on_commit_callbacks):
    people = [
        Person("甲一", poverty=POOR, township=FENGXIANG, village="孟河村", skill="中式烹调师"),
        Person("乙二", poverty=WATCHED, township=NEIGUANYING, skill="母婴护理员"),
        Person("丙三", township=CHANKOU),  # 普工: general labour, no skill, not 待归类
        Person("丁四", poverty=POOR, township=FENGXIANG, unclassified="司机"),
        Rejected("戊五", "联系电话", "手机号", phone="12345"),
    ]
    job = import_and_check(
        django_capture_on_commit_callbacks,
        official_a,
        two_row_header_workbook(people),
        "台账.xlsx",
        people,
    )
    preview = job.preview
    assert (preview["header_first_row"], preview["header_row"]) == (2, 3)
    sources = {c["key"]: c["source"] for c in preview["columns"] if c["source"]}
    assert sources["township"] == "家庭住址/乡镇"
    assert sources["poverty_status"] == "帮扶身份/脱贫户"
    assert sources["monitoring"] == "帮扶身份/监测户"
    assert preview["unclassified"] == [{"word": "司机", "count": 1, "rows": [7]}]
    assert preview["general_labour"] == [{"word": "普工", "count": 1}]


# 2. A ledger in its own words: colloquial 工种 and poverty words ------------------------------
COLLOQUIAL = [
    # name, 人员类别, 现从事工种, 意向工种 → poverty, skill, 待归类, wishes, wishes 待归类
    ("赵普工", "脱贫户", "普工", "电子厂流水线", POOR, None, "", ("电子产品流水线装配工",), ""),
    ("钱操作", "已脱贫", "操作工", "", POOR, None, "", (), ""),
    (
        "孙厨师",
        "脱贫不稳定户",
        "厨师",
        "厨师、面点",
        WATCHED,
        "中式烹调师",
        "",
        ("中式烹调师", "中式面点师"),
        "",
    ),
    ("李保洁", "边缘易致贫户", "保洁", "", WATCHED, "保洁员", "", (), ""),
    ("周力工", "突发严重困难户", "力工", "", WATCHED, None, "", (), ""),
    ("吴小工", "监测对象", "小工", "瓦工", WATCHED, None, "", ("砌筑工",), ""),
    ("郑服务", "一般户", "服务员", "", NONE, "餐厅服务员", "", (), ""),
    ("王电焊", "非贫困户", "电焊工", "", NONE, "电焊工", "", (), ""),
    ("冯司机", "脱贫劳动力", "司机", "司机、快递", POOR, None, "司机", ("快递员",), "司机"),
    ("陈保姆", "监测户", "保姆", "", WATCHED, "家务服务员", "", (), ""),
    ("褚月嫂", "一般农户", "月嫂", "", NONE, "母婴护理员", "", (), ""),
    ("卫快递", "", "快递员", "外卖骑手", NONE, "快递员", "", ("网约配送员",), ""),
    ("蒋搓澡", "脱贫户", "搓澡工", "搓澡工、保安", POOR, None, "搓澡工", ("保安员",), "搓澡工"),
]


def test_colloquial_occupations_and_poverty_words(official_a, django_capture_on_commit_callbacks):
    people = [
        Person(
            name,
            poverty=poverty,
            township=FENGXIANG,
            skill=skill,
            unclassified=unclassified,
            wishes=wishes,
            wishes_unclassified=wishes_unclassified,
        )
        for name, _p, _s, _w, poverty, skill, unclassified, wishes, wishes_unclassified in (
            COLLOQUIAL
        )
    ]
    rows = [
        ["定西市安定区外出务工人员登记表"],
        ["填报单位：凤翔镇人民政府", None, None, "填报时间：2026年1月"],
        ["序号", "姓名", "性别", "公民身份证号码", "手机号码", "所在乡镇", "人员类别"]
        + ["现从事工种", "意向务工工种"],
    ]
    for number, (person, item) in enumerate(zip(people, COLLOQUIAL, strict=True), start=1):
        rows.append(
            [
                number,
                person.name,
                "男",
                person.id,
                person.phone,
                "凤翔镇",
                item[1],
                item[2],
                item[3],
            ]
        )
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.active.merge_cells("A1:I1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_and_check(
        django_capture_on_commit_callbacks, official_a, buffer.getvalue(), "登记表.xlsx", people
    )
    assert [(u["word"], u["count"]) for u in job.preview["unclassified"]] == [
        ("司机", 2),
        ("搓澡工", 2),
    ]
    assert {g["word"] for g in job.preview["general_labour"]} == {"普工", "操作工", "力工", "小工"}


# 3. GBK CSV with 是/否 columns and short township names -----------------------------------
def test_gbk_csv_with_yes_no_columns(official_a, django_capture_on_commit_callbacks):
    people = [
        Person("甲", poverty=POOR, township=FENGXIANG, village="孟河村"),
        Person("乙", poverty=WATCHED, township=XIANGQUAN),
        Person("丙", township=BAILU, dormitory=False),
        Person("丁", poverty=POOR, township=BAILU),
        Rejected("戊", "乡镇", "“火星镇”不是安定区的乡镇（街道）"),
    ]
    cells = {
        "甲": ["凤翔", "孟河村", "是", "否", "是"],
        "乙": ["香泉", "", "否", "是", "是"],
        "丙": ["白碌乡", "", "否", "否", "否"],
        "丁": ["白碌", "", "是", "", ""],
        "戊": ["火星镇", "", "是", "否", "是"],
    }
    rows = [
        ["姓名", "身份证号码", "联系电话", "乡镇", "村", "是否脱贫劳动力（是/否）"]
        + ["是否监测对象", "是否接受住宿舍"]
    ]
    for person in people:
        town, village, poor, watched, dorm = cells[person.name]
        rows.append([person.name, person.id, person.phone, town, village, poor, watched, dorm])
    data = csv_bytes(rows, encoding="gbk")
    import_and_check(django_capture_on_commit_callbacks, official_a, data, "名单.csv", people)


# 4. Excel 97–2003 (.xls) and OpenDocument (.ods) -------------------------------------------
XLS_PEOPLE = [
    # The committed fixture holds these rows (see fixtures/README.md): 姓名, 身份证号, 手机号,
    # 乡镇, 帮扶身份, 技能工种.
    Person(
        "张旧表",
        id=id_number(ANDING, dt.date(1985, 5, 5), 901),
        phone="13900009001",
        poverty=POOR,
        township=FENGXIANG,
        skill="中式烹调师",
    ),
    Person(
        "李旧表",
        id=id_number(ANDING, dt.date(1986, 6, 6), 902),
        phone="13900009002",
        poverty=WATCHED,
        township=NEIGUANYING,
        unclassified="司机",
    ),
    Rejected(
        "王旧表",
        "身份证号",
        "校验",
        id=id_number(ANDING, dt.date(1987, 7, 7), 903)[:-1] + "0",
        phone="13900009003",
    ),
]


def xls_rows() -> list[list]:
    rows = [
        ["安定区劳动力花名册（2003格式）"],
        ["姓名", "身份证号", "手机号", "乡镇", "帮扶身份", "技能工种"],
    ]
    cells = {
        "张旧表": ["凤翔镇", "脱贫户", "厨师"],
        "李旧表": ["内官营", "监测户", "司机"],
        "王旧表": ["凤翔镇", "一般户", "焊工"],
    }
    for person in XLS_PEOPLE:
        rows.append([person.name, person.id, person.phone, *cells[person.name]])
    return rows


def test_excel_97_2003_xls(official_a, django_capture_on_commit_callbacks):
    data = (FIXTURES / "roster_biff8.xls").read_bytes()
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # an OLE2 compound file, as Excel 2003 wrote
    import_and_check(django_capture_on_commit_callbacks, official_a, data, "花名册.xls", XLS_PEOPLE)


def test_opendocument_ods(official_a, django_capture_on_commit_callbacks):
    from tests.workers.spreadsheets import ods_bytes

    data = ods_bytes(xls_rows())
    import_and_check(django_capture_on_commit_callbacks, official_a, data, "花名册.ods", XLS_PEOPLE)


# 5. The national 防返贫监测 system's person export -----------------------------------------
FANGFANPIN_HEADERS = [
    "省",
    "市",
    "县",
    "乡",
    "村",
    "户编号",
    "人口编号",
    "姓名",
    "证件号码",
    "联系电话",
    "与户主关系",
    "户类型",
    "监测对象类别",
    "劳动技能",
    "务工时间（月）",
    "务工企业名称",
    "务工所在地",
    "就业渠道",
]


def test_fangfanpin_monitoring_export(official_a, django_capture_on_commit_callbacks):
    people = [
        Person("何户主", poverty=POOR, township=FENGXIANG, village="孟河村"),
        Person("何子", poverty=POOR, township=FENGXIANG, village="孟河村"),
        Person("吕边缘", poverty=WATCHED, township=NEIGUANYING, village="大坪村"),
        Person("施突发", poverty=WATCHED, township=NEIGUANYING, village="大坪村"),
        Person("张一般", township=CHANKOU, village="中街村"),
        Person("孔不稳", poverty=WATCHED, township=CHANKOU, village="中街村"),
    ]
    cells = {
        "何户主": [
            "凤翔镇",
            "孟河村",
            "户主",
            "脱贫户",
            "",
            "技能劳动力",
            10,
            "青岛某厂",
            "山东省青岛市",
        ],
        "何子": ["凤翔镇", "孟河村", "之子", "脱贫户", "", "普通劳动力", 0, "", ""],
        "吕边缘": [
            "内官营镇",
            "大坪村",
            "户主",
            "一般农户",
            "边缘易致贫户",
            "普通劳动力",
            6,
            "",
            "",
        ],
        "施突发": [
            "内官营镇",
            "大坪村",
            "户主",
            "一般农户",
            "突发严重困难户",
            "弱劳动力",
            0,
            "",
            "",
        ],
        "张一般": ["巉口镇", "中街村", "户主", "一般农户", "", "普通劳动力", 0, "", ""],
        "孔不稳": ["巉口镇", "中街村", "户主", "脱贫户", "脱贫不稳定户", "普通劳动力", 3, "", ""],
    }
    rows = [FANGFANPIN_HEADERS]
    for number, person in enumerate(people, start=1):
        town, village, relation, kind, category, ability, months, firm, place = cells[person.name]
        rows.append(
            ["甘肃省", "定西市", "安定区", town, village, f"H{number:06d}", f"P{number:08d}"]
            + [person.name, person.id, person.phone, relation, kind, category, ability]
            + [months, firm, place, "其他"]
        )
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_and_check(
        django_capture_on_commit_callbacks, official_a, buffer.getvalue(), "监测对象.xlsx", people
    )
    notes = job.preview["ignored_notes"]
    assert set(notes) == set(FANGFANPIN_HEADERS) - {
        "乡",
        "村",
        "姓名",
        "证件号码",
        "联系电话",
        "户类型",
        "监测对象类别",
    }
    assert "不是工种" in notes["劳动技能"]


# 6. A ledger of √/×/1/0 columns ------------------------------------------------------------
def test_ledger_with_tick_and_digit_columns(official_a, django_capture_on_commit_callbacks):
    people = [
        Person("田一", poverty=POOR, township=FENGXIANG, dormitory=True, shift=False),
        Person("田二", poverty=WATCHED, township=FENGXIANG, dormitory=False, shift=True),
        Person("田三", township=FENGXIANG, dormitory=True, shift=True),
        Person("田四", poverty=WATCHED, township=FENGXIANG, dormitory=False, shift=False),
    ]
    marks = {
        "田一": ["√", "×", 1, 0],
        "田二": ["×", "√", 0, 1],
        "田三": [0, 0, "是", "是"],
        "田四": [1, 1, "否", "否"],
    }
    rows = [
        ["序号", "姓 名", "身份证号（18位）", "联系方式", "乡镇（街道）", "是否脱贫户"]
        + ["是否监测户", "是否接受住宿舍（是/否）", "能否接受倒班"],
    ]
    for number, person in enumerate(people, start=1):
        rows.append([number, person.name, person.id, person.phone, "凤翔镇", *marks[person.name]])
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_and_check(
        django_capture_on_commit_callbacks, official_a, buffer.getvalue(), "台账.xlsx", people
    )
    how = {c["key"]: c["how"] for c in job.preview["columns"] if c["source"]}
    assert how["accepts_shift_work"] == "keyword"  # 能否接受倒班: the preview asks to check it


# 7. A household roster: 户编号/户主/乡镇/村/户类型 merged over each household's rows -------
HOUSEHOLD_HEADERS = ["序号", "户编号", "户主", "乡镇", "村", "户类型", "姓名"]
HOUSEHOLD_HEADERS += ["与户主关系", "身份证号", "联系电话"]


def household_roster() -> tuple[list[Person | Rejected], list[list], list[tuple]]:
    """Return the people, the rows (title, header, data) and the merges as (first row, last
    row, first column, last column), 0-based: the household's cells hold a value only in the
    household's first row, as a county keeps it."""
    people: list[Person | Rejected] = [
        Person("杨大", poverty=POOR, township=FENGXIANG, village="孟河村"),
        Person("杨二", poverty=POOR, township=FENGXIANG, village="孟河村"),
        Rejected("杨三", "联系电话", "手机号", phone="12345"),
        Person("杨四", poverty=POOR, township=FENGXIANG, village="孟河村"),
        # 村 is not merged in this household: the second row's blank stays blank.
        Person("马一", poverty=WATCHED, township=NEIGUANYING, village="大坪村"),
        Person("马二", poverty=WATCHED, township=NEIGUANYING),
        Person("刘独", township=CHANKOU, village="中街村"),
    ]
    household = {
        "杨大": ["H001", "杨大", "凤翔镇", "孟河村", "脱贫户", "户主"],
        "杨二": [None, None, None, None, None, "之子"],
        "杨三": [None, None, None, None, None, "之女"],
        "杨四": [None, None, None, None, None, "之孙"],
        "马一": ["H002", "马一", "内官营", "大坪村", "监测户", "户主"],
        "马二": [None, None, None, None, None, "配偶"],
        "刘独": ["H003", "刘独", "巉口镇", "中街村", "一般户", "户主"],
    }
    rows = [["安定区脱贫劳动力花名册（按户）"], HOUSEHOLD_HEADERS]
    for number, person in enumerate(people, start=1):
        code, head, town, village, kind, relation = household[person.name]
        rows.append(
            [number, code, head, town, village, kind, person.name, relation]
            + [person.id, person.phone]
        )
    merges = [(0, 0, 0, 9)]  # the title
    merges += [(2, 5, column, column) for column in range(1, 6)]  # 杨: 户编号…户类型
    merges += [(6, 7, column, column) for column in (1, 2, 3, 5)]  # 马: not 村
    return people, rows, merges


def test_household_cells_merged_over_rows_are_filled_down(
    official_a, django_capture_on_commit_callbacks
):
    people, rows, merges = household_roster()
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    for first, last, left, right in merges:
        workbook.active.merge_cells(
            start_row=first + 1, end_row=last + 1, start_column=left + 1, end_column=right + 1
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_and_check(
        django_capture_on_commit_callbacks,
        official_a,
        buffer.getvalue(),
        "按户.xlsx",
        people,
        unknown=["户主"],  # the head's name: left for the official to map or ignore
    )
    assert job.preview["header_row"] == 2


def test_household_merges_in_an_xls_are_filled_down(official_a, django_capture_on_commit_callbacks):
    from tests.workers.spreadsheets import xls_bytes

    people, rows, merges = household_roster()
    data = xls_bytes(rows, merged=merges)
    import_and_check(
        django_capture_on_commit_callbacks, official_a, data, "按户.xls", people, unknown=["户主"]
    )


# 8. Short township and village names (通渭县: the reference data holds its villages) -------
def test_short_township_and_village_names(official_b, django_capture_on_commit_callbacks):
    from tests.factories import TONGWEI

    def tongwei_id() -> str:
        return id_number(TONGWEI, dt.date(1992, 2, 2), next(_serials))

    pingxiang, maying = "621121100", "621121101"
    people = [
        # "平襄" → 平襄镇, "西关" → 西关村民委员会 (a region, not just a name)
        Person("通一", id=tongwei_id(), township=pingxiang, village="西关村民委员会"),
        Person("通二", id=tongwei_id(), township=pingxiang, village="温泉村民委员会"),
        Person("通三", id=tongwei_id(), township=pingxiang, village="宋堡村民委员会"),
        Person("通四", id=tongwei_id(), township=maying, village="东关村民委员会"),
        Person("通五", id=tongwei_id(), township=maying, village="新庄子"),  # kept as written
        Rejected("通六", "乡镇", "不是通渭县的乡镇", id=tongwei_id()),
    ]
    cells = {
        "通一": ["平襄", "西关"],
        "通二": ["平襄镇", "温泉村"],
        "通三": ["平襄", "宋堡村委会"],
        "通四": ["马营", "东关"],
        "通五": ["马营镇", "新庄子"],
        "通六": ["凤翔", "孟河村"],
    }
    rows = [["姓名", "身份证号码", "联系电话", "乡镇", "村"]]
    for person in people:
        rows.append([person.name, person.id, person.phone, *cells[person.name]])
    data = csv_bytes(rows)
    import_and_check(django_capture_on_commit_callbacks, official_b, data, "通渭.csv", people)
    assert Worker.objects.get(name="通一").home_village_id == "621121100202"


def test_fill_down_stays_inside_merges_below_the_header():
    from laborbridge.imports.reading import Sheet, fill_merged_down

    sheet = Sheet(
        name="花名册",
        rows=[
            (1, ["姓名", "户编号"]),  # a header merged over rows 1-2 is left alone
            (2, []),
            (3, ["甲", "H1"]),
            (4, ["乙"]),
            (5, []),  # an empty row inside the merge stays empty
            (6, ["丙", None]),
            (7, ["丁", None]),  # outside every merge: stays blank
        ],
        merged_down=[(1, 2, 0), (3, 6, 1)],
    )
    assert fill_merged_down(sheet, below=2) == 2
    assert [cells for _n, cells in sheet.rows] == [
        ["姓名", "户编号"],
        [],
        ["甲", "H1"],
        ["乙", "H1"],
        [],
        ["丙", "H1"],
        ["丁", None],
    ]
