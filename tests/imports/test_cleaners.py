"""Cell cleaners: what officials' spreadsheets really contain."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from laborbridge.identifiers import id_number_check_char
from laborbridge.imports import cleaners
from laborbridge.imports.base import CellError


def _id(body: str) -> str:
    return body + id_number_check_char(body)


@pytest.mark.parametrize(
    "cell",
    [
        "2026-03-01",
        "2026/3/1",
        "2026.3.1",
        "2026年3月1日",
        "20260301",
        " 2026-3-1 00:00:00 ",
        46082,
        46082.0,
        "46082",
        dt.datetime(2026, 3, 1, 8, 30, tzinfo=dt.UTC),
        dt.date(2026, 3, 1),
        20260301,
        "２０２６－０３－０１",
        "2026/03/01",
    ],
)
def test_dates_in_every_usual_form(cell):
    assert cleaners.date()(cell) == dt.date(2026, 3, 1)


@pytest.mark.parametrize(
    "cell,message",
    [
        ("2026年2月30日", "不存在"),
        ("明年开春", "无法识别"),
        ("3/4/2026", "分不清月和日"),
        ("1850-01-01", "合理范围"),
    ],
)
def test_bad_dates_say_why(cell, message):
    with pytest.raises(CellError) as error:
        cleaners.date()(cell)
    assert message in error.value.message


def test_month_only_dates_when_allowed():
    assert cleaners.date(month_only=True)("2026年3月") == dt.date(2026, 3, 1)
    with pytest.raises(CellError):
        cleaners.date()("2026年3月")


def test_id_numbers_are_folded_and_excel_numbers_explained():
    number = _id("62110219900517123")
    clean = cleaners.id_number()
    assert (
        clean(
            " " + number.translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "\u3000"
        )
        == number
    )
    x = next(
        _id(f"6211021988080800{i}") for i in range(10) if _id(f"6211021988080800{i}").endswith("X")
    )
    assert clean(x.lower()) == x and clean("'" + x) == x
    for damaged in (6.21102199005171e17, 621102199005171000, "6.21102E+17"):
        with pytest.raises(CellError) as error:
            clean(damaged)
        assert "科学计数法" in error.value.message and "文本" in error.value.message


@pytest.mark.parametrize(
    "cell",
    [
        "13912345678",
        13912345678,
        13912345678.0,
        "139-1234-5678",
        "+86 139 1234 5678",
        "１３９１２３４５６７８",
    ],
)
def test_phones(cell):
    assert cleaners.phone()(cell) == "13912345678"


@pytest.mark.parametrize(
    "cell,value",
    [
        ("5000", 5000),
        ("5000元", 5000),
        ("5千", 5000),
        ("0.6万", 6000),
        ("5000-6000", 5000),
        ("5000～6000元/月", 5000),
        (4500.0, 4500),
        ("5,500", 5500),
        ("5千-6千", 5000),
    ],
)
def test_wages(cell, value):
    assert cleaners.wage()(cell) == value


@pytest.mark.parametrize(
    "cell,value",
    [
        ("是", True),
        ("Y", True),
        ("√", True),
        ("否", False),
        ("不接受", False),
        ("×", False),
        (True, True),
    ],
)
def test_yes_no(cell, value):
    assert cleaners.yes_no()(cell) is value


def test_choices_by_label_value_or_synonym_with_a_helpful_error():
    clean = cleaners.choice([("a", "脱贫劳动力"), ("b", "监测对象")], synonyms={"脱贫户": "a"})
    assert clean(" 脱贫劳动力 ") == "a" and clean("b") == "b" and clean("脱贫户") == "a"
    with pytest.raises(CellError) as error:
        clean("其他")
    assert "可填：脱贫劳动力、监测对象" in error.value.message


def test_multi_splits_on_every_usual_separator_and_keeps_order():
    clean = cleaners.multi(cleaners.text())
    assert clean("青岛、胶州，济南;青岛 / 烟台") == ["青岛", "胶州", "济南", "烟台"]


@pytest.mark.parametrize("cell", [None, "", "  ", "\u3000", "/", "—", "－", "--"])
def test_blank_markers(cell):
    assert cleaners.is_blank(cell)


@pytest.mark.parametrize("cell", ["0", 0, "无", "否", "a"])
def test_not_blank(cell):
    assert not cleaners.is_blank(cell)


def test_person_names_lose_alignment_spaces():
    assert cleaners.person_name()("王\u3000 明") == "王明"
    with pytest.raises(CellError):
        cleaners.person_name()("621102")


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_round_trips_through_its_text_and_serial_forms(day):
    clean = cleaners.date()
    serial = (day - dt.date(1899, 12, 30)).days
    assert clean(day.isoformat()) == clean(f"{day.year}年{day.month}月{day.day}日") == day
    assert clean(f"{day:%Y%m%d}") == clean(serial) == day


def test_one_name_key_and_one_skill_level_table_for_every_importer():
    assert cleaners.norm(" Ｃ２ 驾 照\u3000") == "c2驾照"
    from jobs.models import SkillLevel as Required
    from workers.models import SkillLevel as Held

    for clean in (
        cleaners.choice(Held.choices, synonyms=cleaners.SKILL_LEVEL_WORDS),
        cleaners.choice(Required.choices, synonyms=cleaners.SKILL_LEVEL_WORDS),
    ):
        assert [clean(w) for w in ("初级工", "4级", "高级", "技师", "一级", "无")] == [
            1,
            2,
            3,
            4,
            5,
            0,
        ]
