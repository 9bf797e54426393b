"""Every page, every role: the net under every feature.

The demo data set (``manage.py demo --with-travellers``) is loaded once for this module, then
each demo login walks the site the way a person would: from the home page through its menu,
into lists and their detail links, GET only. Every page must answer below 500 and render
without a template error. The walk is bounded: links are grouped by their shape (ids become
``<n>``) and only a few of each shape are opened, so a list of 2,000 workers costs three
worker pages, not 2,000.

A template that reads a missing variable renders ``string_if_invalid``; here it is set to a
marker, and a page that shows the marker fails with the variable's name.
"""

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from laborbridge.models import User

# The demo load plus every page for every role: 3–4 minutes under load, past the default timeout.
pytestmark = [pytest.mark.django_db, pytest.mark.slow, pytest.mark.timeout(900)]

INVALID = "@@MISSING-TEMPLATE-VARIABLE:%s@@"
INVALID_RE = re.compile(r"@@MISSING-TEMPLATE-VARIABLE:([^@]*)@@")
# How many pages of one shape (path with ids as <n>, plus the query's keys) are opened.
PER_SHAPE = 3
# Upper bound on pages per role; the demo's menus reach well under this.
MAX_PAGES = 900
# Links a crawler must not follow: they change state or end the session even though they are
# reached by GET (logout), or leave the site's own pages.
SKIP_PREFIXES = ("/accounts/logout/", "/i18n/", "/static/", "/media/", "/api/docs/")
# The admin's change-list filters multiply shapes without adding pages worth a visit.
ADMIN_QUERY_KEYS_IGNORED = {"o", "q", "p", "_changelist_filters", "all"}

DEMO_ROLES = [
    "admin",
    "coordinator",
    "official_anding",
    "official_tongwei",
    "hr_qingdao",
    "hr_jiaozhou",
    "liaison_qd",
    "township_anding",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.hrefs.append(value)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _local(href: str, base: str) -> str | None:
    href, _ = urldefrag(href)
    if not href or href.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    path = parts.path
    if not path.startswith("/"):
        path = urlsplit(base).path.rsplit("/", 1)[0] + "/" + path
    if path.startswith(SKIP_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    path = re.sub(r"/[0-9a-f-]{32,36}(?=/|$)", "/<uuid>", path)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    if path.startswith("/admin/"):
        keys = [key for key in keys if key not in ADMIN_QUERY_KEYS_IGNORED and "__" not in key]
    return path + ("?" + urlencode([(key, "") for key in keys]) if keys else "")


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """Load the demo with travellers, committed, for the whole module; flush it afterwards."""
    from tests.conftest import _ensure_reference

    with django_db_blocker.unblock():
        call_command("demo", "--with-travellers", verbosity=0, stdout=_Null())
        yield
        call_command("flush", "--no-input", verbosity=0)
        _ensure_reference()


# {username: {url: status}} of this module's walks, so a later test reads a walk already made
# (the coordinator's is ~40 s) instead of walking again on the same, unchanged demo data.
_WALKS: dict[str, dict[str, int]] = {}


class _Null:
    def write(self, *_args, **_kwargs):
        return 0

    def flush(self):
        return None


def _crawl(client, start: str = "/") -> tuple[dict[str, int], list[str]]:
    """Walk the site from ``start``; return {url: status} and the problems found."""
    seen_shapes: dict[str, int] = {}
    visited: dict[str, int] = {}
    problems: list[str] = []
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    while queue and len(visited) < MAX_PAGES:
        url, referrer = queue.popleft()
        if url in visited:
            continue
        shape = _shape(url)
        if seen_shapes.get(shape, 0) >= PER_SHAPE:
            continue
        seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
        try:
            # A savepoint per page: a database error on one page must not abort the next ones.
            with transaction.atomic():
                response = client.get(url)
        except Exception as error:  # noqa: BLE001 - every error is a finding, reported with its page
            problems.append(f"{url} (from {referrer}): {type(error).__name__}: {error}")
            visited[url] = 500
            continue
        visited[url] = response.status_code
        if response.status_code >= 500:
            problems.append(f"{url} (from {referrer}): HTTP {response.status_code}")
            continue
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "text/html" not in content_type:
            continue
        html = response.content.decode("utf-8", errors="replace")
        missing = sorted(set(INVALID_RE.findall(html)))
        if missing and not url.startswith("/admin/"):
            problems.append(f"{url} (from {referrer}): missing template variables {missing}")
        for href in _links(html):
            target = _local(href, url)
            if target and target not in visited:
                queue.append((target, url))
    return visited, problems


@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_page_reachable_by_a_role_answers_without_error(
    demo_site, client, settings, username
):
    settings.TEMPLATES = [
        {**engine, "OPTIONS": {**engine.get("OPTIONS", {}), "string_if_invalid": INVALID}}
        for engine in settings.TEMPLATES
    ]
    user = User.objects.get(username=username)
    client.force_login(user)
    visited, problems = _crawl(client)
    _WALKS[username] = visited
    assert not problems, "\n".join(problems)
    # The walk really went somewhere: the menu, lists and details, not just the home page.
    assert len(visited) >= 15, sorted(visited)
    assert all(status < 500 for status in visited.values())


def test_anonymous_visitor_reaches_only_public_pages_without_error(demo_site, client):
    visited, problems = _crawl(client)
    assert not problems, "\n".join(problems)
    # Anonymous users land on the login page; nothing private answers them with content.
    private = [
        url
        for url, status in visited.items()
        if status == 200 and url.startswith(("/workers/", "/jobs/", "/matching/", "/transport/"))
    ]
    assert not private, private


def test_the_crawl_opens_each_kind_of_detail_page(demo_site, client):
    """The coordinator's walk reaches worker, vacancy, round and trip pages (guards the net)."""
    visited = _WALKS.get("coordinator")
    if visited is None:  # run on its own (-k): walk here
        client.force_login(User.objects.get(username="coordinator"))
        visited, _ = _crawl(client)
    shapes = {_shape(url) for url in visited}
    for expected in ("/workers/<n>/", "/jobs/vacancies/<n>/", "/transport/trips/<n>/"):
        assert any(shape.startswith(expected) for shape in shapes), (expected, sorted(shapes))
    assert connection.vendor in {"postgresql", "sqlite"}
