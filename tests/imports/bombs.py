"""Workbooks built byte by byte: .xls, .ods, raw .xlsx, and the bombs the reader must refuse.

Run one bomb in a fresh process and print what happened, with peak memory (the drill of
docs/RELIABILITY.md)::

    .venv/bin/python -m tests.imports.bombs column_ref
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from laborbridge.imports.limits import MAX_CELLS, MAX_ROWS

_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="花名册" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
SHEET = "xl/worksheets/sheet1.xml"


def xlsx_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def xlsx_row(number: int, cells: Iterable[str]) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


def xlsx_raw(
    rows: str,
    *,
    dimension: str = "",
    extra: dict[str, Callable[[Any], None]] | None = None,
) -> bytes:
    """Return an .xlsx whose sheet XML holds ``rows`` as given; ``extra`` maps a member name to
    a function writing its bytes into an open zip member (for members too large to build)."""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f"<sheetData>{rows}</sheetData></worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _XLSX_PARTS.items():
            archive.writestr(name, text)
        archive.writestr(SHEET, sheet)
        for name, write in (extra or {}).items():
            with archive.open(name, "w") as member:
                write(member)
    return buffer.getvalue()


def zip_declare_size(data: bytes, member: str, size: int) -> bytes:
    """Return ``data`` with ``member``'s uncompressed size rewritten (both headers) to ``size``."""
    patched = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.getinfo(member)
    struct.pack_into("<I", patched, info.header_offset + 22, size)
    encoded = member.encode()
    central = patched.find(b"PK\x01\x02", archive.start_dir)
    while central >= 0:
        name_length = struct.unpack_from("<H", patched, central + 28)[0]
        if bytes(patched[central + 46 : central + 46 + name_length]) == encoded:
            struct.pack_into("<I", patched, central + 24, size)
            return bytes(patched)
        central = patched.find(b"PK\x01\x02", central + 46)
    raise KeyError(member)


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def ods_cell(value: Any = None, repeat: int = 0) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat else ""
    if value is None:
        return f"<table:table-cell{times}/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}"{times}>'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"{times}><text:p>{value}</text:p>'
        "</table:table-cell>"
    )


def ods_row(cells: Iterable[str], repeat: int = 0) -> str:
    times = f' table:number-rows-repeated="{repeat}"' if repeat else ""
    return f"<table:table-row{times}>{''.join(cells)}</table:table-row>"


def ods_raw(table_rows: str, *, sheet: str = "花名册") -> bytes:
    """Return an OpenDocument spreadsheet (LibreOffice, WPS export) holding ``table_rows``."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="{sheet}">{table_rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:'
        'names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
        'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
        'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
        'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def ods_bytes(rows: Sequence[Sequence[Any]]) -> bytes:
    return ods_raw("".join(ods_row(ods_cell(v) for v in row) for row in rows))


# .xls (BIFF8 in an OLE2 compound file), as Excel 97–2003 and WPS write it.


def _record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 1997, 0, 0x06))


def xls_bytes(rows: Sequence[tuple[int, Sequence[Any]]], *, sheet: str = "花名册") -> bytes:
    """Return a minimal .xls: ``rows`` are (0-based row, cells); text goes through the shared
    string table (LABELSST), numbers are NUMBER records."""
    strings: dict[str, int] = {}
    cells = []
    for row, values in rows:
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                index = strings.setdefault(value, len(strings))
                cells.append(_record(0x00FD, struct.pack("<HHHI", row, column, 15, index)))
            else:
                body = struct.pack("<HHHd", row, column, 15, float(value))
                cells.append(_record(0x0203, body))
    table = struct.pack("<II", len(strings), len(strings)) + b"".join(
        struct.pack("<HB", len(s), 1) + s.encode("utf-16-le") for s in strings
    )
    name = sheet.encode("utf-16-le")

    def workbook_globals(sheet_offset: int) -> bytes:
        bound = struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet), 1) + name
        return (
            _bof(0x0005)
            + _record(0x0042, struct.pack("<H", 1200))  # code page: UTF-16
            + _record(0x0085, bound)
            + _record(0x00FC, table)
            + _record(0x000A)
        )

    head = workbook_globals(len(workbook_globals(0)))
    last_row = max((row for row, _values in rows), default=0)
    last_column = max((len(values) for _row, values in rows), default=0)
    dimensions = _record(0x0200, struct.pack("<IIHHH", 0, last_row + 1, 0, last_column, 0))
    stream = head + _bof(0x0010) + dimensions + b"".join(cells) + _record(0x000A)
    # Streams under 4 kB would live in the mini stream; pad to keep the container simple.
    return _compound_file("Workbook", stream.ljust(4096, b"\0"))


def _compound_file(name: str, stream: bytes) -> bytes:
    sector = 512
    count = (len(stream) + sector - 1) // sector
    stream = stream.ljust(count * sector, b"\0")
    if count + 2 > 128:
        raise ValueError("one FAT sector only: keep the test workbook under 63 kB")
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    chain = [3 + i if i < count - 1 else end for i in range(count)]
    fat = [0xFFFFFFFD, end, *chain]
    fat_sector = struct.pack("<128I", *(fat + [free] * (128 - len(fat))))

    def entry(entry_name: str, kind: int, child: int, start: int, size: int) -> bytes:
        raw = entry_name.encode("utf-16-le") + b"\0\0" if entry_name else b""
        return (
            raw.ljust(64, b"\0")
            + struct.pack("<HBB", len(raw), kind, 1)
            + struct.pack("<III", free, free, child)
            + b"\0" * 36
            + struct.pack("<IIi", start, size, 0)
        )

    directory = (
        entry("Root Entry", 5, 1, end, 0)
        + entry(name, 2, free, 2, len(stream))
        + entry("", 0, free, 0, 0) * 2
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<9I", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    return header + fat_sector + directory + stream


# The bombs. Each is small on the wire; read naively it would take gigabytes.

HEADER = xlsx_row(1, [xlsx_cell("A1", "姓名"), xlsx_cell("B1", "身份证号")])


def _repeat(piece: bytes, size: int) -> Callable[[Any], None]:
    def write(member) -> None:
        chunk = piece * (1024 * 1024 // len(piece))
        for _ in range(size // len(chunk) + 1):
            member.write(chunk)

    return write


def bomb_column_ref() -> bytes:
    """One cell named ZZZZZZ2: a dense reader allocates 321 M cells (10 GB)."""
    return xlsx_raw(HEADER + xlsx_row(2, [xlsx_cell("ZZZZZZ2", "x")]))


def bomb_row_ref() -> bytes:
    """One cell on row 99,999,999."""
    return xlsx_raw(HEADER + xlsx_row(99_999_999, [xlsx_cell("A99999999", "x")]))


def bomb_dimension() -> bytes:
    """A sheet that declares itself A1:XFD1048576 (17 G cells)."""
    return xlsx_raw(HEADER, dimension="A1:XFD1048576")


def bomb_area() -> bytes:
    """Rows and columns each within their limit, together 15 M cells."""
    return xlsx_raw(HEADER + xlsx_row(59_999, [xlsx_cell("IV59999", "x")]))


def bomb_too_many_rows() -> bytes:
    """MAX_ROWS + 1,000 real rows of one cell."""
    rows = "".join(xlsx_row(n, [xlsx_cell(f"A{n}", "王")]) for n in range(2, MAX_ROWS + 1_002))
    return xlsx_raw(HEADER + rows)


def bomb_long_cell() -> bytes:
    """One cell of 40,000 characters (the scan refuses it before calamine reads it)."""
    return xlsx_raw(HEADER + xlsx_row(2, [xlsx_cell("A2", "x" * 40_000)]))


def bomb_long_cell_read() -> bytes:
    """One cell of 3,000 characters: only the exact check on the read cell catches it."""
    return xlsx_raw(HEADER + xlsx_row(2, [xlsx_cell("A2", "长" * 3_000)]))


def bomb_deflate() -> bytes:
    """A shared-string part that inflates to 200 MB (~0.5 MB on the wire)."""
    return xlsx_raw(
        HEADER, extra={"xl/sharedStrings.xml": _repeat(b"<si><t>x</t></si>", 200 * 1024**2)}
    )


def bomb_lying_size() -> bytes:
    """A part that says it holds 100 bytes and inflates to 200 MB."""
    data = xlsx_raw(HEADER, extra={"xl/styles.xml": _repeat(b"<a/>", 200 * 1024**2)})
    return zip_declare_size(data, "xl/styles.xml", 100)


def bomb_declared_size() -> bytes:
    """A part whose header declares 3 GB (a reader may reserve that up front)."""
    data = xlsx_raw(HEADER, extra={"xl/styles.xml": _repeat(b"<a/>", 1000)})
    return zip_declare_size(data, "xl/styles.xml", 3 * 1024**3)


def bomb_ods_repeated() -> bytes:
    """An .ods cell repeated 16,384 × 1,048,576 times."""
    return ods_raw(ods_row([ods_cell("姓名")]) + ods_row([ods_cell("x", 16_384)], 1_048_576))


def bomb_xls_far_cell() -> bytes:
    """A 5 kB .xls with a cell at IV65536: 16.7 M cells, >1 GB in calamine."""
    return xls_bytes([(0, ["姓名"]), (65_535, [None] * 255 + ["x"])])


def bomb_oversized_upload() -> bytes:
    """21 MB of CSV."""
    return b"a,b\n" * (21 * 1024 * 1024 // 4)


BOMBS: dict[str, tuple[Callable[[], bytes], str, str]] = {
    # name: (builder, file name, a fragment of the refusal)
    "column_ref": (bomb_column_ref, "bomb.xlsx", "超过 256 列（单元格 ZZZZZZ2）"),
    "row_ref": (bomb_row_ref, "bomb.xlsx", f"文件超过 {MAX_ROWS:,} 行"),
    "dimension": (bomb_dimension, "bomb.xlsx", "声明的范围 A1:XFD1048576 超过上限"),
    "area": (bomb_area, "bomb.xlsx", f"上限 {MAX_CELLS:,} 个单元格"),
    "too_many_rows": (bomb_too_many_rows, "bomb.xlsx", f"文件超过 {MAX_ROWS:,} 行"),
    "long_cell": (bomb_long_cell, "bomb.xlsx", "超过 2,000 个字符"),
    "long_cell_read": (bomb_long_cell_read, "bomb.xlsx", "第 2 行第 1 列的内容超过 2,000 个字符"),
    "deflate": (bomb_deflate, "bomb.xlsx", "“xl/sharedStrings.xml”声明 201 MB，上限 160 MB"),
    "lying_size": (bomb_lying_size, "bomb.xlsx", "“xl/styles.xml”超过上限 160 MB"),
    "declared_size": (bomb_declared_size, "bomb.xlsx", "“xl/styles.xml”声明 3,072 MB"),
    "ods_repeated": (bomb_ods_repeated, "bomb.ods", "超过 256 列"),
    "xls_far_cell": (bomb_xls_far_cell, "bomb.xls", "内存超过上限（768 MB）"),
    "oversized_upload": (bomb_oversized_upload, "bomb.csv", "上限 20 MB"),
}


def _peak_mb(who: int) -> float:
    import resource

    return resource.getrusage(who).ru_maxrss / 1024


def main(name: str) -> None:
    """Read bomb ``name`` the way the preview task does; print the outcome as JSON."""
    import json
    import os
    import resource
    import time

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laborbridge.settings")
    import django

    django.setup()
    from django.utils import translation

    from laborbridge.imports.reading import ImportFileError, read_table

    translation.activate("zh-hans")
    builder, file_name, _expected = BOMBS[name]
    data = builder()
    before = _peak_mb(resource.RUSAGE_SELF)
    started = time.perf_counter()
    try:
        read_table(data, file_name)
        message = ""
    except ImportFileError as error:
        message = error.message
    print(
        json.dumps(
            {
                "bomb": name,
                "bytes": len(data),
                "refused": message,
                "seconds": round(time.perf_counter() - started, 3),
                "baseline_mb": round(before, 1),
                "peak_mb": round(_peak_mb(resource.RUSAGE_SELF), 1),
                "reader_child_peak_mb": round(_peak_mb(resource.RUSAGE_CHILDREN), 1),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    import sys

    main(sys.argv[1])
