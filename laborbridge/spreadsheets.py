"""The one spreadsheet writer: every .xlsx and .csv the project hands out is saved here.

Exports never carry formulas. A name such as ``=HYPERLINK("http://…","点击")`` typed into a
roster, a vacancy or an uploaded file would otherwise come back to an official's Excel as a
live formula (OWASP "CSV injection"). So every text cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a leading apostrophe — in .xlsx and
.csv alike — and an .xlsx cell that holds a formula is written as its (neutralised) text.
Numbers stay numbers: ``-3`` is a number, ``"-3"`` is text and is neutralised. Our own
importers strip that apostrophe again from ID numbers and phones, so an export re-imports.

Build an .xlsx with openpyxl as usual (``workbook()``), then save it with
:func:`xlsx_bytes`, which neutralises every cell of every sheet however it was written; or
write rows with :func:`csv_bytes`. Send either with :func:`download`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# OWASP's list: what makes Excel, LibreOffice or WPS read a cell as a formula or DDE call.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet cell: text that a spreadsheet would read as
    a formula gets a leading apostrophe; everything else (numbers included) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook() -> Workbook:
    """Return a new (not write-only) workbook, to be saved with :func:`xlsx_bytes`."""
    return Workbook()


def xlsx_bytes(book: Workbook) -> bytes:
    """Neutralise every cell of every sheet of ``book`` and return it as .xlsx bytes."""
    if book.write_only:
        raise ValueError("xlsx_bytes needs a workbook whose cells it can read")
    for sheet in book.worksheets:
        # The stored cells only: iter_rows() would create every empty cell in the range.
        for cell in list(sheet._cells.values()):
            value = cell._value
            if cell.data_type == "f":
                cell.value = "'" + str(getattr(value, "text", value))
            elif value.__class__ is str and value.startswith(FORMULA_PREFIXES):
                cell.value = "'" + value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_table(*, title: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return a one-sheet .xlsx: a header row, then ``rows``."""
    book = workbook()
    sheet = book.active
    sheet.title = str(title)[:31]
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append(list(row))
    sheet.freeze_panes = "A2"
    return xlsx_bytes(book)


def csv_bytes(rows: Iterable[Sequence[Any]], *, headers: Sequence[Any] = ()) -> bytes:
    """Return ``rows`` as UTF-8 CSV with a byte-order mark (so Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if headers:
        writer.writerow([neutralise(str(header)) for header in headers])
    for row in rows:
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def download(content: bytes, filename: str, *, private: bool = True) -> HttpResponse:
    """Return ``content`` as an attachment named ``filename`` (.xlsx or .csv by its suffix).

    ``private`` (the default: exports hold personal data) forbids caches to keep a copy.
    """
    is_csv = filename.lower().endswith(".csv")
    response = HttpResponse(content, content_type=CSV_CONTENT_TYPE if is_csv else XLSX_CONTENT_TYPE)
    # RFC 6266: an ASCII fallback plus filename* for Chinese names.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if private:
        response["Cache-Control"] = "no-store"
    return response
