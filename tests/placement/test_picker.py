"""The workplace of an off-platform job is picked province → city → county, not typed."""

import pytest
from django.urls import reverse

from placement.models import EmploymentEvent
from tests.factories import JIAOZHOU, QINGDAO

pytestmark = pytest.mark.django_db

OPTIONS = "/placement/regions/options/"
SHANDONG = "370000"


def _change(**picked):
    return {
        "kind": "job_change",
        "occurred_on": "2026-08-01",
        "employer_name": "胶州某服装厂",
        "monthly_wage": "5800",
        **picked,
    }


def test_each_step_lists_the_next_level(client, official_a):
    client.force_login(official_a)
    cities = client.get(OPTIONS, {"step": "city", "workplace_province": SHANDONG})
    assert f'value="{QINGDAO}"' in cities.content.decode()
    assert 'hx-swap-oob="innerHTML"' in cities.content.decode()  # the county list empties
    counties = client.get(OPTIONS, {"step": "county", "workplace_city": QINGDAO}).content.decode()
    assert f'value="{JIAOZHOU}"' in counties and "胶州市" in counties
    assert f'value="{QINGDAO}"' not in counties
    # A county is no city: nothing under it is offered.
    nothing = client.get(OPTIONS, {"step": "county", "workplace_city": JIAOZHOU}).content.decode()
    assert 'value="3' not in nothing


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get(OPTIONS, {"step": "city", "workplace_province": SHANDONG}).status_code == 302


def test_the_form_renders_the_steps_and_keeps_the_choice(client, official_a, employment):
    client.force_login(official_a)
    url = reverse("placement:event_record", args=[employment.pk])
    page = client.get(url).content.decode()
    assert 'name="workplace_province"' in page and f'value="{SHANDONG}"' in page
    assert "hx-get" in page and "<script>" not in page
    # Without htmx: the province and city come back with the next list filled in.
    again = client.post(url, _change(workplace_province=SHANDONG, workplace_city=QINGDAO))
    assert again.status_code == 200
    body = again.content.decode()
    assert f'value="{JIAOZHOU}"' in body and "请把务工地点选到县（区）" in body
    assert not EmploymentEvent.objects.exists()


def test_a_picked_county_is_recorded(client, official_a, employment):
    client.force_login(official_a)
    url = reverse("placement:event_record", args=[employment.pk])
    picked = {"workplace_province": SHANDONG, "workplace_city": QINGDAO, "workplace": JIAOZHOU}
    assert client.post(url, _change(**picked)).status_code == 302
    event = EmploymentEvent.objects.get()
    assert (event.workplace_id, event.employer_name) == (JIAOZHOU, "胶州某服装厂")
    employment.refresh_from_db()
    assert employment.current_workplace_id == JIAOZHOU


def test_a_city_is_not_a_workplace(client, official_a, employment):
    client.force_login(official_a)
    url = reverse("placement:event_record", args=[employment.pk])
    response = client.post(
        url, _change(workplace_province=SHANDONG, workplace_city=QINGDAO, workplace=QINGDAO)
    )
    assert response.status_code == 200 and not EmploymentEvent.objects.exists()
