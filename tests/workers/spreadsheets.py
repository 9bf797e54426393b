"""Spreadsheets in formats openpyxl cannot write, built by hand for the roster corpus.

``ods_bytes`` writes a minimal OpenDocument spreadsheet. ``xls_bytes`` writes a minimal
Excel 97–2003 workbook (BIFF8 records in an OLE2 compound file: one sheet, text and number
cells) — enough for a reader, which is what the corpus needs; it generated
``fixtures/roster_biff8.xls`` (``python -m tests.workers.spreadsheets``).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape


def ods_bytes(rows: Sequence[Sequence[Any]], *, title: str = "花名册") -> bytes:
    """Return an .ods workbook with one sheet holding ``rows`` (text and numbers)."""
    body = []
    for row in rows:
        cells = []
        for value in row:
            if value is None or value == "":
                cells.append("<table:table-cell/>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
            else:
                cells.append(
                    '<table:table-cell office:value-type="string">'
                    f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
                )
        body.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(title)}">'
        f"{''.join(body)}</table:table></office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2"'
        ' manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# BIFF8 ------------------------------------------------------------------------------------
def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _unicode(text: str, length_bytes: int = 2) -> bytes:
    """An XLUnicodeString: character count, flags (1 = UTF-16LE), characters."""
    encoded = text.encode("utf-16-le")
    count = struct.pack("<H" if length_bytes == 2 else "<B", len(text))
    return count + b"\x01" + encoded


def _biff8_stream(
    rows: Sequence[Sequence[Any]],
    title: str,
    padding: int = 0,
    merged: Sequence[tuple[int, int, int, int]] = (),
) -> bytes:
    bof_globals = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    bof_sheet = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
    font = _record(
        0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + _unicode("宋体", 1)
    )
    # 21 cell style records (Excel expects at least 16 style XFs before cell XFs).
    xf = b"".join(
        _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
        for _ in range(15)
    ) + _record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0x0001, 0x20, 0, 0, 0, 0, 0, 0x20C0))
    globals_head = (
        bof_globals
        + _record(0x0042, struct.pack("<H", 1200))  # CODEPAGE: UTF-16
        # WRITEACCESS (the user name, blank-padded) also pads the stream to the 4,096 bytes
        # below which a compound file would keep it in the mini stream.
        + _record(0x005C, b"\0\0\0" + b" " * (109 + padding))
        + _record(0x003D, struct.pack("<HHHHHHHHH", 0, 0, 0x4000, 0x2000, 0x38, 0, 0, 1, 600))
        + font * 5
        + xf
    )
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells += _record(0x0203, struct.pack("<HHHd", r, c, 15, float(value)))
            else:
                cells += _record(0x0204, struct.pack("<HHH", r, c, 15) + _unicode(str(value)))
    width = max((len(row) for row in rows), default=0)
    sheet = (
        bof_sheet
        + _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))  # DIMENSIONS
        + cells
        # MERGEDCELLS: (first row, last row, first column, last column), 0-based.
        + (
            _record(
                0x00E5,
                struct.pack("<H", len(merged))
                + b"".join(struct.pack("<HHHH", *ref) for ref in merged),
            )
            if merged
            else b""
        )
        + _record(0x000A)
    )
    name = _unicode(title, 1)
    boundsheet_size = 4 + 4 + 2 + len(name)
    offset = len(globals_head) + boundsheet_size + 4  # + the globals' EOF
    boundsheet = _record(0x0085, struct.pack("<IBB", offset, 0, 0) + name)
    return globals_head + boundsheet + _record(0x000A) + sheet


def _ole2(stream: bytes, name: str = "Workbook") -> bytes:
    """Wrap one stream in a version-3 compound file (512-byte sectors, no mini stream)."""
    sector = 512
    if len(stream) < 4096:
        raise ValueError("a stream under 4,096 bytes belongs in the mini stream")
    stream_sectors = -(-len(stream) // sector)
    data = stream + b"\0" * (stream_sectors * sector - len(stream))
    # Layout: sector 0 = FAT, sector 1 = directory, sectors 2… = the stream.
    fat = [0xFFFFFFFD, 0xFFFFFFFE]  # FAT sector itself, end of the directory chain
    fat += [2 + i + 1 for i in range(stream_sectors - 1)] + [0xFFFFFFFE]
    if len(fat) > sector // 4:
        raise ValueError("stream too large for this minimal writer")
    fat += [0xFFFFFFFF] * (sector // 4 - len(fat))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)

    def entry(entry_name: str, kind: int, start: int, size: int, child: int) -> bytes:
        encoded = (entry_name + "\0").encode("utf-16-le")
        return (
            encoded.ljust(64, b"\0")
            + struct.pack("<HBB", len(encoded), kind, 1)  # type, colour black
            + struct.pack("<III", 0xFFFFFFFF, 0xFFFFFFFF, child)  # left, right, child
            + b"\0" * 16  # CLSID
            + struct.pack("<I", 0)  # state bits
            + b"\0" * 16  # creation and modification times
            + struct.pack("<IIH", start, size, 0)[:8]
            + b"\0" * 0
        ).ljust(128, b"\0")

    root = entry("Root Entry", 5, 0xFFFFFFFE, 0, 1)
    workbook = entry(name, 2, 2, len(stream), 0xFFFFFFFF)
    empty = b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", *(0xFFFFFFFF,) * 3)
    empty = empty.ljust(128, b"\0")
    directory = root + workbook + empty + empty
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<I", 0)  # directory sectors (0 in version 3)
        + struct.pack("<I", 1)  # FAT sectors
        + struct.pack("<I", 1)  # first directory sector
        + struct.pack("<I", 0)  # transaction signature
        + struct.pack("<I", 4096)  # mini stream cutoff
        + struct.pack("<II", 0xFFFFFFFE, 0)  # first mini FAT sector, count
        + struct.pack("<II", 0xFFFFFFFE, 0)  # first DIFAT sector, count
        + struct.pack("<I", 0)  # DIFAT[0] = FAT in sector 0
        + struct.pack("<108I", *(0xFFFFFFFF,) * 108)
    )
    assert len(header) == 512
    return header + fat_bytes + directory + data


def xls_bytes(
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "花名册",
    merged: Sequence[tuple[int, int, int, int]] = (),
) -> bytes:
    """Return an Excel 97–2003 (.xls) workbook with one sheet holding ``rows``; ``merged``
    lists merged ranges as (first row, last row, first column, last column), 0-based."""
    stream = _biff8_stream(rows, title, merged=merged)
    if len(stream) < 4096:
        stream = _biff8_stream(rows, title, padding=4096 - len(stream), merged=merged)
    return _ole2(stream)


if __name__ == "__main__":  # regenerate the committed fixture
    from pathlib import Path

    from tests.workers.test_roster_corpus import xls_rows

    path = Path(__file__).parent / "fixtures" / "roster_biff8.xls"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(xls_bytes(xls_rows()))
    print(path)
