"""Login, role home pages in Chinese, the English switch."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, WorkerFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_chinese_by_default(client):
    body = client.get(reverse("login")).content.decode()
    assert "登录" in body and 'lang="zh-hans"' in body


def test_wrong_password_gets_a_chinese_message(client, official_a):
    response = client.post(reverse("login"), {"username": "official_a", "password": "nope"})
    assert "用户名或密码不正确" in response.content.decode()


@pytest.mark.parametrize(
    "user_fixture,heading",
    [
        ("official_a", "劳动力工作台"),
        ("hr_x", "招聘工作台"),
        ("coordinator", "协作工作台"),
        ("admin_user", "平台总览"),
    ],
)
def test_each_role_lands_on_its_own_home_page(client, request, user_fixture, heading):
    user = request.getfixturevalue(user_fixture)
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert heading in body


def test_official_home_charts_their_county(client, official_a):
    WorkerFactory.create_batch(3, home_county_id="621102", poverty_status="poverty_alleviated")
    client.force_login(official_a)
    body = client.get(reverse("home")).content.decode()
    assert "脱贫劳动力" in body and 'class="bar"' in body


def test_english_is_available(client, official_a):
    client.force_login(official_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in body
    assert "Workers" in body or "Worker" in body


def test_logout_needs_post_and_returns_to_login(client, official_a):
    client.force_login(official_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_api_schema_renders(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/api/schema/").status_code == 200


def test_chinese_even_when_the_browser_asks_for_english(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body and "登录" in body


def test_readme_ride_caps_are_the_planners():
    """The README tells coordinators the bus ride caps: they must be the planner's defaults
    (first-contact issue #11: the feeder cap in the code and in the README disagreed)."""
    import re
    from pathlib import Path

    from transport.planner.domain import Params

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    said = {
        name: int(minutes)
        for name, minutes in re.findall(r"`(\w+_max_ride_minutes)` (\d+)", readme)
    }
    params = Params()
    assert said == {
        "feeder_max_ride_minutes": params.feeder_max_ride_minutes,
        "arrival_max_ride_minutes": params.arrival_max_ride_minutes,
    }
    hours = re.search(r"(\d+) hours on a feeder bus, (\d+) hours on an arrival bus", readme)
    assert hours is not None
    assert int(hours[1]) * 60 == params.feeder_max_ride_minutes
    assert int(hours[2]) * 60 == params.arrival_max_ride_minutes
