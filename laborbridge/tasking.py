"""Enqueue Celery tasks once the surrounding transaction has committed.

Publishing is bounded: when the broker (Redis) is down the publish gives up within about a
second (see the broker settings in ``laborbridge.settings``), the caller's ``on_error`` marks
its row failed with a reason the user reads, and :class:`EnqueueFailed` reaches the view,
which answers 503. Without that bound the request hung ~20 s and the row stayed *queued*,
blocking every retry.
"""

import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a failed publish raises: kombu wraps connection errors in OperationalError (a
# KombuError); the Redis client and the socket layer may surface their own.
PUBLISH_ERRORS = (KombuError, RedisError, OSError)

# One quick retry covers a broker that just restarted; more only makes the user wait.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.3,
}

# Seconds a client should wait before retrying after a 503 caused by the broker.
RETRY_AFTER_SECONDS = 30


def task_named(name: str):
    """Return the registered Celery task called ``name``.

    Tasks are sent by name so that services need not import the task modules (which import
    them). A worker imports every task module when it starts; a web process or a management
    command running tasks eagerly has not, so the first lookup there autodiscovers them.
    """
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


class EnqueueFailed(Exception):
    """The broker could not take the task; the row was already marked failed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def broker_unavailable_message() -> str:
    """Return the sentence shown when a background task could not be queued."""
    return _(
        "任务队列服务（Redis）暂时无法连接，本次任务没有开始，已标记为失败。"
        "请稍后重试；若持续出现，请联系系统管理员检查 Redis。"
    )


def enqueue_on_commit(
    task,
    *args,
    on_error: Callable[[str], None] | None = None,
    task_id: str | None = None,
) -> None:
    """Send ``task(*args)`` to the broker after commit.

    If the publish fails, ``on_error(reason)`` is called (it should mark the row failed) and
    :class:`EnqueueFailed` is raised out of the committing ``atomic`` block, so the service
    that queued the task raises it to its view.

    In the embedded demo (no broker, eager Celery) ``LABORBRIDGE_EAGER_THREADS`` runs the
    task on a background thread of the web process instead of inside the request, so a long
    matching round or transport plan shows its progress bar there too. Tests keep it off:
    eager tasks then run synchronously and deterministically.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        if settings.LABORBRIDGE_EAGER_THREADS:
            transaction.on_commit(
                lambda: threading.Thread(
                    target=_run_in_thread, args=(task, args), daemon=True
                ).start()
            )
        else:
            transaction.on_commit(lambda: task.delay(*args))
        return
    transaction.on_commit(lambda: publish(task, *args, on_error=on_error, task_id=task_id))


def publish(
    task, *args, on_error: Callable[[str], None] | None = None, task_id: str | None = None
) -> None:
    """Publish ``task(*args)`` now, with bounded retries; see :func:`enqueue_on_commit`."""
    if task.app.conf.task_always_eager:
        # Runs here and now (tests switch eager on at the app): its errors are the task's own.
        task.apply_async(args=args, task_id=task_id)
        return
    try:
        # The rows are the results: no result-backend subscription, which is what made a
        # publish with Redis down wait ~20 s (the backend's own retry policy).
        task.apply_async(
            args=args,
            task_id=task_id,
            ignore_result=True,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except PUBLISH_ERRORS as error:
        logger.warning("publishing %s%r failed: %r", task.name, args, error)
        reason = broker_unavailable_message()
        if on_error is not None:
            on_error(reason)
        raise EnqueueFailed(reason) from error


def _run_in_thread(task, args) -> None:
    close_old_connections()
    try:
        task.apply(args=args)
    finally:
        connection.close()
