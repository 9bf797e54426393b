"""Workbooks the official downloads: the template, an export in its layout, rejected rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from laborbridge.imports.base import Column, RowImporter
from laborbridge.spreadsheets import XLSX_CONTENT_TYPE, xlsx_bytes
from laborbridge.spreadsheets import workbook as new_workbook

__all__ = ["XLSX_CONTENT_TYPE", "export_workbook", "rejected_workbook", "template_workbook"]
# Rows of the template pre-formatted as text for ID-number and phone columns, and covered by
# the drop-down lists. Formatting 2,000 rows × 3 columns adds ~40 ms and ~30 kB.
TEMPLATE_ROWS = 2000
CHOICES_SHEET = "选项"
EXPLANATION_SHEET = "填写说明"
ERROR_HEADER = "错误原因"
ROW_HEADER = "原行号"

_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="B42318")
_HEADER_FILL = PatternFill("solid", fgColor="F0F4F8")
_ERROR_FILL = PatternFill("solid", fgColor="FEF3F2")

GENERAL_NOTES = (
    "第一行是列名，请不要修改或删除列名；列的先后顺序可以调整，多余的列会被忽略。",
    "红色列名是必填列。",
    "身份证号、手机号列已设为“文本”格式：请直接输入或粘贴为“只保留文本”。如果 Excel 把号码显示成 "
    "6.21102E+17 这样的科学计数法，说明后几位已经丢失，必须把该列设为文本格式后重新输入。",
    "日期可以写成 2026-03-01、2026/3/1、2026年3月1日 或设为日期格式的单元格。",
    "一个单元格里有多个值时（如多个意向城市），用顿号“、”或逗号分隔。",
    "空白单元格不会清除系统中已有的信息；要删除已有信息，请在系统中编辑该条记录。",
    "可以上传 .xlsx、.xls（Excel 97–2003）、WPS 表格或 .ods 文件，或 .csv 文件（UTF-8 或 "
    "GBK/GB18030 编码均可）；文件不超过 20 MB、120,000 行、256 列。",
    "上传后系统会先检查并显示预检结果（新增、更新、未变化、被拒绝的行及原因），确认后才会写入。"
    "被拒绝的行可以下载，改正后再次上传即可。同一文件重复导入不会产生重复记录。",
)


def _header_comment(column: Column) -> Comment | None:
    if not column.help:
        return None
    comment = Comment(str(column.help), "LaborBridge")
    comment.width, comment.height = 260, 120
    return comment


def _write_data_sheet(
    workbook: Workbook, importer: RowImporter, rows: Iterable[Mapping[str, Any]]
) -> None:
    sheet = workbook.active
    sheet.title = str(importer.title)[:31]
    columns = list(importer.columns)
    for position, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position, value=column.label)
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.comment = _header_comment(column)
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    sheet.freeze_panes = "A2"
    written = 1
    text_positions = [p for p, c in enumerate(columns, start=1) if c.as_text]
    for values in rows:
        written += 1
        for position, column in enumerate(columns, start=1):
            value = values.get(column.key)
            if value is None or value == "":
                continue
            if column.as_text:
                value = str(value)
            elif isinstance(value, list | tuple):
                value = "、".join(str(item) for item in value)
            cell = sheet.cell(row=written, column=position, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    # Text format so Excel never turns an 18-digit ID number into 6.21102E+17.
    for position in text_positions:
        for row in range(2, max(written, TEMPLATE_ROWS) + 1):
            sheet.cell(row=row, column=position).number_format = "@"
    _add_choices(workbook, sheet, importer, columns, max(written, TEMPLATE_ROWS))


def _add_choices(
    workbook: Workbook, sheet, importer: RowImporter, columns: Sequence[Column], last_row: int
) -> None:
    lists = [(p, c, c.choice_list(importer)) for p, c in enumerate(columns, start=1)]
    lists = [(p, c, choices) for p, c, choices in lists if choices]
    if not lists:
        return
    options = workbook.create_sheet(CHOICES_SHEET)
    options.sheet_state = "hidden"
    for index, (position, column, choices) in enumerate(lists, start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=column.label)
        for row, choice in enumerate(choices, start=2):
            options.cell(row=row, column=index, value=choice)
        validation = DataValidation(
            type="list",
            formula1=f"'{CHOICES_SHEET}'!${letter}$2:${letter}${len(choices) + 1}",
            allow_blank=True,
            showErrorMessage=column.strict_choices,
            errorTitle=_("请从下拉列表中选择"),
            error=_("请从下拉列表中选择“%(column)s”的值。") % {"column": column.label},
        )
        target = get_column_letter(position)
        validation.add(f"{target}2:{target}{last_row}")
        sheet.add_data_validation(validation)


def _write_explanation(workbook: Workbook, importer: RowImporter) -> None:
    sheet = workbook.create_sheet(EXPLANATION_SHEET)
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 60
    sheet.column_dimensions["D"].width = 22
    sheet.column_dimensions["E"].width = 36
    sheet.column_dimensions["F"].width = 40
    sheet.cell(
        row=1, column=1, value=_("%(title)s · 填写说明") % {"title": importer.title}
    ).font = Font(bold=True, size=14)
    row = 2
    intro = [str(importer.explanation)] if importer.explanation else []
    for number, note in enumerate([*intro, *GENERAL_NOTES], start=1):
        sheet.cell(row=row, column=1, value=f"{number}. {note}")
        row += 1
    row += 1
    headers = [_("列名"), _("必填"), _("填写说明"), _("示例"), _("也可识别的列名"), _("可选值")]
    for position, header in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=position, value=header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for column in importer.columns:
        row += 1
        choices = column.choice_list(importer)
        shown = "、".join(choices[:30]) + ("……（见下拉列表）" if len(choices) > 30 else "")
        values = [
            column.label,
            _("是") if column.required else "",
            str(column.help),
            str(column.example),
            "、".join(str(v) for v in column.variants),
            shown,
        ]
        for position, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=position, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if position == 1 and column.required:
                cell.font = _REQUIRED_FONT


def _save(workbook: Workbook) -> bytes:
    # Cells come from people (and rejected rows straight from an uploaded file): the shared
    # writer neutralises anything a spreadsheet would run as a formula.
    return xlsx_bytes(workbook)


def template_workbook(importer: RowImporter) -> bytes:
    """Return the empty template: data sheet, 填写说明 sheet, hidden drop-down lists."""
    workbook = new_workbook()
    _write_data_sheet(workbook, importer, [])
    _write_explanation(workbook, importer)
    return _save(workbook)


def export_workbook(importer: RowImporter, rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Return ``rows`` (column key → value, from ``importer.export_row``) in the template layout."""
    workbook = new_workbook()
    _write_data_sheet(workbook, importer, rows)
    _write_explanation(workbook, importer)
    return _save(workbook)


def rejected_workbook(
    *,
    title: str,
    headers: Sequence[str],
    text_positions: Iterable[int],
    rows: Iterable[tuple[int, Sequence[Any], str]],
) -> bytes:
    """Return the rejected rows as the official wrote them, plus 错误原因 and 原行号 columns."""
    workbook = new_workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    width = len(headers)
    text_positions = set(text_positions)
    for position, header in enumerate([*headers, ERROR_HEADER, ROW_HEADER], start=1):
        cell = sheet.cell(row=1, column=position, value=header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        sheet.column_dimensions[get_column_letter(position)].width = 14
    sheet.column_dimensions[get_column_letter(width + 1)].width = 60
    sheet.freeze_panes = "A2"
    for line, (number, cells, message) in enumerate(rows, start=2):
        for position in range(width):
            value = cells[position] if position < len(cells) else None
            cell = sheet.cell(row=line, column=position + 1, value=value)
            if position in text_positions:
                cell.number_format = "@"
                if isinstance(value, int) and not isinstance(value, bool):
                    cell.value = str(value)
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
        error = sheet.cell(row=line, column=width + 1, value=message)
        error.fill = _ERROR_FILL
        error.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row=line, column=width + 2, value=number)
    return _save(workbook)
