"""Phones: encrypted at rest, masked in every list, export and API, revealed only with a reason.

The finding: the masked roster export and the API export carried every full phone, the edit
form pre-filled it unaudited, and a ``pg_dump`` showed them all in clear.
"""

import pytest
from django.db import connection
from django.urls import reverse

from laborbridge.identifiers import validate_mobile
from laborbridge.models import AuditEvent, Campaign
from tests.factories import ANDING, TONGWEI, WorkerFactory, make_id_number
from tests.imports.helpers import read_xlsx
from workers import selectors
from workers.models import SelfSignup, Worker
from workers.services import worker_register, worker_reveal_phone, worker_update
from workers.signups import signup_submit, signup_verify

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


def _raw_row(table: str, pk: int) -> str:
    """Return every column of a row as the database holds it (what a dump would show)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608
        row = cursor.fetchone()
    return " ".join(
        bytes(v).hex() + bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
        for v in row
    )


@pytest.fixture
def worker(official_a):
    return worker_register(
        actor=official_a,
        name="手机甲",
        id_number=make_id_number(ANDING),
        phone="+86 139-1234-5678",
        home_county=official_a.county,
    )


@pytest.fixture
def signed_in(client, official_a):
    client.force_login(official_a)
    return client


def test_the_database_holds_no_phone_in_clear(worker):
    dump = _raw_row("workers_worker", worker.pk)
    assert PHONE not in dump and "5678" in dump  # the last four are kept for search
    worker.refresh_from_db()
    assert worker.phone_masked == "139****5678" and worker.phone_last4 == "5678"
    assert worker.reveal_phone() == PHONE
    with pytest.raises(AttributeError, match="encrypted"):
        _ = worker.phone  # reading is never an accident


def test_a_self_signup_stores_its_phone_encrypted_and_hands_it_on(official_a):
    campaign = Campaign.objects.get(code="2026-chunfeng-dingxi-qingdao")
    signup = signup_submit(
        campaign=campaign,
        name="扫码人",
        id_number=make_id_number(ANDING),
        phone="13700001234",
        home_county=official_a.county,
        consented=True,
    )
    assert "13700001234" not in _raw_row("workers_selfsignup", signup.pk)
    signup = SelfSignup.objects.get(pk=signup.pk)
    assert signup.phone_masked == "137****1234"
    worker = signup_verify(actor=official_a, signup=signup)
    assert Worker.objects.get(pk=worker.pk).reveal_phone() == "13700001234"


@pytest.mark.parametrize(
    ("term", "found"),
    [(PHONE, True), ("5678", True), ("345678", True), ("045678", False), ("13912345670", False)],
)
def test_search_by_full_phone_last_four_or_a_longer_tail(worker, official_a, term, found):
    WorkerFactory(phone="13800005678")  # same last four, different number
    hits = selectors.worker_search(Worker.objects.filter(name="手机甲"), term)
    assert hits.exists() is found
    if term == "5678":
        assert selectors.worker_search(Worker.objects.all(), term).count() == 2


def test_list_detail_and_edit_form_show_the_mask_only(signed_in, worker):
    for url in (
        reverse("workers:list"),
        reverse("workers:detail", args=[worker.pk]),
        reverse("workers:edit", args=[worker.pk]),
    ):
        body = signed_in.get(url).content.decode()
        assert PHONE not in body and "139****5678" in body, url
    assert not AuditEvent.objects.filter(action="worker.reveal_phone").exists()


def _edit(client, worker, phone):
    return client.post(
        reverse("workers:edit", args=[worker.pk]),
        {
            "name": "手机甲",
            "phone": phone,
            "poverty_status": "none",
            "accepts_dormitory": "on",
            "accepts_shift_work": "on",
            "note": "改了备注",
            "skills-TOTAL_FORMS": 0,
            "skills-INITIAL_FORMS": 0,
            "certificates-TOTAL_FORMS": 0,
            "certificates-INITIAL_FORMS": 0,
        },
    )


def test_saving_the_form_with_the_mask_keeps_the_phone(signed_in, worker):
    response = _edit(signed_in, worker, "139****5678")
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.reveal_phone() == PHONE and worker.note == "改了备注"
    change = AuditEvent.objects.get(action="worker.update", target_id=str(worker.pk))
    assert "phone" not in change.changes


def test_a_new_phone_typed_into_the_form_replaces_it_audited_masked(signed_in, worker):
    assert _edit(signed_in, worker, "13800001111").status_code == 302
    worker.refresh_from_db()
    assert worker.reveal_phone() == "13800001111" and worker.phone_last4 == "1111"
    change = AuditEvent.objects.get(action="worker.update", target_id=str(worker.pk))
    assert change.changes["phone"] == ["139****5678", "138****1111"]
    assert PHONE not in str(change.changes)


def test_a_bad_phone_in_the_form_is_refused_in_chinese(signed_in, worker):
    body = _edit(signed_in, worker, "15412345678").content.decode()
    assert "不是已启用的大陆手机号段" in body
    worker.refresh_from_db()
    assert worker.reveal_phone() == PHONE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13912345678", PHONE),
        ("+86 139 1234 5678", PHONE),
        ("0086-139-1234-5678", PHONE),
        ("１３９１２３４５６７８", PHONE),  # full-width digits from a spreadsheet
        ("12345", None),
        ("10012345678", None),
        ("15412345678", None),  # 154 is not an allocated mobile segment
        ("+1 415 555 0100", None),
    ],
)
def test_mobile_numbers_are_validated_with_phonenumbers(value, expected):
    if expected is None:
        with pytest.raises(Exception, match="手机号"):
            validate_mobile(value)
    else:
        assert validate_mobile(value) == expected


def test_reveal_page_shows_the_phone_once_with_a_reason_and_records_it(signed_in, worker):
    refused = signed_in.post(reverse("workers:reveal", args=[worker.pk]), {"field": "phone"})
    assert PHONE not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="worker.reveal_phone").exists()
    shown = signed_in.post(
        reverse("workers:reveal", args=[worker.pk]), {"field": "phone", "reason": "通知体检"}
    )
    assert PHONE in shown.content.decode() and "no-store" in shown["Cache-Control"]
    event = AuditEvent.objects.get(action="worker.reveal_phone")
    assert event.reason == "通知体检" and event.target_id == str(worker.pk)
    history = signed_in.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert "查看完整手机号" in history and PHONE not in history
    # The ID number is still the default of the same page.
    signed_in.post(reverse("workers:reveal", args=[worker.pk]), {"reason": "核对身份"})
    assert AuditEvent.objects.filter(action="worker.reveal_id_number").count() == 1


def test_only_an_editor_of_the_worker_may_reveal_the_phone(worker, official_b, coordinator):
    with pytest.raises(Exception, match="无权查看该手机号"):
        worker_reveal_phone(actor=official_b, worker=worker, reason="好奇")
    with pytest.raises(Exception, match="无权查看该手机号"):
        worker_reveal_phone(actor=coordinator, worker=worker, reason="好奇")
    assert not AuditEvent.objects.filter(action="worker.reveal_phone").exists()


@pytest.mark.parametrize("who", ["official_b", "hr_x", "coordinator", None])
def test_others_cannot_reveal_through_the_page_or_the_api(client, request, worker, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    page = client.post(
        reverse("workers:reveal", args=[worker.pk]), {"field": "phone", "reason": "好奇"}
    )
    api = client.post(
        f"/api/v1/workers/{worker.pk}/reveal-phone/",
        {"reason": "好奇"},
        content_type="application/json",
    )
    assert page.status_code in (302, 403, 404) and api.status_code in (401, 403, 404)
    assert PHONE not in page.content.decode() + api.content.decode()
    assert not AuditEvent.objects.filter(action="worker.reveal_phone").exists()


def test_api_lists_masked_and_reveals_with_a_reason(client, official_a, worker):
    client.force_login(official_a)
    listed = client.get("/api/v1/workers/").content.decode()
    detail = client.get(f"/api/v1/workers/{worker.pk}/").content.decode()
    assert PHONE not in listed + detail and "139****5678" in detail
    url = f"/api/v1/workers/{worker.pk}/reveal-phone/"
    assert client.post(url, {}, content_type="application/json").status_code == 400
    revealed = client.post(url, {"reason": "通知出发"}, content_type="application/json")
    assert revealed.json() == {"phone": PHONE} and revealed["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="worker.reveal_phone", actor=official_a).count() == 1


def test_exports_carry_masked_phones_unless_a_reason_is_given(signed_in, client, worker):
    WorkerFactory(home_county_id=TONGWEI, phone="13600000000")
    masked = read_xlsx(signed_in.post(reverse("workers:export"), {"query": ""}).content)
    header = masked[0]
    phones = [row[header.index("手机号")] for row in masked[1:]]
    assert phones == ["139****5678"]
    api = signed_in.post("/api/v1/workers/export/", {}, content_type="application/json")
    assert PHONE not in str(read_xlsx(api.content)) and "139****5678" in str(read_xlsx(api.content))
    full = read_xlsx(
        signed_in.post(
            reverse("workers:export"),
            {"query": "", "export-full_id_numbers": "on", "export-reason": "交铁路局购票"},
        ).content
    )
    assert [row[header.index("手机号")] for row in full[1:]] == [PHONE]
    event = AuditEvent.objects.get(action="worker.export_full")
    assert event.reason == "交铁路局购票" and event.changes["worker_ids"] == [worker.pk]


def test_the_api_update_keeps_the_phone_unless_one_is_sent(client, official_a, worker):
    client.force_login(official_a)
    url = f"/api/v1/workers/{worker.pk}/"
    client.patch(url, {"min_wage": 5000}, content_type="application/json")
    worker.refresh_from_db()
    assert worker.reveal_phone() == PHONE
    client.patch(url, {"phone": "13700009999"}, content_type="application/json")
    worker.refresh_from_db()
    assert worker.reveal_phone() == "13700009999" and worker.phone_masked == "137****9999"


def test_the_service_refuses_a_bad_phone_and_keeps_the_old_one(official_a, worker):
    with pytest.raises(Exception, match="手机号"):
        worker_update(actor=official_a, worker=worker, phone="12345")
    worker.refresh_from_db()
    assert worker.reveal_phone() == PHONE
