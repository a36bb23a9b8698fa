"""What the API and the dashboard read from PostgreSQL: the station registry, a station's
daily series and its latest comments. Never a visitor's name or number.

The adapter behind ``read_ports.ReadRepository``; a database that cannot be reached leaves
as ``read_ports.ReadsUnavailable``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

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
    def _cursor(self) -> Iterator[Any]:
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
            with self._cursor() as cur:
                cur.execute("SELECT 1")
                return bool(cur.fetchone() == (1,))
        except (ReadsUnavailable, psycopg2.Error):
            return False

    def stations(self) -> dict[str, dict[str, Any]]:
        """Active stations by code, with names and zone, in code order."""
        with self._cursor() as cur:
            cur.execute(
                "SELECT code, name_en, name_hi, zone FROM stations WHERE active ORDER BY code"
            )
            rows = cur.fetchall()
        return {
            code: {"station_code": code, "name_en": en, "name_hi": hi, "zone": zone}
            for code, en, hi, zone in rows
        }

    def station(self, code: str) -> dict[str, Any] | None:
        with self._cursor() as cur:
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
        with self._cursor() as cur:
            cur.execute("SELECT code, name_en, name_hi FROM zones ORDER BY code")
            rows = cur.fetchall()
        return [{"code": c, "name_en": en, "name_hi": hi} for c, en, hi in rows]

    def trend(self, code: str, days: int, today: date) -> list[dict[str, Any]]:
        """One row per India day, oldest first, ``days`` days up to ``today``; days without
        feedback have count 0 and None for the averages and shares."""
        first = today - timedelta(days=days - 1)
        with self._cursor() as cur:
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
        with self._cursor() as cur:
            cur.execute(
                """SELECT submitted_at, rating, complaint_type, comments, problem_resolved
                   FROM feedback
                   WHERE station_code = %s AND comments IS NOT NULL AND comments <> ''
                   ORDER BY submitted_at DESC LIMIT %s""",
                (code, limit),
            )
            rows = cur.fetchall()
        return [
            {"submitted_at": at, "rating": rating, "complaint_type": kind, "comments": text,
             "problem_resolved": resolved}
            for at, rating, kind, text, resolved in rows
        ]  # fmt: skip
