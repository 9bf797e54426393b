"""The preview's cleaned rows survive the trip to the commit, in either stored layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from types import SimpleNamespace

from laborbridge.imports.base import Row, RowError
from laborbridge.imports.pipeline import HeaderMatch, Parsed
from laborbridge.imports.services import _pack, _unpack, file_encrypt


class _Importer:
    prepared = 0

    def prepare(self) -> None:
        self.prepared += 1


def _parsed() -> Parsed:
    header = HeaderMatch(
        sheet="花名册", row_number=1, index={"name": 0}, source={"name": "姓名"},
        headers=["姓名"], ignored=[], missing=[],
    )  # fmt: skip
    present = frozenset({"name", "day"})
    rows = [
        Row(number=2, cells=["张三"], values={"name": "张三", "day": dt.date(2026, 3, 1)},
            present=present, key="k2"),
        Row(number=3, cells=["x"], errors=[RowError("day", "日期无法识别")], present=present),
    ]  # fmt: skip
    return Parsed(header=header, rows=rows, blank_rows=4)


def _fields(parsed: Parsed) -> list[tuple]:
    return [(r.number, r.cells, r.values, r.errors, r.present, r.key) for r in parsed.rows]


def test_rows_come_back_without_their_cells() -> None:
    parsed, importer = _parsed(), _Importer()

    back = _unpack(SimpleNamespace(parsed_data=_pack(parsed)), importer)

    assert back is not None and importer.prepared == 1
    assert back.header == parsed.header and back.blank_rows == 4
    assert _fields(back) == [(*f[:1], [], *f[2:]) for f in _fields(parsed)]


def test_a_preview_stored_before_the_tuple_layout_still_commits() -> None:
    parsed = _parsed()
    old = dataclasses.replace(
        parsed, rows=[dataclasses.replace(row, cells=[]) for row in parsed.rows]
    )

    back = _unpack(SimpleNamespace(parsed_data=file_encrypt(pickle.dumps(old))), _Importer())

    assert back is not None and _fields(back) == _fields(old)
