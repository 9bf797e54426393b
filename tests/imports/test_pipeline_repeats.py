"""Columns whose cells repeat are cleaned once per distinct cell, with the same outcome."""

from __future__ import annotations

from laborbridge.imports import cleaners
from laborbridge.imports.base import CellError, Column, RowImporter
from laborbridge.imports.pipeline import parse
from laborbridge.imports.reading import Sheet, Table


def _importer(*, repeats: bool, calls: list) -> RowImporter:
    def city(value):
        calls.append(value)
        if value == "火星":
            raise CellError("不认识")
        return [str(value), "胶州"]  # a list: each row must get its own

    class Toy(RowImporter):
        kind = "test.repeats"
        title = "toy"
        columns = [
            Column("name", "姓名", required=True, clean=cleaners.text()),
            Column("city", "城市", required=True, clean=city, repeats=repeats),
            Column("yes", "同意", clean=cleaners.yes_no(), default=False, repeats=repeats),
        ]

        def prepare(self, rows=None) -> None:
            return None

        def key(self, row):
            return row.number

        def existing(self, keys):
            return {}

        def diff(self, row, obj):
            return {}

        def apply(self, *, creates, updates) -> None:
            return None

        def export_row(self, obj):
            return {}

    return Toy(actor=None)


ROWS = [
    ["青岛", "是"],
    ["青岛", 1],
    ["火星", True],
    ["", "否"],
    ["青岛", "  "],
    ["火星", "也许"],
    ["青岛", 1.0],
]


def _parse(repeats: bool):
    calls: list = []
    table = Table(
        file_type="csv",
        sheets=[
            Sheet(
                name="CSV",
                rows=[(1, ["姓名", "城市", "同意"])]
                + [(n, [f"人{n}", *cells]) for n, cells in enumerate(ROWS, start=2)],
            )
        ],
    )
    return parse(_importer(repeats=repeats, calls=calls), table), calls


def test_a_repeating_column_gives_what_cleaning_every_cell_gives() -> None:
    remembered, calls = _parse(repeats=True)
    one_by_one, every = _parse(repeats=False)

    assert [(r.values, [(e.column, e.message) for e in r.errors]) for r in remembered.rows] == [
        (r.values, [(e.column, e.message) for e in r.errors]) for r in one_by_one.rows
    ]
    assert sorted(calls) == ["火星", "青岛"]  # once per distinct cell; blanks never
    assert len(every) == 6
    lists = [row.values["city"] for row in remembered.rows if "city" in row.values]
    assert len({id(value) for value in lists}) == len(lists) == 4
