"""Read an uploaded .xlsx or .csv into rows of cells, whatever tool or locale saved it."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# A county roster has a few thousand rows; Dingxi's largest county about 60,000 people of
# working age. Beyond this the file is almost certainly not one roster.
MAX_ROWS = 60_000
MAX_FILE_BYTES = 20 * 1024 * 1024
# Sheets of our own templates (and commonly added by officials) that never hold data.
SKIPPED_SHEETS = frozenset({"填写说明", "说明", "选项", "填表说明", "instructions"})


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = str(message)


@dataclass
class Sheet:
    name: str
    # (row number as Excel shows it, cells); empty rows inside the data are kept as [].
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


@dataclass
class Table:
    """The sheets of a file that may hold data, in workbook order."""

    file_type: str  # "xlsx" | "csv"
    sheets: list[Sheet]
    encoding: str = ""


def read_table(data: bytes, filename: str = "") -> Table:
    """Return the data sheets of an .xlsx or .csv file, or raise ImportFileError."""
    if not data:
        raise ImportFileError(_("上传的文件是空的。"))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(_("文件太大（超过 20 MB），请拆分后分批导入。"))
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中“另存为” .xlsx 格式后再上传。")
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(_("文件已损坏或不是 Excel 文件，请重新保存后上传。"))
    return _read_csv(data)


def _trim(cells: list[Any]) -> list[Any]:
    end = len(cells)
    while end and (
        cells[end - 1] is None or (isinstance(cells[end - 1], str) and not cells[end - 1].strip())
    ):
        end -= 1
    return cells[:end]


def _drop_trailing_blanks(sheet: Sheet) -> None:
    """Forget empty rows after the last filled one (and empty rows are kept in between, so
    the preview can count them); formatted-but-empty template rows end up here."""
    while sheet.rows and not sheet.rows[-1][1]:
        sheet.rows.pop()


def _read_xlsx(data: bytes) -> Table:
    from laborbridge.imports.xlsx import XlsxReader, XlsxUnsupported

    try:
        reader = XlsxReader(data)
    except XlsxUnsupported:
        return _read_xlsx_openpyxl(data)
    try:
        return _collect([(name, state, rows) for name, state, rows in reader.sheets()])
    except XlsxUnsupported:
        return _read_xlsx_openpyxl(data)
    finally:
        reader.zip.close()


def _collect(entries) -> Table:
    sheets = []
    total = 0
    for name, state, rows in entries:
        if state != "visible" or name.strip().lower() in SKIPPED_SHEETS:
            continue
        sheet = Sheet(name=name)
        for number, values in rows:
            sheet.rows.append((number, _trim(list(values))))
            if len(sheet.rows) > MAX_ROWS + 1000:
                break
        _drop_trailing_blanks(sheet)
        total += len(sheet.rows)
        if total > MAX_ROWS:
            raise ImportFileError(
                _("文件超过 %(n)s 行，请拆分后分批导入。") % {"n": f"{MAX_ROWS:,}"}
            )
        sheets.append(sheet)
    if not any(sheet.rows for sheet in sheets):
        raise ImportFileError(_("文件中没有数据。"))
    return Table(file_type="xlsx", sheets=sheets)


def _read_xlsx_openpyxl(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ImportFileError(
            _("无法打开这个 Excel 文件，请在 Excel 或 WPS 中重新保存为 .xlsx 后上传。")
        ) from None
    try:
        entries = []
        for worksheet in workbook.worksheets:
            # Some tools write a wrong <dimension>; forget it so every cell is read.
            worksheet.reset_dimensions()
            rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
            entries.append((worksheet.title, worksheet.sheet_state, rows))
        return _collect(entries)
    finally:
        workbook.close()


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding) for UTF-8 (with or without BOM), UTF-16 or GB18030 bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding, errors="strict"), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("无法识别文件的文字编码：请在 Excel 中另存为“CSV UTF-8”或 .xlsx 格式后上传。")
    )


def _read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise ImportFileError(_("这不是表格文件：请上传 .xlsx 或 .csv 文件。"))
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    sheet = Sheet(name="CSV")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            sheet.rows.append((number, _trim(list(values))))
            if len(sheet.rows) > MAX_ROWS:
                raise ImportFileError(
                    _("文件超过 %(n)s 行，请拆分后分批导入。") % {"n": f"{MAX_ROWS:,}"}
                )
    except csv.Error:
        raise ImportFileError(
            _("CSV 文件格式有误（引号不成对？），请用 Excel 重新保存。")
        ) from None
    _drop_trailing_blanks(sheet)
    if not sheet.rows:
        raise ImportFileError(_("文件中没有数据。"))
    return Table(file_type="csv", sheets=[sheet], encoding=encoding)
