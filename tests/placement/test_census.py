"""The county's monthly census (月度在岗摸底表): every placed worker of the county with their
state and months worked — continuous and total — counted from the employment history the
same way as the roster and the poverty-monitoring export; the .xlsx; who is refused."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from laborbridge.models import Region
from placement import poverty_export, rosters, services
from placement.models import EventKind, LeavingReason
from tests.factories import TONGWEI
from tests.imports.helpers import celery_eager_fixture
from tests.placement.conftest import place
from workers.models import Employment, EmploymentStatus

celery_eager = pytest.fixture(autouse=True)(celery_eager_fixture)


def this_year_span(today: dt.date) -> tuple[dt.date, int]:
    """Return an arrival day within this year (so the export's year and the census agree)
    and the days from it to today."""
    arrival = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=250))
    return arrival, (today - arrival).days


@pytest.fixture
def travelled(employer_x, official_a):
    """An Anding worker who changed job, left, went home and went out again — all recorded
    through the services, so the employment's derived fields are what they keep."""
    today = timezone.localdate()
    arrival, days = this_year_span(today)
    employment = place(employer_x, started_on=arrival)
    steps = [
        (0.2, EventKind.JOB_CHANGE, {"employer_name": "平台外工厂", "workplace": "370281"}),
        (0.4, EventKind.LEFT, {"reason": LeavingReason.WAGE}),
        (0.5, EventKind.RETURNED_HOME, {"reason": LeavingReason.FAMILY}),
        (0.7, EventKind.WENT_OUT, {}),
    ]
    for share, kind, values in steps:
        if "workplace" in values:
            values = {**values, "workplace": Region.objects.get(pk=values["workplace"])}
        services.record_event(
            actor=official_a,
            employment=employment,
            kind=kind,
            occurred_on=arrival + dt.timedelta(days=int(days * share)),
            monthly_wage=4800,
            **values,
        )
    employment.refresh_from_db()
    return employment


def test_months_from_derived_fields_equal_the_replayed_history(travelled):
    today = timezone.localdate()
    months = rosters.months_worked_on(travelled, today)
    state = services.history_of(travelled, travelled.events.select_related("employer"))
    assert (months.continuous, months.total) == (state.months_continuous, state.months_total)
    assert rosters.months_worked(travelled, today) == months.total


def test_census_and_poverty_export_agree_on_months(
    travelled, official_a, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        export = poverty_export.poverty_export_create(
            actor=official_a, county=Region.objects.get(pk=travelled.worker.home_county_id)
        )
    export.refresh_from_db()
    content, _name = poverty_export.poverty_export_download(actor=official_a, export=export)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    (exported,) = [r for r in rows if r["姓名"] == travelled.worker.name]
    census = rosters.census_xlsx(rosters.census_rows(rosters.census_scope(official_a)), today=today)
    sheet = load_workbook(io.BytesIO(census)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    lines = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    (line,) = [r for r in lines if r["姓名"] == travelled.worker.name]
    assert line["累计务工月数"] == (exported["务工时间（月）"] or 0)
    assert line["连续务工月数"] == rosters.months_worked_on(travelled, today).continuous


@pytest.fixture
def county(employer_x):
    """Anding: one at work (10 months, 4 of them before a break), one gone home; Tongwei: one."""
    working = place(employer_x, started_on=dt.date(2026, 1, 10))
    Employment.objects.filter(pk=working.pk).update(
        working_since=dt.date(2026, 6, 5), months_in_closed_spells=4
    )
    home = place(employer_x, started_on=dt.date(2026, 2, 1))
    Employment.objects.filter(pk=home.pk).update(
        status=EmploymentStatus.HOME,
        ended_on=dt.date(2026, 5, 1),
        current_employer=None,
        current_employer_name="",
        current_workplace=None,
        working_since=None,
        months_in_closed_spells=3,
    )
    tongwei = place(employer_x, county=TONGWEI)
    return {"working": working, "home": home, "tongwei": tongwei}


def test_census_lists_the_officials_county_with_both_counts(client, county, official_a):
    client.force_login(official_a)
    page = client.get(reverse("placement:census"))
    assert page.status_code == 200
    html = page.content.decode()
    assert county["working"].worker.name in html and county["home"].worker.name in html
    assert county["tongwei"].worker.name not in html
    rows = {row.employment.pk: row for row in page.context["rows"]}
    today = timezone.localdate()
    expected = rosters.months_worked_on(Employment.objects.get(pk=county["working"].pk), today)
    assert rows[county["working"].pk].months == expected
    assert rows[county["home"].pk].months == rosters.MonthsWorked(continuous=0, total=3)
    only_home = client.get(reverse("placement:census"), {"status": EmploymentStatus.HOME})
    assert [r.employment.pk for r in only_home.context["rows"]] == [county["home"].pk]


def test_census_xlsx_columns(client, county, official_a):
    client.force_login(official_a)
    response = client.get(reverse("placement:census_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert "连续务工月数" in headers and "累计务工月数" in headers
    lines = {r[1]: dict(zip(headers, r, strict=True)) for r in rows[1:]}
    assert set(lines) == {county["working"].worker.name, county["home"].worker.name}
    home = lines[county["home"].worker.name]
    assert (home["连续务工月数"], home["累计务工月数"], home["当前状态"]) == (0, 3, "已返乡")
    worker = county["working"].worker
    assert lines[worker.name]["手机号"] == worker.phone_masked
    assert lines[worker.name]["身份证号"] == worker.id_number_masked


def test_census_refuses_other_roles_and_anonymous(
    client, county, official_b, hr_x, coordinator, liaison
):
    for name in ("placement:census", "placement:census_export"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response["Location"]
    for user in (hr_x, coordinator, liaison):
        client.force_login(user)
        assert client.get(reverse("placement:census")).status_code == 403
        assert client.get(reverse("placement:census_export")).status_code == 403
    client.force_login(official_b)  # Tongwei: its own only
    html = client.get(reverse("placement:census")).content.decode()
    assert county["tongwei"].worker.name in html
    assert county["working"].worker.name not in html


def test_census_query_count_does_not_grow_with_rows(client, employer_x, official_a):
    client.force_login(official_a)
    url = reverse("placement:census")
    place(employer_x)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(6):
        place(employer_x)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
