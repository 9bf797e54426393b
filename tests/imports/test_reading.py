"""Reading what officials upload: xlsx, xls, ods from any tool, CSV in any usual encoding."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from laborbridge.imports.reading import ImportFileError, read_table
from tests.imports.bombs import ods_bytes, xls_bytes
from tests.imports.helpers import csv_bytes, xlsx_bytes

# Excel cells hold wall-clock dates without a time zone.
EXCEL_DATE = dt.datetime(2026, 3, 1)  # noqa: DTZ001
ROWS = [
    ["标题行"],
    [],
    ["姓名", "身份证号", "日期"],
    ["王 小明", "621102199005171234", EXCEL_DATE],
    [],
    ["李&娟", 6.21102199005171e17, 46082],
]


def test_xlsx_rows_keep_excel_row_numbers_and_inner_blank_rows():
    sheet = read_table(xlsx_bytes(ROWS), "a.xlsx").sheets[0]
    assert [number for number, _cells in sheet.rows] == [1, 2, 3, 4, 5, 6]
    assert sheet.rows[1] == (2, []) and sheet.rows[5][1] == ["李&娟", 6.21102199005171e17, 46082]


def test_reader_agrees_with_openpyxl_on_our_own_workbooks():
    from laborbridge.imports.workbooks import rejected_workbook

    for data in (
        xlsx_bytes(ROWS),
        rejected_workbook(
            title="x",
            headers=["姓名", "身份证号"],
            text_positions=[1],
            rows=[(5, ["甲", 123], "错")],
        ),
    ):
        read = read_table(data, "a.xlsx").sheets[0].rows
        slow = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        expected = [list(row) for row in slow.iter_rows(values_only=True)]
        assert len(read) == len(expected)
        for (_number, cells), row in zip(read, expected, strict=True):
            row = [
                v.date() if isinstance(v, dt.datetime) and v.time() == dt.time() else v for v in row
            ]
            assert cells == row[: len(cells)] and all(v is None for v in row[len(cells) :])


def test_cells_keep_their_types_and_columns():
    data = xlsx_bytes([[None, "姓名", None, 1, -3, 2.5, True, dt.datetime(2026, 3, 1, 8, 30)]])  # noqa: DTZ001
    assert read_table(data, "a.xlsx").sheets[0].rows == [
        (1, [None, "姓名", None, 1, -3, 2.5, True, dt.datetime(2026, 3, 1, 8, 30)])  # noqa: DTZ001
    ]


def test_xls_is_read_with_excel_row_numbers():
    data = xls_bytes([(0, ["姓名", "年龄"]), (1, ["王小明", 30]), (3, ["李娟", -2.5])])
    table = read_table(data, "花名册.xls")
    assert table.file_type == "xls"
    assert table.sheets[0].name == "花名册"
    assert table.sheets[0].rows == [
        (1, ["姓名", "年龄"]),
        (2, ["王小明", 30]),
        (3, []),
        (4, ["李娟", -2.5]),
    ]


def test_wps_et_is_an_xls_by_its_content():
    data = xls_bytes([(0, ["姓名"]), (1, ["王小明"])])
    assert read_table(data, "花名册.et").sheets[0].rows == [(1, ["姓名"]), (2, ["王小明"])]


def test_ods_is_read_and_libreoffice_padding_costs_nothing():
    table = read_table(
        ods_bytes([["姓名", "年龄"], ["王小明", 30], [None], ["李娟", 1.5]]), "a.ods"
    )
    assert table.file_type == "ods"
    assert table.sheets[0].rows == [
        (1, ["姓名", "年龄"]),
        (2, ["王小明", 30]),
        (3, []),
        (4, ["李娟", 1.5]),
    ]


def test_hidden_and_explanation_sheets_are_skipped():
    workbook = Workbook()
    workbook.active.title = "填写说明"
    workbook.active.append(["姓名", "说明"])
    data_sheet = workbook.create_sheet("花名册")
    data_sheet.append(["姓名"])
    hidden = workbook.create_sheet("选项2")
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert [s.name for s in read_table(buffer.getvalue(), "a.xlsx").sheets] == ["花名册"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_csv_encodings_and_delimiters(encoding, delimiter):
    table = read_table(
        csv_bytes([["姓名", "乡镇"], ["王小明", "凤翔镇"]], encoding=encoding, delimiter=delimiter),
        "a.csv",
    )
    assert table.sheets[0].rows == [(1, ["姓名", "乡镇"]), (2, ["王小明", "凤翔镇"])]


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "a.csv", "空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "a.xls", "无法打开"),
        (b"\xd0\xcf\x11\xe0", "a.xls", "已损坏"),
        (b"PK\x03\x04broken", "a.xlsx", "无法打开"),
        ("姓名\n".encode() + b"\xff\xfe\xfa", "a.csv", "编码"),
    ],
)
def test_unreadable_files_say_what_to_do(data, name, message):
    with pytest.raises(ImportFileError) as error:
        read_table(data, name)
    assert message in error.value.message
