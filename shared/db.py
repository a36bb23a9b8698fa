"""PostgreSQL plumbing: connections and transactions that roll back unless committed."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

import psycopg2
import psycopg2.extensions
import psycopg2.extras
import psycopg2.pool

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


class Unavailable(Exception):
    """The database cannot be reached (or a connection broke mid-transaction)."""


class Pool:
    """A few connections shared by an HTTP process's threads, opened on first use.

    At most ``max_connections`` are open; a thread beyond that waits (up to ``wait_s``) for
    one to come back instead of failing. A connection that broke is closed, not reused.
    ``transaction()`` commits when its block ends and rolls back when it raises; a lost
    server surfaces as ``Unavailable``.
    """

    def __init__(
        self, database_url: str, *, application_name: str, max_connections: int = 4,
        wait_s: float = 5.0,
    ) -> None:  # fmt: skip
        self.database_url = database_url
        self.application_name = application_name
        self.max_connections = max_connections
        self.wait_s = wait_s
        self._slots = threading.BoundedSemaphore(max_connections)
        self._lock = threading.Lock()
        self._pool: psycopg2.pool.ThreadedConnectionPool | None = None

    def _get_pool(self) -> psycopg2.pool.ThreadedConnectionPool:
        with self._lock:
            if self._pool is None:
                self._pool = psycopg2.pool.ThreadedConnectionPool(
                    0, self.max_connections, self.database_url, connect_timeout=3,
                    application_name=self.application_name,
                )  # fmt: skip
            return self._pool

    @contextmanager
    def transaction(self) -> Iterator[psycopg2.extensions.cursor]:
        if not self._slots.acquire(timeout=self.wait_s):
            raise Unavailable("every database connection is busy")
        try:
            try:
                pool = self._get_pool()
                conn = pool.getconn()
            except psycopg2.Error as exc:
                raise Unavailable(str(exc)) from exc
            broken = False
            try:
                with transaction(conn) as cur:
                    yield cur
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
                broken = True
                raise Unavailable(str(exc)) from exc
            finally:
                pool.putconn(conn, close=broken or conn.closed != 0)
        finally:
            self._slots.release()

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.closeall()
