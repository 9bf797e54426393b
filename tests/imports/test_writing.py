"""The bulk writer stores every field type exactly as the ORM's save() does.

The models below live in a registry of their own (not in any installed app): their tables are
created for the test and dropped after it, on whichever database DATABASE_URL names.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as project_apps
from django.apps.registry import Apps
from django.db import connection, models

from laborbridge.imports.writing import PASS_THROUGH, insert_values, update_values
from matching.models import WrittenJSONField

WRITER_APPS = Apps()
PROJECT_APPS = {"laborbridge", "workers", "jobs", "matching", "transport"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


class Parent(models.Model):
    id = models.BigAutoField(primary_key=True)
    name = models.CharField(max_length=20)

    class Meta:
        app_label = "writer_test"
        apps = WRITER_APPS

    def __str__(self) -> str:
        return self.name


class EveryField(models.Model):
    id = models.BigAutoField(primary_key=True)
    char = models.CharField(max_length=50)
    char_null = models.CharField(max_length=50, null=True)  # noqa: DJ001 (None must arrive as NULL)
    slug = models.SlugField()
    email = models.EmailField()
    text = models.TextField()
    integer = models.IntegerField()
    positive = models.PositiveIntegerField()
    small = models.PositiveSmallIntegerField(null=True)
    flag = models.BooleanField()
    flag_null = models.BooleanField(null=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    ratio = models.FloatField(null=True)
    day = models.DateField(null=True)
    at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField(default=dict)
    data_null = models.JSONField(null=True)
    written = WrittenJSONField(default=list)  # PostgreSQL `json`, not `jsonb` (match reasons)
    blob = models.BinaryField(null=True)
    uid = models.UUIDField(null=True)
    parent = models.ForeignKey(Parent, on_delete=models.CASCADE, null=True, related_name="+")
    only = models.OneToOneField(Parent, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        app_label = "writer_test"
        apps = WRITER_APPS

    def __str__(self) -> str:
        return self.char


# Field name -> (a value with everything a careless conversion gets wrong, a second value).
VALUES = {
    "char": ("张三 O'Brien", "李四"),
    "char_null": (None, "有值"),
    "slug": ("dingxi-qingdao", "spring-2027"),
    "email": ("hr@example.cn", "ops@example.cn"),
    "text": ("第一行\n第二行 \\ % ; --", ""),
    "integer": (-2_147_483_648, 7),
    "positive": (4_000_000_000 // 2, 0),
    "small": (None, 32_767),
    "flag": (True, False),
    "flag_null": (None, False),
    "amount": (Decimal("1234567.05"), Decimal("-0.10")),
    "ratio": (35.580833, None),
    "day": (dt.date(2027, 2, 28), None),
    "at": (
        dt.datetime(2027, 3, 1, 8, 30, 15, 123456, tzinfo=SHANGHAI),
        dt.datetime(2026, 12, 31, 23, 59, tzinfo=dt.UTC),
    ),
    "data": ({"名字": "张三", "skills": [1, 2], "nested": {"ok": True}}, []),
    "data_null": (None, {"k": None}),
    "written": ([{"code": "技能", "points": -3, "text": "a\tb \\ c"}], {"k": [None, 1.5]}),
    "blob": (b"\x00\xffbinary", None),
    "uid": (uuid.UUID("5e1f2b9c-0d4a-4c1e-9a7b-3f2e1d0c9b8a"), None),
}
# Compared raw between the ORM's row and the writer's (the one-to-one differs by design).
COLUMNS = [
    f.column for f in EveryField._meta.concrete_fields if f.name not in {"id", "created_at", "only"}
]


@pytest.fixture
def tables(transactional_db):
    """Create the two tables (SQLite's schema editor needs the no-transaction test)."""
    with connection.schema_editor() as editor:
        editor.create_model(Parent)
        editor.create_model(EveryField)
    yield
    with connection.schema_editor() as editor:
        editor.delete_model(EveryField)
        editor.delete_model(Parent)


def _stored(pk: int) -> tuple:
    """Return the row as the database holds it (raw columns, no ORM conversion)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in COLUMNS)} FROM {quote(EveryField._meta.db_table)}"
            f" WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def _as_orm_reads(pk: int) -> dict:
    row = EveryField.objects.filter(pk=pk).values(*VALUES, "parent_id", "only_id").get()
    row["blob"] = None if row["blob"] is None else bytes(row["blob"])
    return row


def test_every_field_type_the_models_use_is_covered_here() -> None:
    used = {
        type(field)
        for model in project_apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.concrete_fields
    }
    covered = {type(field) for field in EveryField._meta.concrete_fields}
    assert used - covered == set(), "add the new field type to EveryField and VALUES"


@pytest.mark.parametrize("which", [0, 1])
def test_insert_stores_what_save_stores(tables, which: int) -> None:
    parent, other = Parent.objects.create(name="p"), Parent.objects.create(name="o")
    values = {name: pair[which] for name, pair in VALUES.items()}
    values |= {"parent_id": parent.pk, "only_id": parent.pk if which == 0 else None}
    by_orm = EveryField.objects.create(**values | {"only_id": other.pk if which == 0 else None})
    fields = [*values, "created_at"]

    assert insert_values(EveryField, fields, [[*values.values(), None]]) == 1

    written = EveryField.objects.exclude(pk=by_orm.pk).get()
    assert _stored(written.pk) == _stored(by_orm.pk)
    assert _as_orm_reads(written.pk) == values
    assert written.created_at is not None  # auto_now_add filled in, as pre_save() would
    assert EveryField.objects.filter(uid=values["uid"], amount=values["amount"]).count() == 2


def test_update_stores_what_save_stores(tables) -> None:
    parent = Parent.objects.create(name="p")
    first = {name: pair[0] for name, pair in VALUES.items()}
    second = {name: pair[1] for name, pair in VALUES.items()} | {"parent_id": parent.pk}
    by_orm = EveryField.objects.create(**first)
    written = EveryField.objects.create(**first)
    for name, value in second.items():
        setattr(by_orm, name, value)
    by_orm.save()
    fields = list(second)

    assert update_values(EveryField, fields, [[written.pk, *(second[f] for f in fields)]]) == 1

    assert _stored(written.pk) == _stored(by_orm.pk)
    assert _as_orm_reads(written.pk) == second | {"only_id": None}


PASS_THROUGH_SAMPLES = {str: ["", "张三", "a" * 200], int: [0, -1, 2**31 - 1], bool: [True, False]}
PASS_THROUGH_SAMPLES[float] = [0.0, -1.5, 35.580833]


@pytest.mark.django_db
def test_values_passed_through_are_what_the_field_would_write() -> None:
    """The writer's shortcut (no conversion for these exact types) changes nothing."""
    for field_class, kept in PASS_THROUGH.items():
        field = field_class(max_length=255) if field_class is models.CharField else field_class()
        for value in (sample for kind in kept for sample in PASS_THROUGH_SAMPLES[kind]):
            converted = field.get_db_prep_save(value, connection)
            assert type(converted) is type(value) and converted == value, (field_class, value)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_copy_text_escapes_and_refuses_unknown_types() -> None:
    """COPY's text line: tabs, newlines and backslashes escaped, None as \\N, a str subclass
    (a TextChoices member) as its text, and a type nobody encodes is an error naming the
    column, never str() of it."""
    from laborbridge.imports.writing import copy_text

    fields = [EveryField._meta.get_field(name) for name in ("char", "flag", "small")]

    class Level(models.TextChoices):
        HIGH = "高\t级", "高级"

    assert copy_text([Level.HIGH, True, None], fields) == "高\\t级\tt\t\\N\n"
    assert copy_text(["a\\b\r\nc", False, 3], fields) == "a\\\\b\\r\\nc\tf\t3\n"
    with pytest.raises(TypeError, match="everyfield.small"):
        copy_text(["x", True, object()], fields)


@pytest.mark.parametrize("text", ["tab\there", "back\\slash\\N", "cr\rlf\n", "\\."])
def test_insert_keeps_every_character_copy_escapes(tables, text: str) -> None:
    values = {name: pair[0] for name, pair in VALUES.items()} | {"char": text, "text": text}

    assert insert_values(EveryField, [*values, "created_at"], [[*values.values(), None]]) == 1

    assert EveryField.objects.values_list("char", "text").get() == (text, text)


def _copy_lines_one_by_one(fields: list[str], rows: list[list]) -> str:
    """COPY text as the row-by-row writer made it: every value through the field's conversion
    (the cross-backend shortcuts only), then copy_text."""
    from laborbridge.imports.writing import _converter, copy_text

    columns = [EveryField._meta.get_field(name) for name in fields]
    converters = [_converter(field, connection) for field in columns]
    return "".join(
        copy_text([convert(v) for convert, v in zip(converters, row, strict=True)], columns)
        for row in rows
    )


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's")
def test_column_by_column_text_is_the_row_by_row_text(monkeypatch) -> None:
    """The streamed COPY encodes a chunk column by column, with the PostgreSQL-only shortcuts
    (dates, bytes): every character is what copy_text writes for the converted row."""
    from laborbridge.imports import writing

    class Level(models.TextChoices):
        HIGH = "高\t级", "高级"

    fields = [name for name in VALUES if name != "at"] + ["parent_id"]
    rows = [[VALUES[name][i % 2] for name in fields[:-1]] + [None] for i in range(7)]
    rows[2][fields.index("char")] = Level.HIGH  # a str subclass among str
    rows[3][fields.index("text")] = "tab\there \\N"
    rows[4][fields.index("day")] = dt.datetime(2027, 1, 2, 3, 4, tzinfo=SHANGHAI).date()
    rows[5][fields.index("blob")] = memoryview(b"\x00mv")  # not bytes: converted by the field
    rows[6][fields.index("small")] = True  # a bool in an integer column is converted
    monkeypatch.setattr(writing, "COPY_CHUNK", 3)
    columns = [EveryField._meta.get_field(name) for name in fields]
    counted = [0]
    streamed = writing._copy_chunks(
        rows,
        columns,
        [writing._converter(f, connection, writing.COPY_PASS_THROUGH) for f in columns],
        [
            frozenset((*kept, type(None)))
            if (kept := writing._kept(f, writing.COPY_PASS_THROUGH))
            else frozenset()
            for f in columns
        ],
        counted,
    )

    assert "".join(streamed) == _copy_lines_one_by_one(fields, rows)
    assert counted == [7]


def test_insert_streams_many_chunks(tables, monkeypatch) -> None:
    from laborbridge.imports import writing

    monkeypatch.setattr(writing, "COPY_CHUNK", 3)
    names = [f"第{i}行\t" for i in range(10)]

    assert insert_values(Parent, ["name"], ([name] for name in names)) == 10

    assert sorted(Parent.objects.values_list("name", flat=True)) == sorted(names)


def test_insert_refuses_a_bad_row_and_writes_nothing(tables, monkeypatch) -> None:
    """An error while encoding surfaces as itself (not as psycopg2's QueryCanceled, which the
    import would take for a transient error and retry) and the COPY stores no row."""
    from laborbridge.imports import writing

    monkeypatch.setattr(writing, "COPY_CHUNK", 2)
    with pytest.raises(TypeError, match="small"):  # the field's own conversion refuses it
        values = {name: pair[0] for name, pair in VALUES.items()}
        good = [*values.values(), None]
        bad = [*(object() if name == "small" else v for name, v in values.items()), None]
        insert_values(EveryField, [*values, "created_at"], [good, good, good, bad])
    with pytest.raises(ValueError, match="2 values"):
        insert_values(Parent, ["id", "name"], [[1, "a"], [2]])

    assert not EveryField.objects.exists()
    assert not Parent.objects.exists()


def test_insert_reports_a_duplicate_as_integrity_error(tables) -> None:
    """The import's commit turns an IntegrityError (someone registered the same person
    meanwhile) into its message; COPY's unique violation must arrive as Django's."""
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        insert_values(Parent, ["id", "name"], [[1, "a"], [1, "b"]])

    assert not Parent.objects.exists()
