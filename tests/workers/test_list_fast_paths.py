"""The registry's fast paths give what the slow ones gave (issue 17, item 3): the list API's
rows built by hand equal DRF's serializer field for field, the page's rows written in Python
show what the template showed, and a request without filters lists what the filter set
would have listed."""

import datetime as dt
import json
from html import escape

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from laborbridge import access, prepared
from laborbridge.models import Region
from laborbridge.pagination import keyset_query
from tests.factories import ANDING, WorkerFactory
from workers import selectors
from workers.api import WorkerOutputSerializer, worker_row_tuples, worker_rows
from workers.models import TravelGroup, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(db):
    """Workers with and without township, village, group, wishes, consent date and wage,
    one with a village typed in, names that need escaping."""
    township = Region.objects.filter(parent_id=ANDING).order_by("code").first()
    village, _ = Region.objects.get_or_create(
        code=f"{township.code}201",
        defaults={
            "name": "东关<村>",
            "full_name": "东关村",
            "level": Region.Level.VILLAGE,
            "parent": township,
        },
    )
    group = TravelGroup.objects.create(
        home_county_id=ANDING, name="王家<&>", kind=TravelGroup.Kind.FAMILY
    )
    workers = [
        WorkerFactory(name="王大山", home_township=township, home_village=village),
        WorkerFactory(name='王"小&明<', travel_group=group, home_township=township),
        WorkerFactory(
            name="李芳",
            travel_group=group,
            home_village_name="上庄村",
            min_wage=4500,
            earliest_departure=dt.date(2027, 2, 20),
            consent_status="given",
            consent_given_on=dt.date(2026, 11, 30),
            accepts_dormitory=False,
            status="employed",
        ),
        WorkerFactory(name="张伟", poverty_status="poverty_alleviated"),
    ]
    # a time with microseconds and one at UTC midnight: the zone and the fraction show
    Worker.objects.filter(pk=workers[0].pk).update(
        created_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    )
    Worker.objects.filter(pk=workers[1].pk).update(
        updated_at=dt.datetime(2026, 3, 1, 16, 0, tzinfo=dt.UTC)
    )
    return workers


def test_api_rows_equal_the_serializer(official_a, varied):
    workers = list(selectors.worker_rows_for_api(official_a).order_by("pk"))
    expected = WorkerOutputSerializer(workers, many=True).data
    assert worker_rows(workers) == expected
    # the same JSON bytes, key order included
    assert JSONRenderer().render(worker_rows(workers)) == JSONRenderer().render(expected)
    full = list(Worker.objects.select_related("travel_group").order_by("pk"))
    assert worker_rows(full) == WorkerOutputSerializer(full, many=True).data


def test_api_rows_from_tuples_equal_the_serializer(official_a, varied):
    workers = selectors.worker_rows_for_api(official_a).order_by("pk")
    expected = WorkerOutputSerializer(list(workers), many=True).data
    tuples = list(worker_row_tuples(workers))
    assert any(t.travel_group_name for t in tuples)
    assert any(t.travel_group_name is None for t in tuples)
    assert JSONRenderer().render(worker_rows(tuples)) == JSONRenderer().render(expected)


def test_api_rows_read_no_deferred_column(official_a, varied, django_assert_num_queries):
    workers = list(selectors.worker_rows_for_api(official_a))
    with django_assert_num_queries(0):
        worker_rows(workers)
        assert len(WorkerOutputSerializer(workers, many=True).data) == len(workers)


def test_api_list_body_is_the_serializers(client, official_a, varied):
    client.force_login(official_a)
    body = client.get("/api/v1/workers/").json()
    ordered = selectors.worker_rows_for_api(official_a).order_by(*selectors.WORKER_LIST_KEYS)
    assert body["results"] == json.loads(
        JSONRenderer().render(WorkerOutputSerializer(ordered, many=True).data)
    )


def test_page_rows_show_what_the_template_showed(client, official_a, varied):
    client.force_login(official_a)
    body = client.get(reverse("workers:list")).content.decode()
    table = body[body.index('id="worker-table"') :]
    first, second, third, fourth = varied
    township = first.home_township.name
    assert (
        f'<td><input type="checkbox" name="worker" value="{second.pk}" '
        f'aria-label="选择 王&quot;小&amp;明&lt;"></td>'
        f'<td><a href="/workers/{second.pk}/">王&quot;小&amp;明&lt;</a> '
        f'<a class="badge" href="?travel_group={second.travel_group_id}" title="家庭成员">'
        f"与李芳同行</a></td>" in table
    )
    assert f"<td>{township} · {escape(first.home_village.name)}</td>" in table
    assert "<td> · 上庄村</td>" in table  # no township, a typed village
    assert f'<a href="/workers/{third.pk}/">李芳</a> <a class="badge"' in table
    assert '<span class="badge tag-ok">已授权</span>' in table
    assert table.count('<span class="badge tag-warn">') == 3
    assert f"<td>{first.age_on(timezone.localdate())}</td>" in table
    assert f'<td class="mono">{fourth.id_number_masked}</td>' in table
    assert "王家" not in table  # a group is its members, not its name


def test_page_rows_in_english(client, official_a, varied):
    client.force_login(official_a)
    client.cookies["django_language"] = "en"
    table = client.get(reverse("workers:list")).content.decode()
    table = table[table.index('id="worker-table"') :]
    assert "travels with 李芳" in table and "Select 张伟" in table


def test_empty_list_says_so(client, official_a):
    client.force_login(official_a)
    body = client.get(reverse("workers:list")).content.decode()
    assert "没有找到劳动力记录。" in body


def test_no_filter_lists_what_the_filter_set_lists(official_a, varied):
    request = RequestFactory().get("/workers/", {"cursor": "x", "s": "y"})
    request.user = official_a
    workers = selectors.worker_list_for(official_a)
    filters, skipped = selectors.worker_filtered(request.GET, workers, request)
    assert filters is None and skipped is workers
    full = selectors.WorkerFilter(request.GET, queryset=workers, request=request).qs
    assert list(skipped.order_by("pk")) == list(full.order_by("pk"))
    request = RequestFactory().get("/workers/", {"status": "employed"})
    request.user = official_a
    filters, filtered = selectors.worker_filtered(request.GET, workers, request)
    assert filters is not None and [w.pk for w in filtered] == [varied[2].pk]


def test_travel_group_select_lists_the_chosen_group_only(client, official_a, varied):
    """1,666 groups are not shipped in every page: a row's badge links to its group, and the
    select then shows that one (and "all"); a group of another county is refused."""
    client.force_login(official_a)
    body = client.get(reverse("workers:list")).content.decode()
    assert 'name="travel_group"' not in body
    group = varied[1].travel_group
    other = TravelGroup.objects.create(home_county_id="621121", name="外县")
    TravelGroup.objects.create(home_county_id=ANDING, name="李家")
    body = client.get(reverse("workers:list"), {"travel_group": group.pk}).content.decode()
    select = body[body.index('<select name="travel_group"') :]
    select = select[: select.index("</select>")]
    assert select.count("<option") == 2 and "全部同行组" in select
    assert f'<option value="{group.pk}" selected>王家&lt;&amp;&gt;</option>' in select
    table = body[body.index('id="worker-table"') :]
    shown = [f'<a href="/workers/{w.pk}/">' in table for w in varied]
    assert shown == [False, True, True, False]  # the group's two members only
    body = client.get(reverse("workers:list"), {"travel_group": other.pk}).content.decode()
    assert "外县" not in body


def test_process_cached_renders_once_a_language():
    from django.template import Context, Template, TemplateSyntaxError
    from django.utils import translation

    from laborbridge import widgets

    widgets._RENDERED.clear()
    block = Template(
        '{% load i18n lb %}{% process_cached "test.block" %}{{ n }} {% translate "已授权" %}'
        "{% endprocess_cached %}"
    )
    with translation.override("zh-hans"):
        assert block.render(Context({"n": 1})) == "1 已授权"
        assert block.render(Context({"n": 2})) == "1 已授权"  # kept: no request values inside
    with translation.override("en"):
        assert block.render(Context({"n": 3})) == "3 Consented"
    with pytest.raises(TemplateSyntaxError):
        Template("{% load lb %}{% process_cached key %}{% endprocess_cached %}")
    widgets._RENDERED.clear()


def test_wish_city_select_lists_the_cities_the_county_wishes_for(client, official_a, varied):
    """Not 3,178 cities and counties on every page: those the county's workers name, and a
    chosen one (still checked against every city); another county's wishes are not listed."""
    varied[0].wish_city_links.create(region_id="370200", rank=1)  # 青岛市
    varied[3].wish_city_links.create(region_id="370281", rank=1)  # 胶州市 (county level)
    outsider = WorkerFactory(home_county_id="621121")
    outsider.wish_city_links.create(region_id="320500", rank=1)  # 苏州市, another county's
    client.force_login(official_a)

    def options(params=None):
        body = client.get(reverse("workers:list"), params or {}).content.decode()
        select = body[body.index('<select name="wish_city"') :]
        return body, select[: select.index("</select>")]

    body, select = options()
    assert select.count("<option") == 3 and "全部意向城市" in select
    assert 'value="370200"' in select and 'value="370281"' in select
    assert 'value="320500"' not in select
    # A city nobody wishes for, chosen by a link: listed, selected, and the list is empty.
    body, select = options({"wish_city": "440300"})
    assert '<option value="440300" selected>' in select
    assert "没有找到劳动力记录。" in body
    body, select = options({"wish_city": "370200"})
    table = body[body.index('id="worker-table"') :]
    assert [f'<a href="/workers/{w.pk}/">' in table for w in varied] == [True, False, False, False]


def _orm_rows(user, operator, values, limit):
    workers = selectors.worker_page_rows_of(access.workers_visible_to(user))
    return list(keyset_query(workers, selectors.WORKER_LIST_KEYS, operator, values, limit))


def _without_companions(rows):
    """The compiled rows as the ORM's row tuples; on PostgreSQL each also names its
    companions (the other members of its travel group by id, None in no group): checked."""
    for row in rows:
        if hasattr(row, "companion_names"):
            expected = (
                list(
                    Worker.objects.filter(travel_group_id=row.travel_group_id)
                    .exclude(pk=row.id)
                    .order_by("pk")
                    .values_list("name", flat=True)
                )
                if row.travel_group_id
                else None
            )
            assert row.companion_names == expected
    return [tuple(row)[: len(selectors._PAGE_ROW_COLUMNS)] for row in rows]


@pytest.mark.parametrize("who", ["official_a", "admin_user"])
def test_compiled_page_rows_equal_the_orms(request, who, varied):
    """The unfiltered page of an official or an admin is read by SQL compiled once: the same
    rows, first page, forward and back, as the ORM's query; another county's workers never."""
    user = request.getfixturevalue(who)
    WorkerFactory(name="王大山", home_county_id="621121")  # another county, the same name
    read = selectors.worker_page_reader(user)
    assert read is not None
    first = read(None, (), 3)
    assert _without_companions(first) == _orm_rows(user, None, (), 3) and len(first) == 3
    middle = [getattr(first[1], key) for key in selectors.WORKER_LIST_KEYS]
    for operator in (">", "<"):
        rows = read(operator, middle, 3)
        assert _without_companions(rows) == _orm_rows(user, operator, middle, 3) and rows
    everyone = read(None, (), 100)
    assert {row.id for row in everyone} == set(
        access.workers_visible_to(user).values_list("pk", flat=True)
    )
    compiled = [v for k, v in selectors._COMPILED.items() if k[0] is selectors._page_rows]
    assert compiled and None not in compiled  # the SQL path was taken


@pytest.mark.parametrize("who", ["official_a", "admin_user"])
def test_compiled_api_rows_equal_the_orms(request, who, varied):
    """The unfiltered list API of an official or an admin is read by SQL compiled once: the
    same row tuples, first page, forward and back, as the ORM's, and the same JSON."""
    from workers import api

    user = request.getfixturevalue(who)
    WorkerFactory(name="王大山", home_county_id="621121")  # another county, the same name
    read = selectors.worker_rows_reader(user, api._api_rows)
    orm = worker_row_tuples(selectors.worker_rows_for_api(user))

    def expected(operator, values, limit):
        rows = keyset_query(orm, selectors.WORKER_LIST_KEYS, operator, values, limit)
        return [tuple(row) for row in rows]

    first = read(None, (), 3)
    assert [tuple(row) for row in first] == expected(None, (), 3) and len(first) == 3
    middle = [getattr(first[1], key) for key in selectors.WORKER_LIST_KEYS]
    for operator in (">", "<"):
        rows = read(operator, middle, 3)
        assert [tuple(row) for row in rows] == expected(operator, middle, 3) and rows
    everyone = read(None, (), 100)
    assert JSONRenderer().render(worker_rows(everyone)) == JSONRenderer().render(
        worker_rows(list(orm.order_by(*selectors.WORKER_LIST_KEYS)))
    )
    compiled = [v for k, v in selectors._COMPILED.items() if k[0] is api._api_rows]
    assert compiled and None not in compiled  # the SQL path was taken


def test_list_api_reads_by_the_compiled_sql_unfiltered_only(client, official_a, varied):
    """The API list reads its rows by the compiled statement when nothing filters it."""
    from workers import api

    client.force_login(official_a)
    selectors._COMPILED.clear()
    assert client.get("/api/v1/workers/", {"status": "registered"}).status_code == 200
    assert not [k for k in selectors._COMPILED if k[0] is api._api_rows]
    assert client.get("/api/v1/workers/").status_code == 200
    assert [k for k in selectors._COMPILED if k[0] is api._api_rows]


def test_compiled_page_rows_only_for_scopes_of_their_own_fields(
    official_a, coordinator, township_officer, hr_x
):
    """Pairings and townships are read from other tables: those pages stay with the ORM."""
    assert selectors.worker_list_scope(official_a) == ("county_official", ANDING)
    for user in (coordinator, township_officer, hr_x):
        assert selectors.worker_list_scope(user) is None
        assert selectors.worker_page_reader(user) is None
    official_a.is_active = False
    assert selectors.worker_page_reader(official_a) is None


def test_group_members_compiled_equal_the_orms(varied):
    groups = [TravelGroup.objects.create(home_county_id=ANDING, name=f"g{i}") for i in range(3)]
    for index, group in enumerate(groups):
        for _ in range(index + 1):
            WorkerFactory(travel_group=group)
    ids = [g.pk for g in groups] + [varied[1].travel_group_id]
    for chosen in (ids[:1], ids[1:], ids[::-1], ids):  # compiled for a length, then reused
        expected = list(
            Worker.objects.filter(travel_group_id__in=chosen)
            .order_by("pk")
            .values_list("travel_group_id", "pk", "name")
        )
        assert selectors._group_members(chosen) == expected
        assert selectors._group_members(chosen) == expected


@pytest.mark.skipif(
    connection.vendor != "postgresql" or connection.settings_dict["CONN_MAX_AGE"] == 0,
    reason="statements prepared on PostgreSQL, for connections kept between requests",
)
def test_page_rows_prepared_once_a_connection(official_a, varied):
    """PostgreSQL plans the row query once a connection (a prepared statement): the same
    rows as the ORM's, prepared on the first read only; SQL with a literal % is kept."""
    read = selectors.worker_page_reader(official_a)
    read(None, (), 3)
    prepared._PREPARED.pop(connection.connection)  # forgotten, still prepared: not again
    with CaptureQueriesContext(connection) as forgotten:
        read(None, (), 3)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    prepared._PREPARED.pop(connection.connection)
    with CaptureQueriesContext(connection) as first:
        rows = read(None, (), 3)
    with CaptureQueriesContext(connection) as again:
        assert read(None, (), 3) == rows
    assert _without_companions(rows) == _orm_rows(official_a, None, (), 3)
    # preparing is setting the connection up, not one of the page's queries: counted once
    assert [q["sql"].split()[0] for q in forgotten] == ["EXECUTE"]
    assert [q["sql"].split()[0] for q in first] == ["EXECUTE"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")  # planned once, also for a deep page's seek
        assert cursor.fetchone() == ("force_generic_plan",)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (1,)  # prepared again after DEALLOCATE, once
    assert [q["sql"].split()[0] for q in again] == ["EXECUTE"]
    assert prepared.fetch_prepared("default", "SELECT %s || '%%'", ["a"]) == [("a%",)]
    assert prepared.fetch_prepared("default", "SELECT '%%'", []) == [("%",)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_companions_label_with_the_text_taken_once(language):
    from django.utils import translation

    from laborbridge.templatetags.lb import companions_label, many_companions_text

    with translation.override(language):
        many = many_companions_text()
        for size in range(8):
            names = [f"王{i}" for i in range(size)]
            assert companions_label(names, many) == companions_label(names)
        label = companions_label([f"王{i}" for i in range(6)], many)
        assert "王0、王1、王2、王3" in label and "6" in label and "王4" not in label
        if language == "zh-hans":
            assert label == "王0、王1、王2、王3 等 6 人"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_account_line_as_the_template_wrote_it(client, official_a, admin_user, language):
    """The base template's account line comes from the navigation context processor: what
    the template wrote (full name or username, role label or "管理员"), escaped."""
    from django.template import Context, Template
    from django.utils import translation

    official_a.first_name, official_a.last_name = '王"<', "&大"
    official_a.save()
    old = Template(
        "{% load i18n %}{{ user.get_full_name|default:user.username }} · "
        '{{ user.get_role_display|default:_("管理员") }}'
    )
    for user in (official_a, admin_user):
        client.force_login(user)
        client.cookies["django_language"] = language
        body = client.get(reverse("workers:list")).content.decode()
        with translation.override(language):
            expected = old.render(Context({"user": user}))
        assert f'<span class="who">{expected}</span>' in body
        assert "&lt;" in expected or user is admin_user
