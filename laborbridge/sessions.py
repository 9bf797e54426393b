"""Database sessions (``django.contrib.sessions``), the row read by one plain SELECT.

Every signed-in request loads its session; through the ORM, building and compiling that
one-row query cost ~0.6 ms of CPU a request, ~7 % of the worker list page (issue 17 item 3);
the same SELECT written once costs ~0.05 ms. Same table, rows and expiry rule as Django's
``db`` backend (sessions stay valid across the switch); writes, expiry and ``clearsessions``
are Django's. Not a cache: a session signed out in one process is gone for all of them.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """Return the unexpired session row of ``session_key`` (unsaved instance), or None
        (and forget the key, as Django's backend does)."""
        if self.session_key is None:
            return None
        model = self.model
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('session_data')}, {quote('expire_date')} "
                f"FROM {quote(model._meta.db_table)} "
                f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s",
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
