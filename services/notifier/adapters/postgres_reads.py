"""The notifier's reads for its HTTP side: the alerts police read (``PostgresAlertsView``,
the ``ports.AlertsView``), and the /metrics counts.

Functions take a cursor inside the caller's transaction; none commits.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import psycopg2.extensions

from services.notifier import usecases
from services.notifier.adapters.postgres import PostgresAlerts
from services.notifier.ports import AlertQuery
from shared import db
from shared.consumer.health import read_heartbeat

GROUP = "notifier"

_ALERT_COLUMNS = (
    'a.id, a.station_code, a.rule, a.status, a.level, a."window", a.observed, a.baseline,'
    " a.raised_at, a.acknowledged_at, a.acknowledged_by, a.resolved_at"
)

Connect = Callable[[], AbstractContextManager[psycopg2.extensions.connection]]


class PostgresAlertsView:
    """``ports.AlertsView`` over a short-lived connection per call (``connect``)."""

    def __init__(self, connect: Connect) -> None:
        self._connect = connect

    def alerts(self, query: AlertQuery) -> list[dict[str, Any]]:
        with self._connect() as conn, db.transaction(conn) as cur:
            return list_alerts(cur, query)

    def station_of(self, alert_id: str) -> str | None:
        with self._connect() as conn, db.transaction(conn) as cur:
            cur.execute("SELECT station_code FROM alerts WHERE id = %s", (alert_id,))
            row = cur.fetchone()
        return row[0] if row else None

    def acknowledge(self, alert_id: str, by: str, now: datetime) -> str | None:
        with self._connect() as conn:
            return usecases.acknowledge(PostgresAlerts.on(conn), alert_id, by, now)


def list_alerts(cur, query: AlertQuery) -> list[dict[str, Any]]:
    """Alerts newest first, each with its deliveries (no message bodies or addresses)."""
    where: list[str] = []
    params: list[Any] = []
    if query.stations is not None:
        where.append("a.station_code = ANY(%s::text[])")
        params.append(sorted(query.stations))
    if query.statuses is not None:
        where.append("a.status = ANY(%s::text[])")
        params.append(sorted(query.statuses))
    if query.since is not None:
        where.append("(a.raised_at >= %s OR a.resolved_at >= %s)")
        params += [query.since, query.since]
    sql = f"SELECT {_ALERT_COLUMNS} FROM alerts a"  # noqa: S608 - constant pieces only
    if where:
        sql += " WHERE " + " AND ".join(where)
    cur.execute(sql + " ORDER BY a.raised_at DESC LIMIT %s", [*params, query.limit])
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
    id_, code, rule, status, level, window, observed, baseline, raised, acked, by, resolved = row
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
        "acknowledged_by": by,
        "resolved_at": resolved.isoformat() if resolved else None,
    }


def metrics_snapshot(cur, group: str = GROUP) -> dict[str, Any]:
    """Counts for /metrics, straight from the tables (so every process agrees), and
    ``worker``: (last heartbeat, lag then) of the worker group, None before its first."""
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
    worker = read_heartbeat(cur, group)
    return {
        "raised": raised,
        "by_status": by_status,
        "deliveries": deliveries,
        "retries": retries,
        "worker": worker,
    }
