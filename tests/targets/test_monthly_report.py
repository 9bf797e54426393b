"""The monthly labour-transfer report: computed, frozen, corrected, never changed."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from targets.aggregates import aggregates_refresh
from targets.models import AggregateState, MonthlyReport
from tests.factories import ANDING, TONGWEI
from tests.targets.conftest import placed

pytestmark = pytest.mark.django_db


def test_freeze_then_correct(client, coordinator, pairing_qd_dx, placements, agreement, employer_x):
    client.force_login(coordinator)
    url = reverse("targets:pairing_monthly", kwargs={"key": pairing_qd_dx.pk})
    client.post(url, {"year": 2026, "month": 3})
    first = MonthlyReport.objects.get()
    assert first.revision == 1 and first.pairing == pairing_qd_dx
    cross = first.payload["rows"][0]
    assert (cross["month_placed"], cross["month_poverty"], cross["year_placed"]) == (2, 1, 2)
    assert cross["target"] == 120 and cross["rate"] == round(100 * 2 / 120, 1)

    client.post(url, {"year": 2026, "month": 3})  # same figures: nothing new
    assert MonthlyReport.objects.count() == 1

    placed(employer_x, started_on=dt.date(2026, 3, 25))  # a late-recorded March arrival
    aggregates_refresh()  # what the debounced task does after the commit
    page = client.get(url, {"year": 2026, "month": 3})
    assert page.context["changed"] is True
    client.post(url, {"year": 2026, "month": 3})
    second = MonthlyReport.objects.get(revision=2)
    assert second.corrects == first
    assert second.payload["rows"][0]["month_placed"] == 3
    first.refresh_from_db()
    assert first.payload["rows"][0]["month_placed"] == 2  # what was reported stays

    response = client.get(url, {"year": 2026, "month": 3, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:2] == ("跨省", 3) and rows[-1][0] == "合计"


def test_county_report_and_refusals(client, official_a, official_b, hr_x, placements):
    url = reverse("targets:county_monthly", kwargs={"key": ANDING})
    assert client.get(url).status_code == 302  # anonymous: sign in
    client.force_login(official_a)
    client.post(url, {"year": 2026, "month": 8})
    report = MonthlyReport.objects.get()
    assert report.county_id == ANDING
    assert report.payload["rows"][1]["month_placed"] == 1  # the August 省内县外 arrival
    client.force_login(official_b)
    assert client.get(url).status_code == 404
    assert client.post(url, {"year": 2026, "month": 8}).status_code == 404
    assert client.get(reverse("targets:county_monthly", kwargs={"key": TONGWEI})).status_code == 200
    client.force_login(hr_x)
    assert client.get(url).status_code == 403
    assert MonthlyReport.objects.count() == 1


def test_annual_indicators_frozen_printed_and_exported(
    client, coordinator, pairing_qd_dx, placements, agreement, employer_x
):
    client.force_login(coordinator)
    url = reverse("targets:pairing_annual", kwargs={"key": pairing_qd_dx.pk})
    page = client.get(url, {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert "annual-report" in html and "年东西部协作劳务协作指标" in html
    client.post(url, {"year": 2026})
    first = MonthlyReport.objects.get()
    assert (first.month, first.revision) == (MonthlyReport.ANNUAL, 1)
    rows = {row["bucket"]: row for row in first.payload["rows"]}
    # Two 2026 arrivals in Qingdao (one 脱贫), one 省内县外 (监测), one 县内; 2025's not counted.
    assert (rows["cross_province"]["placed"], rows["cross_province"]["poverty"]) == (2, 1)
    assert rows["cross_province"]["target"] == 120
    assert rows["cross_province"]["rate"] == round(100 * 2 / 120, 1)
    assert rows["in_province"]["monitored"] == 1 and rows["in_county"]["placed"] == 1
    assert first.payload["total"]["placed"] == 4
    assert first.payload["total"]["retained_3"] == rows["cross_province"]["retained_3"]

    client.post(url, {"year": 2026})  # same figures: nothing new
    assert MonthlyReport.objects.count() == 1
    placed(employer_x, started_on=dt.date(2026, 5, 2))
    aggregates_refresh()
    client.post(url, {"year": 2026})
    second = MonthlyReport.objects.get(revision=2)
    assert second.corrects == first and second.payload["total"]["placed"] == 5
    first.refresh_from_db()
    assert first.payload["total"]["placed"] == 4  # what was reported stays

    response = client.get(url, {"year": 2026, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("跨省", 120, 3) and rows[-1][0] == "合计" and rows[-1][2] == 5


def test_annual_indicators_refuse_other_scopes(
    client, official_a, official_b, hr_x, coordinator_longnan, pairing_qd_dx, placements
):
    county_url = reverse("targets:county_annual", kwargs={"key": ANDING})
    pairing_url = reverse("targets:pairing_annual", kwargs={"key": pairing_qd_dx.pk})
    assert client.get(county_url).status_code == 302  # anonymous: sign in
    assert client.get(pairing_url).status_code == 302
    client.force_login(official_a)
    assert client.get(county_url).status_code == 200
    assert client.get(pairing_url).status_code == 404
    client.force_login(official_b)
    assert client.get(county_url).status_code == 404
    assert client.post(county_url, {"year": 2026}).status_code == 404
    client.force_login(coordinator_longnan)
    assert client.get(pairing_url).status_code == 404
    assert client.get(pairing_url, {"format": "xlsx"}).status_code == 404
    client.force_login(hr_x)
    assert client.get(county_url).status_code == 403
    assert MonthlyReport.objects.count() == 0


def test_freeze_rebuilds_dirty_placements_first(
    client, coordinator, pairing_qd_dx, placements, agreement, employer_x
):
    client.force_login(coordinator)
    url = reverse("targets:pairing_monthly", kwargs={"key": pairing_qd_dx.pk})
    client.get(url, {"year": 2026, "month": 3})  # builds the aggregates
    placed(employer_x, started_on=dt.date(2026, 3, 25))
    AggregateState.objects.update(dirty_since=timezone.now())  # as the commit's signal does
    client.post(url, {"year": 2026, "month": 3})
    report = MonthlyReport.objects.get()
    assert report.payload["rows"][0]["month_placed"] == 3  # not the stale 2
