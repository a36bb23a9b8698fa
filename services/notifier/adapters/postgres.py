"""The notifier's PostgreSQL adapter: alerts, the deliveries outbox, the latest scores.

``PostgresAlerts`` is the unit of work (``ports.AlertsDatabase``): each ``transaction()``
yields a ``PostgresAlertsRepository`` over one cursor, committed when the block ends and
rolled back if it raises. The HTTP side's reads are in ``adapters/postgres_reads.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import psycopg2.extensions
from psycopg2 import sql
from psycopg2.extras import Json

from services.notifier.domain import AlertState
from services.notifier.ports import AlertRow, DueDelivery
from shared import db
from shared.scores import WindowStats


class PostgresAlerts(db.Repositories["PostgresAlertsRepository"]):
    """Transactions over one connection, made on first use by ``connect`` (again after it
    broke) or given (``on``)."""

    def __init__(self, connect: Callable[[], psycopg2.extensions.connection]) -> None:
        super().__init__(connect, PostgresAlertsRepository)

    @classmethod
    def on(cls, conn: psycopg2.extensions.connection) -> PostgresAlerts:
        return cls(lambda: conn)


class OutboxRows:
    """An outbox table's sending side (``ports.OutboxRepository``): ``alert_deliveries`` or
    ``direction_deliveries``, which have the same columns for it. ``table`` is a class
    constant of the subclass, quoted as an identifier."""

    table = "alert_deliveries"
    cur: psycopg2.extensions.cursor

    def _run(self, statement: str, args: tuple) -> None:
        self.cur.execute(sql.SQL(statement).format(table=sql.Identifier(self.table)), args)

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueDelivery]:
        """Take up to ``limit`` pending deliveries that are due, oldest first, counting an attempt
        and hiding them for ``lease`` so no other sender takes them meanwhile. If this sender dies
        before it marks them, they come due again when the lease ends."""
        self._run(
            "WITH due AS (SELECT id FROM {table} WHERE status = 'pending'"
            " AND next_attempt_at <= %s ORDER BY next_attempt_at, created_at LIMIT %s"
            " FOR UPDATE SKIP LOCKED)"
            " UPDATE {table} d SET attempts = d.attempts + 1, next_attempt_at = %s"
            " FROM due WHERE d.id = due.id"
            " RETURNING d.id, d.channel, d.address, d.subject, d.body, d.attempts,"
            " d.idempotency_key, d.created_at",
            (now, limit, now + lease),
        )
        # An alert's notices go out in the order they were decided (raised before resolved).
        rows = sorted(self.cur.fetchall(), key=lambda row: row[-1])
        return [DueDelivery(*row[:-1]) for row in rows]

    def mark_sent(self, delivery_id, now) -> None:
        self._run(
            "UPDATE {table} SET status = 'sent', sent_at = %s, last_error = NULL WHERE id = %s",
            (now, delivery_id),
        )

    def mark_retry(self, delivery_id, error: str, next_at: datetime) -> None:
        self._run(
            "UPDATE {table} SET last_error = %s, next_attempt_at = %s WHERE id = %s",
            (error[:500], next_at, delivery_id),
        )

    def mark_failed(self, delivery_id, error: str) -> None:
        self._run(
            "UPDATE {table} SET status = 'failed', last_error = %s WHERE id = %s",
            (error[:500], delivery_id),
        )

    def next_due_at(self) -> datetime | None:
        self._run("SELECT min(next_attempt_at) FROM {table} WHERE status = 'pending'", ())
        return _first(self.cur)


class PostgresAlertsRepository(OutboxRows):
    """``ports.AlertsRepository`` over one transaction's cursor; nothing here commits."""

    def __init__(self, cur: psycopg2.extensions.cursor) -> None:
        self.cur = cur

    def save_scores(self, station_code: str, event_id, computed_at: datetime, windows) -> bool:
        """Keep these scores unless newer ones are already kept; True when kept (a replayed or
        out-of-date event changes nothing)."""
        self.cur.execute(
            "INSERT INTO notifier_station_scores (station_code, event_id, computed_at, windows)"
            " VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (station_code) DO UPDATE SET event_id = EXCLUDED.event_id,"
            " computed_at = EXCLUDED.computed_at, windows = EXCLUDED.windows, received_at = now()"
            " WHERE notifier_station_scores.computed_at < EXCLUDED.computed_at",
            (
                station_code,
                event_id,
                computed_at,
                Json({name: vars(stats) for name, stats in windows.items()}),
            ),
        )
        return self.cur.rowcount == 1

    def latest_scores(
        self, station_code: str, *, lock: bool = False
    ) -> tuple[datetime, dict[str, WindowStats]] | None:
        """The station's kept scores; with ``lock``, its row is held until the transaction
        ends (what ``save_scores`` takes too), so two members never judge it at once."""
        self.cur.execute(_LATEST_LOCKED if lock else _LATEST, (station_code,))
        row = self.cur.fetchone()
        if row is None:
            return None
        return row[0], {name: WindowStats(**stats) for name, stats in row[1].items()}

    def open_alerts(self, station_code: str) -> dict[str, AlertRow]:
        """The station's alerts that are not resolved, by rule, locked for this transaction."""
        self.cur.execute(
            "SELECT id, station_code, rule, status, level, notices, level_since, last_notified_at,"
            " notified_parts FROM alerts WHERE station_code = %s AND status <> 'resolved'"
            " FOR UPDATE",
            (station_code,),
        )
        out = {}
        for id_, code, rule, status, level, notices, level_since, last_notified, parts in self.cur:
            state = AlertState(
                level=level,
                level_since=level_since,
                last_notified_at=last_notified,
                notified_parts={k: int(v) for k, v in parts.items()},
                acknowledged=status == "acknowledged",
            )
            out[rule] = AlertRow(id_, code, rule, status, level, notices, state)
        return out

    def stations_with_open_alerts(self) -> list[str]:
        self.cur.execute("SELECT DISTINCT station_code FROM alerts WHERE status <> 'resolved'")
        return [row[0] for row in self.cur]

    def insert_alert(self, alert_id, station_code, rule, window, observed, baseline, parts, now):
        self.cur.execute(
            'INSERT INTO alerts (id, station_code, rule, status, level, "window", observed,'
            " baseline, notified_parts, notices, raised_at, level_since, last_notified_at)"
            " VALUES (%s, %s, %s, 'open', 0, %s, %s, %s, %s, 1, %s, %s, %s)",
            (
                alert_id,
                station_code,
                rule,
                window,
                Json(observed),
                Json(baseline),
                Json(parts),
                now,
                now,
                now,
            ),
        )

    def update_observed(self, alert_id, window, observed, baseline) -> None:
        self.cur.execute(
            'UPDATE alerts SET "window" = %s, observed = %s, baseline = %s, updated_at = now()'
            " WHERE id = %s",
            (window, Json(observed), Json(baseline), alert_id),
        )

    def record_notice(self, alert_id, *, level: int, level_changed: bool, parts, now) -> int:
        """Count one more notice on the alert; returns its number."""
        self.cur.execute(
            "UPDATE alerts SET notices = notices + 1, level = %s, last_notified_at = %s,"
            " notified_parts = %s, level_since = CASE WHEN %s THEN %s ELSE level_since END,"
            " updated_at = now() WHERE id = %s RETURNING notices",
            (level, now, Json(parts), level_changed, now, alert_id),
        )
        return _first(self.cur)

    def escalate(self, alert_id, level: int, now) -> int:
        """Move the alert up to ``level`` (its last_notified_at stays: the cooldown is about
        repeating the same news to the same people)."""
        self.cur.execute(
            "UPDATE alerts SET notices = notices + 1, level = %s, level_since = %s,"
            " updated_at = now() WHERE id = %s RETURNING notices",
            (level, now, alert_id),
        )
        return _first(self.cur)

    def resolve(self, alert_id, now) -> int:
        self.cur.execute(
            "UPDATE alerts SET status = 'resolved', resolved_at = %s, notices = notices + 1,"
            " updated_at = now() WHERE id = %s RETURNING notices",
            (now, alert_id),
        )
        return _first(self.cur)

    def acknowledge(self, alert_id, by: str, now) -> str | None:
        """Acknowledge an open alert; returns the alert's status afterwards, None if unknown."""
        self.cur.execute(
            "UPDATE alerts SET status = 'acknowledged', acknowledged_at = %s, acknowledged_by = %s,"
            " updated_at = now() WHERE id = %s AND status = 'open'",
            (now, by, alert_id),
        )
        self.cur.execute("SELECT status FROM alerts WHERE id = %s", (alert_id,))
        row = self.cur.fetchone()
        return row[0] if row else None

    def insert_delivery(
        self, *, alert_id, notice, kind, level, role, channel, address, subject, body
    ) -> uuid.UUID:
        delivery_id = uuid.uuid4()
        self.cur.execute(
            "INSERT INTO alert_deliveries (id, alert_id, notice, kind, level, recipient_role,"
            " channel, address, subject, body, idempotency_key)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (alert_id, recipient_role, channel, level, notice) DO NOTHING",
            (
                delivery_id,
                alert_id,
                notice,
                kind,
                level,
                role,
                channel,
                address,
                subject,
                body,
                str(delivery_id),
            ),
        )
        return delivery_id


_LATEST = "SELECT computed_at, windows FROM notifier_station_scores WHERE station_code = %s"
_LATEST_LOCKED = _LATEST + " FOR UPDATE"


def _first(cur: psycopg2.extensions.cursor) -> Any:
    """The first column of the statement's one row (an UPDATE ... RETURNING that matched)."""
    row = cur.fetchone()
    assert row is not None, "the statement returned no row"
    return row[0]
