"""Decide which services the test run uses and print them as shell assignments.

PostgreSQL and Redis are used when they answer. With ``CI=true`` they must answer: the
script exits non-zero with a message naming the one that does not, so CI never quietly
falls back to SQLite. Used by ``make test``.
"""

import os
import socket
import sys

PG_HOST, PG_PORT = (
    os.environ.get("TEST_PG_HOST", "127.0.0.1"),
    int(os.environ.get("TEST_PG_PORT", "5432")),
)
REDIS_HOST, REDIS_PORT = (
    os.environ.get("TEST_REDIS_HOST", "127.0.0.1"),
    int(os.environ.get("TEST_REDIS_PORT", "6379")),
)


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def main() -> int:
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    lines = []
    database_url = os.environ.get("DATABASE_URL")
    if not database_url and _answers(PG_HOST, PG_PORT):
        database_url = f"postgres://postgres@{PG_HOST}:{PG_PORT}/laborbridge"
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url and _answers(REDIS_HOST, REDIS_PORT):
        redis_url = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"
    if ci and not database_url:
        print(
            f"CI: PostgreSQL is not answering on {PG_HOST}:{PG_PORT}; refusing to test on SQLite.",
            file=sys.stderr,
        )
        return 1
    if ci and not redis_url:
        print(
            f"CI: Redis is not answering on {REDIS_HOST}:{REDIS_PORT}; refusing to skip Celery tests.",
            file=sys.stderr,
        )
        return 1
    lines.append(f"export DATABASE_URL={database_url or ''}")
    lines.append(f"export REDIS_URL={redis_url or ''}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
