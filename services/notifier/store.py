"""The notifier's SQL: alerts, the deliveries outbox, the latest scores, the heartbeat.

Functions take a cursor inside the caller's transaction; none commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg2.extras import Json

from services.notifier.domain import AlertState
from shared.scores import WindowStats


@dataclass(frozen=True)
class AlertRow:
    id: uuid.UUID
    station_code: str
    rule: str
    status: str
    level: int
    notices: int
    state: AlertState


def save_scores(cur, station_code: str, event_id, computed_at: datetime, windows) -> bool:
    """Keep these scores unless newer ones are already kept; True when kept (a replayed or
    out-of-date event changes nothing)."""
    cur.execute(
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
    return cur.rowcount == 1


def latest_scores(cur, station_code: str) -> tuple[datetime, dict[str, WindowStats]] | None:
    cur.execute(
        "SELECT computed_at, windows FROM notifier_station_scores WHERE station_code = %s",
        (station_code,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return row[0], {name: WindowStats(**stats) for name, stats in row[1].items()}


def open_alerts(cur, station_code: str) -> dict[str, AlertRow]:
    """The station's alerts that are not resolved, by rule, locked for this transaction."""
    cur.execute(
        "SELECT id, station_code, rule, status, level, notices, level_since, last_notified_at,"
        " notified_parts FROM alerts WHERE station_code = %s AND status <> 'resolved'"
        " FOR UPDATE",
        (station_code,),
    )
    out = {}
    for id_, code, rule, status, level, notices, level_since, last_notified, parts in cur:
        state = AlertState(
            level=level,
            level_since=level_since,
            last_notified_at=last_notified,
            notified_parts={k: int(v) for k, v in parts.items()},
            acknowledged=status == "acknowledged",
        )
        out[rule] = AlertRow(id_, code, rule, status, level, notices, state)
    return out


def stations_with_open_alerts(cur) -> list[str]:
    cur.execute("SELECT DISTINCT station_code FROM alerts WHERE status <> 'resolved'")
    return [row[0] for row in cur]


def insert_alert(cur, alert_id, station_code, rule, window, observed, baseline, parts, now):
    cur.execute(
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


def update_observed(cur, alert_id, window, observed, baseline) -> None:
    cur.execute(
        'UPDATE alerts SET "window" = %s, observed = %s, baseline = %s, updated_at = now()'
        " WHERE id = %s",
        (window, Json(observed), Json(baseline), alert_id),
    )


def record_notice(cur, alert_id, *, level: int, level_changed: bool, parts, now) -> int:
    """Count one more notice on the alert; returns its number."""
    cur.execute(
        "UPDATE alerts SET notices = notices + 1, level = %s, last_notified_at = %s,"
        " notified_parts = %s, level_since = CASE WHEN %s THEN %s ELSE level_since END,"
        " updated_at = now() WHERE id = %s RETURNING notices",
        (level, now, Json(parts), level_changed, now, alert_id),
    )
    return cur.fetchone()[0]


def escalate(cur, alert_id, level: int, now) -> int:
    """Move the alert up to ``level`` (its last_notified_at stays: the cooldown is about
    repeating the same news to the same people)."""
    cur.execute(
        "UPDATE alerts SET notices = notices + 1, level = %s, level_since = %s,"
        " updated_at = now() WHERE id = %s RETURNING notices",
        (level, now, alert_id),
    )
    return cur.fetchone()[0]


def resolve(cur, alert_id, now) -> int:
    cur.execute(
        "UPDATE alerts SET status = 'resolved', resolved_at = %s, notices = notices + 1,"
        " updated_at = now() WHERE id = %s RETURNING notices",
        (now, alert_id),
    )
    return cur.fetchone()[0]


def acknowledge(cur, alert_id, by: str, now) -> str | None:
    """Acknowledge an open alert; returns the alert's status afterwards, None if unknown."""
    cur.execute(
        "UPDATE alerts SET status = 'acknowledged', acknowledged_at = %s, acknowledged_by = %s,"
        " updated_at = now() WHERE id = %s AND status = 'open'",
        (now, by, alert_id),
    )
    cur.execute("SELECT status FROM alerts WHERE id = %s", (alert_id,))
    row = cur.fetchone()
    return row[0] if row else None


def insert_delivery(
    cur, *, alert_id, notice, kind, level, role, channel, address, subject, body
) -> uuid.UUID:
    delivery_id = uuid.uuid4()
    cur.execute(
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


@dataclass(frozen=True)
class DueDelivery:
    id: uuid.UUID
    channel: str
    address: str
    subject: str
    body: str
    attempts: int  # including the attempt now being made
    idempotency_key: str


def claim_due(cur, now: datetime, limit: int, lease: timedelta) -> list[DueDelivery]:
    """Take up to ``limit`` pending deliveries that are due, oldest first, counting an attempt
    and hiding them for ``lease`` so no other sender takes them meanwhile. If this sender dies
    before it marks them, they come due again when the lease ends."""
    cur.execute(
        "WITH due AS (SELECT id FROM alert_deliveries WHERE status = 'pending'"
        " AND next_attempt_at <= %s ORDER BY next_attempt_at, created_at LIMIT %s"
        " FOR UPDATE SKIP LOCKED)"
        " UPDATE alert_deliveries d SET attempts = d.attempts + 1, next_attempt_at = %s"
        " FROM due WHERE d.id = due.id"
        " RETURNING d.id, d.channel, d.address, d.subject, d.body, d.attempts,"
        " d.idempotency_key, d.created_at",
        (now, limit, now + lease),
    )
    # An alert's notices go out in the order they were decided (raised before resolved).
    rows = sorted(cur.fetchall(), key=lambda row: row[-1])
    return [DueDelivery(*row[:-1]) for row in rows]


def mark_sent(cur, delivery_id, now) -> None:
    cur.execute(
        "UPDATE alert_deliveries SET status = 'sent', sent_at = %s, last_error = NULL"
        " WHERE id = %s",
        (now, delivery_id),
    )


def mark_retry(cur, delivery_id, error: str, next_at: datetime) -> None:
    cur.execute(
        "UPDATE alert_deliveries SET last_error = %s, next_attempt_at = %s WHERE id = %s",
        (error[:500], next_at, delivery_id),
    )


def mark_failed(cur, delivery_id, error: str) -> None:
    cur.execute(
        "UPDATE alert_deliveries SET status = 'failed', last_error = %s WHERE id = %s",
        (error[:500], delivery_id),
    )


def next_due_at(cur) -> datetime | None:
    cur.execute("SELECT min(next_attempt_at) FROM alert_deliveries WHERE status = 'pending'")
    return cur.fetchone()[0]


_ALERT_COLUMNS = (
    'a.id, a.station_code, a.rule, a.status, a.level, a."window", a.observed, a.baseline,'
    " a.raised_at, a.acknowledged_at, a.resolved_at"
)


def list_alerts(cur, station: str | None, status: str | None, limit: int) -> list[dict[str, Any]]:
    """Alerts newest first, each with its deliveries (no message bodies or addresses)."""
    where, params = [], []
    if station:
        where.append("a.station_code = %s")
        params.append(station)
    if status:
        where.append("a.status = %s")
        params.append(status)
    sql = f"SELECT {_ALERT_COLUMNS} FROM alerts a"  # noqa: S608 - constant pieces only
    if where:
        sql += " WHERE " + " AND ".join(where)
    cur.execute(sql + " ORDER BY a.raised_at DESC LIMIT %s", [*params, limit])
    alerts = [_alert_json(row) for row in cur.fetchall()]
    if not alerts:
        return alerts
    cur.execute(
        "SELECT alert_id, id, kind, level, channel, recipient_role, status, attempts,"
        " last_error, created_at, sent_at FROM alert_deliveries WHERE alert_id = ANY(%s::uuid[])"
        " ORDER BY created_at, recipient_role, channel",
        ([a["id"] for a in alerts],),
    )
    by_alert: dict[str, list[dict[str, Any]]] = {a["id"]: [] for a in alerts}
    for alert_id, id_, kind, level, channel, role, status_, attempts, error, created, sent in cur:
        by_alert[str(alert_id)].append(
            {
                "id": str(id_),
                "kind": kind,
                "level": level,
                "channel": channel,
                "recipient_role": role,
                "status": status_,
                "attempts": attempts,
                "last_error": error,
                "created_at": created.isoformat(),
                "sent_at": sent.isoformat() if sent else None,
            }
        )
    for alert in alerts:
        alert["deliveries"] = by_alert[alert["id"]]
    return alerts


def _alert_json(row) -> dict[str, Any]:
    id_, code, rule, status, level, window, observed, baseline, raised, acked, resolved = row
    return {
        "id": str(id_),
        "station_code": code,
        "rule": rule,
        "status": status,
        "level": level,
        "window": window,
        "observed": observed,
        "baseline": baseline,
        "raised_at": raised.isoformat(),
        "acknowledged_at": acked.isoformat() if acked else None,
        "resolved_at": resolved.isoformat() if resolved else None,
    }


def heartbeat(cur, now: datetime, lag: int) -> None:
    cur.execute(
        "INSERT INTO notifier_worker (id, heartbeat_at, consumer_lag) VALUES (1, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at,"
        " consumer_lag = EXCLUDED.consumer_lag",
        (now, lag),
    )


def metrics_snapshot(cur) -> dict[str, Any]:
    """Counts for /metrics, straight from the tables (so every process agrees)."""
    cur.execute("SELECT rule, count(*) FROM alerts GROUP BY rule")
    raised = dict(cur.fetchall())
    cur.execute("SELECT rule, status, count(*) FROM alerts GROUP BY rule, status")
    by_status = {(r, s): n for r, s, n in cur.fetchall()}
    cur.execute("SELECT channel, status, count(*) FROM alert_deliveries GROUP BY channel, status")
    deliveries = {(c, s): n for c, s, n in cur.fetchall()}
    cur.execute(
        "SELECT channel, coalesce(sum(GREATEST(attempts - 1, 0)), 0) FROM alert_deliveries"
        " GROUP BY channel"
    )
    retries = {c: int(n) for c, n in cur.fetchall()}
    cur.execute("SELECT heartbeat_at, consumer_lag FROM notifier_worker WHERE id = 1")
    worker = cur.fetchone()
    return {
        "raised": raised,
        "by_status": by_status,
        "deliveries": deliveries,
        "retries": retries,
        "worker": worker,
    }
