"""Read an uploaded spreadsheet into rows of cells, whatever tool or locale saved it.

Workbooks (.xlsx/.xlsm, .xlsb, .xls and WPS .et, .ods) are read by calamine (Rust, through
``python-calamine``), behind the limits of :mod:`laborbridge.imports.limits`: a zipped
workbook is checked member by member before calamine sees it, and calamine itself runs in a
forked child with an address-space limit, so a file that would still make it allocate
gigabytes kills only that child and is refused with a message, never the worker. CSV (UTF-8,
UTF-16 or GB18030) is read here under the same row, column and cell-length limits.
"""

from __future__ import annotations

import codecs
import csv
import faulthandler
import io
import logging
import os
import pickle
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from laborbridge.imports.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    READER_ADDRESS_SPACE,
    WORKBOOK_SUFFIXES,
    ImportFileError,
    cell_too_long,
    check_grid,
    file_too_large,
    out_of_memory,
    too_many_columns,
    too_many_rows,
    zip_check,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ImportFileError",
    "Sheet",
    "Table",
    "decode_text",
    "fill_merged_down",
    "read_table",
]

logger = logging.getLogger(__name__)

# Sheets of our own templates (and commonly added by officials) that never hold data.
SKIPPED_SHEETS = frozenset({"填写说明", "说明", "选项", "填表说明", "instructions"})
# Excel 97–2003 (.xls) and WPS (.et) workbooks: an OLE2 compound file.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


@dataclass
class Sheet:
    name: str
    # (row number as Excel shows it, cells); empty rows inside the data are kept as [].
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    # Cells merged over several rows (户编号/户主/村 over a household's rows): (first row, last
    # row, column position), rows as Excel shows them. Known for .xlsx/.xlsm/.xlsb/.xls only:
    # calamine reports no merges for .ods, and a .csv has none.
    merged_down: list[tuple[int, int, int]] = field(default_factory=list)


def fill_merged_down(sheet: Sheet, below: int) -> int:
    """Copy the value of each cell merged over several rows below row ``below`` (the header)
    into every row of its merge, and return how many cells were filled.

    Only the cells inside a merge are filled, never blank cells in general, and a row that
    is otherwise empty stays empty. Merges in and above the header are left as they are: a
    header cell merged over two header rows is how two-row headers are recognised.
    """
    if not sheet.merged_down:
        return 0
    position = {number: index for index, (number, _cells) in enumerate(sheet.rows)}
    filled = 0
    for first, last, column in sheet.merged_down:
        if first <= below or first not in position:
            continue
        top = sheet.rows[position[first]][1]
        value = top[column] if column < len(top) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        for number in range(first + 1, last + 1):
            index = position.get(number)
            if index is None or not sheet.rows[index][1]:
                continue
            cells = sheet.rows[index][1]
            if column >= len(cells):
                cells.extend([None] * (column + 1 - len(cells)))
            if cells[column] is None or (
                isinstance(cells[column], str) and not cells[column].strip()
            ):
                cells[column] = value
                filled += 1
    return filled


@dataclass
class Table:
    """The sheets of a file that may hold data, in workbook order."""

    file_type: str  # "xlsx" | "xlsb" | "xls" | "ods" | "csv"
    sheets: list[Sheet]
    encoding: str = ""


def read_table(data: bytes, filename: str = "") -> Table:
    """Return the data sheets of a workbook or .csv file, or raise ImportFileError."""
    if not data:
        raise ImportFileError(_("上传的文件是空的。"))
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(file_too_large(len(data)))
    if data.startswith(_ZIP):
        file_type = zip_check(data)
    elif data.startswith(_OLE2):
        file_type = "xls"
    elif filename.lower().endswith(WORKBOOK_SUFFIXES):
        raise ImportFileError(_("文件已损坏或不是 Excel 文件，请重新保存后上传。"))
    else:
        return _read_csv(data)
    return _bounded(_read_workbook, data, file_type)


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


def _where(row: int, column: int) -> str:
    return _("第 %(row)s 行第 %(column)s 列") % {"row": row, "column": column}


def _cell(value: Any) -> Any:
    """Return calamine's value as the cleaners expect it: None for empty, whole numbers as
    int (below 10^15, so an ID number Excel already rounded stays a float and is refused)."""
    kind = value.__class__
    if kind is str:
        return value if value else None
    if kind is float and value.is_integer() and -1e15 < value < 1e15:
        return int(value)
    return value


def _read_workbook(data: bytes, file_type: str) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError):
        raise ImportFileError(
            _("无法打开这个 Excel 文件，请在 Excel 或 WPS 中重新保存为 .xlsx 后上传。")
        ) from None
    sheets = []
    total = 0
    try:
        for meta in workbook.sheets_metadata:
            if (
                meta.visible != SheetVisibleEnum.Visible
                or meta.typ != SheetTypeEnum.WorkSheet
                or meta.name.strip().lower() in SKIPPED_SHEETS
            ):
                continue
            grid = workbook.get_sheet_by_name(meta.name)
            sheet = Sheet(name=meta.name)
            end = grid.end
            if end is not None:
                check_grid(
                    end[0] + 1,
                    end[1] + 1,
                    lambda n=meta.name: _("工作表“%(sheet)s”") % {"sheet": n},
                )
                lead = [None] * grid.start[1]
                for number, values in enumerate(grid.iter_rows(), start=1):
                    cells = _trim([_cell(v) for v in values])
                    for position, value in enumerate(cells):
                        if value.__class__ is str and len(value) > MAX_CELL_CHARS:
                            raise cell_too_long(_where(number, len(lead) + position + 1))
                    sheet.rows.append((number, lead + cells if cells and lead else cells))
            sheet.merged_down = [
                (first[0] + 1, last[0] + 1, first[1])
                for first, last in grid.merged_cell_ranges or ()
                if last[0] > first[0]
            ]
            del grid
            _drop_trailing_blanks(sheet)
            total += len(sheet.rows)
            if total > MAX_ROWS:
                raise too_many_rows()
            sheets.append(sheet)
    except CalamineError:
        raise ImportFileError(
            _("无法打开这个 Excel 文件，请在 Excel 或 WPS 中重新保存为 .xlsx 后上传。")
        ) from None
    finally:
        workbook.close()
    if not any(sheet.rows for sheet in sheets):
        raise ImportFileError(_("文件中没有数据。"))
    return Table(file_type=file_type, sheets=sheets)


def _limit_address_space(extra: int) -> None:
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as status:
            size = next(
                int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:")
            )
    except (OSError, StopIteration, ValueError):
        return  # not Linux: the scan's limits still apply
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = size + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _bounded(function, *args) -> Table:
    """Run ``function(*args)`` in a forked child whose address space may grow by at most
    ``READER_ADDRESS_SPACE``; return its result or raise its ImportFileError.

    calamine aborts the whole process when an allocation fails (Rust's default), so a file
    that slipped past the scan must not be read in the worker itself.
    """
    if not hasattr(os, "fork"):
        return function(*args)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into the caller's code
        code = 1
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)  # Rust's allocation-failure report is not for the log
            faulthandler.disable()  # nor a Python traceback of the abort it ends with
            _limit_address_space(READER_ADDRESS_SPACE)
            try:
                outcome: tuple[str, Any] = ("ok", function(*args))
            except ImportFileError as error:
                outcome = ("refused", error.message)
            except MemoryError:
                outcome = ("memory", None)
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(payload)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as incoming:
        payload = incoming.read()
    _pid, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or not payload:
        logger.warning(
            "Spreadsheet reader child ended with status %s: refused as too large", status
        )
        raise out_of_memory()
    # Safe to unpickle: the bytes come from our own child over a private pipe.
    kind, value = pickle.loads(payload)  # noqa: S301
    if kind == "ok":
        return value
    if kind == "refused":
        raise ImportFileError(value)
    raise out_of_memory()


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
        raise ImportFileError(_("这不是表格文件：请上传 .xlsx、.xls、.ods 或 .csv 文件。"))
    sample = text[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    sheet = Sheet(name="CSV")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = 0
    try:
        for number, values in enumerate(reader, start=1):
            cells = _trim(values)
            if len(cells) > MAX_COLUMNS:
                raise too_many_columns(_where(number, len(cells)))
            for position, value in enumerate(cells):
                if len(value) > MAX_CELL_CHARS:
                    raise cell_too_long(_where(number, position + 1))
            sheet.rows.append((number, cells))
            if len(sheet.rows) > MAX_ROWS:
                raise too_many_rows()
    except csv.Error as error:
        # The csv module refuses fields over 128 k characters itself.
        if "field limit" in str(error):
            raise cell_too_long(_("第 %(row)s 行") % {"row": number + 1}) from None
        raise ImportFileError(
            _("CSV 文件格式有误（引号不成对？），请用 Excel 重新保存。")
        ) from None
    _drop_trailing_blanks(sheet)
    if not sheet.rows:
        raise ImportFileError(_("文件中没有数据。"))
    return Table(file_type="csv", sheets=[sheet], encoding=encoding)
