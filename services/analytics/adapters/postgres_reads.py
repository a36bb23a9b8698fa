"""What the API and the dashboard read from PostgreSQL: the station registry, a station's
daily series and its latest comments (``PostgresReads``, never a visitor's name or number);
and, apart, the feedback cell's reveal of one visitor's identity (``PostgresIdentities``).

The adapters behind ``ports.ReadRepository`` and ``ports.IdentitySource``; a database that
cannot be reached leaves as ``ports.ReadsUnavailable``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg2
from psycopg2.pool import ThreadedConnectionPool

from services.analytics.ports import ReadsUnavailable
from shared.india import INDIA


class PostgresReads:
    """Reads over a small pool of connections for the HTTP threads, opened on first use."""

    def __init__(self, database_url: str, max_connections: int = 4) -> None:
        self.database_url = database_url
        self.max_connections = max_connections
        self._pool: ThreadedConnectionPool | None = None
        self._lock = threading.Lock()

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        try:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadedConnectionPool(
                        1, self.max_connections, self.database_url,
                        connect_timeout=3, application_name="analytics-api",
                    )  # fmt: skip
            pool = self._pool
            conn = pool.getconn()
        except psycopg2.OperationalError as exc:
            raise ReadsUnavailable(str(exc)) from exc
        broken = False
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                yield cur
        except psycopg2.OperationalError as exc:
            broken = conn.closed != 0
            raise ReadsUnavailable(str(exc)) from exc
        except Exception:
            broken = conn.closed != 0
            raise
        finally:
            pool.putconn(conn, close=broken)

    def ready(self) -> bool:
        try:
            with self.cursor() as cur:
                cur.execute("SELECT 1")
                return bool(cur.fetchone() == (1,))
        except (ReadsUnavailable, psycopg2.Error):
            return False

    def stations(self) -> dict[str, dict[str, Any]]:
        """Active stations by code, with names and zone, in code order."""
        with self.cursor() as cur:
            cur.execute(
                "SELECT code, name_en, name_hi, zone FROM stations WHERE active ORDER BY code"
            )
            rows = cur.fetchall()
        return {
            code: {"station_code": code, "name_en": en, "name_hi": hi, "zone": zone}
            for code, en, hi, zone in rows
        }

    def stations_version(self) -> tuple[int, int]:
        """How many stations there are and the highest revision (every insert and update
        takes a new one from a sequence, migration 0002): either moves with any change."""
        with self.cursor() as cur:
            cur.execute("SELECT count(*), coalesce(max(revision), 0) FROM stations")
            count, revision = cur.fetchone()
        return int(count), int(revision)

    def station(self, code: str) -> dict[str, Any] | None:
        with self.cursor() as cur:
            cur.execute(
                "SELECT code, name_en, name_hi, zone, active FROM stations WHERE code = %s",
                (code,),
            )
            row = cur.fetchone()
        if row is None:
            return None
        keys = ("station_code", "name_en", "name_hi", "zone", "active")
        return dict(zip(keys, row, strict=True))

    def zones(self) -> list[dict[str, str]]:
        with self.cursor() as cur:
            cur.execute("SELECT code, name_en, name_hi FROM zones ORDER BY code")
            rows = cur.fetchall()
        return [{"code": c, "name_en": en, "name_hi": hi} for c, en, hi in rows]

    def trend(self, code: str, days: int, today: date) -> list[dict[str, Any]]:
        """One row per India day, oldest first, ``days`` days up to ``today``; days without
        feedback have count 0 and None for the averages and shares."""
        first = today - timedelta(days=days - 1)
        with self.cursor() as cur:
            cur.execute(
                f"""SELECT (submitted_at AT TIME ZONE '{INDIA}')::date AS day, count(*),
                           sum(rating), count(*) FILTER (WHERE rating <= 2),
                           count(*) FILTER (WHERE NOT problem_resolved)
                    FROM feedback
                    WHERE station_code = %s
                      AND submitted_at >= (%s::date)::timestamp AT TIME ZONE '{INDIA}'
                    GROUP BY 1""",  # noqa: S608 - a constant
                (code, first),
            )
            found = {day: rest for day, *rest in cur.fetchall()}
        series = []
        for offset in range(days):
            day = first + timedelta(days=offset)
            n, total, low, unresolved = found.get(day, (0, 0, 0, 0))
            series.append(
                {
                    "date": day.isoformat(),
                    "count": n,
                    "avg_rating": round(total / n, 3) if n else None,
                    "low_rating_share": round(low / n, 4) if n else None,
                    "unresolved_share": round(unresolved / n, 4) if n else None,
                }
            )
        return series

    def latest_comments(self, code: str, limit: int = 10) -> list[dict[str, Any]]:
        """The newest feedback with words in it: rating, type, comment; no personal data."""
        with self.cursor() as cur:
            cur.execute(
                f"SELECT {_COMMENT_COLUMNS} FROM feedback WHERE station_code = %s"  # noqa: S608
                " AND comments IS NOT NULL AND comments <> ''"
                " ORDER BY submitted_at DESC LIMIT %s",
                (code, limit),
            )
            return [_comment(row) for row in cur.fetchall()]


# What police see of a feedback beside its figures: never the name or the mobile number.
_COMMENT_KEYS = ("event_id", "submitted_at", "rating", "complaint_type", "comments",
                 "officer_name", "problem_resolved")  # fmt: skip
_COMMENT_COLUMNS = ", ".join(_COMMENT_KEYS)


def _comment(row: tuple[Any, ...]) -> dict[str, Any]:
    found = dict(zip(_COMMENT_KEYS, row, strict=True))
    found["event_id"] = UUID(str(found["event_id"]))
    return found


class PostgresIdentities:
    """The one read of ``feedback_personal`` on the police side, for the feedback cell's
    audited reveal; over the pool of ``reads``."""

    def __init__(self, reads: PostgresReads) -> None:
        self.reads = reads

    def feedback_at(self, event_id: UUID, station_code: str) -> dict[str, Any] | None:
        with self.reads.cursor() as cur:
            cur.execute(
                f"SELECT {_COMMENT_COLUMNS} FROM feedback"  # noqa: S608 - constant columns
                " WHERE event_id = %s AND station_code = %s",
                (str(event_id), station_code),
            )
            row = cur.fetchone()
        return _comment(row) if row is not None else None

    def identity(self, event_id: UUID) -> dict[str, Any] | None:
        with self.reads.cursor() as cur:
            cur.execute(
                "SELECT name, mobile, purged_at FROM feedback_personal WHERE event_id = %s",
                (str(event_id),),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return {"name": row[0], "mobile": row[1], "purged_at": row[2]}
