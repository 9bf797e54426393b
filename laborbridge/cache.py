"""The Redis cache, degraded to a per-process memory cache while Redis is unreachable.

The cache shares its Redis with the Celery broker. When that Redis stopped, every cached page
(the public board) answered 500. Here a Redis error switches this process to a local
``LocMemCache`` for :data:`RETRY_REDIS_AFTER` seconds, logs once, and then tries Redis again:
pages keep answering (from the database, cached per process), rate limits keep counting per
process. Short socket timeouts (settings) keep a hung Redis from stalling a request.
"""

import logging
import threading
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Seconds this process uses its local cache after a Redis error before trying Redis again:
# short enough to come back quickly, long enough that an outage costs one timeout per
# process per period, not one per request.
RETRY_REDIS_AFTER = 5.0

# OSError covers a refused or reset socket that the client did not wrap.
REDIS_ERRORS = (RedisError, OSError)


class ResilientRedisCache(RedisCache):
    """``RedisCache`` that falls back to a local memory cache while Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._fallback = LocMemCache(f"redis-fallback-{id(self)}", {"OPTIONS": {}})
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _call(self, name: str, *args, **kwargs):
        if self.redis_down:
            return getattr(self._fallback, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except REDIS_ERRORS as error:
            with self._lock:
                if not self.redis_down:
                    logger.warning(
                        "cache: Redis unreachable (%r); using the local cache for %.0f s",
                        error,
                        RETRY_REDIS_AFTER,
                    )
                self._down_until = time.monotonic() + RETRY_REDIS_AFTER
            return getattr(self._fallback, name)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._call("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._call("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._call("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._call("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._call("delete_many", *args, **kwargs)

    def clear(self):
        return self._call("clear")
