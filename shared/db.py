"""PostgreSQL plumbing: connections and transactions that roll back unless committed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions
import psycopg2.extras

psycopg2.extras.register_uuid()


def connect(database_url: str, *, application_name: str = "pratikriya", timeout_s: int = 5):
    """A new connection; OperationalError when the server cannot be reached in time."""
    return psycopg2.connect(
        database_url, connect_timeout=timeout_s, application_name=application_name
    )


@contextmanager
def transaction(conn: psycopg2.extensions.connection) -> Iterator[psycopg2.extensions.cursor]:
    """A cursor inside one transaction: committed when the block ends normally, rolled back
    when it raises (the exception goes on)."""
    try:
        with conn.cursor() as cur:
            yield cur
        conn.commit()
    except BaseException:
        conn.rollback()
        raise


@contextmanager
def connection(database_url: str, **kwargs) -> Iterator[psycopg2.extensions.connection]:
    """A short-lived connection, closed at the end of the block."""
    conn = connect(database_url, **kwargs)
    try:
        yield conn
    finally:
        conn.close()
