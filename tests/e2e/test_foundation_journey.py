"""Issue: the demo's printed logins each reach their own role's home page, in Chinese."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from laborbridge.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, logout, nav, open_menu

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(reference_data):
    call_command("demo", workers=80, employers=12, vacancies=30, stdout=io.StringIO())


# One demo load per viewport for all four logins: the demo (and the flush after a
# transactional test) cost far more than the four logins themselves.
HOMES = [
    ("official_anding", "劳动力工作台"),
    ("hr_qingdao", "招聘工作台"),
    ("coordinator", "协作工作台"),
    ("admin", "平台总览"),
]


def test_each_demo_login_shows_its_home_page_in_chinese(page, demo):
    for username, heading in HOMES:
        login(page, username, DEMO_PASSWORD)
        assert heading in page.locator("h1").inner_text(), username
        assert page.locator("html").get_attribute("lang") == "zh-hans", username
        page.shot(f"{username}-home")
        if page.viewport_name == "phone":
            # the signed-in menu is folded behind one button and opens with one tap
            expect(page.locator("nav.mainnav")).to_be_hidden()
            open_menu(page)
            expect(page.locator("nav.mainnav")).to_be_visible()
            page.shot(f"{username}-menu")
        logout(page)


def test_official_switches_to_english_and_browses_the_roster(page, demo):
    login(page, "official_anding", DEMO_PASSWORD)
    nav(page, "劳动力名册")
    rows = page.locator("table.table tbody tr")
    assert rows.count() > 0
    assert "********" in rows.first.inner_text()  # ID numbers masked
    page.shot("roster")
    open_menu(page)
    with page.expect_navigation():  # app.js submits the form when the language changes
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
