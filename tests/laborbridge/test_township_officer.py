"""The township labour officer (乡镇劳务专干, issue 14): one township's workers, read-only."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from laborbridge import access
from laborbridge.models import Role, User
from tests.factories import FENGXIANG, NEIGUANYING, TONGWEI, WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """A worker of 凤翔镇, one of a village inside it, one of 内官营镇, one of Tongwei."""
    return {
        "fx": WorkerFactory(name="凤翔人", home_township_id=FENGXIANG),
        "fx_village": WorkerFactory(name="凤翔村人", home_village_id=f"{FENGXIANG}201"),
        "ngy": WorkerFactory(name="内官营人", home_township_id=NEIGUANYING),
        "tw": WorkerFactory(name="通渭人", home_county_id=TONGWEI),
    }


@pytest.fixture(autouse=True)
def _village(db):
    """A coded village of 凤翔镇 (the reference data codes only some counties' villages)."""
    from laborbridge.models import Region

    Region.objects.get_or_create(
        code=f"{FENGXIANG}201",
        defaults={
            "name": "测试村",
            "full_name": "测试村",
            "level": "village",
            "parent_id": FENGXIANG,
        },
    )


def test_the_database_refuses_a_township_officer_without_a_township():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="t", role=Role.TOWNSHIP_OFFICER)


def test_clean_names_the_missing_township_and_refuses_a_county_as_township():
    user = User(username="t", role=Role.TOWNSHIP_OFFICER)
    with pytest.raises(ValidationError) as error:
        user.clean()
    assert "乡镇劳务专干必须指定所属乡镇" in str(error.value)
    user.township_id = "621102"
    with pytest.raises(ValidationError) as error:
        user.clean()
    assert "所属乡镇必须是乡级行政区" in str(error.value)


def test_a_township_officer_sees_the_workers_of_their_township_only(
    people, township_officer, township_officer_b
):
    mine = set(access.workers_visible_to(township_officer).values_list("name", flat=True))
    assert mine == {"凤翔人", "凤翔村人"}
    theirs = set(access.workers_visible_to(township_officer_b).values_list("name", flat=True))
    assert theirs == {"内官营人"}
    assert not access.workers_editable_by(township_officer).exists()
    assert access.is_township_officer(township_officer)


def test_the_registry_list_shows_the_township_only(client, people, township_officer):
    client.force_login(township_officer)
    page = client.get("/workers/").content.decode()
    assert "凤翔人" in page and "凤翔村人" in page
    assert "内官营人" not in page and "通渭人" not in page
    assert "本乡镇劳动力" in client.get("/").content.decode()


def test_worker_pages_of_another_township_answer_404(
    client, people, township_officer, township_officer_b
):
    client.force_login(township_officer)
    assert client.get(f"/workers/{people['fx'].pk}/").status_code == 200
    assert client.get(f"/workers/{people['ngy'].pk}/").status_code == 404
    assert client.get(f"/workers/{people['tw'].pk}/").status_code == 404
    client.force_login(township_officer_b)
    assert client.get(f"/workers/{people['fx'].pk}/").status_code == 404


def test_a_township_officer_edits_and_reveals_nothing(client, people, township_officer):
    client.force_login(township_officer)
    worker = people["fx"]
    assert client.get(f"/workers/{worker.pk}/edit/").status_code in (403, 404)
    assert client.get(f"/workers/{worker.pk}/reveal/").status_code == 404
    assert client.get("/workers/new/").status_code == 403


def test_the_api_lists_the_township_only_and_refuses_writes(people, township_officer):
    api = APIClient()
    api.force_authenticate(township_officer)
    rows = api.get("/api/v1/workers/").json()["results"]
    assert {row["name"] for row in rows} == {"凤翔人", "凤翔村人"}
    assert api.get(f"/api/v1/workers/{people['ngy'].pk}/").status_code == 404
    assert api.post("/api/v1/workers/", {}, format="json").status_code == 403


def test_others_see_no_more_than_before(people, official_b, hr_x, liaison):
    assert "凤翔人" not in set(access.workers_visible_to(official_b).values_list("name", flat=True))
    assert not access.workers_visible_to(hr_x).exists()
    assert not access.is_township_officer(official_b)
