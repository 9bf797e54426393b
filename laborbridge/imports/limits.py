"""Hard limits on what an uploaded spreadsheet may make the server read or allocate.

A 1.5 kB .xlsx can name cell ``ZZZZZZ2`` (a reader that keeps a dense grid then allocates
321 million cells) and a 1.5 MB one can inflate to 1.5 GB. So before any cell is read,
:func:`zip_check` walks the archive: member count, each member's declared and actual
decompressed size (inflated here in bounded steps, never trusting the header), and — by a
streaming scan of the sheet XML — the declared ``<dimension>``, the highest row and column
any cell names, and over-long text. Whatever passes is read by calamine in a forked child
under an address-space limit (``reading``), which catches what a scan cannot see (.xls,
.xlsb, repeated cells of .ods); rows, columns and cell length are checked again on the
cells it returns. Every refusal is an :class:`ImportFileError` whose message names the limit.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

# Every format the reader takes, the one list the upload page's ``accept=`` and the API's
# description use: workbooks read by calamine (.et is what WPS saves; like .xls it is an
# OLE2 file) and delimited text (.csv, or .txt as Excel's "Unicode text" saves it). The
# reader decides by content, not by name; a name is only a hint for the file picker.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods")
TEXT_SUFFIXES = (".csv", ".txt")
UPLOAD_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
UPLOAD_ACCEPT = ",".join(UPLOAD_SUFFIXES)

# The largest county roster (Dingxi's biggest county) is ~60,000 people of working age; a
# county-scale import (issue 17) is 100,000 rows, with room for the header and a few notes.
MAX_ROWS = 120_000
# Rosters have 15–40 columns; 256 is what .xls allows and what any roster needs.
MAX_COLUMNS = 256
# calamine keeps a sheet as a dense rows × columns grid of 32-byte cells: 4 M cells ≈ 128 MB
# (100,000 rows of a 40-column roster).
MAX_CELLS = 4_000_000
# The longest text column of any importer takes 500 characters.
MAX_CELL_CHARS = 2_000
MAX_FILE_BYTES = 20 * 1024 * 1024
# A 100,000-row × 30-column sheet is ~125 MB of XML; shared strings of such a roster ~15 MB.
MAX_MEMBER_BYTES = 160 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_MEMBERS = 1_000
# Address space the forked reader may add to its parent's (calamine's grid, the cells as
# Python objects, the pickled result). A 60,000-row roster needs ~350 MB of it;
# 100,000 rows are read under it (reader child peak RSS 644 MB, bench/bench_import.py).
READER_ADDRESS_SPACE = 768 * 1024 * 1024

# Inflate in steps of at most this much output, so a bomb never sits in memory whole.
_STEP = 1024 * 1024
_CHUNK = 256 * 1024
# A run of this many bytes without "<" is a text over MAX_CELL_CHARS characters whatever
# its encoding (UTF-8 takes ≤ 4 bytes a character, an XML character reference ≤ 10).
_LONG_RUN = 16 * MAX_CELL_CHARS
_LONG_TEXT = re.compile(rb"<[^<]{%d}" % (_LONG_RUN + 1))
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_LOCAL_SIGNATURE = 0x04034B50

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="([^"]*)"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="\$?([A-Za-z]+)\$?(\d+)"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_REF = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="(\d+)"')
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s/>]")
_REFERENCE = re.compile(r"\$?([A-Za-z]+)\$?(\d+)")
# An .ods cell or row repeated many times with content is a grid bomb; LibreOffice's
# trailing repeated *empty* cells and rows are normal and cost calamine nothing.
_ODS_REPEATED_CELL = re.compile(
    rb"<table:(?:covered-)?table-cell\b[^>]*?number-columns-repeated=\"(\d+)\"[^>]*>"
)
_ODS_REPEATED_ROW = re.compile(
    rb"<table:table-row\b[^>]*?number-rows-repeated=\"(\d+)\"[^>]*>(.*?)</table:table-row>", re.S
)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why and what to do."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = str(message)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def column_number(letters: str) -> int:
    """Return the 1-based column of ``letters`` ("A" → 1, "XFD" → 16384), stopping early."""
    number = 0
    for char in letters.upper():
        number = number * 26 + ord(char) - 64
        if number > MAX_COLUMNS * 26:  # already far past the limit: no need for the rest
            return number
    return number


def file_too_large(size: int) -> str:
    return _("文件太大（%(size)s，上限 %(limit)s），请拆分后分批导入。") % {
        "size": megabytes(size),
        "limit": megabytes(MAX_FILE_BYTES),
    }


def out_of_memory() -> ImportFileError:
    return ImportFileError(
        _(
            "文件展开后需要的内存超过上限（%(limit)s），没有读取："
            "请删除多余的行列，在 Excel 或 WPS 中另存为 .xlsx 后再上传。"
        )
        % {"limit": megabytes(READER_ADDRESS_SPACE)}
    )


def too_many_rows() -> ImportFileError:
    return ImportFileError(_("文件超过 %(n)s 行，请拆分后分批导入。") % {"n": f"{MAX_ROWS:,}"})


def too_many_columns(where: str) -> ImportFileError:
    return ImportFileError(
        _("表格超过 %(limit)s 列（%(where)s）：请删除多余的列后再上传。")
        % {"limit": MAX_COLUMNS, "where": where}
    )


def area_too_large(rows: int, columns: int) -> ImportFileError:
    return ImportFileError(
        _(
            "表格区域过大（%(rows)s 行 × %(columns)s 列，上限 %(limit)s 个单元格）："
            "请删除多余的行列后再上传。"
        )
        % {"rows": f"{rows:,}", "columns": f"{columns:,}", "limit": f"{MAX_CELLS:,}"}
    )


def cell_too_long(where: str = "") -> ImportFileError:
    if where:
        return ImportFileError(
            _("%(where)s的内容超过 %(limit)s 个字符：请缩短后再上传。")
            % {"where": where, "limit": f"{MAX_CELL_CHARS:,}"}
        )
    return ImportFileError(
        _("有单元格的内容超过 %(limit)s 个字符：请检查是否粘贴了大段文字，缩短后再上传。")
        % {"limit": f"{MAX_CELL_CHARS:,}"}
    )


def check_grid(rows: int, columns: int, where: Callable[[], str]) -> None:
    """Refuse a sheet of ``rows`` × ``columns`` (1-based extents) beyond the limits."""
    if rows > MAX_ROWS:
        raise too_many_rows()
    if columns > MAX_COLUMNS:
        raise too_many_columns(where())
    if rows * columns > MAX_CELLS:
        raise area_too_large(rows, columns)


def _refuse_member(name: str, size: int, *, declared: bool) -> ImportFileError:
    if declared:
        message = _(
            "文件解压后过大（其中“%(member)s”声明 %(size)s，上限 %(limit)s）："
            "这不是正常的表格文件，请在 Excel 或 WPS 中重新保存后上传。"
        )
    else:
        message = _(
            "文件解压后过大（其中“%(member)s”超过上限 %(limit)s）："
            "这不是正常的表格文件，请在 Excel 或 WPS 中重新保存后上传。"
        )
    return ImportFileError(
        message
        % {"member": name[:80], "size": megabytes(size), "limit": megabytes(MAX_MEMBER_BYTES)}
    )


def _damaged() -> ImportFileError:
    return ImportFileError(
        _("无法打开这个 Excel 文件，请在 Excel 或 WPS 中重新保存为 .xlsx 后上传。")
    )


class _SheetScan:
    """Streaming checks on one member's XML: extents named by cells, long text runs."""

    def __init__(self, name: str, *, cells: bool, ods: bool):
        self.name, self.cells, self.ods = name, cells, ods
        self.carry = b""
        self.max_row = self.max_column = 0
        self.max_column_ref = ""
        self.rows_without_ref = self.cells_without_ref = 0

    def feed(self, data: bytes) -> None:
        data = self.carry + data
        cut = data.rfind(b"<")
        if cut < 0:
            cut = len(data)
        self.carry, data = data[cut:], data[:cut]
        if len(self.carry) > _LONG_RUN:
            raise cell_too_long()
        self._scan(data)

    def close(self) -> None:
        self._scan(self.carry)
        self.carry = b""

    def _scan(self, data: bytes) -> None:
        if not data:
            return
        # Anchored on "<", so each run is walked once: linear in the data.
        if _LONG_TEXT.search(data) or data.find(b"<") > _LONG_RUN:
            raise cell_too_long()
        if self.ods:
            self._scan_ods(data)
        elif self.cells:
            self._scan_cells(data)

    def _scan_cells(self, data: bytes) -> None:
        for found in _DIMENSION.finditer(data):
            self._check_dimension(found.group(1).decode("ascii", "replace"))
        references = _CELL_REF.findall(data)
        self.cells_without_ref += len(_CELL_TAG.findall(data)) - len(references)
        if references:
            # zip/set/map run in C: 1.8 million cells of a 100,000-row roster in ~0.3 s
            # instead of ~2.5 s for a key function and a generator per cell. The key ends
            # with the letters themselves so that "ab" and "AB" (the same column) do not
            # leave the choice to the set's order.
            all_letters, all_rows = zip(*references, strict=True)
            letters = max(set(all_letters), key=lambda s: (len(s), s.upper(), s))
            row = max(map(int, all_rows))
            column = column_number(letters.decode("ascii"))
            if column > self.max_column:
                self.max_column, self.max_column_ref = column, letters.decode("ascii") + str(row)
            self.max_row = max(self.max_row, row)
        rows = _ROW_REF.findall(data)
        self.rows_without_ref += len(_ROW_TAG.findall(data)) - len(rows)
        if rows:
            self.max_row = max(self.max_row, max(map(int, rows)))
        if self.max_column > MAX_COLUMNS:
            raise too_many_columns(_("单元格 %(cell)s") % {"cell": self.max_column_ref[:20]})
        # Rows without a number follow the last numbered one; cells likewise (see below).
        if self.max_row + self.rows_without_ref > MAX_ROWS:
            raise too_many_rows()

    def _check_dimension(self, reference: str) -> None:
        last = reference.split(":")[-1]
        found = _REFERENCE.fullmatch(last)
        if found is None:
            return
        rows, columns = int(found.group(2)), column_number(found.group(1))
        if rows > MAX_ROWS or columns > MAX_COLUMNS or rows * columns > MAX_CELLS:
            raise ImportFileError(
                _(
                    "表格声明的范围 %(range)s 超过上限（最多 %(rows)s 行、%(columns)s 列）："
                    "请在 Excel 或 WPS 中删除多余的行列并重新保存后上传。"
                )
                % {"range": reference[:40], "rows": f"{MAX_ROWS:,}", "columns": MAX_COLUMNS}
            )

    def _scan_ods(self, data: bytes) -> None:
        for found in _ODS_REPEATED_CELL.finditer(data):
            tag = found.group(0)
            if int(found.group(1)) > MAX_COLUMNS and (
                b"value-type" in tag or not tag.endswith(b"/>")
            ):
                raise too_many_columns(_("重复的单元格"))
        for found in _ODS_REPEATED_ROW.finditer(data):
            if int(found.group(1)) > MAX_ROWS and b"value-type" in found.group(2):
                raise too_many_rows()

    def finish(self) -> None:
        """Check the dense grid calamine will allocate for this sheet before it reads it.

        A cell without a reference sits right after the previous one; files that omit them
        are rare, and their width is left to the reader's own checks in the bounded child.
        """
        if self.cells:
            check_grid(
                self.max_row + self.rows_without_ref,
                self.max_column,
                lambda: _("单元格 %(cell)s") % {"cell": self.max_column_ref[:20]},
            )


def _member_bytes(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """Return the member's compressed bytes, located through its local header."""
    start = info.header_offset
    if start + _LOCAL_HEADER.size > len(data):
        raise _damaged()
    fields = _LOCAL_HEADER.unpack_from(data, start)
    if fields[0] != _LOCAL_SIGNATURE:
        raise _damaged()
    begin = start + _LOCAL_HEADER.size + fields[9] + fields[10]
    return memoryview(data)[begin : begin + info.compress_size]


def _inflate(data: bytes, info: zipfile.ZipInfo, sink: Callable[[bytes], None]) -> int:
    """Feed the member's decompressed bytes to ``sink`` in bounded steps; return the size."""
    raw = _member_bytes(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        size = len(raw)
        if size > MAX_MEMBER_BYTES:
            raise _refuse_member(info.filename, size, declared=False)
        for position in range(0, size, _STEP):
            sink(bytes(raw[position : position + _STEP]))
        return size
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        for position in range(0, len(raw), _CHUNK):
            pending = bytes(raw[position : position + _CHUNK])
            while pending:
                out = inflater.decompress(pending, _STEP)
                pending = inflater.unconsumed_tail
                size += len(out)
                if size > MAX_MEMBER_BYTES:
                    raise _refuse_member(info.filename, size, declared=False)
                sink(out)
            if inflater.eof:
                break
        out = inflater.flush()
    except zlib.error:
        raise _damaged() from None
    size += len(out)
    if size > MAX_MEMBER_BYTES:
        raise _refuse_member(info.filename, size, declared=False)
    sink(out)
    return size


def zip_format(names: set[str]) -> str:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names:
        return "ods"
    raise ImportFileError(_("这不是表格文件：请上传 .xlsx、.xls、.ods 或 .csv 文件。"))


def zip_check(data: bytes) -> str:
    """Check a zipped workbook against every limit without keeping it inflated; return its
    format ("xlsx", "xlsb" or "ods") or raise :class:`ImportFileError`."""
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _damaged() from None
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(
            _("文件内的部件超过 %(limit)s 个，这不是正常的表格文件。") % {"limit": MAX_MEMBERS}
        )
    kind = zip_format({info.filename for info in members})
    total = 0
    for info in members:
        if info.flag_bits & 0x1:
            raise ImportFileError(_("文件设置了密码：请在 Excel 或 WPS 中取消密码后再上传。"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged()
        if info.file_size > MAX_MEMBER_BYTES:
            raise _refuse_member(info.filename, info.file_size, declared=True)
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise ImportFileError(
            _("文件解压后共 %(size)s，超过上限 %(limit)s：请拆分后分批导入。")
            % {"size": megabytes(total), "limit": megabytes(MAX_TOTAL_BYTES)}
        )
    total = 0
    for info in members:
        name = info.filename
        is_xml = name.endswith((".xml", ".rels"))
        scan = _SheetScan(
            name,
            cells=kind == "xlsx" and name.startswith("xl/worksheets/") and is_xml,
            ods=kind == "ods" and name == "content.xml",
        )
        size = _inflate(data, info, scan.feed if is_xml else _ignore)
        if is_xml:
            scan.close()
            scan.finish()
        if size != info.file_size:
            # The header lied about the size: readers that trust it would be misled.
            raise ImportFileError(
                _(
                    "文件已损坏（其中“%(member)s”的实际大小与声明不符），请在 Excel 或 WPS 中重新保存后上传。"
                )
                % {"member": name[:80]}
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise ImportFileError(
                _("文件解压后共 %(size)s，超过上限 %(limit)s：请拆分后分批导入。")
                % {"size": megabytes(total), "limit": megabytes(MAX_TOTAL_BYTES)}
            )
    return kind


def _ignore(_data: bytes) -> None:
    return None
