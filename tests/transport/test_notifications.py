"""Transport notifications have a read state per recipient: mark one read (or unread again),
mark all read, count the unread — on the pages and the API. Nobody marks what they do not
see: an official of another county and HR of another employer get 404, anonymous users are
sent to log in."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import Role
from tests.factories import ANDING, make_user
from transport import selectors, services
from transport.models import Notification, NotificationRead, Seat

pytestmark = pytest.mark.django_db
API = "/api/v1/transport/notifications"


@pytest.fixture
def official_a2(db):
    """A second official of Anding: reads for themself."""
    return make_user("official_a2", Role.COUNTY_OFFICIAL, county_id=ANDING)


@pytest.fixture
def notice(coordinator, planned, world) -> Notification:
    """World worker 0 (Anding, employer X) missed the train."""
    seat = Seat.objects.get(worker=world.workers[0], released_at=None)
    services.seat_roll_call(actor=coordinator, seat=seat, present=False)
    return Notification.objects.get()


def _unread(user) -> int:
    return selectors.notifications_unread_count(user)


class TestService:
    def test_read_state_is_per_recipient(self, official_a, official_a2, hr_x, coordinator, notice):
        for user in (official_a, official_a2, hr_x, coordinator):
            assert _unread(user) == 1
        assert services.notification_mark_read(actor=official_a, notification=notice) is True
        assert services.notification_mark_read(actor=official_a, notification=notice) is False
        assert (_unread(official_a), _unread(official_a2), _unread(hr_x)) == (0, 1, 1)
        listed = {n.pk: n.is_read for n in selectors.notifications_for(official_a)}
        assert listed == {notice.pk: True}
        assert services.notification_mark_unread(actor=official_a, notification=notice) is True
        assert _unread(official_a) == 1

    def test_mark_all_read_and_a_new_notice_is_unread_again(
        self, coordinator, official_a, notice, world
    ):
        services.seat_no_show_undo(actor=coordinator, seat=notice.seat)  # the correction
        assert _unread(official_a) == 2
        assert services.notifications_mark_all_read(actor=official_a) == 2
        assert services.notifications_mark_all_read(actor=official_a) == 0
        assert _unread(official_a) == 0
        services.seat_roll_call(
            actor=coordinator, seat=Seat.objects.get(pk=notice.seat_id), present=False
        )
        assert _unread(official_a) == 1

    @pytest.mark.parametrize("user", ["official_b", "hr_y"])
    def test_others_cannot_mark_what_they_do_not_see(self, request, user, notice):
        actor = request.getfixturevalue(user)
        with pytest.raises(PermissionDenied):
            services.notification_mark_read(actor=actor, notification=notice)
        assert services.notifications_mark_all_read(actor=actor) == 0
        assert not NotificationRead.objects.exists()


class TestPages:
    def test_official_reads_marks_and_sees_the_count(
        self, client, official_a, official_a2, notice, query_count
    ):
        client.force_login(official_a)
        body = client.get(reverse("transport:county_travel")).content.decode()
        assert "1 条未读" in body and "标为已读" in body
        with query_count(8):
            body = client.get(reverse("transport:notifications")).content.decode()
        assert 'id="unread-count">1 条未读' in body and notice.title in body
        response = client.post(
            reverse("transport:notification_mark", args=[notice.pk]),
            {"next": reverse("transport:county_travel")},
        )
        assert response["Location"] == reverse("transport:county_travel")
        body = client.get(reverse("transport:notifications")).content.decode()
        assert "0 条未读" in body and "标为未读" in body
        assert (
            "没有未读通知"
            in client.get(reverse("transport:notifications") + "?unread=1").content.decode()
        )
        client.post(reverse("transport:notification_mark", args=[notice.pk]), {"read": "0"})
        assert _unread(official_a) == 1
        client.post(reverse("transport:notifications_mark_all"))
        assert _unread(official_a) == 0 and _unread(official_a2) == 1

    def test_hr_and_coordinator_see_it_too(self, client, hr_x, coordinator, notice):
        client.force_login(hr_x)
        assert "1 条未读" in client.get(reverse("transport:arrivals")).content.decode()
        client.force_login(coordinator)
        assert "1 条未读" in client.get(reverse("transport:trip_list")).content.decode()
        assert notice.title in client.get(reverse("transport:notifications")).content.decode()

    @pytest.mark.parametrize("user", ["official_b", "hr_y"])
    def test_others_get_404_and_see_nothing(self, client, request, user, notice):
        client.force_login(request.getfixturevalue(user))
        body = client.get(reverse("transport:notifications")).content.decode()
        assert notice.title not in body and "暂无通知" in body
        url = reverse("transport:notification_mark", args=[notice.pk])
        assert client.post(url).status_code == 404
        client.post(reverse("transport:notifications_mark_all"))
        assert not NotificationRead.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, notice):
        for method, url in (
            ("get", reverse("transport:notifications")),
            ("post", reverse("transport:notification_mark", args=[notice.pk])),
            ("post", reverse("transport:notifications_mark_all")),
        ):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and reverse("login") in response["Location"]
        assert not NotificationRead.objects.exists()


class TestApi:
    @pytest.fixture
    def api(self):
        return APIClient()

    def test_read_unread_read_all_and_count(self, api, official_a, official_a2, notice):
        api.force_authenticate(official_a)
        rows = api.get(f"{API}/").json()["results"]
        assert [(r["id"], r["is_read"]) for r in rows] == [(notice.pk, False)]
        assert api.get(f"{API}/unread-count/").json() == {"unread": 1}
        assert api.post(f"{API}/{notice.pk}/read/").json()["is_read"] is True
        assert api.get(f"{API}/?unread=true").json()["results"] == []
        assert api.post(f"{API}/{notice.pk}/unread/").json()["is_read"] is False
        assert api.post(f"{API}/read-all/").json() == {"unread": 0}
        api.force_authenticate(official_a2)
        assert api.get(f"{API}/unread-count/").json() == {"unread": 1}

    @pytest.mark.parametrize("user", ["anonymous", "official_b", "hr_y"])
    def test_others_are_refused(self, api, request, user, notice):
        if user != "anonymous":
            api.force_authenticate(request.getfixturevalue(user))
        for method, url in (
            ("get", f"{API}/{notice.pk}/"),
            ("post", f"{API}/{notice.pk}/read/"),
            ("post", f"{API}/{notice.pk}/unread/"),
        ):
            assert getattr(api, method)(url).status_code in (401, 403, 404), url
        if user == "anonymous":
            assert api.get(f"{API}/unread-count/").status_code in (401, 403)
            assert api.post(f"{API}/read-all/").status_code in (401, 403)
        else:
            assert api.get(f"{API}/unread-count/").json() == {"unread": 0}
        assert not NotificationRead.objects.exists()


def test_nav_shows_the_unread_count_until_read(client, official_a, official_b, notice):
    def nav_badge(user) -> str | None:
        client.force_login(user)
        response = client.get(reverse("home"))
        item = next(
            i
            for i in response.context["nav_items"]
            if i["url"] == reverse("transport:notifications")
        )
        return item.get("badge")

    assert nav_badge(official_a) == 1
    assert nav_badge(official_b) == 0  # Tongwei's official does not see Anding's notice
    services.notification_mark_read(actor=official_a, notification=notice)
    assert nav_badge(official_a) == 0
