"""laborbridge.badges: a count kept in Redis until its kind changes, per scope; never kept in
a per-process cache (another backend, or Redis down and laborbridge.cache's fallback)."""

import pytest
from django.core.cache import caches
from django.test import override_settings

from laborbridge import badges

pytestmark = [pytest.mark.django_db, pytest.mark.redis]  # on_commit needs the database


class Counter:
    def __init__(self, value: int = 7):
        self.value = value
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.value


def test_kept_until_the_kind_changes():
    count = Counter()
    assert badges.badge_count("k", (1,), count) == 7
    assert badges.badge_count("k", (1,), count) == 7
    assert count.calls == 1
    count.value = 8
    badges.badge_changed("k")
    assert badges.badge_count("k", (1,), count) == 8
    assert count.calls == 2


def test_scopes_and_kinds_apart():
    one, two, other = Counter(1), Counter(2), Counter(3)
    assert badges.badge_count("k", (1,), one) == 1
    assert badges.badge_count("k", (2,), two) == 2
    assert badges.badge_count("j", (1,), other) == 3
    badges.badge_changed("j")  # another kind: k's counts stay
    assert badges.badge_count("k", (1,), one) == 1 and one.calls == 1


def test_a_count_of_an_old_generation_is_not_read():
    count = Counter()
    badges.badge_count("k", (1,), count)
    generation = caches["default"].get(badges._generation_key("k"))
    badges.badge_changed("k")
    # a count finished after the change but under the generation it started in
    caches["default"].set("badge:k:1", (generation, 99))
    assert badges.badge_count("k", (1,), count) == 7


def test_a_lost_generation_starts_afresh():
    count = Counter()
    badges.badge_count("k", (1,), count)
    caches["default"].delete(badges._generation_key("k"))  # evicted
    assert badges.badge_count("k", (1,), count) == 7
    assert count.calls == 2


def test_while_redis_is_down_always_counted(monkeypatch):
    backend = caches["default"]
    monkeypatch.setattr(backend, "_down_until", float("inf"))
    count = Counter()
    badges.badge_changed("k")
    assert badges.badge_count("k", (1,), count) == 7
    assert badges.badge_count("k", (1,), count) == 7
    assert count.calls == 2
    assert backend._fallback.get("badge:k:1") is None


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_another_backend_always_counted():
    count = Counter()
    badges.badge_count("k", (1,), count)
    badges.badge_count("k", (1,), count)
    assert count.calls == 2


@pytest.fixture
def round_trips(monkeypatch):
    """The MGETs badges send to Redis (each still answered by Redis)."""
    sent: list[list[str]] = []
    mget = badges._mget

    def counted(backend, keys):
        sent.append(keys)
        return mget(backend, keys)

    monkeypatch.setattr(badges, "_mget", counted)
    return sent


def test_badges_read_together_in_one_round_trip(round_trips):
    one, two, other, live = Counter(1), Counter(2), Counter(3), Counter(4)
    wanted = [
        badges.Badge("k", (1,), one),
        badges.Badge("k", (2,), two),
        badges.Badge("j", (1,), other),
        badges.Badge(None, (), live),  # counted on every page
    ]
    assert badges.badge_counts(wanted) == [1, 2, 3, 4]
    assert badges.badge_counts(wanted) == [1, 2, 3, 4]
    assert len(round_trips) == 2 and len(round_trips[1]) == 5  # two generations, three counts
    assert (one.calls, two.calls, other.calls, live.calls) == (1, 1, 1, 2)
    badges.badge_changed("j")  # only j counts again
    other.value = 30
    assert badges.badge_counts(wanted) == [1, 2, 30, 4]
    assert (one.calls, two.calls, other.calls) == (1, 1, 2)


def test_badges_counted_when_redis_fails(monkeypatch):
    from redis.exceptions import ConnectionError as RedisConnectionError

    def broken(backend, keys):
        raise RedisConnectionError("gone")

    monkeypatch.setattr(badges, "_mget", broken)
    one, live = Counter(1), Counter(2)
    assert badges.badge_counts([badges.Badge("k", (1,), one), badges.Badge(None, (), live)]) == [
        1,
        2,
    ]
    assert (one.calls, live.calls) == (1, 1)
