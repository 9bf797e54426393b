"""The liaison's phone on the worker's own page and on the travel notice (issue 13): the
pairing's liaison whose workstation covers the employer's district (else one over the whole
eastern side), never a liaison of another district or another pairing; the coordinator only
until a liaison is named."""

import pytest
from django.urls import reverse

from laborbridge.models import Pairing, Region, Role
from selfservice import services
from tests.factories import make_user
from tests.selfservice.conftest import seat_for

pytestmark = pytest.mark.django_db

LIAISON_PHONE = "13905321234"


def _me(token):
    return reverse("selfservice_public:me", args=[token])


@pytest.fixture
def pairing():
    return Pairing.objects.get(east_region_id="370200", west_region_id="621100")


@pytest.fixture
def liaisons(pairing, employer_x):
    """The liaison of employer X's district, one of another district, one of another
    pairing over the same city (each with a phone)."""
    here = make_user("liaison_here", Role.LIAISON, pairing=pairing, phone=LIAISON_PHONE)
    here.districts.set([Region.objects.get(pk=employer_x.district_id)])
    there = make_user("liaison_there", Role.LIAISON, pairing=pairing, phone="13905325678")
    there.districts.set([Region.objects.get(pk="370281")])  # Jiaozhou, not X's district
    longnan = Pairing.objects.get(east_region_id="370200", west_region_id="621200")
    make_user("liaison_ln", Role.LIAISON, pairing=longnan, phone="13905329999")
    return here


def test_the_worker_page_shows_the_liaison_of_the_workplace(
    placed, official_a, coordinator, liaisons, client
):
    coordinator.phone = "13800009999"
    coordinator.save()
    _link, token = services.link_issue(actor=official_a, worker=placed.worker)
    html = client.get(_me(token)).content.decode()
    assert "驻外劳务工作站联络员" in html
    assert f'href="tel:{LIAISON_PHONE}"' in html
    for other in ("13905325678", "13905329999", "13800009999"):
        assert other not in html


def test_a_liaison_over_the_whole_side_answers_when_none_covers_the_district(
    placed, official_a, pairing, client
):
    make_user("liaison_all", Role.LIAISON, pairing=pairing, phone=LIAISON_PHONE)
    _link, token = services.link_issue(actor=official_a, worker=placed.worker)
    assert f'href="tel:{LIAISON_PHONE}"' in client.get(_me(token)).content.decode()


def test_the_coordinator_answers_until_a_liaison_is_named(placed, official_a, coordinator, client):
    coordinator.phone = "13800009999"
    coordinator.save()
    _link, token = services.link_issue(actor=official_a, worker=placed.worker)
    html = client.get(_me(token)).content.decode()
    assert "13800009999" in html and "驻外劳务工作站联络员" not in html


def test_the_travel_notice_shows_the_liaison_phone(placed, official_a, liaisons, client):
    seat_for(placed.match)
    client.force_login(official_a)
    url = reverse("selfservice:notice", args=[placed.worker.pk])
    for response in (client.get(url), client.post(url)):
        html = response.content.decode()
        assert response.status_code == 200 and "出行告知单" in html
        assert "驻外劳务工作站联络员" in html and LIAISON_PHONE in html
        assert "13905325678" not in html and "13905329999" not in html
