"""Enqueue Celery tasks once the surrounding transaction has committed."""

import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction


def enqueue_on_commit(task, *args) -> None:
    """Send ``task(*args)`` to the broker after commit.

    In the embedded demo (no broker, eager Celery) ``LABORBRIDGE_EAGER_THREADS`` runs the
    task on a background thread of the web process instead of inside the request, so a long
    matching round or transport plan shows its progress bar there too. Tests keep it off:
    eager tasks then run synchronously and deterministically.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.LABORBRIDGE_EAGER_THREADS:
        transaction.on_commit(
            lambda: threading.Thread(target=_run_in_thread, args=(task, args), daemon=True).start()
        )
        return
    transaction.on_commit(lambda: task.delay(*args))


def _run_in_thread(task, args) -> None:
    close_old_connections()
    try:
        task.apply(args=args)
    finally:
        connection.close()
