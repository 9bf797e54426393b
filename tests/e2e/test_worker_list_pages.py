"""The registry's keyset pages in a browser (issue 17, item 3): an official with three pages
of workers goes next, next, back and to the first page; the bar fits a phone's width."""

import pytest

from laborbridge.models import Role
from tests.e2e.conftest import login
from tests.factories import ANDING, PASSWORD, WorkerFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_official_pages_through_the_registry(page):
    make_user("official_pages", Role.COUNTY_OFFICIAL, county_id=ANDING)
    WorkerFactory.create_batch(120, home_county_id=ANDING, home_township_id="621102101")
    login(page, "official_pages", PASSWORD)
    page.goto(f"{page.base_url}/workers/")
    bar = page.locator("nav.pagination")
    assert "第 1 / 3 页，共 120 条" in bar.inner_text()
    first_names = page.locator("#worker-table tbody tr").first.inner_text()

    for expected in ("第 2 / 3 页", "第 3 / 3 页"):
        bar.get_by_role("link", name="下一页").click()
        page.wait_for_load_state("domcontentloaded")
        assert expected in bar.inner_text()
    assert page.locator("#worker-table tbody tr").count() == 20
    assert bar.get_by_role("link", name="下一页").count() == 0
    page.shot("last-page")

    bar.get_by_role("link", name="第一页").click()
    page.wait_for_load_state("domcontentloaded")
    assert "第 1 / 3 页" in bar.inner_text()
    assert page.locator("#worker-table tbody tr").first.inner_text() == first_names

    bar.get_by_role("link", name="下一页").click()
    page.wait_for_load_state("domcontentloaded")
    bar.get_by_role("link", name="上一页").click()
    page.wait_for_load_state("domcontentloaded")
    assert "第 1 / 3 页" in bar.inner_text()
    assert page.locator("#worker-table tbody tr").count() == 50
    assert page.locator("#worker-table tbody tr").first.inner_text() == first_names
    page.shot("first-page")
