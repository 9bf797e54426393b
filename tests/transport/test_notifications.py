"""Transport's no-show notices, in the notification outbox, have a read state per recipient:
mark one read (or unread again), mark all read, count the unread — on the pages and the API,
at the outbox's addresses and at transport's first ones. Nobody marks what they do not see: an
official of another county and HR of another employer get 404, anonymous users are sent to log
in."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from rest_framework.test import APIClient

from laborbridge.models import Role
from laborbridge.notifications import selectors, services
from laborbridge.notifications.models import Message, MessageRead
from tests.factories import ANDING, make_user
from transport.models import Seat
from transport.services.boarding import seat_no_show_undo, seat_roll_call

pytestmark = pytest.mark.django_db
API = "/api/v1/transport/notifications"
OUTBOX_API = "/api/v1/notifications"


@pytest.fixture
def official_a2(db):
    """A second official of Anding: reads for themself."""
    return make_user("official_a2", Role.COUNTY_OFFICIAL, county_id=ANDING)


@pytest.fixture
def notice(coordinator, planned, world) -> Message:
    """World worker 0 (Anding, employer X) missed the train."""
    seat = Seat.objects.get(worker=world.workers[0], released_at=None)
    seat_roll_call(actor=coordinator, seat=seat, present=False)
    return Message.objects.get()


def _unread(user) -> int:
    return selectors.messages_unread_count(user)


class TestService:
    def test_read_state_is_per_recipient(self, official_a, official_a2, hr_x, coordinator, notice):
        for user in (official_a, official_a2, hr_x, coordinator):
            assert _unread(user) == 1
        assert services.message_mark_read(actor=official_a, message=notice) is True
        assert services.message_mark_read(actor=official_a, message=notice) is False
        assert (_unread(official_a), _unread(official_a2), _unread(hr_x)) == (0, 1, 1)
        listed = {n.pk: n.is_read for n in selectors.messages_for(official_a)}
        assert listed == {notice.pk: True}
        assert services.message_mark_unread(actor=official_a, message=notice) is True
        assert _unread(official_a) == 1

    def test_mark_all_read_and_a_new_notice_is_unread_again(
        self, coordinator, official_a, notice, world
    ):
        seat = Seat.objects.get(pk=notice.params["seat_id"])
        seat_no_show_undo(actor=coordinator, seat=seat)  # the correction
        assert _unread(official_a) == 2
        assert services.messages_mark_all_read(actor=official_a) == 2
        assert services.messages_mark_all_read(actor=official_a) == 0
        assert _unread(official_a) == 0
        seat_roll_call(
            actor=coordinator, seat=Seat.objects.get(pk=notice.params["seat_id"]), present=False
        )
        assert _unread(official_a) == 1

    @pytest.mark.parametrize("user", ["official_b", "hr_y"])
    def test_others_cannot_mark_what_they_do_not_see(self, request, user, notice):
        actor = request.getfixturevalue(user)
        with pytest.raises(PermissionDenied):
            services.message_mark_read(actor=actor, message=notice)
        assert services.messages_mark_all_read(actor=actor) == 0
        assert not MessageRead.objects.exists()


class TestPages:
    def test_official_reads_marks_and_sees_the_count(
        self, client, official_a, official_a2, notice, query_count
    ):
        client.force_login(official_a)
        body = client.get(reverse("transport:county_travel")).content.decode()
        assert "1 条未读" in body and "标为已读" in body
        with query_count(8):
            body = client.get(reverse("notifications:list")).content.decode()
        assert 'id="unread-count">1 条未读' in body and notice.title in body
        response = client.post(
            reverse("notifications:mark", args=[notice.pk]),
            {"next": reverse("transport:county_travel")},
        )
        assert response["Location"] == reverse("transport:county_travel")
        body = client.get(reverse("notifications:list")).content.decode()
        assert "0 条未读" in body and "标为未读" in body
        assert (
            "没有未读通知"
            in client.get(reverse("notifications:list") + "?unread=1").content.decode()
        )
        client.post(reverse("notifications:mark", args=[notice.pk]), {"read": "0"})
        assert _unread(official_a) == 1
        client.post(reverse("notifications:mark_all"))
        assert _unread(official_a) == 0 and _unread(official_a2) == 1

    def test_hr_and_coordinator_see_it_too(self, client, hr_x, coordinator, notice):
        client.force_login(hr_x)
        assert "1 条未读" in client.get(reverse("transport:arrivals")).content.decode()
        client.force_login(coordinator)
        assert "1 条未读" in client.get(reverse("transport:trip_list")).content.decode()
        assert notice.title in client.get(reverse("notifications:list")).content.decode()

    @pytest.mark.parametrize("user", ["official_b", "hr_y"])
    def test_others_get_404_and_see_nothing(self, client, request, user, notice):
        client.force_login(request.getfixturevalue(user))
        body = client.get(reverse("notifications:list")).content.decode()
        assert notice.title not in body and "暂无通知" in body
        url = reverse("notifications:mark", args=[notice.pk])
        assert client.post(url).status_code == 404
        client.post(reverse("notifications:mark_all"))
        assert not MessageRead.objects.exists()

    def test_anonymous_is_sent_to_login(self, client, notice):
        for method, url in (
            ("get", reverse("notifications:list")),
            ("post", reverse("notifications:mark", args=[notice.pk])),
            ("post", reverse("notifications:mark_all")),
        ):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and reverse("login") in response["Location"]
        assert not MessageRead.objects.exists()


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
        assert not MessageRead.objects.exists()


class TestFirstAddresses:
    """Transport's first notification URLs keep working: the page redirects to the outbox's
    page, marking works there as before."""

    def test_page_redirects_and_marking_works(self, client, official_a, official_a2, notice):
        client.force_login(official_a)
        response = client.get("/transport/notifications/?unread=1")
        assert response.status_code == 302
        assert response["Location"] == reverse("notifications:list") + "?unread=1"
        response = client.post(
            f"/transport/notifications/{notice.pk}/read/", {"next": "/transport/my-county/"}
        )
        assert response["Location"] == "/transport/my-county/"
        assert _unread(official_a) == 0 and _unread(official_a2) == 1
        client.post(f"/transport/notifications/{notice.pk}/read/", {"read": "0"})
        client.post("/transport/notifications/read-all/")
        assert _unread(official_a) == 0

    def test_others_get_404_and_anonymous_logs_in(self, client, official_b, notice):
        url = f"/transport/notifications/{notice.pk}/read/"
        response = client.post(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
        client.force_login(official_b)
        assert client.post(url).status_code == 404
        assert not MessageRead.objects.exists()

    def test_outbox_api_lists_the_same_message(self, official_a, notice):
        api = APIClient()
        api.force_authenticate(official_a)
        rows = api.get(f"{OUTBOX_API}/").json()["results"]
        assert [(r["id"], r["key"]) for r in rows] == [(notice.pk, "transport.no_show")]
        old = api.get(f"{API}/{notice.pk}/").json()
        assert old["kind"] == "no_show" and old["title"] == rows[0]["title"]
        assert old["worker"] == notice.params["worker_id"]


def test_nav_shows_the_unread_count_until_read(client, official_a, official_b, notice):
    def nav_badge(user) -> str | None:
        client.force_login(user)
        response = client.get(reverse("home"))
        item = next(
            i for i in response.context["nav_items"] if i["url"] == reverse("notifications:list")
        )
        return item.get("badge")

    assert nav_badge(official_a) == 1
    assert nav_badge(official_b) == 0  # Tongwei's official does not see Anding's notice
    services.message_mark_read(actor=official_a, message=notice)
    assert nav_badge(official_a) == 0


@pytest.mark.django_db(transaction=True)
def test_migration_copies_notifications_into_the_outbox(
    reference_data, coordinator, official_a, hr_x, planned, world
):
    """Rows of the old transport tables become outbox messages with a key and parameters,
    the same audiences and time, and their read marks."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = [("transport", "0008_transportplan_background_run")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    # Not the trip: its table at 0008 lacks later columns (it is read after migrating forward).
    seat = Seat.objects.select_related("match__vacancy", "car", "worker").get(
        worker=world.workers[0], released_at=None
    )
    when = timezone.now() - timezone.timedelta(days=3)
    notices = old.get_model("transport", "Notification").objects
    notice = notices.create(
        kind="no_show_undo",
        title="旧的中文标题",
        body="旧的中文内容",
        county_id=seat.worker.home_county_id,
        employer_id=seat.match.vacancy.employer_id,
        worker_id=seat.worker_id,
        match_id=seat.match_id,
        trip_id=seat.trip_id,
        seat_id=seat.pk,
        created_by_id=coordinator.pk,
    )
    notices.filter(pk=notice.pk).update(created_at=when)  # it was auto_now_add
    old.get_model("transport", "NotificationRead").objects.create(
        notification_id=notice.pk, user_id=official_a.pk
    )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    message = Message.objects.get()
    assert message.key == "transport.no_show_undo" and message.created_at == when
    assert message.params["name"] == seat.worker.name
    assert (
        message.params["seat_id"] == seat.pk and message.params["trip"] == seat.trip.service_number
    )
    assert "旧的" not in str(message.params)  # the stored text is not carried over
    assert set(message.audiences.values_list("kind", "target")) == {
        ("county", seat.worker.home_county_id),
        ("employer", str(seat.match.vacancy.employer_id)),
        ("pairing", str(world.campaign.pairing_id)),
    }
    assert seat.label in message.body and "误记" in message.title
    assert list(MessageRead.objects.values_list("message_id", "user_id")) == [
        (message.pk, official_a.pk)
    ]
    assert (_unread(official_a), _unread(hr_x), _unread(coordinator)) == (0, 1, 1)
