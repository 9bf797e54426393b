"""One Redis database per pytest-xdist worker (``make test`` runs the suite on two workers).

pytest-django already gives each worker its own test database (``test_<name>_gw<n>``), but
Redis would be shared: Django's cache is emptied after every test with FLUSHDB, and the Celery
workers integration tests start consume their queues by name, so two pytest workers on one
Redis database would empty each other's cache and take each other's rounds. Loaded with
``-p tests.xdist_services``: a plugin given with ``-p`` is imported before pytest-django reads
the settings, and xdist has already named the worker in ``PYTEST_XDIST_WORKER`` by then.
Worker ``gw<n>`` uses database ``base - n`` (modulo 16) of the ``REDIS_URL`` it was given.
"""

import os
from urllib.parse import urlsplit, urlunsplit


def worker_redis_url(url: str, worker: str) -> str:
    """Return ``url`` moved to the Redis database of xdist worker ``worker`` (``gw<n>``)."""
    index = int(worker.removeprefix("gw"))
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base - index) % 16}"))


_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and os.environ.get("REDIS_URL", "").startswith("redis"):
    os.environ["TEST_REDIS_URL_GIVEN"] = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], _WORKER)
