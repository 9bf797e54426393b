"""laborbridge.pagination's seek: the row comparison leaves out the leading sort keys the
list's own filter fixes (a county official's ``home_county = …``), so PostgreSQL starts its
index scan at the page instead of walking the county's entries before it (issue 17, item 3);
the pages are the same."""

import pytest
from django.db.models import Q

from laborbridge.pagination import keyset_query
from tests.factories import ANDING, TONGWEI, WorkerFactory
from workers.models import Worker
from workers.selectors import WORKER_LIST_KEYS

pytestmark = pytest.mark.django_db

THREE = '("workers_worker"."home_county_id", "workers_worker"."name", "workers_worker"."id") >'
TWO = '("workers_worker"."name", "workers_worker"."id") >'


def _sql(queryset, operator=">") -> str:
    return str(keyset_query(queryset, WORKER_LIST_KEYS, operator, [ANDING, "王芳", 7], 5).query)


def test_a_key_fixed_by_the_filter_is_left_out():
    county = Worker.objects.filter(home_county_id=ANDING)
    assert TWO in _sql(county) and THREE not in _sql(county)
    assert TWO.replace(">", "<") in _sql(county, "<")
    # fixed by an AND with other conditions too
    assert TWO in _sql(county.filter(status="registered", name__startswith="王"))


@pytest.mark.parametrize(
    "queryset",
    [
        pytest.param(lambda: Worker.objects.all(), id="unfiltered"),
        pytest.param(lambda: Worker.objects.exclude(home_county_id=TONGWEI), id="negated"),
        pytest.param(
            lambda: Worker.objects.filter(Q(home_county_id=ANDING) | Q(status="employed")),
            id="either",
        ),
        pytest.param(lambda: Worker.objects.filter(name="王芳"), id="not-leading"),
    ],
)
def test_keys_not_fixed_stay_in_the_comparison(queryset):
    assert THREE in _sql(queryset())


def test_the_pages_are_the_same():
    """Walking a county page by page, forward and back, lists its workers in (name, id)
    order, ties included, and never another county's."""
    for name in ["王芳", "李强", "王芳", "张伟", "王芳", "李强", "陈静"]:
        WorkerFactory(name=name, home_county_id=ANDING)
        WorkerFactory(name=name, home_county_id=TONGWEI)
    county = Worker.objects.filter(home_county_id=ANDING)
    expected = list(county.order_by("name", "id").values_list("pk", flat=True))
    seen, after = [], None
    while True:
        page = list(
            keyset_query(county, WORKER_LIST_KEYS, after and ">", after or (), 3).values_list(
                "home_county_id", "name", "pk"
            )
        )
        if not page:
            break
        seen += [pk for _county, _name, pk in page]
        after = list(page[-1])
    assert seen == expected
    back = keyset_query(
        county,
        WORKER_LIST_KEYS,
        "<",
        [ANDING, *Worker.objects.filter(pk=expected[-1]).values_list("name", "pk")[0]],
        10,
    )
    assert [w.pk for w in back] == expected[-2::-1]
