"""Bulk INSERT without the ORM's per-value compilation, for imports of thousands of rows.

``bulk_create`` spends ~10 µs per field per row compiling parameters: 10,000 workers with
their wishes, skills, consents and history (~80,000 rows) took 13 s on the CI box. Here every
value goes through its model field's own ``get_db_prep_save`` (the conversion ``save()``
applies: Decimal, UUID, JSON, aware datetimes, binary … exactly as the ORM writes them) and
rows go to ``executemany`` (SQLite) or to ``COPY … FROM STDIN`` in text format (PostgreSQL):
the same rows take ~1 s. The caller passes plain values in field order (foreign keys by
attname, as ids); no model instances, no pks returned.

COPY needs every converted value written as PostgreSQL's text input: :data:`COPY_ENCODERS`
encodes each type the fields' conversions return and :func:`copy_text` raises ``TypeError``
naming the column for any other type, instead of guessing with ``str()``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import DatabaseError, connections, models, router
from django.utils import timezone
from psycopg2 import Binary
from psycopg2.extras import Json

# Rows per executemany (SQLite) and per execute_batch page of update_values (PostgreSQL):
# 1,000 rows × 10 columns take ~15 ms; larger pages gain nothing measurable.
INSERT_BATCH = 1000
# Rows encoded per read() of one streamed COPY on PostgreSQL (~0.6 MB of text for 2,000
# workers): the server parses and indexes a chunk while the next one is encoded, so the two
# overlap on two cores, and only one chunk's text is held (10,000-row batches sent one after
# another left the server idle while Python encoded and Python idle while the server worked).
COPY_CHUNK = 2000


# Field classes (exactly these, not subclasses) whose get_db_prep_save returns a value of the
# listed exact types unchanged on every Django backend; tests/imports/test_writing.py checks
# it. The writer passes such values through (~0.1 µs) and converts everything else through
# the field (0.5–3 µs a value: +0.4 s on 10,000 rows × 19 columns, when every value took it).
PASS_THROUGH: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.SlugField: (str,),
    models.EmailField: (str,),
    models.TextField: (str,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.BooleanField: (bool,),
    models.FloatField: (float,),
}


# On PostgreSQL, get_db_prep_save returns a date unchanged and wraps bytes in psycopg2's Binary,
# whose COPY text is the bytes' own; COPY writes values of these exact types without the
# field's conversion (~3 µs a value, 300,000 of them in a 100,000-row roster).
# tests/imports/test_writing.py checks that the text is the same.
COPY_PASS_THROUGH: dict[type[models.Field], tuple[type, ...]] = {
    **PASS_THROUGH,
    models.DateField: (dt.date,),
    models.BinaryField: (bytes,),
}


def _kept(field: models.Field, table: dict[type[models.Field], tuple[type, ...]]) -> tuple:
    """Return the exact value types ``field`` writes unchanged according to ``table``."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return ()  # None becomes the current time
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return table.get(type(target), ())


def _converter(
    field: models.Field,
    connection,
    table: dict[type[models.Field], tuple[type, ...]] = PASS_THROUGH,
) -> Callable[[Any], Any]:
    """Return the function that turns a Python value into ``field``'s database parameter."""
    prep = field.get_db_prep_save
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # None gets the current time, as pre_save() would; one instant for the whole statement
        now = timezone.now()
        stamp = now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
        return lambda value: prep(stamp if value is None else value, connection)
    # a foreign key's id is written as its target field writes it
    kept = _kept(field, table)
    if not kept:
        return lambda value: prep(value, connection)

    def convert(value: Any) -> Any:
        return value if value is None or type(value) in kept else prep(value, connection)

    return convert


# COPY's text format: backslash, newline, carriage return and tab are escaped; \\N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_float(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _copy_bytes(value: Any) -> str:
    return "\\\\x" + bytes(value).hex()  # bytea's hex input, its backslash escaped for COPY


def _copy_json(value: Any) -> str:
    # psycopg2's Json adapter (what JSONField.get_db_prep_save returns): its own dumps()
    return value.dumps(value.adapted).translate(_COPY_ESCAPES)


def _copy_binary(value: Any) -> str:
    return _copy_bytes(value.adapted)


# Type of a converted value → its text for COPY. The psycopg2 adapters JSONField and
# BinaryField return are added on first use; a subclass (a TextChoices member is a str) is
# encoded as its nearest listed base. tests/imports/test_writing.py covers every field type.
COPY_ENCODERS: dict[type, Callable[[Any], str]] = {
    str: lambda value: value.translate(_COPY_ESCAPES),
    bool: lambda value: "t" if value else "f",
    int: int.__repr__,
    float: _copy_float,
    Decimal: str,
    uuid.UUID: str,
    dt.date: dt.date.isoformat,
    # Aware datetimes (DateTimeField's conversion makes them so): ISO 8601 with the offset.
    dt.datetime: dt.datetime.isoformat,
    bytes: _copy_bytes,
    memoryview: _copy_bytes,
    bytearray: _copy_bytes,
}


@functools.cache
def _copy_encoder(kind: type) -> Callable[[Any], str] | None:
    if not COPY_ENCODERS.keys() & {Json, Binary}:
        COPY_ENCODERS.update({Json: _copy_json, Binary: _copy_binary})
    for base in kind.__mro__:
        if base in COPY_ENCODERS:
            return COPY_ENCODERS[base]
    return None


def _unencodable(kind: type, field: models.Field) -> TypeError:
    return TypeError(
        f"No COPY text encoding for {kind.__name__} "
        f"(column {field.model._meta.db_table}.{field.column}): add it to COPY_ENCODERS."
    )


def copy_text(values: Sequence[Any], columns: Sequence[models.Field]) -> str:
    """Return one COPY text line (with its newline) for already converted ``values``;
    raise TypeError for a value of a type COPY_ENCODERS does not know."""
    cells = []
    for value, field in zip(values, columns, strict=True):
        if value is None:
            cells.append("\\N")
            continue
        encode = _copy_encoder(type(value))
        if encode is None:
            raise _unencodable(type(value), field)
        cells.append(encode(value))
    return "\t".join(cells) + "\n"


_NONE = type(None)
_NULL = "\\N"


def _needs_escape(text: str) -> bool:
    return "\\" in text or "\n" in text or "\r" in text or "\t" in text


def column_texts(
    values: Sequence[Any],
    field: models.Field,
    convert: Callable[[Any], Any],
    skip: frozenset[type] = frozenset(),
) -> list[str]:
    """Return the COPY texts of one column of a chunk of rows, each as :func:`copy_text`
    writes it: ``convert`` applied to every value whose exact type is not in ``skip``.

    Column by column, the type checks, the escape check and the joins run in C over the
    whole column (~0.05 µs a value against ~1 µs a value through copy_text)."""
    kinds = set(map(type, values))
    if not kinds <= skip:
        values = [value if type(value) in skip else convert(value) for value in values]
        kinds = set(map(type, values))
    null = _NONE in kinds
    kinds.discard(_NONE)
    if kinds <= {str}:
        present = [value for value in values if value is not None] if null else values
        if _needs_escape("".join(present)):
            values = [None if v is None else v.translate(_COPY_ESCAPES) for v in values]
        return [_NULL if value is None else value for value in values] if null else list(values)
    encoders = {}
    for kind in kinds:
        encode = _copy_encoder(kind)
        if encode is None:
            raise _unencodable(kind, field)
        encoders[kind] = encode
    if len(encoders) == 1 and not null:
        return list(map(encoders.popitem()[1], values))
    return [_NULL if value is None else encoders[type(value)](value) for value in values]


class _CopySource:
    """What ``copy_expert`` reads: each ``read()`` encodes the next chunk of rows.

    An error while encoding (a row of the wrong length, a type COPY cannot encode) ends the
    COPY on the server; psycopg2 then raises QueryCanceled, which the caller replaces with the
    error itself: it is a programming error, not the transient failure QueryCanceled (an
    OperationalError) would be taken for and retried.
    """

    def __init__(self, chunks: Iterator[str]):
        self.chunks = chunks
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            return next(self.chunks, "")
        except Exception as error:
            self.error = error
            raise


def _copy_chunks(
    rows: Iterable[Sequence[Any]],
    columns: Sequence[models.Field],
    converters: Sequence[Callable[[Any], Any]],
    skips: Sequence[frozenset[type]],
    counted: list[int],
) -> Iterator[str]:
    width = len(columns)
    source = iter(rows)
    while chunk := list(itertools.islice(source, COPY_CHUNK)):
        if set(map(len, chunk)) != {width}:
            raise ValueError(f"Every row must have {width} values, one per field.")
        texts = [
            column_texts(values, field, convert, skip)
            for values, field, convert, skip in zip(
                zip(*chunk, strict=True), columns, converters, skips, strict=True
            )
        ]
        counted[0] += len(chunk)
        yield "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


def insert_values(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = INSERT_BATCH,
) -> int:
    """INSERT ``rows`` (values in the order of ``fields``, by attname); return how many."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql_columns = ", ".join(quote(field.column) for field in columns)
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        # One COPY per table, streamed: the rows are encoded as the server asks for more.
        counted = [0]
        source = _CopySource(
            _copy_chunks(
                rows,
                columns,
                [_converter(field, connection, COPY_PASS_THROUGH) for field in columns],
                [
                    frozenset((*kept, _NONE))
                    if (kept := _kept(field, COPY_PASS_THROUGH))
                    else frozenset()
                    for field in columns
                ],
                counted,
            )
        )
        with connection.cursor() as cursor:
            try:
                # as Django's own cursor does: a unique violation is an IntegrityError, …
                with connection.wrap_database_errors:
                    cursor.cursor.copy_expert(
                        f"COPY {table} ({sql_columns}) FROM STDIN", source, size=1 << 20
                    )
            except DatabaseError:
                if source.error is not None:
                    raise source.error from None
                raise
        return counted[0]
    converters = [_converter(field, connection) for field in columns]
    batch: list[tuple] = []
    count = 0
    with connection.cursor() as cursor:

        def flush() -> None:
            if not batch:
                return
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({sql_columns}) VALUES ({placeholders})", batch
            )
            batch.clear()

        for row in rows:
            batch.append(
                tuple(convert(value) for convert, value in zip(converters, row, strict=True))
            )
            count += 1
            if len(batch) >= batch_size:
                flush()
        flush()
    return count


def update_values(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = INSERT_BATCH,
) -> int:
    """UPDATE rows by primary key: each row is ``(pk, value of fields[0], …)``; return how many.

    ``bulk_update`` builds one CASE expression per field over the whole batch, which costs
    ~2.5 ms per updated worker; a prepared per-row UPDATE run by ``executemany`` (SQLite)
    or ``execute_batch`` (PostgreSQL) costs ~0.1 ms.
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    converters = [_converter(field, connection) for field in columns]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        (*(convert(value) for convert, value in zip(converters, row[1:], strict=True)), row[0])
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg2.extras import execute_batch

            execute_batch(cursor.cursor, sql, params, page_size=batch_size)
        else:
            cursor.executemany(sql, params)
    return len(params)
