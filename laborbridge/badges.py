"""Menu badge counts kept in Redis behind a generation key, never stale after a change.

Every signed-in page shows the menu's badges (unread notices, overdue cases): a COUNT each,
~1-1.5 ms of ORM work and a round trip on every page (issue 17 item 3). Here a badge's count
is kept under a key that names its kind's current *generation*; whatever changes what a badge
counts calls :func:`badge_changed`, which gives the kind a new generation — at once (the
changing transaction's own reads, tests) and again after the commit (readers that counted
meanwhile from the old snapshot) — so the next page counts afresh. ``BADGE_TTL_SECONDS`` is
only a backstop for a change whose announcement could not reach Redis. A page asks for all
its numbers together (``badge_counts``: its list's count and the menu's badges), one Redis
round trip for all of them.

Only Redis is trusted: with another cache backend, while ``laborbridge.cache`` has fallen
back to its per-process memory (a count changed in one process would stay old in another),
or on any Redis error, the badge is the live query.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction

from laborbridge.cache import REDIS_ERRORS

logger = logging.getLogger(__name__)

# A count whose change could not be announced (Redis unreachable at that moment) is shown at
# most this long; every other change shows on the next page.
BADGE_TTL_SECONDS = 60


def _redis() -> RedisCache | None:
    """Return the shared Redis cache, or None when counts must not be cached now."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or getattr(backend, "redis_down", False):
        return None
    return backend


def _mget(backend: RedisCache, keys: list[str]) -> list:
    """Return the values of ``keys`` as ``RedisCache`` stores them (None when missing), by
    one MGET on the backend's own client: its ``get_many`` also validates and maps each key
    and builds a client, a third of a badge's ~90 µs of CPU on every page."""
    try:
        client = backend._cache.get_client()
        loads = backend._cache._serializer.loads
    except AttributeError:  # another RedisCache: its public method
        found = RedisCache.get_many(backend, keys)
        return [found.get(key) for key in keys]
    values = client.mget([backend.make_key(key) for key in keys])
    return [None if value is None else loads(value) for value in values]


def _generation_key(kind: str) -> str:
    return f"badge-generation:{kind}"


@dataclass(frozen=True, slots=True)
class Badge:
    """A number a page shows (a menu badge, a list's count): ``count()``, kept under
    ``kind`` and ``scope`` (everything the count depends on besides the rows of ``kind``:
    the user and their role's scope, the date) until the kind changes; counted on every page
    when ``kind`` is None (a scope that also follows other tables)."""

    kind: str | None
    scope: tuple[Hashable, ...]
    count: Callable[[], int]


def badge_counts(badges: Sequence[Badge]) -> list[int]:
    """Return the count of each of ``badges``: those kept, by one Redis round trip for all
    of them (a page asks for its list's count and its menu's badges together)."""
    backend = _redis()
    kept = [i for i, badge in enumerate(badges) if badge.kind is not None]
    values: list[int | None] = [None] * len(badges)
    if backend is not None and kept:
        kinds = list(dict.fromkeys(badges[i].kind for i in kept))
        keys = [
            "badge:{}:{}".format(badges[i].kind, ":".join(map(str, badges[i].scope))) for i in kept
        ]
        try:
            # RedisCache's own methods: never laborbridge.cache's per-process fallback.
            found = _mget(backend, [_generation_key(kind) for kind in kinds] + keys)
            generations = dict(zip(kinds, found[: len(kinds)], strict=True))
            for i, key, value in zip(kept, keys, found[len(kinds) :], strict=True):
                values[i] = _kept_or_counted(backend, badges[i], key, value, generations)
        except REDIS_ERRORS:
            pass  # the rest are counted below
    return [
        badge.count() if value is None else value
        for badge, value in zip(badges, values, strict=True)
    ]


def _kept_or_counted(backend: RedisCache, badge: Badge, key: str, value, generations) -> int:
    """Return the kept count ``value`` of ``badge`` when it is of its kind's current
    generation, else count it and keep it under that generation."""
    generation = generations[badge.kind]
    if generation is not None and value is not None and value[0] == generation:
        return value[1]
    if generation is None:
        # A random start: a generation evicted and begun again never meets old counts.
        generation_key = _generation_key(badge.kind)
        RedisCache.add(backend, generation_key, secrets.token_hex(8), timeout=None)
        generation = generations[badge.kind] = RedisCache.get(backend, generation_key)
    count = badge.count()
    # Kept with the generation it was counted in: a change meanwhile gave the kind a new
    # one, so this count is never read after it.
    RedisCache.set(backend, key, (generation, count), timeout=BADGE_TTL_SECONDS)
    return count


def badge_count(kind: str, scope: tuple[Hashable, ...], count: Callable[[], int]) -> int:
    """Return ``count()`` for ``scope``, cached until ``kind`` changes (``Badge``): one
    Redis round trip when it is kept."""
    return badge_counts([Badge(kind, scope, count)])[0]


def _new_generation(kind: str) -> None:
    backend = _redis()
    if backend is None:
        if isinstance(caches["default"], RedisCache):
            logger.warning("badges: %s changed while Redis is down", kind)
        return
    try:
        RedisCache.set(backend, _generation_key(kind), secrets.token_hex(8), timeout=None)
    except REDIS_ERRORS as error:
        logger.warning("badges: %s changed but Redis is unreachable (%r)", kind, error)


def badge_changed(kind: str) -> None:
    """Announce that the rows a ``kind`` badge counts changed (or will on commit)."""
    _new_generation(kind)
    transaction.on_commit(lambda: _new_generation(kind))
