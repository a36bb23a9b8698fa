"""Overdue directions in PostgreSQL, for the notifier: the directions past their due date
with no notice yet, the notice's row, and the notices' outbox (``direction_deliveries``,
sent as ``alert_deliveries`` are, by ``OutboxRows``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import psycopg2.extensions

from services.notifier.adapters.postgres import OutboxRows
from services.notifier.ports import OverdueDirection
from shared import db


class PostgresDirections(db.Repositories["PostgresDirectionsRepository"]):
    """Transactions over one connection, made on first use by ``connect``."""

    def __init__(self, connect: Callable[[], psycopg2.extensions.connection]) -> None:
        super().__init__(connect, PostgresDirectionsRepository)


class PostgresDirectionsRepository(OutboxRows):
    """``ports.DirectionsRepository`` over one transaction's cursor; nothing here commits."""

    table = "direction_deliveries"

    def __init__(self, cur: psycopg2.extensions.cursor) -> None:
        self.cur = cur

    def overdue_unnoticed(self, today: date) -> list[OverdueDirection]:
        self.cur.execute(
            "SELECT d.id, d.station_code, d.zone, d.due_on, d.issuer_role, d.issuer_zone,"
            " coalesce(array_agg(r.station_code) FILTER (WHERE r.kind = 'compliance'), '{}')"
            " FROM directions d LEFT JOIN direction_reports r ON r.direction_id = d.id"
            " WHERE d.due_on < %s AND NOT EXISTS"
            " (SELECT 1 FROM direction_overdue_notices n WHERE n.direction_id = d.id)"
            " GROUP BY d.id ORDER BY d.id",
            (today,),
        )
        return [
            OverdueDirection(id_, station, zone, due, role, issuer_zone, frozenset(complied))
            for id_, station, zone, due, role, issuer_zone, complied in self.cur.fetchall()
        ]

    def record_notice(self, direction_id: int, stations: list[str]) -> bool:
        # A second member's insert waits for the first's commit, then does nothing.
        self.cur.execute(
            "INSERT INTO direction_overdue_notices (direction_id, stations) VALUES (%s, %s)"
            " ON CONFLICT (direction_id) DO NOTHING",
            (direction_id, stations),
        )
        return self.cur.rowcount == 1

    def insert_delivery(
        self, *, direction_id: int, role: str, station_code: str | None, channel: str,
        address: str, subject: str, body: str,
    ) -> None:  # fmt: skip
        delivery_id = uuid.uuid4()
        self.cur.execute(
            "INSERT INTO direction_deliveries (id, direction_id, recipient_role, station_code,"
            " channel, address, subject, body, idempotency_key)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (delivery_id, direction_id, role, station_code, channel, address, subject, body,
             str(delivery_id)),
        )  # fmt: skip
