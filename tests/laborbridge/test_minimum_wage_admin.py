"""Minimum wages (first-contact issue #11): the admin page for the reference table the vacancy
checks hold wages to — administrators only — and the refusal naming the figure and its source.
"""

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.utils import timezone

from jobs import services
from jobs.services import VacancyData
from laborbridge.models import MinimumWage, Region, Role
from tests.factories import ANDING, make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/laborbridge/minimumwage/"
HUANGDAO = "370211"


def staff_with_permissions(role: str, request) -> object:
    """A staff account of another role that was even given the model's permissions."""
    scope = {
        Role.COORDINATOR: lambda: {"pairing": request.getfixturevalue("pairing_qd_dx")},
        Role.COUNTY_OFFICIAL: lambda: {"county_id": ANDING},
        Role.EMPLOYER_HR: lambda: {"employer": request.getfixturevalue("employer_x")},
        "": dict,
    }[role]()
    user = make_user("staff_clerk", role, is_staff=True, **scope)
    user.user_permissions.set(Permission.objects.filter(codename__endswith="_minimumwage"))
    return user


def test_admin_lists_minimum_wages_with_province_city_figures_and_source(client, admin_user):
    client.force_login(admin_user)
    page = client.get(LIST).content.decode()
    for text in ["山东省", "青岛市黄岛区", "2200", "22.00", "2025", "鲁政字", "甘肃省"]:
        assert text in page, text
    for column in ["column-province", "column-city", "column-monthly", "column-hourly"]:
        assert column in page, column
    assert "column-effective_from" in page and "column-source" in page


def test_admin_searches_and_filters_by_province(client, admin_user):
    client.force_login(admin_user)
    gansu = client.get(LIST, {"province": "620000"})
    assert gansu.status_code == 200
    rows = list(gansu.context["cl"].result_list)
    assert rows and all(row.region_id.startswith("62") for row in rows)
    assert "山东省" in gansu.content.decode()  # offered in the filter, not listed
    found = list(client.get(LIST, {"q": "黄岛"}).context["cl"].result_list)
    assert [row.region_id for row in found] == [HUANGDAO]


def test_admin_changes_a_standard_and_the_change_is_in_the_history(client, admin_user):
    client.force_login(admin_user)
    row = MinimumWage.objects.get(region_id=HUANGDAO)
    response = client.post(
        f"{LIST}{row.pk}/change/",
        {
            "region": HUANGDAO,
            "tier": row.tier,
            "monthly": 2300,
            "hourly": "23.00",
            "effective_from": row.effective_from.isoformat(),
            "source": row.source,
            "verified": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert (row.monthly, row.verified) == (2300, True)
    entry = LogEntry.objects.get(object_id=str(row.pk))
    assert entry.user == admin_user and entry.is_change()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.COUNTY_OFFICIAL, Role.EMPLOYER_HR, ""])
def test_staff_who_are_not_administrators_are_refused(client, request, role):
    client.force_login(staff_with_permissions(role, request))
    row = MinimumWage.objects.get(region_id=HUANGDAO)
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{row.pk}/change/").status_code == 403
    assert client.get(f"{LIST}add/").status_code == 403
    refused = client.post(
        f"{LIST}{row.pk}/change/",
        {
            "region": HUANGDAO,
            "tier": row.tier,
            "monthly": 1,
            "hourly": "0.01",
            "effective_from": row.effective_from.isoformat(),
            "source": "x",
        },
    )
    assert refused.status_code == 403
    assert client.post(f"{LIST}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.monthly == 2200
    assert "minimumwage" not in client.get("/admin/").content.decode()


def test_refusal_names_the_figure_and_its_source(hr_x, employer_x):
    from laborbridge.models import Occupation

    standard = MinimumWage.objects.get(region_id=HUANGDAO)
    with pytest.raises(ValidationError) as caught:
        services.vacancy_create(
            actor=hr_x,
            employer=employer_x,
            data=VacancyData(
                occupation=Occupation.objects.order_by("code").first(),
                title="电子装配工",
                headcount=5,
                wage_min=2100,
                wage_max=2500,
                district=Region.objects.get(pk=HUANGDAO),
                start_date=timezone.localdate() + dt.timedelta(days=30),
            ),
        )
    message = caught.value.message_dict["wage_min"][0]
    assert "2200 元/月" in message
    assert f"依据：{standard.source}" in message
