"""What the API and the dashboard read from PostgreSQL: the station registry, a station's
daily series and its latest comments. Never a visitor's name or number."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from psycopg2.pool import ThreadedConnectionPool

from shared.india import INDIA


class ReadDatabase:
    """A small pool of connections for the HTTP threads, opened on first use."""

    def __init__(self, database_url: str, max_connections: int = 4) -> None:
        self.database_url = database_url
        self.max_connections = max_connections
        self._pool: ThreadedConnectionPool | None = None
        self._lock = threading.Lock()

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadedConnectionPool(
                    1, self.max_connections, self.database_url,
                    connect_timeout=3, application_name="analytics-api",
                )  # fmt: skip
        pool = self._pool
        conn = pool.getconn()
        broken = False
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                yield cur
        except Exception:
            broken = conn.closed != 0
            raise
        finally:
            pool.putconn(conn, close=broken)


def stations(cur) -> dict[str, dict[str, Any]]:
    """Active stations by code, with names and zone, in code order."""
    cur.execute("SELECT code, name_en, name_hi, zone FROM stations WHERE active ORDER BY code")
    return {
        code: {"station_code": code, "name_en": en, "name_hi": hi, "zone": zone}
        for code, en, hi, zone in cur.fetchall()
    }


def station(cur, code: str) -> dict[str, Any] | None:
    cur.execute(
        "SELECT code, name_en, name_hi, zone, active FROM stations WHERE code = %s", (code,)
    )
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip(("station_code", "name_en", "name_hi", "zone", "active"), row, strict=True))


def zones(cur) -> list[dict[str, str]]:
    cur.execute("SELECT code, name_en, name_hi FROM zones ORDER BY code")
    return [{"code": c, "name_en": en, "name_hi": hi} for c, en, hi in cur.fetchall()]


def trend(cur, code: str, days: int, today: date) -> list[dict[str, Any]]:
    """One row per India day, oldest first, ``days`` days up to ``today``; days without
    feedback have count 0 and None for the averages and shares."""
    first = today - timedelta(days=days - 1)
    cur.execute(
        f"""SELECT (submitted_at AT TIME ZONE '{INDIA}')::date AS day, count(*), sum(rating),
                   count(*) FILTER (WHERE rating <= 2),
                   count(*) FILTER (WHERE NOT problem_resolved)
            FROM feedback
            WHERE station_code = %s
              AND submitted_at >= (%s::date)::timestamp AT TIME ZONE '{INDIA}'
            GROUP BY 1""",  # noqa: S608 - a constant
        (code, first),
    )
    found = {day: (n, total, low, unresolved) for day, n, total, low, unresolved in cur.fetchall()}
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


def latest_comments(cur, code: str, limit: int = 10) -> list[dict[str, Any]]:
    """The newest feedback with words in it: rating, type, comment; no personal data."""
    cur.execute(
        """SELECT submitted_at, rating, complaint_type, comments, problem_resolved
           FROM feedback
           WHERE station_code = %s AND comments IS NOT NULL AND comments <> ''
           ORDER BY submitted_at DESC LIMIT %s""",
        (code, limit),
    )
    return [
        {"submitted_at": at, "rating": rating, "complaint_type": kind, "comments": text,
         "problem_resolved": resolved}
        for at, rating, kind, text, resolved in cur.fetchall()
    ]  # fmt: skip
