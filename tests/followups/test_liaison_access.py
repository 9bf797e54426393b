"""The workstation liaison's scope: placed workers of the pairing in their districts only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from laborbridge import access
from laborbridge.admin import UserScopeForm
from laborbridge.models import Role
from laborbridge.notifications.services import Audience, notify
from tests.factories import (
    ANDING,
    CHENGYANG,
    JIAOZHOU,
    EmployerFactory,
    WorkerFactory,
    make_user,
    place_worker,
)

pytestmark = pytest.mark.django_db

LONGNAN_WUDU = "621202"
JINAN_SHIZHONG = "370103"


@pytest.fixture
def placed(employer_x):
    """A Dingxi (Anding) worker placed at a Qingdao (Chengyang) employer."""
    return place_worker(employer_x, county=ANDING)


def test_liaison_sees_the_pairings_placed_workers_only(liaison, placed, employer_x):
    longnan = place_worker(employer_x, county=LONGNAN_WUDU)  # same east, other pairing
    in_jinan = place_worker(EmployerFactory(district_id=JINAN_SHIZHONG), county=ANDING)
    never_placed = WorkerFactory(home_county_id=ANDING)

    assert set(access.employments_visible_to(liaison)) == {placed}
    workers = set(access.workers_visible_to(liaison))
    assert workers == {placed.worker}
    assert longnan.worker not in workers and in_jinan.worker not in workers
    assert never_placed not in workers
    assert set(access.employments_history_writable_by(liaison)) == {placed}
    assert list(access.pairings_of(liaison)) == [liaison.pairing]


def test_the_other_pairings_liaison_sees_none_of_them(liaison_longnan, placed, employer_x):
    longnan = place_worker(employer_x, county=LONGNAN_WUDU)

    assert set(access.employments_visible_to(liaison_longnan)) == {longnan}
    assert placed.worker not in access.workers_visible_to(liaison_longnan)


def test_chosen_districts_narrow_the_scope(liaison, placed, employer_y):
    in_jiaozhou = place_worker(employer_y, county=ANDING)
    liaison.districts.set([JIAOZHOU])

    assert set(access.employments_visible_to(liaison)) == {in_jiaozhou}
    assert set(access.employers_visible_to(liaison)) == {employer_y}


def test_liaison_may_not_edit_or_reveal(liaison, placed):
    assert not access.workers_editable_by(liaison).exists()
    assert not access.travel_groups_visible_to(liaison).exists()
    assert not access.matches_visible_to(liaison).exists()
    assert not access.signups_visible_to(liaison).exists()


def test_messages_to_a_pairings_liaisons(liaison, liaison_longnan, coordinator):
    message = notify(
        key=_any_key(),
        params={},
        audiences=[Audience.liaisons(liaison.pairing_id)],
        actor=None,
    )

    assert message in access.messages_visible_to(liaison)
    assert message not in access.messages_visible_to(liaison_longnan)
    assert message not in access.messages_visible_to(coordinator)


def _any_key() -> str:
    from laborbridge.notifications import messages

    return next(iter(messages._REGISTRY))


def test_the_database_refuses_a_liaison_without_pairing():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_user("nobody", Role.LIAISON)


def test_admin_form_refuses_districts_outside_the_pairings_east(liaison):
    pairing = liaison.pairing
    data = {
        "username": "liaison",
        "role": Role.LIAISON,
        "pairing": pairing.pk,
        "districts": [CHENGYANG, JINAN_SHIZHONG],
        "date_joined": "2026-01-01 00:00:00",
    }
    form = UserScopeForm(data, instance=liaison)

    assert not form.is_valid()
    assert "districts" in form.errors
    data["districts"] = [CHENGYANG]
    assert UserScopeForm(data, instance=liaison).is_valid(), UserScopeForm(data).errors


class TestPages:
    def test_placed_list_shows_the_liaisons_people(self, client, liaison, placed, employer_x):
        other = place_worker(employer_x, county=LONGNAN_WUDU)
        client.force_login(liaison)
        response = client.get(reverse("followups:placed"))

        assert response.status_code == 200
        assert placed.worker.name in response.text
        assert reverse("workers:detail", args=[other.worker_id]) not in response.text

    @pytest.mark.parametrize("who", ["official_a", "hr_x", "coordinator"])
    def test_other_roles_are_refused(self, client, request, who):
        client.force_login(request.getfixturevalue(who))

        assert client.get(reverse("followups:placed")).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(reverse("followups:placed"))

        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_liaison_opens_a_placed_workers_page_but_no_other(self, client, liaison, placed):
        never_placed = WorkerFactory(home_county_id=ANDING)
        client.force_login(liaison)

        page = client.get(reverse("workers:detail", args=[placed.worker_id]))
        assert page.status_code == 200
        assert placed.worker.reveal_id_number() not in page.text
        assert client.get(reverse("workers:detail", args=[never_placed.pk])).status_code == 404
        assert client.get(reverse("workers:reveal", args=[placed.worker_id])).status_code == 404

    def test_other_pairings_liaison_gets_404_on_the_worker(self, client, liaison_longnan, placed):
        client.force_login(liaison_longnan)

        assert client.get(reverse("workers:detail", args=[placed.worker_id])).status_code == 404

    def test_home_page_counts_the_placed_workers(self, client, liaison, placed):
        client.force_login(liaison)
        response = client.get("/")

        assert response.status_code == 200
        assert response.context["dashboard"]["placed_total"] == 1


def test_anonymous_sees_no_employment(placed):
    assert not access.employments_visible_to(AnonymousUser()).exists()
    assert not access.workers_visible_to(AnonymousUser()).exists()
