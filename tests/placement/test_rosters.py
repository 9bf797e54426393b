"""The receiving city's roster of the people at work (在岗人员花名册): scope, filters, months,
the .xlsx, the audited phone reveal and the page's query count."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laborbridge.models import AuditEvent, Region, Role
from placement import rosters
from tests.factories import CHENGYANG, JIAOZHOU, make_user
from tests.placement.conftest import place
from workers.models import Employment, EmploymentStatus

TODAY = dt.date(2026, 12, 5)


def at_work(employment, *, employer=None, place_code=None, since=None, closed=0):
    """Set the derived fields the history services keep (the roster reads only those)."""
    employer = employer or employment.employer
    Employment.objects.filter(pk=employment.pk).update(
        status=EmploymentStatus.EMPLOYED,
        current_employer=employer,
        current_employer_name=employer.name,
        current_workplace_id=place_code or employment.vacancy.district_id,
        current_monthly_wage=employment.vacancy.wage_min,
        working_since=since or employment.started_on,
        months_in_closed_spells=closed,
    )
    employment.refresh_from_db()
    return employment


def longnan_county() -> str:
    return Region.objects.filter(code__startswith="6212", level="county").order_by("code")[0].pk


@pytest.fixture
def roster(employer_x, employer_y):
    """Anding people at X (Chengyang) and Y (Jiaozhou), a Longnan person at X, one who left."""
    anding_x = at_work(place(employer_x, started_on=dt.date(2026, 3, 15)))
    anding_y = at_work(place(employer_y))
    longnan_x = at_work(place(employer_x, county=longnan_county()))
    gone = place(employer_x)
    Employment.objects.filter(pk=gone.pk).update(status=EmploymentStatus.LEFT)
    return {"anding_x": anding_x, "anding_y": anding_y, "longnan_x": longnan_x, "gone": gone}


def ids(user, **filters):
    return set(
        rosters.roster_rows(rosters.roster_scope(user), **filters).values_list("pk", flat=True)
    )


def test_coordinator_sees_their_pairings_people_at_work(roster, coordinator, coordinator_other):
    assert ids(coordinator) == {roster["anding_x"].pk, roster["anding_y"].pk}
    assert ids(coordinator_other) == {roster["longnan_x"].pk}


def test_hr_sees_their_current_employees_only(roster, hr_x, hr_y, employer_y):
    assert ids(hr_x) == {roster["anding_x"].pk, roster["longnan_x"].pk}
    # X's worker changed job to Y: X's HR no longer lists them, Y's does.
    at_work(roster["anding_x"], employer=employer_y, place_code=JIAOZHOU)
    assert ids(hr_x) == {roster["longnan_x"].pk}
    assert roster["anding_x"].pk in ids(hr_y)


def test_liaison_sees_their_districts_and_pairing(roster, pairing_qd_dx, liaison, liaison_longnan):
    assert ids(liaison) == {roster["anding_x"].pk, roster["anding_y"].pk}
    assert ids(liaison_longnan) == {roster["longnan_x"].pk}
    chengyang = make_user("liaison_cy", Role.LIAISON, pairing=pairing_qd_dx)
    chengyang.districts.set([CHENGYANG])
    assert ids(chengyang) == {roster["anding_x"].pk}


def test_filters_by_district_and_employer(roster, coordinator, employer_y):
    assert ids(coordinator, district=JIAOZHOU) == {roster["anding_y"].pk}
    assert ids(coordinator, employer=employer_y.pk) == {roster["anding_y"].pk}
    assert {r.pk for r in rosters.roster_districts(rosters.roster_scope(coordinator))} == {
        CHENGYANG,
        JIAOZHOU,
    }


def test_months_worked_are_whole_months_of_closed_and_running_spells(roster):
    employment = at_work(roster["anding_x"], since=dt.date(2026, 9, 6), closed=4)
    # 6 Sep -> 5 Dec is 2 whole months (the partial third is dropped), plus 4 before.
    assert rosters.months_worked(employment, TODAY) == 6
    assert rosters.months_worked(employment, dt.date(2026, 12, 6)) == 7


def test_roster_xlsx_has_the_columns_and_masked_phones(roster, coordinator):
    content = rosters.roster_xlsx(
        rosters.roster_rows(rosters.roster_scope(coordinator)), today=TODAY
    )
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "姓名", "性别", "年龄")
    assert len(rows) == 3
    worker = roster["anding_x"].worker
    line = next(r for r in rows[1:] if r[1] == worker.name)
    assert line[11] == worker.phone_masked
    assert line[10] == 8  # 15 Mar -> 5 Dec
    assert rows[0][9:11] == ("连续务工月数", "累计务工月数")
    assert line[9] == 8  # one unbroken spell: continuous = total


def _client(client, user):
    client.force_login(user)
    return client


def test_roster_page_and_export(client, roster, coordinator):
    _client(client, coordinator)
    page = client.get(reverse("placement:roster"), {"district": JIAOZHOU})
    assert page.status_code == 200
    assert roster["anding_y"].worker.name in page.content.decode()
    assert roster["anding_x"].worker.name not in page.content.decode()
    export = client.get(reverse("placement:roster_export"))
    assert export.status_code == 200
    assert export["Cache-Control"] == "no-store"


def test_roster_page_refuses_officials_and_anonymous(client, roster, official_a):
    response = client.get(reverse("placement:roster"))
    assert response.status_code == 302 and "login" in response["Location"]
    _client(client, official_a)
    assert client.get(reverse("placement:roster")).status_code == 403
    assert client.get(reverse("placement:roster_export")).status_code == 403


def test_other_pairing_and_other_employer_do_not_list_the_row(
    client, roster, coordinator_other, liaison_longnan, hr_y
):
    name = roster["anding_x"].worker.name
    for user in (coordinator_other, liaison_longnan, hr_y):
        _client(client, user)
        assert name not in client.get(reverse("placement:roster")).content.decode()
        client.logout()


def test_roster_page_query_count_does_not_grow_with_rows(client, employer_x, coordinator):
    _client(client, coordinator)
    url = reverse("placement:roster")
    for _ in range(2):
        at_work(place(employer_x))
    client.get(url)  # warm the session and the reference caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        at_work(place(employer_x))
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 14


def test_reveal_phone_needs_a_reason_and_is_audited(client, roster, coordinator):
    employment = roster["anding_x"]
    url = reverse("placement:roster_reveal_phone", args=[employment.pk])
    _client(client, coordinator)
    refused = client.post(url, {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "原因" in refused.content.decode()
    assert not AuditEvent.objects.filter(action=rosters.REVEAL_PHONE_ACTION).exists()
    shown = client.post(url, {"reason": "联系回访"}, HTTP_HX_REQUEST="true")
    assert employment.worker.reveal_phone() in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    event = AuditEvent.objects.get(action=rosters.REVEAL_PHONE_ACTION)
    assert event.actor == coordinator and event.reason == "联系回访"
    assert event.target_id == str(employment.worker_id)


def test_reveal_phone_refused_outside_the_roster(
    client, roster, coordinator, coordinator_other, liaison_longnan, hr_y, official_a
):
    url = reverse("placement:roster_reveal_phone", args=[roster["anding_x"].pk])
    assert client.post(url, {"reason": "联系回访"}).status_code == 302  # anonymous: sign in
    for user, status in (
        (coordinator_other, 404),
        (liaison_longnan, 404),
        (hr_y, 404),
        (official_a, 403),
    ):
        _client(client, user)
        assert client.post(url, {"reason": "联系回访"}).status_code == status
        client.logout()
    # A worker who left is off the roster: no reveal through it, even for their coordinator.
    _client(client, coordinator)
    gone = reverse("placement:roster_reveal_phone", args=[roster["gone"].pk])
    assert client.post(gone, {"reason": "联系回访"}).status_code == 404
    assert AuditEvent.objects.filter(action=rosters.REVEAL_PHONE_ACTION).count() == 0
