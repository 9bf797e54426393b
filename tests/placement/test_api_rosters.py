"""API of the wage-gap flags, the 在岗人员花名册, the monthly census and the poverty-monitoring
export: the same rows as the pages, masked phones, pagination, and who is refused (another
county, another employer's HR, another pairing's coordinator, anonymous)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from laborbridge.models import AuditEvent
from placement import services
from placement.export_models import PovertyExport
from placement.models import WageSource
from tests.factories import TONGWEI
from tests.imports.helpers import celery_eager_fixture
from tests.placement.conftest import place

pytestmark = pytest.mark.django_db
celery_eager = pytest.fixture(autouse=True)(celery_eager_fixture)
API = "/api/v1/placement"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def refused_anonymous(api, method, url):
    api.force_authenticate(None)
    assert getattr(api, method)(url).status_code in (401, 403)


# --- wage-gap flags --------------------------------------------------------------------------


@pytest.fixture
def flags(official_a, employment):
    for month, amount, source in (
        (dt.date(2026, 7, 1), 4000, WageSource.FOLLOW_UP),
        (dt.date(2026, 8, 1), 4000, WageSource.FOLLOW_UP),
        (dt.date(2026, 8, 1), 4900, WageSource.ROSTER),  # resolves August
    ):
        services.record_actual_wage(
            employment=employment, month=month, amount=amount, source=source, by=official_a
        )
    return employment


def test_wage_flags_list_with_resolution(api, coordinator, flags):
    body = as_user(api, coordinator).get(f"{API}/wage-flags/").json()
    assert body["count"] == 2
    august, july = body["results"]
    assert (august["month"], august["resolved"], august["resolved_source"]) == (
        "2026-08-01",
        True,
        "roster",
    )
    assert august["resolved_actual"] == 4900 and august["resolved_at"]
    assert (july["resolved"], july["gap_percent"], july["worker"]) == (False, 20, flags.worker_id)
    only_open = api.get(f"{API}/wage-flags/", {"state": "open"}).json()
    assert [f["month"] for f in only_open["results"]] == ["2026-07-01"]


def test_wage_flags_refusals(api, flags, coordinator_other, official_a, hr_x, liaison):
    assert as_user(api, coordinator_other).get(f"{API}/wage-flags/").json()["count"] == 0
    for user in (official_a, hr_x, liaison):
        assert as_user(api, user).get(f"{API}/wage-flags/").status_code == 403
    refused_anonymous(api, "get", f"{API}/wage-flags/")


# --- the roster ------------------------------------------------------------------------------


def test_roster_is_paginated_with_masked_phones(
    api, coordinator, employer_x, monkeypatch, django_assert_max_num_queries
):
    people = [place(employer_x) for _ in range(3)]
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    as_user(api, coordinator).get(f"{API}/roster/")  # warm the reference caches
    with django_assert_max_num_queries(8):
        body = api.get(f"{API}/roster/").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    row = body["results"][0]
    person = next(p for p in people if p.pk == row["employment"])
    assert row["phone_masked"] == person.worker.phone_masked
    assert person.worker.reveal_phone() not in str(body)
    assert {"months_continuous", "months_total", "age", "employer_name"} <= set(row)


def test_roster_scope_and_refusals(
    api, employer_x, employer_y, hr_x, hr_y, coordinator_other, official_a
):
    at_x = place(employer_x)
    listed = as_user(api, hr_x).get(f"{API}/roster/").json()["results"]
    assert [r["employment"] for r in listed] == [at_x.pk]
    for user in (hr_y, coordinator_other):  # another employer, another pairing
        assert as_user(api, user).get(f"{API}/roster/").json()["count"] == 0
    assert as_user(api, official_a).get(f"{API}/roster/").status_code == 403
    refused_anonymous(api, "get", f"{API}/roster/")


# --- the census ------------------------------------------------------------------------------


def test_census_lists_the_officials_county_only(
    api, employer_x, official_a, official_b, hr_x, coordinator, liaison
):
    anding = place(employer_x)
    tongwei = place(employer_x, county=TONGWEI)
    rows = as_user(api, official_a).get(f"{API}/census/").json()["results"]
    assert [r["employment"] for r in rows] == [anding.pk]
    assert rows[0]["status"] == "employed" and rows[0]["months_total"] >= 0
    rows = as_user(api, official_b).get(f"{API}/census/").json()["results"]
    assert [r["employment"] for r in rows] == [tongwei.pk]
    for user in (hr_x, coordinator, liaison):
        assert as_user(api, user).get(f"{API}/census/").status_code == 403
    refused_anonymous(api, "get", f"{API}/census/")


# --- the poverty-monitoring export -------------------------------------------------------------


def test_export_create_status_download(
    api, official_a, employer_x, django_capture_on_commit_callbacks
):
    employment = place(employer_x)
    with django_capture_on_commit_callbacks(execute=True):
        created = as_user(api, official_a).post(f"{API}/poverty-exports/", {}, format="json")
    assert created.status_code == 201, created.content
    export_id = created.json()["id"]
    status = api.get(f"{API}/poverty-exports/{export_id}/").json()
    assert (status["status"], status["progress_percent"], status["county"]) == (
        PovertyExport.Status.DONE,
        100,
        official_a.county_id,
    )
    assert api.get(f"{API}/poverty-exports/").json()["count"] == 1
    download = api.get(f"{API}/poverty-exports/{export_id}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(download.content)).worksheets[0]
    names = [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert employment.worker.name in names
    assert AuditEvent.objects.filter(
        action="poverty_export.download", target_id=str(export_id)
    ).exists()


def test_export_refusals(
    api, official_a, official_b, hr_x, coordinator, liaison, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        export_id = (
            as_user(api, official_a).post(f"{API}/poverty-exports/", {}, format="json").json()["id"]
        )
    other = as_user(api, official_b)  # another county
    assert other.get(f"{API}/poverty-exports/{export_id}/").status_code == 404
    assert other.get(f"{API}/poverty-exports/{export_id}/download/").status_code == 404
    assert other.get(f"{API}/poverty-exports/").json()["count"] == 0
    wrong = other.post(f"{API}/poverty-exports/", {"county": official_a.county_id}, format="json")
    assert wrong.status_code == 400 and "county" in wrong.json()["fields"]
    for user in (hr_x, coordinator, liaison):
        as_user(api, user)
        assert api.get(f"{API}/poverty-exports/").status_code == 403
        assert api.post(f"{API}/poverty-exports/", {}, format="json").status_code == 403
        assert api.get(f"{API}/poverty-exports/{export_id}/download/").status_code == 403
    refused_anonymous(api, "get", f"{API}/poverty-exports/{export_id}/download/")
    refused_anonymous(api, "post", f"{API}/poverty-exports/")


def test_export_download_before_done_is_a_conflict(api, official_a):
    export = PovertyExport.objects.create(
        county_id=official_a.county_id, year=2026, as_of=dt.date(2026, 12, 5), created_by=official_a
    )
    response = as_user(api, official_a).get(f"{API}/poverty-exports/{export.pk}/download/")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
