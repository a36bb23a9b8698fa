"""The purge's PostgreSQL side (``usecases.purge.PersonalDataStore``): one short transaction
per batch, and the purge's figures in ``worker_health`` beside the consumer's, where
analytics' /metrics reads them.

``mobile_hash`` is NOT NULL in the schema; the purge sets it to the empty string, which
carries nothing about the number (a real hash is 64 hex digits). ``SKIP LOCKED`` lets the
worker's run and a ``./pratikriya purge`` at the same moment share the backlog.
"""

from __future__ import annotations

from datetime import datetime

from shared import db

_PURGE = """
UPDATE feedback_personal SET name = NULL, mobile = NULL, mobile_hash = '', purged_at = %s
WHERE event_id IN (
    SELECT event_id FROM feedback_personal
    WHERE purged_at IS NULL AND stored_at < %s
    ORDER BY stored_at LIMIT %s
    FOR UPDATE SKIP LOCKED
)
"""
_FIGURES = """
INSERT INTO worker_health (worker, figure, value) VALUES (%s, %s, %s), (%s, %s, %s)
ON CONFLICT (worker, figure) DO UPDATE SET value = CASE
    WHEN excluded.figure = %s THEN worker_health.value + excluded.value
    ELSE excluded.value END
"""
PURGED, LAST_RUN = "personal_data_purged", "personal_data_purge_last_run_at"


class PostgresPersonalData:
    """Over a connection of its own that reconnects; figures under ``worker`` (analytics'
    consumer group, whose figures its /metrics shows)."""

    def __init__(self, database_url: str, worker: str = "analytics") -> None:
        self._connection = db.Reconnecting(
            lambda: db.connect(database_url, application_name="analytics-purge")
        )
        self.worker = worker

    def purge_batch(self, stored_before: datetime, purged_at: datetime, limit: int) -> int:
        with self._connection.transaction() as cur:
            cur.execute(_PURGE, (purged_at, stored_before, limit))
            return int(cur.rowcount)

    def record_run(self, purged: int, finished_at: datetime) -> None:
        w = self.worker
        with self._connection.transaction() as cur:
            cur.execute(
                _FIGURES,
                (w, PURGED, float(purged), w, LAST_RUN, finished_at.timestamp(), PURGED),
            )

    def close(self) -> None:
        self._connection.close()
