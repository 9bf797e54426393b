"""The preview's mapping step: unknown columns and 工种 words are answered once per county."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from laborbridge.imports.models import ImportColumnMapping, ImportJob, OccupationWordMapping
from laborbridge.imports.pipeline import header_key
from laborbridge.models import AuditEvent, Occupation, Role
from laborbridge.reference import occupation_aliases
from tests.factories import ANDING, TONGWEI, WorkerFactory, make_user
from tests.imports.helpers import id_number, run_import
from workers.models import PovertyStatus, Worker, WorkerSkill

pytestmark = pytest.mark.django_db


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def own_words_roster(county: str = ANDING) -> bytes:
    return workbook(
        [
            ["姓名", "公民号", "手机号", "户别", "填报人签字"],
            ["马一", id_number(county, dt.date(1990, 2, 2), 501), "13900005001", "脱贫户", "李"],
            ["马二", id_number(county, dt.date(1990, 2, 2), 502), "13900005002", "一般户", "李"],
        ]
    )


def map_url(job: ImportJob) -> str:
    return reverse("workers:import_map", args=[job.pk])


def test_header_key_drops_what_officials_add():
    assert header_key("是否脱贫劳动力（是/否）") == "脱贫劳动力"
    assert header_key("务工时间（月）") == "务工时间"
    assert header_key("最低月薪/元") == "最低月薪"
    assert header_key(" 乡（镇） ") == "乡"
    assert header_key("＊联系电话：") == "联系电话"
    assert header_key("紧急联系人") == "紧急联系人"  # 人 is a unit only after a slash


def test_every_alias_names_a_known_occupation():
    codes = set(Occupation.objects.values_list("code", flat=True))
    aliases = occupation_aliases()
    assert {"普工", "厨师", "保洁", "月嫂", "保姆", "快递"} <= set(aliases)
    assert aliases["普工"] is None  # general labour
    assert "司机" not in aliases  # too ambiguous to guess: left to the county
    assert {code for code in aliases.values() if code} <= codes


def test_unknown_columns_are_mapped_once_for_the_whole_county(
    client, official_a, official_b, django_capture_on_commit_callbacks
):
    job = run_import(django_capture_on_commit_callbacks, official_a, own_words_roster())
    # 公民号 is no header we know: nothing is guessed, the page asks which column it is.
    assert job.status == ImportJob.Status.FAILED
    assert "缺少必填列：身份证号" in job.failure_reason
    assert job.preview["unknown_headers"] == ["公民号", "户别", "填报人签字"]
    client.force_login(official_a)
    page = client.get(reverse("workers:import_job", args=[job.pk])).content.decode()
    assert 'id="map-columns"' in page and "公民号" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            map_url(job),
            {
                "header_0": "公民号",
                "column_0": "id_number",
                "header_1": "户别",
                "column_1": "poverty_status",
                "header_2": "填报人签字",
                "column_2": "__ignore__",
            },
        )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED, job.failure_reason
    assert job.counts["created"] == 2
    how = {c["key"]: (c["source"], c["how"]) for c in job.preview["columns"] if c["source"]}
    assert how["id_number"] == ("公民号", "remembered")
    assert how["poverty_status"] == ("户别", "remembered")
    assert job.preview["unknown_headers"] == []
    assert job.preview["ignored_notes"] == {"填报人签字": "已设为不导入"}
    assert AuditEvent.objects.filter(action="import.map", target_id=str(job.pk)).exists()

    # Another official of the same county: recognised at once. Another county: not.
    colleague = make_user("official_a2", Role.COUNTY_OFFICIAL, county_id=ANDING)
    again = run_import(django_capture_on_commit_callbacks, colleague, own_words_roster())
    assert again.status == ImportJob.Status.PREVIEWED
    other = run_import(
        django_capture_on_commit_callbacks, official_b, own_words_roster(county=TONGWEI)
    )
    assert other.status == ImportJob.Status.FAILED
    assert ImportColumnMapping.objects.filter(scope=f"county:{ANDING}").count() == 3

    committed = run_import(
        django_capture_on_commit_callbacks, official_a, own_words_roster(), commit=True
    )
    assert committed.status == ImportJob.Status.COMMITTED
    assert Worker.objects.get(name="马一").poverty_status == PovertyStatus.POVERTY_ALLEVIATED


def test_an_unclassified_word_is_mapped_for_every_worker_who_has_it(
    client, official_a, official_b, django_capture_on_commit_callbacks
):
    def roster(people):
        rows = [["姓名", "身份证号", "手机号", "技能工种", "意向工种"]]
        for n, (name, skill, wish) in enumerate(people):
            number = id_number(ANDING, dt.date(1991, 3, 3), 600 + n + 10 * ord(name[0]) % 300)
            rows.append([name, number, f"139000060{n:02d}", skill, wish])
        return workbook(rows)

    first = run_import(
        django_capture_on_commit_callbacks,
        official_a,
        roster([("牛司机", "司机", "")]),
        commit=True,
    )
    assert first.status == ImportJob.Status.COMMITTED
    early = Worker.objects.get(name="牛司机")
    assert early.skill_unclassified == "司机" and not early.skills.exists()
    elsewhere = WorkerFactory(home_county_id=TONGWEI, name="外县司机", skill_unclassified="司机")

    job = run_import(
        django_capture_on_commit_callbacks, official_a, roster([("羊司机", "开车", "司机、厨师")])
    )
    assert [u["word"] for u in job.preview["unclassified"]] == ["司机", "开车"]
    client.force_login(official_a)
    page = client.get(reverse("workers:import_job", args=[job.pk])).content.decode()
    assert 'id="map-words"' in page
    truck = Occupation.objects.get(name_zh="道路货运汽车驾驶员")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            map_url(job),
            {"word_0": "司机", "occupation_0": str(truck.pk), "word_1": "开车", "occupation_1": ""},
        )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert [u["word"] for u in job.preview["unclassified"]] == ["开车"]  # 开车 left for later
    early.refresh_from_db()
    assert early.skill_unclassified == ""
    assert list(early.skills.values_list("occupation__name_zh", flat=True)) == [
        "道路货运汽车驾驶员"
    ]
    elsewhere.refresh_from_db()
    assert elsewhere.skill_unclassified == "司机"  # another county's word is theirs to map
    assert OccupationWordMapping.objects.get(county_id=ANDING, word="司机").occupation == truck

    with django_capture_on_commit_callbacks(execute=True):
        from laborbridge.imports import services

        services.import_job_confirm(actor=official_a, job=job)
    later = Worker.objects.get(name="羊司机")
    assert later.skill_unclassified == "开车"
    assert [o.occupation.name_zh for o in later.wish_occupation_links.order_by("rank")] == [
        "道路货运汽车驾驶员",
        "中式烹调师",
    ]
    assert later.wishes_unclassified == ""
    assert WorkerSkill.objects.filter(worker=later).count() == 0


def test_preview_shows_each_change_old_to_new_and_hides_confirm_when_nothing_changes(
    client, official_a, django_capture_on_commit_callbacks
):
    number = id_number(ANDING, dt.date(1980, 1, 1), 701)
    WorkerFactory(
        home_county_id=ANDING,
        id_number=number,
        name="杨旧",
        phone="13900007001",
        poverty_status=PovertyStatus.NONE,
    )
    data = workbook(
        [["姓名", "身份证号", "联系电话", "是否脱贫户"], ["杨旧", number, "13900007002", "是"]]
    )
    job = run_import(django_capture_on_commit_callbacks, official_a, data)
    assert job.preview["diffs"] == [
        {
            "row": 2,
            "label": "杨旧",
            "fields": [
                {"field": "联系电话", "old": "139****7001", "new": "139****7002"},
                {"field": "是否脱贫户", "old": "一般农村劳动力", "new": "脱贫劳动力"},
            ],
        }
    ]
    client.force_login(official_a)
    page = client.get(reverse("workers:import_job", args=[job.pk])).content.decode()
    assert "139****7001" in page and "13900007002" not in page
    assert reverse("workers:import_confirm", args=[job.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        from laborbridge.imports import services

        services.import_job_confirm(actor=official_a, job=job)
    same = run_import(django_capture_on_commit_callbacks, official_a, data)
    assert same.counts["unchanged"] == 1
    page = client.get(reverse("workers:import_job", args=[same.pk])).content.decode()
    assert reverse("workers:import_confirm", args=[same.pk]) not in page
    assert "没有需要写入的变化" in page


@pytest.mark.parametrize("who", ["official_b", "hr_x", "coordinator", "anonymous"])
def test_only_the_owner_may_map_a_jobs_columns(
    request, client, who, official_a, django_capture_on_commit_callbacks
):
    job = run_import(django_capture_on_commit_callbacks, official_a, own_words_roster())
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(map_url(job), {"header_0": "公民号", "column_0": "id_number"})
    assert response.status_code in {302, 403, 404}
    if who == "anonymous":
        assert "/login" in response["Location"] or "accounts" in response["Location"]
    else:
        assert response.status_code in {403, 404}
    assert not ImportColumnMapping.objects.exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
