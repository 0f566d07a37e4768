"""Database connections on the public endpoints' lean path (sdk/gateway.py).

Django's handler closes obsolete connections when a request starts and ends, and with
`CONN_HEALTH_CHECKS` pings a reused connection (`SELECT 1`) before its first query: one more round
trip on every request. Here the first query of every public request (the token lookup) is itself the
probe: on a connection kept from an earlier request it is retried once on a fresh connection when the
server dropped the old one, so the ping is not needed.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection, connections

from core.exceptions import DATABASE_UNAVAILABLE_ERRORS


def connections_release() -> None:
    """Close connections that had errors or outlived `CONN_MAX_AGE` (as Django does around each request).

    A connection inside a transaction is left alone: a request never starts in one, so it belongs to
    the caller (a test's transaction)."""
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def fetchone_probing(sql: str, params: Sequence[Any]) -> tuple | None:
    """The first row of `sql`, run as the request's first query (see the module docstring)."""
    conn: Any = connection
    probe = conn.connection is not None and conn.health_check_enabled and not conn.in_atomic_block
    if probe:
        conn.health_check_done = True  # this query is the health check
    try:
        return _fetchone(sql, params)
    except DATABASE_UNAVAILABLE_ERRORS:
        if not probe:
            raise
        connection.close()
        return _fetchone(sql, params)


def _fetchone(sql: str, params: Sequence[Any]) -> tuple | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
