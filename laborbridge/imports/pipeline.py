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
from laborbridge.imports.reading import ImportFileError, Sheet, Table, fill_merged_down

# Officials put a title, a date line or a unit line above the header; look this far down.
HEADER_SEARCH_ROWS = 15
# Columns our own rejected-rows file adds: recognised and dropped without a word.
OWN_EXTRA_HEADERS = frozenset({"错误原因", "原行号"})
# Progress is reported every this many rows (one UPDATE each; ~1 ms).
PROGRESS_EVERY = 1000
# Distinct cells remembered per repeating column (Column.repeats); a column with more distinct
# cells than this cleans the rest one by one. A 100,000-row roster has ~20,000 (wish lists).
REPEATS_REMEMBERED = 50_000

Progress = Callable[[float], None]


def normalise_header(value: Any) -> str:
    """Return a header folded for comparison: NFKC, no spaces, no */※ marks, lower case."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"[\s*※:：]+", "", text)
    text = re.sub(r"^\d+[.、]", "", text)
    return text.lower()


def _without_notes(header: str) -> str:
    return re.sub(r"[(\[【][^)\]】]*[)\]】]", "", header)


# Words that say a header is about someone else or about a time, not the person's own field:
# "紧急联系人电话" is not the phone, "户主姓名" not the name.
_OTHER_PERSON = ("联系人", "紧急", "家属", "户主", "配偶", "监护人", "父亲", "母亲", "子女")


def header_key(value: Any) -> str:
    """Return a header reduced to its words: no 是否, bracketed notes, units or punctuation.

    ``"是否脱贫劳动力（是/否）"`` → ``"脱贫劳动力"``, ``"务工时间（月）"`` → ``"务工时间"``,
    ``"最低月薪/元"`` → ``"最低月薪"``, ``"乡（镇）"`` → ``"乡"``.
    """
    text = normalise_header(value)
    text = re.sub(r"[(\[【{<《〔][^)\]】}>》〕]*[)\]】}>》〕]", "", text)
    text = re.sub(r"(是/否|是或否|√/×)", "", text)
    text = re.sub(r"(?:[/／]|单位[:：]?)(元/月|元|万元|月|年|人|岁|个)$", "", text)
    text = re.sub(r"^是否", "", text)
    text = re.sub(r"[\W_]+", "", text)  # punctuation; CJK characters are word characters
    return text or normalise_header(value)


# How a header was recognised, best first; the preview shows it next to every column.
HOW_REMEMBERED = "remembered"  # the official mapped it on an earlier upload of their unit
HOW_EXACT = "exact"  # the template's header
HOW_SYNONYM = "synonym"  # one of the column's known spellings
HOW_KEYWORD = "keyword"  # a word of the column inside a longer header: check it
_HOW_ORDER = {HOW_REMEMBERED: 0, HOW_EXACT: 1, HOW_SYNONYM: 2, HOW_KEYWORD: 3}


@dataclass
class HeaderMatch:
    sheet: str
    row_number: int  # the last header row; data starts below it
    index: dict[str, int]  # column key → position in the file's rows
    source: dict[str, str]  # column key → the header as written in the file
    headers: list[str]  # the file's header row (two-row headers joined as 上级/下级)
    ignored: list[str]
    missing: list[str]  # optional column keys the file lacks
    how: dict[str, str] = field(default_factory=dict)  # column key → HOW_*
    first_row: int = 0  # the first header row (= row_number unless the header has two rows)
    notes: dict[str, str] = field(default_factory=dict)  # ignored header → why
    unknown: list[str] = field(default_factory=list)  # ignored headers nobody explained


@dataclass
class _Lookup:
    exact: dict[str, str]
    synonyms: dict[str, str]
    keys: dict[str, str]  # header_key → column key
    keywords: list[tuple[str, tuple[str, ...], tuple[str, ...]]]  # key, words, vetoes
    remembered: dict[str, str]
    derived: set[str]  # header keys of headers the importer knows but does not import


def _header_lookup(importer: RowImporter) -> _Lookup:
    exact: dict[str, str] = {}
    synonyms: dict[str, str] = {}
    keys: dict[str, str] = {}
    keywords = []
    for column in importer.columns:
        exact.setdefault(normalise_header(column.header), column.key)
        for name in (column.header, *column.variants):
            synonyms.setdefault(normalise_header(name), column.key)
            keys.setdefault(header_key(name), column.key)
        words = tuple(str(w) for w in column.keywords if not str(w).startswith("-"))
        vetoes = tuple(str(w)[1:] for w in column.keywords if str(w).startswith("-"))
        if words:
            keywords.append((column.key, words, vetoes))
    derived = {header_key(h) for h in importer.derived_headers}
    derived |= {header_key(h) for h in OWN_EXTRA_HEADERS}
    return _Lookup(exact, synonyms, keys, keywords, dict(importer.header_mappings()), derived)


def _candidate(text: str, lookup: _Lookup) -> tuple[str, str] | None:
    """Return (column key or "", how) for one header text; "" means known and not imported."""
    name = normalise_header(text)
    key = header_key(text)
    if key in lookup.remembered:
        return lookup.remembered[key], HOW_REMEMBERED
    if name in lookup.exact:
        return lookup.exact[name], HOW_EXACT
    if name in lookup.synonyms:
        return lookup.synonyms[name], HOW_SYNONYM
    if key in lookup.keys:
        return lookup.keys[key], HOW_SYNONYM
    if key in lookup.derived:
        return "", HOW_SYNONYM
    if any(word in key for word in _OTHER_PERSON):
        return None
    claims = {
        column
        for column, words, vetoes in lookup.keywords
        if any(w in key for w in words) and not any(v in key for v in vetoes)
    }
    if len(claims) == 1:
        return claims.pop(), HOW_KEYWORD
    return None


def _match_row(texts: Sequence[Sequence[str]], lookup: _Lookup) -> dict[int, tuple[str, str]]:
    """Map positions to (column key, how); each column goes to its best-recognised header."""
    candidates: list[tuple[int, int, str, str]] = []
    for position, options in enumerate(texts):
        best: tuple[str, str] | None = None
        for text in options:
            found = _candidate(text, lookup)
            if found and (best is None or _HOW_ORDER[found[1]] < _HOW_ORDER[best[1]]):
                best = found
        if best is not None:
            candidates.append((_HOW_ORDER[best[1]], position, best[0], best[1]))
    found: dict[int, tuple[str, str]] = {}
    taken: set[str] = set()
    for _order, position, key, how in sorted(candidates):
        if key and key not in taken:
            found[position] = (key, how)
            taken.add(key)
    return found


def _texts(cell: Any) -> list[str]:
    return [cell] if isinstance(cell, str) and cell.strip() else []


def _looks_like_data(cell: Any) -> bool:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return False
    if not isinstance(cell, str):
        return True  # numbers and dates are data, headers are text
    return bool(re.search(r"\d{5,}", cell))


def _two_row_texts(top: Sequence[Any], sub: Sequence[Any]) -> list[list[str]] | None:
    """Return the header texts of a two-row header (a merged group above its parts), or None.

    The second row is a sub-header only if it holds no data and at least one of its cells sits
    under an empty cell of the first row (the continuation of a merged group header).
    """
    if not sub or any(_looks_like_data(cell) for cell in sub):
        return None
    width = max(len(top), len(sub))
    texts: list[list[str]] = []
    parent = ""
    continued = False
    for position in range(width):
        upper = top[position] if position < len(top) else None
        lower = sub[position] if position < len(sub) else None
        upper_text = str(upper).strip() if isinstance(upper, str) and upper.strip() else ""
        lower_text = str(lower).strip() if isinstance(lower, str) and lower.strip() else ""
        if upper_text:
            parent = upper_text
        elif lower_text:
            continued = True
        if lower_text:
            texts.append([lower_text, f"{parent}{lower_text}"] if parent else [lower_text])
        else:
            texts.append([upper_text] if upper_text else [])
            if not upper_text:
                parent = ""
    return texts if continued else None


def _joined(top: Sequence[Any], sub: Sequence[Any] | None) -> list[str]:
    if sub is None:
        return ["" if cell is None else str(cell).strip() for cell in top]
    width = max(len(top), len(sub))
    headers = []
    parent = ""
    for position in range(width):
        upper = top[position] if position < len(top) else None
        lower = sub[position] if position < len(sub) else None
        upper_text = "" if upper is None else str(upper).strip()
        lower_text = "" if lower is None else str(lower).strip()
        if upper_text:
            parent = upper_text
        if lower_text:
            headers.append(
                f"{parent}/{lower_text}" if parent and parent != lower_text else lower_text
            )
        else:
            headers.append(upper_text)
    return headers


def match_headers(importer: RowImporter, table: Table) -> tuple[Sheet, HeaderMatch]:
    """Find the sheet and row(s) holding the headers and map them to the importer's columns.

    The header may sit below a title and date lines, and may span two rows (a merged group
    such as 家庭住址 above 乡镇 and 村). Headers are recognised by, in order: the official's
    remembered choice, the template's header, a known spelling, the same words once 是否,
    notes, units and punctuation are dropped, and last a column keyword.
    """
    columns = importer.columns
    lookup = _header_lookup(importer)
    best = None
    for sheet in table.sheets:
        head = sheet.rows[:HEADER_SEARCH_ROWS]
        for offset, (number, cells) in enumerate(head):
            if not cells:
                continue
            found = _match_row([_texts(cell) for cell in cells], lookup)
            candidates = [(len(found), number, None, found)]
            following = head[offset + 1] if offset + 1 < len(head) else None
            if following and following[0] == number + 1 and len(found) >= 1:
                two = _two_row_texts(cells, following[1])
                if two is not None:
                    # Two rows count as one header only if together they recognise more
                    # than either row alone (a title line above the header never does).
                    below = len(_match_row([_texts(cell) for cell in following[1]], lookup))
                    joined = _match_row(two, lookup)
                    if len(joined) > max(len(found), below):
                        candidates.append((len(joined), number + 1, following[1], joined))
            for score, last, sub, matched in candidates:
                if score and (best is None or score > best[0]):
                    best = (score, sheet, number, last, cells, sub, matched)
    if best is None:
        raise ImportFileError(
            _("没有找到表头：第一行（或前几行中的一行）应是“%(headers)s”等列名。请使用下载的模板。")
            % {"headers": "、".join(str(c.header) for c in columns if c.required)}
        )
    _count, sheet, first, number, cells, sub, found = best
    index = {key: position for position, (key, _how) in found.items()}
    required_missing = [c for c in columns if c.required and c.key not in index]
    headers = _joined(cells, sub)
    if required_missing:
        error = ImportFileError(
            _(
                "缺少必填列：%(headers)s。请检查表头是否写错，或在下方说明文件中的哪一列是它，"
                "或使用下载的模板。"
            )
            % {"headers": "、".join(str(c.header) for c in required_missing)}
        )
        # What the page needs to let the official say which column is which.
        error.preview = {  # type: ignore[attr-defined]
            "unknown_headers": [
                h for position, h in enumerate(headers) if h and position not in found
            ],
            "column_choices": [[c.key, c.label] for c in columns],
        }
        raise error
    derived = {header_key(h): str(note) for h, note in importer.derived_headers.items()}
    own_extra = {header_key(h) for h in OWN_EXTRA_HEADERS}
    ignored, unknown, notes = [], [], {}
    for position, header in enumerate(headers):
        if position in found or not header:
            continue
        key = header_key(header)
        if key in own_extra:
            continue
        ignored.append(header)
        texts = _texts(header) + [t for t in header.split("/") if t]
        note = next((derived[header_key(t)] for t in texts if header_key(t) in derived), None)
        if note is not None:
            notes[header] = note
        elif lookup.remembered.get(key) == "":
            notes[header] = str(_("已设为不导入"))
        else:
            unknown.append(header)
    return sheet, HeaderMatch(
        sheet=sheet.name,
        row_number=number,
        index=index,
        source={key: headers[position] for key, position in index.items()},
        headers=headers,
        ignored=ignored,
        missing=[c.key for c in columns if c.key not in index],
        how={key: how for _position, (key, how) in found.items()},
        first_row=first,
        notes=notes,
        unknown=unknown,
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
    fill_merged_down(sheet, header.row_number)  # 户编号/户主/村 merged over a household
    importer.prepare()
    plan = [
        (
            column,
            header.index[column.key],
            _cleaner(importer, column),
            {} if column.repeats else None,
        )
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
        for column, position, clean, seen in plan:
            cell = cells[position] if position < len(cells) else None
            if seen is not None:
                _apply_repeated(row, column, clean, cell, seen)
                continue
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


_BLANK, _VALUE, _ERROR = 0, 1, 2


def _clean_once(column: Column, clean: Callable[[Any], Any] | None, cell: Any) -> tuple[int, Any]:
    if is_blank(cell):
        return _BLANK, None
    try:
        return _VALUE, clean(cell) if clean else cell
    except (CellError, ValidationError) as error:
        return _ERROR, _message(error)


def _apply_repeated(
    row: Row, column: Column, clean: Callable[[Any], Any] | None, cell: Any, seen: dict
) -> None:
    """Clean a cell of a repeating column as parse() does, through the column's memo: a
    100,000-row roster has ~40 distinct dates or wages and 3 poverty statuses per column
    (~2 s of cleaning and blank checks saved)."""
    try:
        kind, value = seen[cell.__class__, cell]  # 1 and True and 1.0 are different cells
    except KeyError:
        kind, value = _clean_once(column, clean, cell)
        if len(seen) < REPEATS_REMEMBERED:
            seen[cell.__class__, cell] = kind, value
    except TypeError:  # an unhashable cell
        kind, value = _clean_once(column, clean, cell)
    if kind == _VALUE:
        # a list (wishes) is the row's own, as a fresh cleaning would make it
        row.values[column.key] = list(value) if value.__class__ is list else value
    elif kind == _ERROR:
        row.reject(column.key, value)
    elif column.required:
        row.reject(column.key, _("必填项未填写。"))
    elif column.default is not None:
        row.values[column.key] = column.default


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
