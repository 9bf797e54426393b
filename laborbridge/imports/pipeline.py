"""The import pipeline without storage: match headers, clean cells, classify rows.

``parse`` is pure apart from the importer's own hooks; ``classify`` reads the stored
objects; the services around them add the ImportJob, the transaction and the progress.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from laborbridge.imports.base import CellError, Column, Row, RowImporter, RowRejected, Update
from laborbridge.imports.cleaners import is_blank
from laborbridge.imports.reading import ImportFileError, Sheet, Table

# Officials put a title, a date line or a unit line above the header; look this far down.
HEADER_SEARCH_ROWS = 15
# Columns our own rejected-rows file adds: recognised and dropped without a word.
OWN_EXTRA_HEADERS = frozenset({"错误原因", "原行号"})
# Progress is reported every this many rows (one UPDATE each; ~1 ms).
PROGRESS_EVERY = 1000

Progress = Callable[[float], None]


def normalise_header(value: Any) -> str:
    """Return a header folded for comparison: NFKC, no spaces, no */※ marks, lower case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s*※:：]+", "", text)
    text = re.sub(r"^\d+[.、]", "", text)
    return text.lower()


def _without_notes(header: str) -> str:
    return re.sub(r"[(\[【][^)\]】]*[)\]】]", "", header)


@dataclass
class HeaderMatch:
    sheet: str
    row_number: int
    index: dict[str, int]  # column key → position in the file's rows
    source: dict[str, str]  # column key → the header as written in the file
    headers: list[str]  # the file's header row
    ignored: list[str]
    missing: list[str]  # optional column keys the file lacks


def _header_lookup(columns: Sequence[Column]) -> tuple[dict[str, str], dict[str, str]]:
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.variants):
            key = normalise_header(name)
            exact.setdefault(key, column.key)
            loose.setdefault(_without_notes(key), column.key)
    return exact, loose


def _match_row(
    cells: Sequence[Any], exact: dict[str, str], loose: dict[str, str]
) -> dict[int, str]:
    found: dict[int, str] = {}
    taken: set[str] = set()
    for position, cell in enumerate(cells):
        if not isinstance(cell, str) or not cell.strip():
            continue
        name = normalise_header(cell)
        key = exact.get(name) or loose.get(_without_notes(name))
        if key and key not in taken:
            found[position] = key
            taken.add(key)
    return found


def match_headers(importer: RowImporter, table: Table) -> tuple[Sheet, HeaderMatch]:
    """Find the sheet and row holding the headers and map them to the importer's columns."""
    columns = importer.columns
    exact, loose = _header_lookup(columns)
    best: tuple[int, Sheet, int, list[Any], dict[int, str]] | None = None
    for sheet in table.sheets:
        for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
            if not cells:
                continue
            found = _match_row(cells, exact, loose)
            if found and (best is None or len(found) > best[0]):
                best = (len(found), sheet, number, cells, found)
    if best is None:
        raise ImportFileError(
            _("没有找到表头：第一行（或前几行中的一行）应是“%(headers)s”等列名。请使用下载的模板。")
            % {"headers": "、".join(str(c.header) for c in columns if c.required)}
        )
    _count, sheet, number, cells, found = best
    index = {key: position for position, key in found.items()}
    required_missing = [c for c in columns if c.required and c.key not in index]
    if required_missing:
        raise ImportFileError(
            _("缺少必填列：%(headers)s。请检查表头是否写错，或使用下载的模板。")
            % {"headers": "、".join(str(c.header) for c in required_missing)}
        )
    headers = ["" if cell is None else str(cell).strip() for cell in cells]
    ignored = []
    for position, header in enumerate(headers):
        if position in found or not header:
            continue
        if normalise_header(header) in {normalise_header(h) for h in OWN_EXTRA_HEADERS}:
            continue
        ignored.append(header)
    return sheet, HeaderMatch(
        sheet=sheet.name,
        row_number=number,
        index=index,
        source={key: headers[position] for key, position in index.items()},
        headers=headers,
        ignored=ignored,
        missing=[c.key for c in columns if c.key not in index],
    )


@dataclass
class Parsed:
    header: HeaderMatch
    rows: list[Row]  # non-blank data rows, in file order
    blank_rows: int = 0


def _cleaner(importer: RowImporter, column: Column) -> Callable[[Any], Any] | None:
    if isinstance(column.clean, str):
        return getattr(importer, column.clean)
    return column.clean


def _message(error: Exception) -> str:
    if isinstance(error, CellError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error)


def parse(importer: RowImporter, table: Table, progress: Progress | None = None) -> Parsed:
    """Return the cleaned rows of ``table``; rows keep every cell and column error."""
    sheet, header = match_headers(importer, table)
    importer.prepare()
    plan = [
        (column, header.index[column.key], _cleaner(importer, column))
        for column in importer.columns
        if column.key in header.index
    ]
    present = frozenset(header.index)
    rows: list[Row] = []
    blank = 0
    data_rows = [(n, cells) for n, cells in sheet.rows if n > header.row_number]
    total = len(data_rows) or 1
    for done, (number, cells) in enumerate(data_rows, start=1):
        if all(is_blank(cell) for cell in cells):
            blank += 1
            continue
        row = Row(number=number, cells=cells, present=present)
        for column, position, clean in plan:
            cell = cells[position] if position < len(cells) else None
            if is_blank(cell):
                if column.required:
                    row.reject(column.key, _("必填项未填写。"))
                elif column.default is not None:
                    row.values[column.key] = column.default
                continue
            try:
                row.values[column.key] = clean(cell) if clean else cell
            except (CellError, ValidationError) as error:
                row.reject(column.key, _message(error))
        if not row.errors:
            try:
                importer.validate(row)
            except RowRejected as rejected:
                row.errors.append(rejected.error)
        rows.append(row)
        if progress and done % PROGRESS_EVERY == 0:
            progress(done / total)
    _reject_duplicates(importer, rows, header)
    return Parsed(header=header, rows=rows, blank_rows=blank)


def _reject_duplicates(importer: RowImporter, rows: list[Row], header: HeaderMatch) -> None:
    """Reject the second and later rows with the same key: the first occurrence wins."""
    key_columns = list(importer.key_columns)
    first: dict[Hashable, int] = {}
    for row in rows:
        if any(error.column in key_columns for error in row.errors):
            continue
        if not all(row.has(key) for key in key_columns):
            continue
        key = importer.key(row)
        if key in first:
            column = key_columns[0] if key_columns else ""
            row.reject(
                column,
                _("与第 %(row)d 行是同一条记录（%(columns)s相同），同一人/同一项只能出现一次。")
                % {
                    "row": first[key],
                    "columns": "、".join(header.source.get(k, k) for k in key_columns),
                },
            )
        else:
            first[key] = row.number
        row.key = key


@dataclass
class Plan:
    creates: list[Row] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    unchanged: list[Row] = field(default_factory=list)
    rejected: list[Row] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "total": len(self.creates)
            + len(self.updates)
            + len(self.unchanged)
            + len(self.rejected),
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": len(self.unchanged),
            "rejected": len(self.rejected),
        }


def classify(importer: RowImporter, rows: Sequence[Row]) -> Plan:
    """Sort rows into creates, updates, unchanged and rejected against what is stored."""
    plan = Plan()
    candidates = [row for row in rows if not row.errors]
    existing = importer.existing([row.key for row in candidates])
    for row in rows:
        if row.errors:
            plan.rejected.append(row)
            continue
        obj = existing.get(row.key)
        if obj is None:
            plan.creates.append(row)
            continue
        try:
            importer.check_existing(row, obj)
        except RowRejected as rejected:
            row.errors.append(rejected.error)
            plan.rejected.append(row)
            continue
        changes = importer.diff(row, obj)
        if changes:
            plan.updates.append(Update(row=row, obj=obj, changes=changes))
        else:
            plan.unchanged.append(row)
    return plan


def error_entries(importer: RowImporter, rows: Sequence[Row], header: HeaderMatch) -> list[dict]:
    """Return ``[{"row", "column", "message"}]`` for every error, in row order."""
    entries = []
    for row in rows:
        for error in row.errors:
            column = header.source.get(error.column) or (
                str(importer.column(error.column).header)
                if error.column in {c.key for c in importer.columns}
                else ""
            )
            entries.append({"row": row.number, "column": column, "message": str(error.message)})
    return entries
