"""The registry API: scoped, masked; ID search and reveal by POST; import and export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from laborbridge.models import AuditEvent, Occupation
from tests.factories import ANDING, TONGWEI, WorkerFactory, make_id_number
from tests.imports.helpers import read_xlsx, xlsx_bytes
from workers.models import ConsentStatus, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, official_a):
    client.force_login(official_a)
    return client


def test_list_is_scoped_filtered_and_masked(api, django_assert_max_num_queries):
    mine = WorkerFactory(home_township_id="621102101", poverty_status="monitored")
    WorkerFactory(home_township_id="621102102")
    WorkerFactory(home_county_id=TONGWEI)
    rows = api.get("/api/v1/workers/", {"township": "621102101"}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert rows[0]["id_number_masked"].count("*") == 8 and "****" in rows[0]["phone_masked"]
    assert "phone" not in rows[0] and "id_number" not in rows[0]
    WorkerFactory.create_batch(20)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/workers/").status_code == 200


def test_create_update_and_detail(api, official_a):
    welder = Occupation.objects.get(name_zh="焊工")
    number = make_id_number(ANDING)
    created = api.post(
        "/api/v1/workers/",
        {
            "name": "接口人",
            "id_number": number,
            "phone": "13911112222",
            "home_township": "621102101",
            "wish_cities": ["370200"],
            "wish_occupations": [welder.code],
            "travel_group": "接口组",
            "skills": [{"occupation": welder.code, "level": 2, "years": 3}],
            "consent": {"given_on": "2026-01-03", "method": "signed_paper"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert number not in str(body) and body["skills"][0]["years"] == 3
    assert body["wish_cities"] == ["370200"] and body["travel_group"] == "接口组"
    assert body["consent_status"] == ConsentStatus.GIVEN and body["source"] == "api"
    duplicate = api.post(
        "/api/v1/workers/",
        {"name": "重复", "id_number": number, "phone": "13911112223"},
        content_type="application/json",
    )
    assert duplicate.status_code == 400 and "安定区" in str(duplicate.json())
    updated = api.patch(
        f"/api/v1/workers/{body['id']}/",
        {"min_wage": 6000, "wish_cities": []},
        content_type="application/json",
    )
    assert updated.status_code == 200 and updated.json()["min_wage"] == 6000
    assert updated.json()["wish_cities"] == []
    assert AuditEvent.objects.filter(action="worker.update", actor=official_a).count() == 1


def test_search_and_reveal_are_posts(api, official_a):
    number = make_id_number(ANDING)
    worker = WorkerFactory(id_number=number)
    WorkerFactory()
    found = api.post(
        "/api/v1/workers/search/", {"q": number}, content_type="application/json"
    ).json()
    assert [row["id"] for row in found["results"]] == [worker.pk]
    assert api.get(f"/api/v1/workers/?q={number}").json()["count"] == 2  # GET ignores it
    refused = api.post(
        f"/api/v1/workers/{worker.pk}/reveal-id-number/", {}, content_type="application/json"
    )
    assert refused.status_code == 400
    shown = api.post(
        f"/api/v1/workers/{worker.pk}/reveal-id-number/",
        {"reason": "购票"},
        content_type="application/json",
    )
    assert shown.json() == {"id_number": number}
    assert AuditEvent.objects.get(action="worker.reveal_id_number").reason == "购票"


def test_export(api):
    WorkerFactory(name="出口甲", home_township_id="621102101")
    WorkerFactory(name="出口乙", home_township_id="621102102")
    response = api.post(
        "/api/v1/workers/export/?township=621102102", {}, content_type="application/json"
    )
    assert [row[0] for row in read_xlsx(response.content)[1:]] == ["出口乙"]
    refused = api.post(
        "/api/v1/workers/export/", {"full_id_numbers": True}, content_type="application/json"
    )
    assert refused.status_code == 400


def test_import_upload_preview_commit_and_rejected_rows(api, django_capture_on_commit_callbacks):
    data = xlsx_bytes(
        [
            ["姓名", "身份证号", "手机号"],
            ["接口导入", make_id_number(ANDING), "13700000001"],
            ["错号", "123", "13700000002"],
        ]
    )
    assert api.get("/api/v1/worker-imports/template/")["Content-Type"].startswith("application/vnd")
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = api.post("/api/v1/worker-imports/", {"file": SimpleUploadedFile("r.xlsx", data)})
    assert uploaded.status_code == 202
    job = api.get(f"/api/v1/worker-imports/{uploaded.json()['id']}/").json()
    assert job["status"] == "previewed" and job["counts"]["created"] == 1
    assert job["errors"] == [
        {"row": 3, "column": "身份证号", "message": "身份证号应为 18 位，当前为 3 位。"}
    ]
    rejected = api.get(f"/api/v1/worker-imports/{job['id']}/rejected-rows/")
    assert read_xlsx(rejected.content)[1][:2] == ["错号", "123"]  # ID column kept as text
    with django_capture_on_commit_callbacks(execute=True):
        committed = api.post(f"/api/v1/worker-imports/{job['id']}/commit/")
    assert committed.status_code == 202
    assert api.get(f"/api/v1/worker-imports/{job['id']}/").json()["status"] == "committed"
    assert Worker.objects.get().name == "接口导入"
    again = api.post(f"/api/v1/worker-imports/{job['id']}/commit/")
    assert again.status_code == 409


def test_schema_names_are_unique(client, admin_user):
    client.force_login(admin_user)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert (
        "WorkerCreateInput" in schema.content.decode()
        and "ImportJobOutput" in schema.content.decode()
    )


# --- dates in a sane range (birth dates through the ID number, certificates, departure) ------


def _create(api, number):
    return api.post(
        "/api/v1/workers/",
        {"name": "日期人", "id_number": number, "phone": "13911113333"},
        content_type="application/json",
    )


def test_the_id_numbers_birth_date_must_give_a_working_age(api):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    # an explicit serial keeps the birth date as given (the factory shifts it after 1,000 calls)
    for serial, born in enumerate((today.replace(year=today.year - 10), dt.date(1910, 3, 1))):
        response = _create(api, make_id_number(ANDING, born=born, serial=serial))
        assert response.status_code == 400
        (message,) = response.json()["fields"]["id_number"]
        assert born.isoformat() in message and "16 至 100 岁" in message
    assert Worker.objects.count() == 0
    sixteen = today.replace(year=today.year - 16) - dt.timedelta(days=1)
    assert _create(api, make_id_number(ANDING, born=sixteen, serial=7)).status_code == 201


@pytest.mark.parametrize(
    "certificate,field,words",
    [
        ({"issued_on": "1949-12-31"}, "issued_on", "1950 至 2100"),
        ({"issued_on": "0001-01-01"}, "issued_on", "1950 至 2100"),
        ({"issued_on": "TOMORROW"}, "issued_on", "不能晚于今天"),
        ({"expires_on": "2101-01-01"}, "expires_on", "1950 至 2100"),
        ({"issued_on": "2020-05-01", "expires_on": "2020-04-30"}, "expires_on", "不能早于"),
    ],
)
def test_certificate_dates_are_checked(api, certificate, field, words):
    import datetime as dt

    from django.utils import timezone

    from laborbridge.models import CertificateType

    worker = WorkerFactory()
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    certificate = {k: tomorrow if v == "TOMORROW" else v for k, v in certificate.items()}
    code = CertificateType.objects.order_by("code").first().code
    response = api.patch(
        f"/api/v1/workers/{worker.pk}/",
        {"certificates": [{"certificate_type": code, **certificate}]},
        content_type="application/json",
    )
    assert response.status_code == 400, response.json()
    assert words in " ".join(response.json()["fields"][f"certificates.0.{field}"])
    assert not worker.certificates.exists()


def test_an_old_certificate_and_a_far_expiry_are_accepted(api):
    from laborbridge.models import CertificateType

    worker = WorkerFactory()
    code = CertificateType.objects.order_by("code").first().code
    response = api.patch(
        f"/api/v1/workers/{worker.pk}/",
        {
            "certificates": [
                {"certificate_type": code, "issued_on": "1985-06-01", "expires_on": "2100-12-31"}
            ]
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("value", ["1999-12-31", "0001-01-01", "2101-01-01"])
def test_earliest_departure_in_2000_2100(api, value):
    worker = WorkerFactory()
    response = api.patch(
        f"/api/v1/workers/{worker.pk}/",
        {"earliest_departure": value},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "2000 至 2100" in response.json()["fields"]["earliest_departure"][0]


def test_a_patch_with_bare_skills_and_certificates_takes_their_defaults(api):
    """PATCH is partial: DRF does not fill nested defaults; this answered 500 (KeyError)."""
    from laborbridge.models import CertificateType

    worker = WorkerFactory()
    welder = Occupation.objects.get(name_zh="焊工")
    code = CertificateType.objects.order_by("code").first().code
    response = api.patch(
        f"/api/v1/workers/{worker.pk}/",
        {"skills": [{"occupation": welder.code}], "certificates": [{"certificate_type": code}]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["skills"][0]["level"] == 0 and body["skills"][0]["years"] == 0
    assert body["certificates"][0]["issued_on"] is None
