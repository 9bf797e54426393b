"""Database sessions (``django.contrib.sessions``), the row read by one plain SELECT.

Every signed-in request loads its session; through the ORM, building and compiling that
one-row query cost ~0.6 ms of CPU a request, ~7 % of the worker list page (issue 17 item 3);
the same SELECT written once costs ~0.05 ms, and PostgreSQL plans it once a connection
(``laborbridge.prepared``). Same table, rows and expiry rule as Django's ``db`` backend
(sessions stay valid across the switch); writes, expiry and ``clearsessions`` are Django's.
Not a cache: a session signed out in one process is gone for all of them.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

from laborbridge.prepared import fetch_prepared

# database alias -> the SELECT of a session's data by key, unexpired
_QUERIES: dict[str, str] = {}


def _query(model, alias: str) -> str:
    if alias not in _QUERIES:
        quote = connections[alias].ops.quote_name
        _QUERIES[alias] = (
            f"SELECT {quote('session_data')}, {quote('expire_date')} "
            f"FROM {quote(model._meta.db_table)} "
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
    return _QUERIES[alias]


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """Return the unexpired session row of ``session_key`` (unsaved instance), or None
        (and forget the key, as Django's backend does)."""
        if self.session_key is None:
            return None
        model = self.model
        alias = router.db_for_read(model)
        now = connections[alias].ops.adapt_datetimefield_value(timezone.now())
        rows = fetch_prepared(alias, _query(model, alias), [self.session_key, now])
        if not rows:
            self._session_key = None
            return None
        data, expire_date = rows[0]
        return model(session_key=self.session_key, session_data=data, expire_date=expire_date)
