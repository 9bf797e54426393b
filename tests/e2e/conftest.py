"""Real-browser tests: Debian's Chromium driven by Playwright against a live test server.

Playwright's own browser download cannot work on these machines, so the tests launch
``/usr/bin/chromium``. Outside CI a missing Chromium skips them with the reason; in CI it is
an error.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LABORBRIDGE_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the live server and the ORM calls
# the tests make for setup are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run should have installed it.")
        pytest.skip(f"needs Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Every journey runs on a county office PC and on the phone of an official or an escort.
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True},
}
# Screenshots of each journey's pages, to look at (gitignored).
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


@pytest.fixture
def page(browser, live_server, reference_data, viewport, request):
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    page.viewport_name = viewport
    page.shots = []
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    page.shot = lambda label, fits=True: shot(page, f"{name}-{label}", fits=fits)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    context.close()


def shot(page, name: str, *, fits: bool = True) -> Path:
    """Save a full-page screenshot and check the page fits its width (no sideways scroll)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("() => window.scrollTo(0, 0)")  # sticky parts where a person sees them first
    page.screenshot(path=str(path), full_page=True)
    page.shots.append(path)
    if not fits:
        return path
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} is {overflow}px wider than the screen ({path.name})"
    return path


def open_menu(page) -> None:
    """Unfold the signed-in menu when it is folded behind its button (on a phone)."""
    toggle = page.locator("[data-nav-toggle]")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def nav(page, label: str) -> None:
    """Follow a menu entry, as a person would on this screen."""
    open_menu(page)
    menu = page.locator("nav.mainnav")
    exact = menu.get_by_role("link", name=label, exact=True)
    (exact if exact.count() else menu.get_by_role("link", name=label)).first.click()
    page.wait_for_load_state("domcontentloaded")


def logout(page) -> None:
    open_menu(page)
    page.locator("button", has_text="退出").click()
    page.wait_for_url("**/accounts/login/")


def login(page, username: str, password: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
