"""Django's PostgreSQL backend, checking a kept connection by its socket before a request.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` on a kept connection at each request's
first query: a round trip to the server (~0.1 ms of the two processes' CPU) on every request
that reads the database — every signed-in page, not the login form (issue 17 item 3). A connection the server
closed — a restart, ``pg_terminate_backend``, an idle timeout — has something to read on its
socket: the server's "terminating connection" message, or the end of the stream. An idle
connection with nothing to read is answered without a round trip; one with something to
read, or inside a transaction, gets Django's own ``SELECT 1``, which reads the message and
fails, so the connection is closed and the request opens a new one as before.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg2 import extensions


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed:
            return False
        if raw.info.transaction_status != extensions.TRANSACTION_STATUS_IDLE:
            return super().is_usable()
        poller = select.poll()
        poller.register(raw.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        if poller.poll(0):
            return super().is_usable()
        return True
