"""PostgreSQL plumbing: connections and transactions that roll back unless committed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import psycopg2
import psycopg2.extensions
import psycopg2.extras

psycopg2.extras.register_uuid()
R = TypeVar("R")


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


class Reconnecting:
    """One connection, made by ``connect`` on first use and again after it broke: a worker's
    connection outlives a database restart."""

    def __init__(self, connect: Callable[[], psycopg2.extensions.connection]) -> None:
        self._connect = connect
        self.conn: psycopg2.extensions.connection | None = None

    @contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.cursor]:
        """``transaction`` on the connection; a lost connection (OperationalError,
        InterfaceError) is dropped, so the next call opens a new one."""
        if self.conn is None or self.conn.closed:
            self.conn = self._connect()
        try:
            with transaction(self.conn) as cur:
                yield cur
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            self.close()
            raise

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None and not conn.closed:
            with contextlib.suppress(psycopg2.Error):  # broken: nothing left to close
                conn.close()


class Repositories(Generic[R]):
    """A unit of work: each ``transaction()`` yields ``make(cursor)`` (a repository) over one
    ``Reconnecting`` connection, committed when the block ends, rolled back if it raises."""

    def __init__(
        self,
        connect: Callable[[], psycopg2.extensions.connection],
        make: Callable[[psycopg2.extensions.cursor], R],
    ) -> None:
        self._connection = Reconnecting(connect)
        self._make = make

    @contextmanager
    def transaction(self) -> Iterator[R]:
        with self._connection.transaction() as cur:
            yield self._make(cur)

    def close(self) -> None:
        self._connection.close()
