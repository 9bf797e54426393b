"""The registry list pages by keyset (issue 17, item 3): "next" and "previous" walk every
worker once in (county, name, id) order, a deep page costs the queries of the first (no
OFFSET, no N+1), and a cursor never widens what a user may see."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laborbridge.models import Pairing, Role
from laborbridge.pagination import cursor_encode
from tests.factories import ANDING, TONGWEI, WorkerFactory, make_user
from workers import views
from workers.counts import workers_changed
from workers.models import TravelGroup, Worker

pytestmark = pytest.mark.django_db

SIZE = 4
LIST = reverse("workers:list")
API = "/api/v1/workers/"
_ROW = re.compile(r'<a href="/workers/(\d+)/">')
_LINK = r'<a href="([^"]+)" rel="{}"'


@pytest.fixture(autouse=True)
def _small_pages(monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", SIZE)
    monkeypatch.setattr("laborbridge.pagination.KeysetPagination.page_size", SIZE)


@pytest.fixture
def registry(db):
    """Fourteen Anding workers in pairs travelling together (names repeat, so ties are
    ordered by id), two of Tongwei."""
    names = ["王芳", "李强", "王芳", "张伟", "陈静", "李强", "赵敏", "王芳", "刘洋", "孙丽"]
    names += ["周杰", "吴娜", "郑涛", "冯超"]
    groups = [
        TravelGroup.objects.create(home_county_id=ANDING, name=f"621102-{i}") for i in range(7)
    ]
    anding = [
        WorkerFactory(name=name, home_county_id=ANDING, travel_group=groups[i % 7])
        for i, name in enumerate(names)
    ]
    WorkerFactory.create_batch(2, home_county_id=TONGWEI)
    return anding


def _sorted(workers) -> list[int]:
    ordered = Worker.objects.filter(pk__in=[w.pk for w in workers]).order_by("name", "id")
    return list(ordered.values_list("pk", flat=True))


def _link(body: str, rel: str) -> str | None:
    found = re.search(_LINK.format(rel), body)
    return LIST + html.unescape(found.group(1)) if found else None


def _walk_html(client, start: str, rel: str) -> list[list[int]]:
    pages, url = [], start
    while url:
        body = client.get(url).content.decode()
        pages.append([int(pk) for pk in _ROW.findall(body)])
        url = _link(body, rel)
        if rel == "prev" and url is None:
            break
    return pages


def test_page_walks_every_worker_once_forward_and_back(client, official_a, registry):
    client.force_login(official_a)
    pages = _walk_html(client, LIST, "next")

    assert [pk for page in pages for pk in page] == _sorted(registry)
    assert [len(page) for page in pages] == [4, 4, 4, 2]
    last = client.get(LIST).content.decode()
    for _ in range(3):
        last = client.get(_link(last, "next")).content.decode()
    assert "第 4 / 4 页，共 14 条" in last
    assert "第一页" in last
    back = _walk_html(client, _link(last, "prev"), "prev")
    assert back == pages[-2::-1]
    first = client.get(LIST).content.decode()
    assert 'rel="prev"' not in first and "第 1 / 4 页" in first


def test_api_walks_every_worker_once_forward_and_back(client, official_a, registry):
    client.force_login(official_a)
    pages, url = [], API
    while url:
        body = client.get(url).json()
        assert body["count"] == 14
        pages.append([row["id"] for row in body["results"]])
        last_previous, url = body["previous"], body["next"]

    assert [pk for page in pages for pk in page] == _sorted(registry)
    back = []
    url = last_previous
    while url:
        body = client.get(url).json()
        back.append([row["id"] for row in body["results"]])
        url = body["previous"]
    assert back == pages[-2::-1]


def test_filters_and_cursor_go_together(client, official_a, registry):
    """The next link keeps the filters; changing a filter starts from the first page."""
    client.force_login(official_a)
    Worker.objects.filter(pk__in=[w.pk for w in registry[:9]]).update(status="employed")
    body = client.get(LIST, {"status": "employed"}).content.decode()
    following = _link(body, "next")
    assert "status=employed" in following and "cursor=" in following
    pages = _walk_html(client, f"{LIST}?status=employed", "next")
    assert [pk for page in pages for pk in page] == _sorted(registry[:9])


def _captured(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries]


def _deep(client, url: str, api: bool) -> str:
    """Return the link to page 3, reached by following "next" twice."""
    for _ in range(2):
        response = client.get(url)
        url = response.json()["next"] if api else _link(response.content.decode(), "next")
    return url


def _statement(sql: str) -> str:
    """Return the SQL of a query, or of the statement it executes (PostgreSQL prepares the
    list page's rows once a connection: laborbridge.prepared.fetch_prepared)."""
    if not sql.startswith("EXECUTE "):
        return sql
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE name = %s",
            [sql.split()[1].split("(")[0]],
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_deep_page_costs_the_queries_of_the_first(client, official_a, registry, api):
    client.force_login(official_a)
    first_url = API if api else LIST
    client.get(first_url)  # the filters' reference options rendered once a process
    workers_changed()  # the list's count is not known: the first page counts
    first = _captured(client, first_url)
    deep = _captured(client, _deep(client, first_url, api))

    # session, user, count, rows (with county, township, village and group joined), the
    # travel groups' members, the filters' choices and the menu badges: fixed, not per row;
    # a deep page takes the count from its cursor
    counts = [sql for sql in first if 'COUNT(*) AS "__count" FROM "workers_worker"' in sql]
    assert len(counts) == 1
    assert not [sql for sql in deep if 'COUNT(*) AS "__count" FROM "workers_worker"' in sql]
    assert len(deep) == len(first) - 1, (first, deep)
    rows = [_statement(sql) for sql in deep]  # the page's rows: a prepared statement
    rows = [sql for sql in rows if 'FROM "workers_worker"' in sql and "LIMIT 5" in sql]
    assert len(rows) == 1 and "OFFSET" not in rows[0]
    assert '"workers_travelgroup"' in rows[0]
    # the page shows township and village names; the API row has their codes only
    assert ('"laborbridge_region"' in rows[0]) is not api
    assert len(first) <= (4 if api else 12)


def test_count_and_rows_do_not_grow_with_rows(client, official_a, registry):
    client.force_login(official_a)
    client.get(LIST)  # the filters' reference options rendered once a process
    workers_changed()  # each counted once (page and API share the kept count)
    few = len(_captured(client, LIST)), len(_captured(client, API))
    WorkerFactory.create_batch(10, home_county_id=ANDING)
    many = len(_captured(client, LIST)), len(_captured(client, API))
    assert few == many


def test_bad_cursor_gives_the_first_page(client, official_a, registry):
    client.force_login(official_a)
    for cursor in [
        "nonsense",
        "e30",
        cursor_encode("a", [1, 2], 3, 9),
        cursor_encode("x", [], 1, 9),
    ]:
        assert _ROW.findall(client.get(LIST, {"cursor": cursor}).content.decode())
        body = client.get(API, {"cursor": cursor}).json()
        assert len(body["results"]) == SIZE and body["previous"] is None


def test_a_cursor_never_widens_the_scope(client, official_b, registry):
    """Official B, given a cursor made of Anding's rows, still sees Tongwei's only."""
    client.force_login(official_b)
    before_all = cursor_encode("a", ["", "", 0], 2, 99)
    body = client.get(API, {"cursor": before_all}).json()
    assert len(body["results"]) == 2
    assert {row["home_county"] for row in body["results"]} == {TONGWEI}
    page = client.get(LIST, {"cursor": before_all}).content.decode()
    assert not set(_ROW.findall(page)) & {str(w.pk) for w in registry}


def test_others_are_refused(client, hr_x, registry):
    cursor = cursor_encode("a", [ANDING, "", 0], 2, 99)
    longnan = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    coordinator_b = make_user("coordinator_b", Role.COORDINATOR, pairing=longnan)
    for user in (hr_x, coordinator_b):
        client.force_login(user)
        page = client.get(LIST, {"cursor": cursor})
        api = client.get(API, {"cursor": cursor})
        assert page.status_code == 403 or not _ROW.findall(page.content.decode())
        assert api.status_code == 403 or api.json()["results"] == []
    client.logout()
    assert client.get(LIST, {"cursor": cursor}).status_code == 302
    assert client.get(API, {"cursor": cursor}).status_code in (401, 403)


@pytest.mark.redis
def test_the_count_is_kept_until_workers_change(client, official_a, official_b, registry):
    """The unfiltered list's count is kept in Redis (workers.counts) and is never old: a
    worker registered, moved to another county or deleted shows at once, on the page and
    in the API; a filtered list is counted on every page."""
    client.force_login(official_a)
    count_sql = 'COUNT(*) AS "__count" FROM "workers_worker"'

    def count_of(url) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        counted = sum(count_sql in q["sql"] for q in captured.captured_queries)
        if url.startswith(API):
            return response.json()["count"], counted
        found = re.search(r"共 ([\d,]+) 人", response.content.decode())
        return int(found.group(1).replace(",", "")), counted

    assert count_of(LIST) == (14, 1)
    assert count_of(LIST) == (14, 0)
    assert count_of(API) == (14, 0)
    worker = WorkerFactory(home_county_id=ANDING)
    assert count_of(API) == (15, 1)
    assert count_of(LIST) == (15, 0)
    worker.home_county_id = TONGWEI
    worker.save()
    assert count_of(LIST) == (14, 1)
    client.force_login(official_b)
    assert count_of(LIST)[0] == 3
    client.force_login(official_a)
    registry[0].delete()
    assert count_of(API) == (13, 1)
    registered = Worker.objects.filter(home_county_id=ANDING, status="registered").count()
    assert count_of(f"{LIST}?status=registered") == (registered, 1)


@pytest.mark.redis
def test_the_count_and_the_menu_badges_in_one_round_trip(client, official_a, registry, monkeypatch):
    """The first page reads its count and the menu's badges (notices, overdue cases) from
    Redis together: one MGET a page, and the numbers are the live ones."""
    from cases.selectors import OVERDUE_BADGE
    from laborbridge import badges
    from laborbridge.notifications.selectors import UNREAD_BADGE, messages_unread_count
    from workers.counts import LIST_COUNT

    sent = []
    mget = badges._mget
    monkeypatch.setattr(
        badges, "_mget", lambda backend, keys: sent.append(keys) or mget(backend, keys)
    )
    client.force_login(official_a)
    client.get(LIST)  # counted and kept
    sent.clear()
    body = client.get(LIST).content.decode()
    assert len(sent) == 1
    kinds = {key.split(":")[1] for key in sent[0] if key.startswith("badge:")}
    assert kinds == {LIST_COUNT, OVERDUE_BADGE, UNREAD_BADGE}
    assert re.search(r"共 ([\d,]+) 人", body).group(1) == str(
        Worker.objects.filter(home_county_id=ANDING).count()
    )
    unread = messages_unread_count(official_a)
    shown = re.findall(r'<span class="badge" title="[^"]*">(\d+)</span>', body)
    assert shown == ([str(unread)] if unread else [])
    # a deeper page shows no new count: the menu's badges alone, one round trip
    sent.clear()
    next_page = html.unescape(re.search(_LINK.format("next"), body).group(1))
    client.get(next_page)
    assert len(sent) == 1
