"""Menu badge counts kept in Redis behind a generation key, never stale after a change.

Every signed-in page shows the menu's badges (unread notices, overdue cases): a COUNT each,
~1-1.5 ms of ORM work and a round trip on every page (issue 17 item 3). Here a badge's count
is kept under a key that names its kind's current *generation*; whatever changes what a badge
counts calls :func:`badge_changed`, which gives the kind a new generation — at once (the
changing transaction's own reads, tests) and again after the commit (readers that counted
meanwhile from the old snapshot) — so the next page counts afresh. ``BADGE_TTL_SECONDS`` is
only a backstop for a change whose announcement could not reach Redis.

Only Redis is trusted: with another cache backend, while ``laborbridge.cache`` has fallen
back to its per-process memory (a count changed in one process would stay old in another),
or on any Redis error, the badge is the live query.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Hashable

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


def badge_count(kind: str, scope: tuple[Hashable, ...], count: Callable[[], int]) -> int:
    """Return ``count()`` for ``scope`` (everything the count depends on besides the rows
    of ``kind``: the user and their role's scope, the date), cached until ``kind`` changes:
    one Redis round trip when it is kept."""
    backend = _redis()
    if backend is None:
        return count()
    generation_key = _generation_key(kind)
    key = "badge:{}:{}".format(kind, ":".join(map(str, scope)))
    try:
        # RedisCache's own methods: never laborbridge.cache's per-process fallback.
        generation, kept = _mget(backend, [generation_key, key])
        if generation is not None and kept is not None and kept[0] == generation:
            return kept[1]
        if generation is None:
            # A random start: a generation evicted and begun again never meets old counts.
            RedisCache.add(backend, generation_key, secrets.token_hex(8), timeout=None)
            generation = RedisCache.get(backend, generation_key)
        value = count()
        # Kept with the generation it was counted in: a change meanwhile gave the kind a
        # new one, so this count is never read after it.
        RedisCache.set(backend, key, (generation, value), timeout=BADGE_TTL_SECONDS)
        return value
    except REDIS_ERRORS:
        return count()


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
