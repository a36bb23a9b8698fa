"""The same health and lag reporting for every worker, kept in PostgreSQL (table
``worker_health``, one row per worker and figure): the database is the one server every
worker needs anyway, so a worker that can do its work can also report it, and the HTTP side
(a process of its own) reads one truth. Counters are added to (several members of a group
sum up); the heartbeat time and the lag are set.

Writers: ``HealthReporter``, best effort (a failed write is logged, never holds up a
commit). Readers: ``read_figures``, ``read_heartbeat`` and ``figures_reader``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg2
import psycopg2.extras

from shared import db

logger = logging.getLogger(__name__)
SIZE_BUCKETS = (1, 10, 50, 100, 500, 1000, 2000, 5000)
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
HEARTBEAT, LAG = "heartbeat_at", "consumer_lag"
_ADD = (
    "INSERT INTO worker_health (worker, figure, value) VALUES %s ON CONFLICT (worker, figure)"
    " DO UPDATE SET value = worker_health.value + excluded.value"
)
_SET = (
    "INSERT INTO worker_health (worker, figure, value) VALUES %s ON CONFLICT (worker, figure)"
    " DO UPDATE SET value = excluded.value"
)


def batch_figures(size: int, seconds: float, dead_letter_kinds: list[str]) -> dict[str, float]:
    """The counters one batch adds: records, batches, the size and time histograms."""
    figures = {
        "events_consumed": float(size), "batches": 1.0,
        "batch_size_sum": float(size), "batch_seconds_sum": seconds,
    }  # fmt: skip
    figures.update({f"batch_size_le:{b}": 1.0 for b in SIZE_BUCKETS if size <= b})
    figures.update({f"batch_seconds_le:{b}": 1.0 for b in SECONDS_BUCKETS if seconds <= b})
    for kind in dead_letter_kinds:
        figures[f"dlq:{kind}"] = figures.get(f"dlq:{kind}", 0.0) + 1.0
    return figures


class HealthReporter:
    """Writes one worker's figures over a connection of its own, opened on first use."""

    def __init__(self, connect: Callable[[], Any], worker: str) -> None:
        self._connection = db.Reconnecting(connect)
        self.worker = worker

    def add(self, counters: Mapping[str, float]) -> None:
        self._write(_ADD, counters)

    def beat(self, lag: int | None, now: datetime | None = None) -> None:
        moment = (now or datetime.now(UTC)).timestamp()
        self._write(_SET, {HEARTBEAT: moment} if lag is None else {HEARTBEAT: moment, LAG: lag})

    def _write(self, statement: str, values: Mapping[str, float]) -> None:
        if not values:
            return
        rows = [(self.worker, name, float(value)) for name, value in sorted(values.items())]
        try:
            with self._connection.transaction() as cur:
                psycopg2.extras.execute_values(cur, statement, rows)
        except psycopg2.Error as error:
            logger.warning(
                "worker health not recorded", extra={"worker": self.worker, "error": repr(error)}
            )

    def close(self) -> None:
        self._connection.close()


def read_figures(cur: Any, worker: str) -> dict[str, float]:
    """Every figure of ``worker`` (counters by name, the heartbeat as a Unix time)."""
    cur.execute("SELECT figure, value FROM worker_health WHERE worker = %s", (worker,))
    return {name: float(value) for name, value in cur.fetchall()}


def read_heartbeat(cur: Any, worker: str) -> tuple[datetime, int] | None:
    """(time of the last heartbeat, the lag it reported), or None before the first."""
    figures = read_figures(cur, worker)
    if HEARTBEAT not in figures:
        return None
    return datetime.fromtimestamp(figures[HEARTBEAT], UTC), int(figures.get(LAG, 0))


def figures_reader(database_url: str, worker: str) -> Callable[[], dict[str, float]]:
    """A function reading ``worker``'s figures over a short-lived connection (for /metrics)."""

    def read() -> dict[str, float]:
        with (
            db.connection(database_url, application_name="worker-health") as conn,
            db.transaction(conn) as cur,
        ):
            return read_figures(cur, worker)

    return read
