"""The official's registry pages: list, search, filters, forms, reveal, bulk actions, export."""

import datetime as dt

import pytest
from django.urls import reverse

from laborbridge.models import AuditEvent, Occupation, Region
from tests.factories import ANDING, TONGWEI, WorkerFactory, make_id_number
from tests.imports.helpers import read_xlsx
from workers.models import ConsentStatus, Worker, WorkerSkill, WorkerStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, official_a):
    client.force_login(official_a)
    return client


def _rows(response) -> str:
    body = response.content.decode()
    return body[body.index('id="worker-table"') :]


def test_list_query_count_does_not_grow_with_rows(signed_in, django_assert_max_num_queries):
    WorkerFactory.create_batch(3, home_county_id=ANDING, home_township_id="621102101")
    with django_assert_max_num_queries(14) as few:
        signed_in.get(reverse("workers:list"))
    WorkerFactory.create_batch(40, home_county_id=ANDING, home_township_id="621102101")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get(reverse("workers:list"))
    assert response.status_code == 200


def test_search_by_full_id_number_uses_a_post_and_keeps_it_out_of_the_url(signed_in):
    number = make_id_number(ANDING)
    target = WorkerFactory(name="目标人", id_number=number)
    WorkerFactory(name="别人")
    response = signed_in.post(
        reverse("workers:list"), {"q": number.lower()[:-1] + number[-1].lower()}
    )
    assert response.status_code == 302
    assert number not in response["Location"] and "s=" in response["Location"]
    page = signed_in.get(response["Location"])
    rows = _rows(page)
    assert target.name in rows and "别人" not in rows
    assert number not in page.content.decode()  # only the masked form is shown
    assert target.id_number_masked in page.content.decode()


@pytest.mark.parametrize(
    "term,found",
    [("13912345678", ["甲"]), ("5678", ["甲"]), ("乙", ["乙"]), ("不存在", [])],
)
def test_search_by_phone_tail_or_name(signed_in, term, found):
    WorkerFactory(name="甲", phone="13912345678")
    WorkerFactory(name="乙", phone="13800000000")
    page = signed_in.get(signed_in.post(reverse("workers:list"), {"q": term})["Location"])
    rows = _rows(page)
    assert [name for name in ("甲", "乙") if f">{name}</a>" in rows] == found


def test_filters_by_township_poverty_status_and_wishes(signed_in):
    welder = Occupation.objects.get(name_zh="焊工")
    a = WorkerFactory(
        name="凤翔甲", home_township_id="621102101", poverty_status="poverty_alleviated"
    )
    WorkerFactory(name="内官乙", home_township_id="621102102")
    a.wish_occupation_links.create(occupation=welder, rank=1)
    a.wish_city_links.create(region_id="370200", rank=1)
    for params in (
        {"township": "621102101"},
        {"poverty_status": "poverty_alleviated"},
        {"occupation": welder.pk},
        {"wish_city": "370200"},
    ):
        rows = _rows(signed_in.get(reverse("workers:list"), params))
        assert "凤翔甲" in rows and "内官乙" not in rows, params


def test_create_form_shows_field_level_chinese_errors(signed_in):
    response = signed_in.post(
        reverse("workers:create"),
        {
            "name": "王五",
            "id_number": "6211021990010112",
            "phone": "12345",
            "poverty_status": "none",
            "skills-TOTAL_FORMS": 0,
            "skills-INITIAL_FORMS": 0,
            "certificates-TOTAL_FORMS": 0,
            "certificates-INITIAL_FORMS": 0,
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_id_number_error"' in body and "身份证号应为 18 位，当前为 16 位" in body
    assert 'id="id_phone_error"' in body and "手机号应为 11 位" in body
    assert not Worker.objects.exists()


def test_create_form_registers_with_skills_wishes_and_consent(signed_in, official_a):
    welder = Occupation.objects.get(name_zh="焊工")
    number = make_id_number(ANDING)
    response = signed_in.post(
        reverse("workers:create"),
        {
            "name": "王五",
            "id_number": number,
            "phone": "139 1234 5678",
            "poverty_status": "monitored",
            "home_township": "621102101",
            "home_village_name": "东关村",
            "education": "junior",
            "wish_cities": ["370200"],
            "wish_occupations": [welder.pk],
            "min_wage": "5500",
            "earliest_departure": "2026-03-01",
            "accepts_dormitory": "on",
            "new_travel_group": "王家",
            "consent_given_on": "2026-01-05",
            "consent_method": "signed_paper",
            "skills-TOTAL_FORMS": 1,
            "skills-INITIAL_FORMS": 0,
            "skills-0-occupation": welder.pk,
            "skills-0-level": 2,
            "skills-0-years": 4,
            "certificates-TOTAL_FORMS": 0,
            "certificates-INITIAL_FORMS": 0,
        },
    )
    worker = Worker.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workers:detail", args=[worker.pk]
    )
    assert worker.reveal_phone() == "13912345678" and worker.accepts_shift_work is False
    assert worker.travel_group.name == "王家" and worker.consent_status == ConsentStatus.GIVEN
    assert WorkerSkill.objects.get(worker=worker).years == 4
    detail = signed_in.get(response["Location"]).content.decode()
    assert "焊工" in detail and "王家" in detail and worker.id_number_masked in detail
    assert number not in detail


def test_edit_replaces_lists_and_records_the_change(signed_in, official_a):
    worker = WorkerFactory(name="改名前")
    response = signed_in.post(
        reverse("workers:edit", args=[worker.pk]),
        {
            "name": "改名后",
            "phone": worker.phone_masked,  # the form shows the mask; untouched, it is kept
            "poverty_status": "none",
            "wish_cities": ["370281"],
            "accepts_dormitory": "on",
            "accepts_shift_work": "on",
            "skills-TOTAL_FORMS": 0,
            "skills-INITIAL_FORMS": 0,
            "certificates-TOTAL_FORMS": 0,
            "certificates-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.name == "改名后"
    event = AuditEvent.objects.get(action="worker.update", target_id=str(worker.pk))
    assert event.actor == official_a
    assert event.changes["name"] == ["改名前", "改名后"]
    assert event.changes["wish_cities"] == [[], ["胶州市"]]


def test_reveal_needs_a_reason_shows_the_number_once_and_is_audited(signed_in, official_a):
    number = make_id_number(ANDING)
    worker = WorkerFactory(id_number=number)
    url = reverse("workers:reveal", args=[worker.pk])
    assert number not in url
    refused = signed_in.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert number not in refused.content.decode() and "原因" in refused.content.decode()
    shown = signed_in.post(url, {"reason": "办理车票"}, HTTP_HX_REQUEST="true")
    assert number in shown.content.decode() and "no-store" in shown["Cache-Control"]
    event = AuditEvent.objects.get(action="worker.reveal_id_number")
    assert (event.actor, event.reason, event.target_id) == (official_a, "办理车票", str(worker.pk))


def test_bulk_mark_consent_skips_who_already_consented(signed_in):
    fresh = WorkerFactory.create_batch(2)
    done = WorkerFactory(consent_status=ConsentStatus.GIVEN, consent_given_on=dt.date(2026, 1, 1))
    response = signed_in.post(
        reverse("workers:bulk"),
        {
            "worker": [w.pk for w in [*fresh, done]],
            "action": "consent",
            "consent-given_on": "2026-01-20",
            "consent-method": "signed_paper",
            "next": "/workers/",
        },
        follow=True,
    )
    assert "已为 2 人记录授权" in response.content.decode()
    assert set(
        Worker.objects.filter(consent_status=ConsentStatus.GIVEN).values_list("pk", flat=True)
    ) == {w.pk for w in [*fresh, done]}
    assert AuditEvent.objects.filter(action="worker.consent").count() == 2


def test_bulk_action_cannot_touch_another_countys_workers(signed_in):
    other = WorkerFactory(home_county_id=TONGWEI)
    signed_in.post(
        reverse("workers:bulk"),
        {
            "worker": [other.pk],
            "action": "consent",
            "consent-given_on": "2026-01-20",
            "consent-method": "signed_paper",
        },
    )
    other.refresh_from_db()
    assert other.consent_status == ConsentStatus.NONE


def test_export_selected_and_filtered(signed_in):
    a = WorkerFactory(name="导出甲", home_township_id="621102101")
    WorkerFactory(name="导出乙", home_township_id="621102102")
    WorkerFactory(name="外县丙", home_county_id=TONGWEI)
    selected = signed_in.post(
        reverse("workers:bulk"), {"worker": [a.pk], "action": "export", "export-reason": ""}
    )
    assert selected["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [row[0] for row in read_xlsx(selected.content)[1:]] == ["导出甲"]
    filtered = signed_in.post(
        reverse("workers:export"), {"query": "township=621102102", "export-full_id_numbers": ""}
    )
    assert [row[0] for row in read_xlsx(filtered.content)[1:]] == ["导出乙"]
    everything = signed_in.post(reverse("workers:export"), {"query": ""})
    assert sorted(row[0] for row in read_xlsx(everything.content)[1:]) == ["导出乙", "导出甲"]
    refused = signed_in.post(
        reverse("workers:export"), {"query": "", "export-full_id_numbers": "on"}
    )
    assert refused.status_code == 302  # a full-number export needs a reason


def test_status_can_be_set_by_hand_only_along_allowed_moves(signed_in):
    worker = WorkerFactory()
    signed_in.post(
        reverse("workers:status", args=[worker.pk]),
        {"status": "withdrawn", "reason": "外出已自找工作"},
    )
    worker.refresh_from_db()
    assert worker.status == WorkerStatus.WITHDRAWN
    signed_in.post(reverse("workers:status", args=[worker.pk]), {"status": "employed"})
    worker.refresh_from_db()
    assert worker.status == WorkerStatus.WITHDRAWN


def test_consent_record_and_withdrawal_from_the_detail_page(signed_in):
    worker = WorkerFactory()
    signed_in.post(
        reverse("workers:consent", args=[worker.pk]),
        {
            "given_on": "2026-01-02",
            "method": "witnessed_verbal",
            "scope": ["registry"],
            "witness": "",
        },
    )
    worker.refresh_from_db()
    assert worker.consent_status == ConsentStatus.NONE  # a verbal consent needs its witness
    signed_in.post(
        reverse("workers:consent", args=[worker.pk]),
        {
            "given_on": "2026-01-02",
            "method": "witnessed_verbal",
            "scope": ["registry", "matching"],
            "witness": "村支书马某",
        },
    )
    signed_in.post(
        reverse("workers:consent_withdraw", args=[worker.pk]),
        {"withdrawn_on": "2026-01-09", "reason": "本人要求"},
    )
    worker.refresh_from_db()
    consent = worker.consents.get()
    assert worker.consent_status == ConsentStatus.WITHDRAWN and consent.withdrawn_on == dt.date(
        2026, 1, 9
    )
    assert consent.scope == ["registry", "matching"] and consent.witness == "村支书马某"


def test_import_pages_show_template_preview_and_result(
    signed_in, django_capture_on_commit_callbacks
):
    from tests.imports.helpers import xlsx_bytes

    template = signed_in.get(reverse("workers:import_template"))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    number = make_id_number(ANDING)
    data = xlsx_bytes(
        [["姓名", "身份证号", "手机号", "民族"], ["新人", number, "13900000001", "汉"]]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(
            reverse("workers:import"), {"file": SimpleUploadedFile("花名册.xlsx", data)}
        )
    job_url = response["Location"]
    page = signed_in.get(job_url).content.decode()
    assert 'data-count="created">1<' in page and "民族" in page and "确认导入" in page
    progress = signed_in.get(job_url + "progress/", HTTP_HX_REQUEST="true")
    assert progress["HX-Refresh"] == "true"
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(job_url + "confirm/")
    assert "导入已完成" in signed_in.get(job_url).content.decode()
    assert Worker.objects.get().name == "新人"


def test_region_choices_stay_in_the_county(signed_in):
    body = signed_in.get(reverse("workers:create")).content.decode()
    assert Region.objects.get(pk="621102101").name in body  # 凤翔镇 (Anding)
    assert "平襄镇" not in body  # a Tongwei township


def test_admin_shows_workers_read_only(client, admin_user):
    worker = WorkerFactory(name="只读张三")
    client.force_login(admin_user)
    listing = client.get("/admin/workers/worker/").content.decode()
    assert "只读张三" in listing and worker.id_number_masked in listing
    page = client.get(f"/admin/workers/worker/{worker.pk}/change/")
    body = page.content.decode()
    assert page.status_code == 200 and worker.id_number_masked in body
    # Shown, not editable: no input for the name, no save or delete button.
    assert 'name="name"' not in body and 'name="_save"' not in body
    assert "/delete/" not in body
    assert client.get("/admin/workers/worker/add/").status_code == 403
    assert client.get(f"/admin/workers/worker/{worker.pk}/delete/").status_code == 403
    posted = client.post(f"/admin/workers/worker/{worker.pk}/change/", {"name": "改名"})
    assert posted.status_code == 403
    worker.refresh_from_db()
    assert worker.name == "只读张三"
    for model in ("selfsignup", "travelgroup", "employment"):
        assert client.get(f"/admin/workers/{model}/").status_code == 200
        assert client.get(f"/admin/workers/{model}/add/").status_code == 403
