"""The worker page's matches section (registered by matching): each reader sees their scope."""

import pytest
from django.urls import reverse

from matching.models import Match, MatchStatus
from tests.factories import EmployerFactory, VacancyFactory, WorkerFactory

pytestmark = pytest.mark.django_db

JINAN_SHIZHONG = "370103"  # outside the Qingdao ↔ Dingxi pairing's eastern region


@pytest.fixture
def worker_with_two_matches():
    worker = WorkerFactory(name="李两配")
    qingdao = VacancyFactory(title="青岛装配工", employer=EmployerFactory())
    jinan = VacancyFactory(
        title="济南包装工", employer=EmployerFactory(district_id=JINAN_SHIZHONG, city_id="370100")
    )
    # One active match per worker: the Jinan one was declined earlier.
    Match.objects.create(worker=worker, vacancy=jinan, status=MatchStatus.DECLINED, score=40)
    Match.objects.create(worker=worker, vacancy=qingdao, status=MatchStatus.PROPOSED, score=40)
    return worker


def test_a_coordinator_sees_only_the_matches_of_their_pairing(
    client, coordinator, worker_with_two_matches
):
    client.force_login(coordinator)
    body = client.get(reverse("workers:detail", args=[worker_with_two_matches.pk])).content
    body = body.decode()
    assert "青岛装配工" in body
    assert "济南包装工" not in body


def test_the_county_official_sees_every_match_of_their_worker(
    client, official_a, worker_with_two_matches
):
    client.force_login(official_a)
    body = client.get(reverse("workers:detail", args=[worker_with_two_matches.pk])).content
    assert "青岛装配工" in body.decode() and "济南包装工" in body.decode()


def test_no_matches_no_section(client, official_a):
    worker = WorkerFactory()
    client.force_login(official_a)
    body = client.get(reverse("workers:detail", args=[worker.pk])).content.decode()
    assert "匹配与推荐</h2>" not in body
