"""Statements PostgreSQL plans once per connection, for the queries every page runs.

PostgreSQL parses and plans a statement anew on every run: the worker list's row query
(four tables) took ~0.4 ms of its CPU to plan and ~0.3 ms to run; the session and user
rows every signed-in request reads were planned each time too (issue 17 item 3). Prepared
once per connection, a statement is planned for its first five runs and then by a generic
plan (~0.01 ms). A prepared statement lives as long as its connection (a rollback keeps
it), so each connection's are recorded here. This needs a session per connection, as
Django's own connections are: not a pooler that hands a connection's statements to other
clients in transaction mode (the README says so).
"""

from __future__ import annotations

import hashlib
import re
import weakref

from django.db import connections

# the driver's connection -> the names of the statements prepared on it
_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PLACEHOLDER = re.compile(r"%[s%]")
# SQL -> its statement's name (a digest of the SQL: the same query, the same name)
_NAMES: dict[str, str] = {}


def _name(sql: str) -> str:
    name = _NAMES.get(sql)
    if name is None:
        digest = hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
        name = _NAMES[sql] = f"lb_{digest}"
    return name


def fetch_prepared(alias: str, sql: str, params: list) -> list[tuple]:
    """Return the rows of ``sql`` (Django's placeholders) with ``params``: on PostgreSQL by
    a statement prepared once per connection when connections are kept between requests
    (``CONN_MAX_AGE``; a connection a request would prepare in vain), else as it is.

    For SQL written once a process (compiled from the ORM or fixed), never for SQL built
    per request: each distinct text is a statement of its own."""
    wrapper = connections[alias]
    max_age = wrapper.settings_dict.get("CONN_MAX_AGE", 0)
    with wrapper.cursor() as cursor:
        if wrapper.vendor != "postgresql" or not (max_age is None or max_age > 0):
            cursor.execute(sql, params)
            return cursor.fetchall()
        name = _name(sql)
        prepared = _PREPARED.setdefault(wrapper.connection, set())
        if name not in prepared:
            _prepare(wrapper, cursor.cursor, name, sql, len(params))
            prepared.add(name)
        marks = ", ".join(["%s"] * len(params))
        cursor.execute(f"EXECUTE {name}({marks})" if params else f"EXECUTE {name}", params)
        return cursor.fetchall()


def _prepare(wrapper, raw, name: str, sql: str, count: int) -> None:
    """Prepare ``sql`` as ``name`` on the connection, unless it is already. Sent on the
    driver's own cursor ``raw``: setting a connection up is not one of a request's queries,
    so a page counts the same queries (``assertNumQueries``, the debug toolbar) whether its
    connection is new or not; errors are Django's as for any query."""
    with wrapper.wrap_database_errors:
        # (a statement this process forgot, e.g. its record of the connection was lost, is
        # not prepared twice: that error would abort the transaction)
        raw.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
        if raw.fetchone() is not None:
            return
        # sent without parameters, so with PostgreSQL's own: $1, $2 … and a plain %
        numbers = iter(range(1, count + 1))
        statement = _PLACEHOLDER.sub(
            lambda mark: "%" if mark.group() == "%%" else f"${next(numbers)}", sql
        )
        raw.execute(f"PREPARE {name} AS {statement}")
        # Planned once: with a seek's parameters PostgreSQL would plan each run afresh (its
        # estimate of one row beats the generic plan's, the companions' subquery costed per
        # row), ~0.3 ms a deep page for the same index seek. It concerns this session's
        # prepared statements only, which are these (Django's own queries are not
        # prepared); a rollback undoes it, slower only.
        raw.execute("SET plan_cache_mode = force_generic_plan")
