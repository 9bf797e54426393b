"""Bulk INSERT without the ORM's per-value compilation, for imports of thousands of rows.

``bulk_create`` spends ~10 µs per field per row compiling parameters: 10,000 workers with
their wishes, skills, consents and history (~80,000 rows) took 13 s on the CI box. Here every
value goes through its model field's own ``get_db_prep_save`` (the conversion ``save()``
applies: Decimal, UUID, JSON, aware datetimes, binary … exactly as the ORM writes them, so a
new field type needs nothing here) and rows go to ``executemany`` (SQLite) or
``execute_values`` (PostgreSQL, one multi-row statement per batch): the same rows take ~1 s.
The caller passes plain values in field order (foreign keys by attname, as ids); no model
instances, no pks returned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

# Rows per statement: PostgreSQL's multi-row VALUES of 1,000 rows × 10 columns is ~100 kB
# and ~15 ms; larger pages gain nothing measurable.
INSERT_BATCH = 1000


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


def _converter(field: models.Field, connection) -> Callable[[Any], Any]:
    """Return the function that turns a Python value into ``field``'s database parameter."""
    prep = field.get_db_prep_save
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        # None gets the current time, as pre_save() would; one instant for the whole statement
        now = timezone.now()
        stamp = now if isinstance(field, models.DateTimeField) else timezone.localdate(now)
        return lambda value: prep(stamp if value is None else value, connection)
    # a foreign key's id is written as its target field writes it
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    kept = PASS_THROUGH.get(type(target))
    if kept is None:
        return lambda value: prep(value, connection)

    def convert(value: Any) -> Any:
        return value if value is None or type(value) in kept else prep(value, connection)

    return convert


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
    converters = [_converter(field, connection) for field in columns]
    quote = connection.ops.quote_name
    sql_columns = ", ".join(quote(field.column) for field in columns)
    table = quote(meta.db_table)
    batch: list[tuple] = []
    count = 0
    with connection.cursor() as cursor:

        def flush() -> None:
            if not batch:
                return
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values

                execute_values(
                    cursor.cursor,
                    f"INSERT INTO {table} ({sql_columns}) VALUES %s",
                    batch,
                    page_size=batch_size,
                )
            else:
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
