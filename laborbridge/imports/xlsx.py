"""A fast, read-only .xlsx cell reader (values only) on the standard library's XML parser.

openpyxl builds an object per cell and reads a 10,000-row roster in ~3 s; this reads it in
~0.5 s, which matters because an import reads its file twice (preview and commit). It
understands what roster files contain — shared and inline strings, numbers, booleans,
formula results, dates by cell style (1900 and 1904 systems) — and raises ``XlsxUnsupported``
for anything else (e.g. strict OOXML), in which case the caller falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Built-in number formats that display dates (ECMA-376 18.8.30), plus the CJK ones Excel uses.
_BUILTIN_DATE_FORMATS = (
    set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
)
_DATE_CODE = re.compile(r"(\[[^\]]*\]|\"[^\"]*\"|\\.)")
_COLUMN = re.compile(r"([A-Z]+)")
# The sheet data of files written by Excel, WPS, LibreOffice and openpyxl: unprefixed tags.
# Matching them with regular expressions is ~4× faster than building an element per cell.
_ROW = re.compile(r"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL = re.compile(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_ATTR = re.compile(r'\b(r|s|t)="([^"]*)"')
_V = re.compile(r"<v(?:\s[^>]*)?>(.*?)</v>", re.S)
_T = re.compile(r"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_RPH = re.compile(r"<rPh\b.*?</rPh>", re.S)


class XlsxUnsupported(Exception):  # noqa: N818 - a signal to fall back, not an error for users
    """The workbook uses something this reader does not handle; use openpyxl instead."""


def _is_date_code(code: str) -> bool:
    code = _DATE_CODE.sub("", code).lower()
    return any(ch in code for ch in "dmy") and "general" not in code


def _column_index(reference: str) -> int:
    letters = _COLUMN.match(reference)
    if letters is None:
        raise XlsxUnsupported(reference)
    index = 0
    for char in letters.group(1):
        index = index * 26 + ord(char) - 64
    return index - 1


class XlsxReader:
    """Read the visible sheets of a workbook: ``sheets()`` → [(name, rows)]."""

    def __init__(self, data: bytes):
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            workbook = ElementTree.fromstring(self.zip.read("xl/workbook.xml"))
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError) as error:
            raise XlsxUnsupported(str(error)) from None
        if workbook.tag != f"{_MAIN}workbook":
            raise XlsxUnsupported(workbook.tag)
        properties = workbook.find(f"{_MAIN}workbookPr")
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        # Excel stores wall-clock dates with no time zone; they stay naive until cleaned.
        self.epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)  # noqa: DTZ001
        self.targets = self._relationships()
        self.sheet_entries = [
            (sheet.get("name", ""), sheet.get("state", "visible"), sheet.get(f"{_REL}id"))
            for sheet in workbook.iter(f"{_MAIN}sheet")
        ]
        self.strings = self._shared_strings()
        self.date_styles = self._date_styles()

    def _relationships(self) -> dict[str, str]:
        try:
            rels = ElementTree.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        except KeyError:
            raise XlsxUnsupported("no workbook relationships") from None
        targets = {}
        for rel in rels.iter(f"{_PKG_REL}Relationship"):
            target = rel.get("Target", "")
            target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id")] = target.replace("xl/xl/", "xl/")
        return targets

    def _shared_strings(self) -> list[str]:
        if "xl/sharedStrings.xml" not in self.zip.namelist():
            return []
        strings: list[str] = []
        with self.zip.open("xl/sharedStrings.xml") as handle:
            for _event, element in ElementTree.iterparse(handle):
                if element.tag == f"{_MAIN}si":
                    # Text runs only; phonetic guides (rPh) are not part of the value.
                    parts = [t.text or "" for t in element.iter(f"{_MAIN}t")]
                    for phonetic in element.iter(f"{_MAIN}rPh"):
                        for t in phonetic.iter(f"{_MAIN}t"):
                            parts.remove(t.text or "")
                    strings.append("".join(parts))
                    element.clear()
        return strings

    def _date_styles(self) -> set[int]:
        if "xl/styles.xml" not in self.zip.namelist():
            return set()
        styles = ElementTree.fromstring(self.zip.read("xl/styles.xml"))
        custom = {
            int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
            for fmt in styles.iter(f"{_MAIN}numFmt")
        }
        cell_xfs = styles.find(f"{_MAIN}cellXfs")
        dates = set()
        for index, xf in enumerate(cell_xfs if cell_xfs is not None else []):
            number_format = int(xf.get("numFmtId", "0"))
            if number_format in _BUILTIN_DATE_FORMATS or (
                number_format in custom and _is_date_code(custom[number_format])
            ):
                dates.add(index)
        return dates

    def sheets(self) -> Iterator[tuple[str, str, Iterator[tuple[int, list[Any]]]]]:
        for name, state, rel in self.sheet_entries:
            target = self.targets.get(rel)
            if target is None or target not in self.zip.namelist():
                raise XlsxUnsupported(f"missing sheet {name}")
            yield name, state, self._rows(target)

    def _value(self, kind: str | None, raw: str | None, style: int, cell) -> Any:
        if kind == "s":
            return self.strings[int(raw)] if raw is not None else None
        if kind == "inlineStr":
            return (
                "".join(t.text or "" for t in cell.iter(f"{_MAIN}t")) if cell is not None else None
            )
        if raw is None:
            return None
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            return raw in ("1", "true")
        if kind == "d":
            return dt.datetime.fromisoformat(raw.rstrip("Z"))
        number = float(raw)
        if style in self.date_styles:
            return self.epoch + dt.timedelta(days=number)
        if number.is_integer() and "E" not in raw and "e" not in raw and "." not in raw:
            return int(raw)
        return number

    def _rows(self, target: str) -> Iterator[tuple[int, list[Any]]]:
        raw = self.zip.read(target)
        text = raw.decode("utf-8")
        if "<sheetData" not in text:
            # Prefixed tags (<x:row>) or an unusual writer: take the slower, general path.
            yield from self._rows_by_element(raw)
            return
        expected = 1
        for row_match in _ROW.finditer(text, text.find("<sheetData")):
            attributes = dict(_ATTR.findall(row_match.group(1)))
            number = int(attributes.get("r", expected))
            while expected < number:  # rows Excel left out because they are empty
                yield expected, []
                expected += 1
            yield number, self._cells(row_match.group(2) or "")
            expected = number + 1

    def _cells(self, body: str) -> list[Any]:
        cells: list[Any] = []
        position = 0
        for cell in _CELL.finditer(body):
            attributes = dict(_ATTR.findall(cell.group(1)))
            reference = attributes.get("r")
            if reference:
                position = _column_index(reference)
            inner = cell.group(2) or ""
            kind = attributes.get("t")
            if kind == "inlineStr":
                value: Any = html.unescape("".join(_T.findall(_RPH.sub("", inner))))
            else:
                found = _V.search(inner)
                raw = found.group(1) if found else None
                if raw is not None and kind in ("str", "e") and "&" in raw:
                    raw = html.unescape(raw)
                value = self._value(kind, raw, int(attributes.get("s", "0")), None)
            if value is not None:
                if position >= len(cells):
                    cells.extend([None] * (position - len(cells) + 1))
                cells[position] = value
            position += 1
        return cells

    def _rows_by_element(self, raw: bytes) -> Iterator[tuple[int, list[Any]]]:
        cell_tag, row_tag, value_tag = f"{_MAIN}c", f"{_MAIN}row", f"{_MAIN}v"
        expected = 1
        cells: list[Any] = []
        position = 0
        for _event, element in ElementTree.iterparse(io.BytesIO(raw)):
            tag = element.tag
            if tag == cell_tag:
                reference = element.get("r")
                if reference:
                    position = _column_index(reference)
                value_element = element.find(value_tag)
                value = self._value(
                    element.get("t"),
                    value_element.text if value_element is not None else None,
                    int(element.get("s", "0")),
                    element,
                )
                if value is not None:
                    if position >= len(cells):
                        cells.extend([None] * (position - len(cells) + 1))
                    cells[position] = value
                position += 1
            elif tag == row_tag:
                number = int(element.get("r", expected))
                while expected < number:
                    yield expected, []
                    expected += 1
                yield number, cells
                expected = number + 1
                cells, position = [], 0
                element.clear()
