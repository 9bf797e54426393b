"""The Excel roster round-trip: a messy real-world roster → exact preview → atomic commit."""

import datetime as dt
import unicodedata
from unittest import mock

import pytest
from django.db import connection

from laborbridge.imports import services
from laborbridge.imports.models import ImportJob
from laborbridge.imports.tasks import import_commit_task
from laborbridge.models import AuditEvent
from tests.factories import ANDING, TONGWEI, WorkerFactory
from tests.imports.helpers import (
    csv_bytes,
    id_number,
    id_number_ending_in_x,
    read_xlsx,
    run_import,
    xlsx_bytes,
)
from workers.models import ConsentStatus, PovertyStatus, Worker

pytestmark = pytest.mark.django_db

NEW_1 = id_number(ANDING, dt.date(1991, 3, 4), 11)
NEW_2 = id_number_ending_in_x(ANDING)
SCIENTIFIC = 6.21102199005171e17  # what Excel keeps of an ID typed into a "General" cell
TONGWEI_OWNED = id_number(ANDING, dt.date(1985, 1, 2), 21)  # born in Anding, registered by Tongwei
BAD_DATE = id_number(ANDING, dt.date(1993, 6, 7), 31)
EXISTING_CHANGED = id_number(ANDING, dt.date(1979, 9, 9), 41)
EXISTING_SAME = id_number(ANDING, dt.date(1980, 10, 10), 51)

HEADERS = [
    "序号",
    "姓  名",
    "公民身份号码",
    "联系电话",
    "乡（镇）",
    "村（社区）",
    "人员类别",
    "性别",
    "意向务工地",
    "意向工种",
    "期望月薪",
    "可出发日期",
    "是否接受住宿舍",
    "填表人",
]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def messy_rows():
    return [
        ["安定区2026年春风行动外出务工人员花名册"],
        HEADERS,
        [
            1,
            "王小明",
            NEW_1,
            "139 1234 5678",
            "凤翔镇",
            "",
            "脱贫户",
            "男",
            "青岛",
            "焊工",
            "5000元",
            "2026/3/1",
            "是",
            "李干事",
        ],
        [
            2,
            "李\u3000娟",
            " " + _full_width(NEW_2[:-1]) + "x ",
            _full_width("13800138000"),
            "内官营",
            "",
            "监测户",
            "女",
            "青岛市、胶州",
            "缝纫工",
            4500,
            46073,
            "否",
            "李干事",
        ],
        [3, "张三", SCIENTIFIC, "13700000003", "凤翔", "", "", "男", "", "", "", "", "", ""],
        [4, "赵四", TONGWEI_OWNED, "13700000004", "凤翔镇", "", "", "男", "", "", "", "", "", ""],
        [None, None, None, None, None, None, None, None, None, None, None, None, None, None],
        [5, "王小明", NEW_1, "13912345678", "凤翔镇", "", "", "男", "", "", "", "", "", ""],
        [
            6,
            "孙七",
            BAD_DATE,
            "13700000006",
            "凤翔镇",
            "",
            "",
            "男",
            "",
            "",
            "",
            "2026年2月30日",
            "",
            "",
        ],
        [
            7,
            "周八",
            EXISTING_CHANGED,
            "13700000007",
            "凤翔镇",
            "",
            "一般户",
            "男",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [8, "吴九", EXISTING_SAME, "13700000008", "", "", "", "男", "", "", "", "", "", ""],
    ]


@pytest.fixture
def registry(official_a):
    WorkerFactory(home_county_id=TONGWEI, id_number=TONGWEI_OWNED, name="赵四")
    WorkerFactory(
        home_county_id=ANDING,
        id_number=EXISTING_CHANGED,
        name="周八",
        phone="13900000000",
        poverty_status=PovertyStatus.MONITORED,
    )
    WorkerFactory(home_county_id=ANDING, id_number=EXISTING_SAME, name="吴九", phone="13700000008")


EXPECTED_ERRORS = [
    {
        "row": 5,
        "column": "公民身份号码",
        "message": "身份证号被 Excel 存成了数字（常显示为 6.21102E+17 这样的科学计数法），后几位已丢失："
        "请把该列设置为“文本”格式，重新录入号码后再导入。",
    },
    {
        "row": 6,
        "column": "公民身份号码",
        "message": "该身份证号已由甘肃省定西市通渭县登记，不能重复登记。如确属本县人员，请与该县区联系办理。",
    },
    {
        "row": 8,
        "column": "公民身份号码",
        "message": "与第 3 行是同一条记录（公民身份号码相同），同一人/同一项只能出现一次。",
    },
    {"row": 9, "column": "可出发日期", "message": "日期“2026年2月30日”不存在，请核对年月日。"},
]


def test_messy_roster_gives_exactly_the_expected_preview(
    official_a, registry, django_capture_on_commit_callbacks
):
    job = run_import(django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()))

    assert job.status == ImportJob.Status.PREVIEWED
    assert job.counts == {"total": 8, "created": 2, "updated": 1, "unchanged": 1, "rejected": 4}
    assert job.errors == EXPECTED_ERRORS
    preview = job.preview
    assert preview["header_row"] == 2
    assert preview["blank_rows"] == 1
    assert preview["ignored_headers"] == ["序号", "性别", "填表人"]
    assert preview["ignored_notes"] == {
        "序号": "行号，无需导入",
        "性别": "由身份证号自动得出",
        "填表人": "不需要，不导入",
    }
    assert preview["unknown_headers"] == []
    assert {c["key"]: c["source"] for c in preview["columns"] if c["source"]} == {
        "name": "姓  名",
        "id_number": "公民身份号码",
        "phone": "联系电话",
        "township": "乡（镇）",
        "village": "村（社区）",
        "poverty_status": "人员类别",
        "wish_cities": "意向务工地",
        "wish_occupations": "意向工种",
        "min_wage": "期望月薪",
        "earliest_departure": "可出发日期",
        "accepts_dormitory": "是否接受住宿舍",
    }
    assert preview["changes"] == [
        {"row": 10, "label": "周八", "fields": ["联系电话", "人员类别", "乡（镇）"]}
    ]
    assert Worker.objects.count() == 3  # the preview stores nothing


def test_messy_roster_commits_the_valid_rows(
    official_a, registry, django_capture_on_commit_callbacks
):
    job = run_import(
        django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()), commit=True
    )

    assert job.status == ImportJob.Status.COMMITTED
    assert job.result == {"total": 8, "created": 2, "updated": 1, "unchanged": 1, "rejected": 4}
    assert job.errors == EXPECTED_ERRORS
    wang = Worker.objects.get(name="王小明")
    assert wang.reveal_phone() == "13912345678" and wang.home_township_id == "621102101"
    assert wang.poverty_status == PovertyStatus.POVERTY_ALLEVIATED
    assert wang.min_wage == 5000 and wang.earliest_departure == dt.date(2026, 3, 1)
    assert wang.accepts_dormitory is True
    assert [c.region_id for c in wang.wish_city_links.all()] == ["370200"]
    assert [o.occupation.name_zh for o in wang.wish_occupation_links.all()] == ["焊工"]
    li = Worker.objects.get(name="李娟")
    assert li.id_number_masked == f"{ANDING}********{NEW_2[-4:]}" and li.reveal_id_number() == NEW_2
    assert li.reveal_phone() == "13800138000"
    assert li.home_township.name == "内官营镇" and li.poverty_status == PovertyStatus.MONITORED
    assert li.earliest_departure == dt.date(2026, 2, 20) and li.accepts_dormitory is False
    assert [c.region_id for c in li.wish_city_links.all()] == ["370200", "370281"]
    zhou = Worker.objects.get(name="周八")
    assert zhou.reveal_phone() == "13700000007" and zhou.poverty_status == PovertyStatus.NONE
    assert Worker.objects.filter(home_county_id=TONGWEI).count() == 1  # never merged
    assert not Worker.objects.filter(name__in=["张三", "孙七"]).exists()
    update = AuditEvent.objects.get(action="worker.update", target_id=str(zhou.pk))
    assert update.actor == official_a and update.changes["phone"] == ["139****0000", "137****0007"]
    assert AuditEvent.objects.filter(action="worker.register").count() == 2


def test_reimporting_the_same_file_changes_nothing(
    official_a, registry, django_capture_on_commit_callbacks
):
    data = xlsx_bytes(messy_rows())
    run_import(django_capture_on_commit_callbacks, official_a, data, commit=True)
    snapshot = list(Worker.objects.order_by("pk").values())
    audit_count = AuditEvent.objects.filter(target_type="workers.worker").count()

    again = run_import(django_capture_on_commit_callbacks, official_a, data, commit=True)

    assert again.status == ImportJob.Status.COMMITTED
    assert again.result == {"total": 8, "created": 0, "updated": 0, "unchanged": 4, "rejected": 4}
    assert list(Worker.objects.order_by("pk").values()) == snapshot
    assert AuditEvent.objects.filter(target_type="workers.worker").count() == audit_count


def test_a_failure_midway_through_the_commit_stores_nothing(
    official_a, registry, django_capture_on_commit_callbacks
):
    job = run_import(django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.COMMIT_QUEUED)
    before = Worker.objects.count()

    # Workers and their wishes are written, then the history write blows up.
    with mock.patch("workers.importers.audit_record_bulk", side_effect=RuntimeError("disk full")):
        result = import_commit_task.apply(args=[job.pk], throw=False)

    assert result.failed()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "没有保存任何数据" in job.failure_reason
    assert Worker.objects.count() == before
    assert not Worker.objects.filter(name="王小明").exists()


def test_the_commit_rechecks_the_registry(
    official_a, official_b, registry, django_capture_on_commit_callbacks
):
    """Someone registers a row's person between preview and commit: it is rejected then."""
    job = run_import(django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()))
    WorkerFactory(home_county_id=TONGWEI, id_number=NEW_1, name="王小明")
    with django_capture_on_commit_callbacks(execute=True):
        services.import_job_confirm(actor=official_a, job=job)
    job.refresh_from_db()
    assert job.result["created"] == 1 and job.result["rejected"] == 5
    assert {"row": 3, "column": "公民身份号码"}.items() <= job.errors[0].items()


def test_rejected_rows_download_can_be_fixed_and_reimported(
    official_a, registry, django_capture_on_commit_callbacks
):
    job = run_import(
        django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()), commit=True
    )

    rows = read_xlsx(services.rejected_rows_workbook(actor=official_a, job=job))

    assert rows[0] == [*HEADERS, "错误原因", "原行号"]
    assert [row[-1] for row in rows[1:]] == [5, 6, 8, 9]
    assert rows[4][-2] == "可出发日期：日期“2026年2月30日”不存在，请核对年月日。"
    assert AuditEvent.objects.filter(action="import.download_rejected").count() == 1
    # The official fixes the two fixable rows and uploads the same file again.
    fixed_id = id_number(ANDING, dt.date(1990, 1, 1), 61)
    rows[1][2] = fixed_id  # retyped as text
    rows[4][11] = "2026-02-28"
    fixed = [rows[0], rows[1], rows[4]]
    again = run_import(
        django_capture_on_commit_callbacks, official_a, xlsx_bytes(fixed), commit=True
    )
    assert again.result == {"total": 2, "created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert again.preview["ignored_headers"] == [
        "序号",
        "性别",
        "填表人",
    ]  # 错误原因/原行号 dropped quietly
    assert Worker.objects.filter(name__in=["张三", "孙七"]).count() == 2


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_rosters_in_every_usual_encoding(
    official_a, encoding, django_capture_on_commit_callbacks
):
    rows = [
        ["姓名", "身份证号码", "手机号码", "乡镇", "最早外出时间"],
        ["马六", id_number(ANDING, dt.date(1992, 2, 2), 71), "13700000071", "凤翔镇", "2026.3.5"],
        ["黄七", "6.21102E+17", "13700000072", "凤翔镇", "20260305"],
    ]
    job = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        csv_bytes(rows, encoding=encoding),
        name="花名册.csv",
    )
    assert job.counts["created"] == 1 and job.counts["rejected"] == 1
    assert "科学计数法" in job.errors[0]["message"]


def test_export_reimports_as_a_noop(official_a, registry, django_capture_on_commit_callbacks):
    from workers.services import worker_export_workbook

    run_import(
        django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()), commit=True
    )
    data = worker_export_workbook(
        actor=official_a, workers=Worker.objects.all(), full_id_numbers=True, reason="核对花名册"
    )
    again = run_import(django_capture_on_commit_callbacks, official_a, data)
    assert again.counts == {"total": 4, "created": 0, "updated": 0, "unchanged": 4, "rejected": 0}
    assert AuditEvent.objects.get(action="worker.export_full").reason == "核对花名册"


def test_masked_export_keeps_id_numbers_hidden(official_a, registry):
    from workers.services import worker_export_workbook

    rows = read_xlsx(worker_export_workbook(actor=official_a, workers=Worker.objects.all()))
    assert rows[0][:3] == ["姓名", "身份证号", "手机号"]
    assert sorted(row[1] for row in rows[1:]) == sorted(
        w.id_number_masked for w in Worker.objects.filter(home_county_id=ANDING)
    )
    assert all("********" in row[1] for row in rows[1:])


def test_plaintext_id_numbers_never_reach_the_database(
    official_a, registry, django_capture_on_commit_callbacks
):
    job = run_import(
        django_capture_on_commit_callbacks, official_a, xlsx_bytes(messy_rows()), commit=True
    )
    services.rejected_rows_workbook(actor=official_a, job=job)
    numbers = [NEW_1, NEW_2, TONGWEI_OWNED, BAD_DATE, EXISTING_CHANGED]
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("workers_", "laborbridge_importjob", "laborbridge_auditevent")):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                for row in cursor.fetchall():
                    for value in row:
                        if isinstance(value, bytes | memoryview):
                            value = bytes(value).decode("latin-1")
                        dump.append(unicodedata.normalize("NFKC", str(value)))
    text = "\n".join(dump)
    for number in numbers:
        assert number not in text
        assert number[6:] not in text  # not even without the region code


def test_consent_columns_create_consent_records(official_a, django_capture_on_commit_callbacks):
    rows = [
        ["姓名", "身份证号", "手机号", "授权日期", "授权方式", "见证人"],
        [
            "甲",
            id_number(ANDING, dt.date(1990, 1, 2), 81),
            "13700000081",
            "2026-01-10",
            "纸质签字",
            "",
        ],
        [
            "乙",
            id_number(ANDING, dt.date(1990, 1, 2), 82),
            "13700000082",
            "2026-01-10",
            "口头同意",
            "",
        ],
        ["丙", id_number(ANDING, dt.date(1990, 1, 2), 83), "13700000083", "", "纸质签字", ""],
    ]
    job = run_import(django_capture_on_commit_callbacks, official_a, xlsx_bytes(rows), commit=True)
    assert job.result["created"] == 1
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "见证人"), (4, "授权日期")]
    worker = Worker.objects.get(name="甲")
    assert worker.consent_status == ConsentStatus.GIVEN
    assert worker.consents.get().given_on == dt.date(2026, 1, 10)


def test_missing_required_column_fails_with_a_clear_message(
    official_a, django_capture_on_commit_callbacks
):
    job = run_import(
        django_capture_on_commit_callbacks, official_a, xlsx_bytes([["姓名", "电话"], ["甲", "1"]])
    )
    assert job.status == ImportJob.Status.FAILED
    assert job.failure_reason.startswith("缺少必填列：身份证号")


def test_a_damaged_old_excel_file_is_explained(official_a, django_capture_on_commit_callbacks):
    # .xls itself is read (tests/imports/test_limits.py); a truncated one is refused clearly.
    job = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        name="花名册.xls",
    )
    assert job.status == ImportJob.Status.FAILED
    assert "重新保存" in job.failure_reason
