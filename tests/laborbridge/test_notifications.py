"""The notification outbox: a message is written with its cause (key + parameters, never
text), reaches its audiences through the one scoping module, is delivered in-app at once,
reads in each reader's language and keeps a read state per reader. Officials of another
county, HR of another employer, coordinators of another pairing and anonymous users see and
mark nothing."""

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from laborbridge.models import Pairing, Role
from laborbridge.notifications import selectors, services
from laborbridge.notifications.models import (
    DeliveryStatus,
    Message,
    MessageDelivery,
    MessageRead,
)
from laborbridge.notifications.services import Audience, notify
from tests.factories import ANDING, make_user
from transport.messages import NO_SHOW, NO_SHOW_UNDO

pytestmark = pytest.mark.django_db
API = "/api/v1/notifications"
PARAMS = {
    "name": "张三",
    "id": "621102********1234",
    "trip": "Y123",
    "departure_at": "2026-03-01T08:30:00+08:00",
    "car": 5,
    "row": 12,
    "letter": "F",
    "employer": "青岛X电子有限公司",
    "worker_id": 1,
}
ZH_TITLE = "张三 未按时上车（Y123 03-01 08:30）"
EN_TITLE = "张三 did not board on time (Y123 03-01 08:30)"


@pytest.fixture
def coordinator_other(db):
    """A coordinator of another pairing (Jiaozhou ↔ Tongwei)."""
    return make_user(
        "coordinator_jz", Role.COORDINATOR, pairing=Pairing.objects.get(code="jiaozhou-tongwei")
    )


def _audiences(employer, pairing) -> list[Audience]:
    return [Audience.county(ANDING), Audience.employer(employer.pk), Audience.pairing(pairing.pk)]


@pytest.fixture
def message(coordinator, employer_x, pairing_qd_dx) -> Message:
    return notify(
        key=NO_SHOW,
        params=PARAMS,
        audiences=_audiences(employer_x, pairing_qd_dx),
        cause=employer_x,
        actor=coordinator,
    )


class TestNotify:
    def test_a_key_and_parameters_for_each_audience_delivered_in_app(
        self, message, employer_x, pairing_qd_dx
    ):
        message.refresh_from_db()
        assert (message.key, message.params) == (NO_SHOW, PARAMS)  # no rendered text stored
        assert message.cause_type.model == "employer" and message.cause_id == str(employer_x.pk)
        assert set(message.audiences.values_list("kind", "target")) == {
            ("county", ANDING),
            ("employer", str(employer_x.pk)),
            ("pairing", str(pairing_qd_dx.pk)),
        }
        deliveries = MessageDelivery.objects.filter(message=message)
        assert deliveries.count() == 3
        for delivery in deliveries:
            assert (delivery.channel, delivery.status, delivery.attempts) == (
                "in_app",
                DeliveryStatus.SENT,
                1,
            )
            assert delivery.sent_at is not None

    def test_the_message_exists_only_if_its_cause_commits(self, coordinator, employer_x):
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(
                key=NO_SHOW,
                params=PARAMS,
                audiences=[Audience.employer(employer_x.pk)],
                actor=coordinator,
            )
            raise RuntimeError("the cause failed")
        assert not Message.objects.exists() and not MessageDelivery.objects.exists()

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"key": "nobody.registered"},
            {"audiences": []},
            {"channels": ("pigeon",)},
        ],
    )
    def test_unknown_keys_channels_and_no_audience_are_refused(self, coordinator, kwargs):
        arguments = {
            "key": NO_SHOW,
            "params": PARAMS,
            "audiences": [Audience.county(ANDING)],
            "actor": coordinator,
            **kwargs,
        }
        with pytest.raises(ValueError):
            notify(**arguments)
        assert not Message.objects.exists()


class TestLanguage:
    def test_rendered_in_the_active_language(self, message):
        with translation.override("zh-hans"):
            assert message.title == ZH_TITLE and "原座位 05车12F 已释放" in message.body
        with translation.override("en"):
            assert message.title == EN_TITLE and "05-12F" in message.body

    def test_a_chinese_and_an_english_reader_read_the_same_message(
        self, client, official_a, message
    ):
        english = type(client)()
        english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for reader, title in ((client, ZH_TITLE), (english, EN_TITLE)):
            reader.force_login(official_a)
            assert title in reader.get(reverse("notifications:list")).content.decode()
        api = APIClient()
        api.force_authenticate(official_a)
        assert api.get(f"{API}/{message.pk}/").json()["title"] == ZH_TITLE
        api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        assert api.get(f"{API}/{message.pk}/").json()["title"] == EN_TITLE


class TestScope:
    @pytest.mark.parametrize("user", ["official_a", "hr_x", "coordinator", "admin_user"])
    def test_each_audience_sees_it(self, request, user, message):
        reader = request.getfixturevalue(user)
        assert [m.pk for m in selectors.messages_for(reader)] == [message.pk]
        assert selectors.messages_unread_count(reader) == 1

    @pytest.mark.parametrize("user", ["official_b", "hr_y", "coordinator_other"])
    def test_others_see_and_mark_nothing(self, client, request, user, message):
        reader = request.getfixturevalue(user)
        client.force_login(reader)
        body = client.get(reverse("notifications:list")).content.decode()
        assert ZH_TITLE not in body and "暂无通知" in body
        assert client.post(reverse("notifications:mark", args=[message.pk])).status_code == 404
        client.post(reverse("notifications:mark_all"))
        api = APIClient()
        api.force_authenticate(reader)
        assert api.get(f"{API}/").json()["results"] == []
        assert api.get(f"{API}/{message.pk}/").status_code == 404
        assert api.post(f"{API}/{message.pk}/read/").status_code == 404
        assert api.post(f"{API}/read-all/").json() == {"unread": 0}
        assert not MessageRead.objects.exists()

    def test_anonymous_is_refused(self, client, message):
        for method, url in (
            ("get", reverse("notifications:list")),
            ("post", reverse("notifications:mark", args=[message.pk])),
            ("post", reverse("notifications:mark_all")),
        ):
            response = getattr(client, method)(url)
            assert response.status_code == 302 and reverse("login") in response["Location"]
        api = APIClient()
        for method, url in (
            ("get", f"{API}/"),
            ("get", f"{API}/{message.pk}/"),
            ("post", f"{API}/{message.pk}/read/"),
            ("post", f"{API}/read-all/"),
            ("get", f"{API}/unread-count/"),
        ):
            assert getattr(api, method)(url).status_code in (401, 403), url
        assert not MessageRead.objects.exists()

    def test_a_message_to_one_user_is_theirs_alone(self, official_a, official_b, coordinator):
        mine = notify(
            key=NO_SHOW, params=PARAMS, audiences=[Audience.user(official_b.pk)], actor=None
        )
        assert list(selectors.messages_for(official_b)) == [mine]
        assert not selectors.messages_for(official_a) and not selectors.messages_for(coordinator)


class TestReadState:
    def test_per_reader_and_unread_first(self, client, official_a, message, coordinator):
        colleague = make_user("official_a2", Role.COUNTY_OFFICIAL, county_id=ANDING)
        assert services.message_mark_read(actor=official_a, message=message) is True
        assert services.message_mark_read(actor=official_a, message=message) is False
        correction = notify(
            key=NO_SHOW_UNDO, params=PARAMS, audiences=[Audience.county(ANDING)], actor=None
        )
        # official_a has read the older one: the unread correction comes first.
        assert [m.pk for m in selectors.messages_for(official_a)] == [correction.pk, message.pk]
        assert selectors.messages_unread_count(colleague) == 2
        assert services.messages_mark_all_read(actor=colleague) == 2
        assert selectors.messages_unread_count(official_a) == 1

    def test_page_lists_unread_first_and_filters(self, client, official_a, message, query_count):
        correction = notify(
            key=NO_SHOW_UNDO, params=PARAMS, audiences=[Audience.county(ANDING)], actor=None
        )
        services.message_mark_read(actor=official_a, message=correction)
        client.force_login(official_a)
        with query_count(9):
            body = client.get(reverse("notifications:list")).content.decode()
        assert body.index(ZH_TITLE) < body.index("未到系误记")  # the older one is unread
        assert 'id="unread-count">1 条未读' in body and 'id="message-kinds"' in body
        only = client.get(reverse("notifications:list") + f"?key={NO_SHOW_UNDO}").content.decode()
        assert ZH_TITLE not in only and "未到系误记" in only
        unread = client.get(reverse("notifications:list") + "?unread=1").content.decode()
        assert ZH_TITLE in unread and "未到系误记" not in unread

    def test_api_reads_marks_and_counts(self, official_a, message):
        api = APIClient()
        api.force_authenticate(official_a)
        rows = api.get(f"{API}/").json()["results"]
        assert [(r["id"], r["key"], r["is_read"]) for r in rows] == [(message.pk, NO_SHOW, False)]
        assert rows[0]["params"] == PARAMS
        assert api.get(f"{API}/unread-count/").json() == {"unread": 1}
        assert api.post(f"{API}/{message.pk}/read/").json()["is_read"] is True
        assert api.get(f"{API}/?unread=true").json()["results"] == []
        assert api.post(f"{API}/{message.pk}/unread/").json()["is_read"] is False
        assert api.get(f"{API}/?key=other").json()["results"] == []
        assert api.post(f"{API}/read-all/").json() == {"unread": 0}


def test_nav_badge_counts_the_outbox(client, official_a, official_b, message):
    def badge(user):
        client.force_login(user)
        items = client.get(reverse("home")).context["nav_items"]
        return next(i for i in items if i["url"] == reverse("notifications:list")).get("badge")

    assert (badge(official_a), badge(official_b)) == (1, 0)
    services.message_mark_read(actor=official_a, message=message)
    assert badge(official_a) == 0
