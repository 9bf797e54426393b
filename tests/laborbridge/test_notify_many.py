"""The outbox's batch write: one message per notice, the same rows as ``notify`` writes."""

import pytest

from laborbridge.notifications.models import Channel, DeliveryStatus, Message
from laborbridge.notifications.services import Audience, Notice, notify, notify_many
from placement import messages as placement_messages

pytestmark = pytest.mark.django_db

PARAMS = {"name": "张三", "id": "6211**********1234", "employer": "青岛X", "month": "2026-07"}


def _rows(message):
    return (
        message.key,
        message.params,
        sorted((a.kind, a.target) for a in message.audiences.all()),
        sorted((d.channel, d.status, d.attempts) for d in message.deliveries.all()),
        message.created_by,
    )


def test_many_writes_what_one_writes(official_a, django_assert_num_queries):
    one = notify(
        key=placement_messages.WAGE_GAP,
        params=PARAMS,
        audiences=[Audience.pairing(1), Audience.pairing(1), Audience.county("621102")],
        actor=official_a,
    )
    notices = [
        Notice(params={**PARAMS, "name": f"员工{i}"}, audiences=[Audience.pairing(i)])
        for i in range(5)
    ]
    # Messages, audiences, deliveries, inside one savepoint (all or none).
    with django_assert_num_queries(5):
        many = notify_many(key=placement_messages.WAGE_GAP, notices=notices, actor=official_a)
    assert [m.params["name"] for m in many] == [f"员工{i}" for i in range(5)]
    assert _rows(one)[2] == [("county", "621102"), ("pairing", "1")]
    stored = Message.objects.filter(pk__in=[m.pk for m in many])
    assert len(stored) == 5
    for message in stored:
        key, _params, audiences, deliveries, by = _rows(message)
        assert (key, by) == (placement_messages.WAGE_GAP, official_a)
        assert audiences == [("pairing", str(message.params["name"][2:]))]
        assert deliveries == [(Channel.IN_APP, DeliveryStatus.SENT, 1)]


def test_many_refuses_what_one_refuses(official_a):
    with pytest.raises(ValueError, match="audience"):
        notify_many(
            key=placement_messages.WAGE_GAP,
            notices=[Notice(params=PARAMS, audiences=[Audience.pairing(1)]), Notice(PARAMS, [])],
            actor=official_a,
        )
    with pytest.raises(ValueError, match="not registered"):
        notify_many(key="no.such.key", notices=[], actor=official_a)
    assert not Message.objects.exists()
