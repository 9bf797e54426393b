"""laborbridge.postgresql: a kept connection is checked by its socket before a request — no
round trip when it is idle and the server has said nothing, Django's ``SELECT 1`` when the
server has written something, and a connection the server closed is replaced, not used."""

import select
import time

import psycopg2
import pytest
from django.db import close_old_connections, connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def other():
    """A second connection to the same server, to watch and to terminate the first."""
    raw = psycopg2.connect(**connection.get_connection_params())
    raw.autocommit = True
    yield raw.cursor()
    raw.close()


def _last_query(other, pid: int) -> str | None:
    other.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
    row = other.fetchone()
    return row[0] if row else None


def _mark(marker: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT '{marker}'")
    return connection.connection.info.backend_pid


def test_an_idle_live_connection_is_usable_without_a_query(other):
    pid = _mark("lb-before-check")
    assert connection.is_usable()
    assert _last_query(other, pid) == "SELECT 'lb-before-check'"


def test_a_connection_in_a_transaction_is_checked_by_a_query(other):
    connection.ensure_connection()
    raw = connection.connection
    pid = raw.info.backend_pid
    raw.autocommit = False
    try:
        raw.cursor().execute("SELECT 'lb-in-transaction'")
        assert connection.is_usable()
        assert _last_query(other, pid) == "SELECT 1"
    finally:
        raw.rollback()
        raw.autocommit = True


def test_something_to_read_is_checked_by_a_query_and_a_live_connection_kept(other):
    pid = _mark("lb-listening")
    connection.connection.cursor().execute("LISTEN lb_backend_test")
    other.execute("NOTIFY lb_backend_test")
    poller = select.poll()  # wait until the notification has crossed the socket
    poller.register(connection.connection.fileno(), select.POLLIN)
    assert poller.poll(5000), "the notification never arrived"
    assert connection.is_usable()
    assert _last_query(other, pid) == "SELECT 1"
    connection.connection.cursor().execute("UNLISTEN *")


def test_a_connection_the_server_closed_is_replaced_at_the_next_request(other):
    pid = _mark("lb-to-terminate")
    other.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while _last_query(other, pid) is not None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not connection.is_usable()
    close_old_connections()  # what a request's start does
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (new_pid,) = cursor.fetchone()
    assert new_pid != pid
    assert connection.vendor == "postgresql"
