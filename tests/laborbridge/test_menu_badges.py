"""The menu's unread-notices badge is kept in Redis (laborbridge.badges) and still never
shows an old number: a notice left, read, unread or deleted shows on the next page; a user
whose scope changes counts afresh; while Redis is down the badge is the live count."""

import re

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from laborbridge import badges
from laborbridge.notifications import selectors, services
from laborbridge.notifications.models import Message
from laborbridge.notifications.services import Audience, notify
from tests.factories import ANDING, TONGWEI
from tests.laborbridge.test_notifications import PARAMS  # the same no-show notice
from transport.messages import NO_SHOW

pytestmark = [pytest.mark.django_db, pytest.mark.redis]
_BADGE = re.compile(r'<span class="badge" title="[^"]*">(\d+)</span>')
_MESSAGE_COUNT = 'COUNT(*) AS "__count" FROM "laborbridge_message"'


def _notice(county: str = ANDING) -> Message:
    return notify(key=NO_SHOW, params=PARAMS, audiences=[Audience.county(county)], actor=None)


def _badge(client) -> tuple[list[int], list[str]]:
    """Return the page's menu badges and the message COUNTs the page ran."""
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("home")).content.decode()
    counts = [q["sql"] for q in queries.captured_queries if _MESSAGE_COUNT in q["sql"]]
    return [int(n) for n in _BADGE.findall(body)], counts


def test_badge_counted_once_then_kept_until_a_notice_changes(client, official_a):
    client.force_login(official_a)
    _notice()
    first, counted = _badge(client)
    assert first == [1] and len(counted) == 1
    again, counted = _badge(client)
    assert again == [1] and counted == []  # kept in Redis

    second = _notice()
    assert _badge(client)[0] == [2]
    services.message_mark_read(actor=official_a, message=second)
    assert _badge(client)[0] == [1]
    services.message_mark_unread(actor=official_a, message=second)
    assert _badge(client)[0] == [2]
    services.messages_mark_all_read(actor=official_a)
    assert _badge(client)[0] == []  # no unread: no badge
    services.message_mark_unread(actor=official_a, message=second)
    assert _badge(client)[0] == [1]
    second.delete()  # e.g. in the admin
    assert _badge(client)[0] == []


def test_notice_for_another_county_does_not_count(client, official_a):
    client.force_login(official_a)
    _notice()
    assert _badge(client)[0] == [1]
    _notice(TONGWEI)
    assert _badge(client)[0] == [1]


def test_a_user_moved_to_another_county_counts_afresh(official_a):
    _notice()
    assert selectors.messages_unread_badge(official_a) == 1
    official_a.county_id = TONGWEI
    official_a.save(update_fields=["county"])
    assert selectors.messages_unread_badge(official_a) == 0


def test_badge_equals_the_live_count(official_a, official_b):
    for _ in range(3):
        _notice()
    read = _notice()
    services.message_mark_read(actor=official_a, message=read)
    for user in (official_a, official_b):
        assert selectors.messages_unread_badge(user) == selectors.messages_unread_count(user)


def test_while_redis_is_down_the_badge_is_the_live_count(official_a, monkeypatch):
    _notice()
    assert selectors.messages_unread_badge(official_a) == 1  # kept in Redis
    backend = caches["default"]
    # The process has fallen back to its local memory cache (laborbridge.cache): a count
    # there could be changed in another process unseen, so none is kept or read.
    monkeypatch.setattr(backend, "_down_until", float("inf"))
    _notice()
    with CaptureQueriesContext(connection) as queries:
        assert selectors.messages_unread_badge(official_a) == 2
    assert any(_MESSAGE_COUNT in q["sql"] for q in queries.captured_queries)
    assert not backend._fallback.get(badges._generation_key(selectors.UNREAD_BADGE))
