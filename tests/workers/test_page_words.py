"""Registry pages say true things: a travel group is its members' names, not a code; the
change log begins with the registration itself."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ANDING, WorkerFactory, make_id_number
from workers import services
from workers.models import TravelGroup, WorkerSource

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, official_a):
    client.force_login(official_a)
    return client


def test_list_shows_a_group_as_the_other_members(signed_in, django_assert_max_num_queries):
    group = TravelGroup.objects.create(
        home_county_id=ANDING, name="621102101-3", kind=TravelGroup.Kind.FAMILY
    )
    first = WorkerFactory(home_county_id=ANDING, name="王大山", travel_group=group)
    WorkerFactory(home_county_id=ANDING, name="王小明", travel_group=group)
    WorkerFactory(home_county_id=ANDING, name="王小红", travel_group=group)
    WorkerFactory.create_batch(3, home_county_id=ANDING)
    with django_assert_max_num_queries(15):  # the members come in one query for the page
        body = signed_in.get(reverse("workers:list")).content.decode()
    rows = body[body.index('id="worker-table"') :]
    assert "621102101-3" not in rows
    assert "与王小明、王小红同行" in body and "与王大山、王小红同行" in body
    detail = signed_in.get(reverse("workers:detail", args=[first.pk])).content.decode()
    assert "621102101-3" not in detail and "家庭成员：" in detail and "王小明" in detail


def test_change_log_shows_the_registration(signed_in, official_a):
    from laborbridge.models import Region

    worker = services.worker_register(
        actor=official_a,
        name="马小花",
        id_number=make_id_number(ANDING),
        phone="13600000001",
        home_county=Region.objects.get(code=ANDING),
        source=WorkerSource.FORM,
    )
    body = signed_in.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    history = body[body.index('id="history"') :]
    assert "登记" in history and "来源：工作人员登记" in history
    assert "姓名、来源" not in history  # field names are not what happened


def test_a_record_without_an_audited_registration_still_begins_with_it(signed_in, official_a):
    worker = WorkerFactory(home_county_id=ANDING, registered_by=official_a)
    body = signed_in.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    history = body[body.index('id="history"') :]
    assert "登记" in history and "暂无记录" not in history
    assert timezone.localtime(worker.created_at).strftime("%Y-%m-%d") in history
