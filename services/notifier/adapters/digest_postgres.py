"""The weekly digest's outbox in PostgreSQL (``digest_emails``, migration 0011) and the reads
its PDF is built from (``services.analytics.digest.postgres``). Each method is one transaction
on the notifier's connection."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg2.extensions

from services.analytics.digest.figures import Digest
from services.analytics.digest.postgres import build_digest
from services.analytics.digest.week import Week
from services.analytics.domain.ranking import RankingPolicy
from services.notifier.digest_mail import CITY, Queued
from shared import db


@dataclass(frozen=True)
class DueDigest:
    id: uuid.UUID
    week: Week
    scope: str
    address: str
    attempts: int
    idempotency_key: str


class PostgresDigestOutbox:
    def __init__(self, connect: Callable[[], psycopg2.extensions.connection]) -> None:
        self._connection = db.Reconnecting(connect)

    def close(self) -> None:
        self._connection.close()

    def latest_queued(self) -> dict[tuple[str, str], Week]:
        """The last week queued for each (scope, address) ever queued."""
        with self._connection.transaction() as cur:
            cur.execute("SELECT scope, address, max(week) FROM digest_emails GROUP BY 1, 2")
            return {(scope, address): Week(week) for scope, address, week in cur}

    def dcp_emails(self) -> dict[str, str]:
        with self._connection.transaction() as cur:
            cur.execute("SELECT code, dcp_email FROM zones WHERE dcp_email <> '' ORDER BY code")
            return {code: email for code, email in cur}

    def queue(self, rows: Iterable[Queued]) -> int:
        """Queue the rows not queued before; returns how many were new."""
        added = 0
        with self._connection.transaction() as cur:
            for row in rows:
                key = str(uuid.uuid4())
                cur.execute(
                    "INSERT INTO digest_emails (id, week, scope, address, idempotency_key)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (week, scope, address) DO NOTHING",
                    (key, row.week.monday, row.scope, row.address, f"digest-{key}"),
                )
                added += cur.rowcount
        return added

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[DueDigest]:
        """Take up to ``limit`` due rows, oldest week first, counting an attempt and hiding them
        for ``lease``: no other member takes them meanwhile (SKIP LOCKED), and a member that
        dies before marking them leaves them due again when the lease ends."""
        with self._connection.transaction() as cur:
            cur.execute(
                "WITH due AS (SELECT id FROM digest_emails WHERE status = 'pending'"
                " AND next_attempt_at <= %s ORDER BY week, created_at LIMIT %s"
                " FOR UPDATE SKIP LOCKED)"
                " UPDATE digest_emails d SET attempts = d.attempts + 1, next_attempt_at = %s"
                " FROM due WHERE d.id = due.id"
                " RETURNING d.id, d.week, d.scope, d.address, d.attempts, d.idempotency_key",
                (now, limit, now + lease),
            )
            rows = cur.fetchall()
        return sorted(
            (DueDigest(id_, Week(week), scope, address, attempts, key)
             for id_, week, scope, address, attempts, key in rows),
            key=lambda d: (d.week, d.scope, d.address),
        )  # fmt: skip

    def digest(self, week: Week, scope: str, policy: RankingPolicy) -> Digest:
        with self._connection.transaction() as cur:
            return build_digest(cur, week, None if scope == CITY else scope, policy)

    def mark_sent(self, digest_id: uuid.UUID, now: datetime) -> None:
        with self._connection.transaction() as cur:
            cur.execute(
                "UPDATE digest_emails SET status = 'sent', sent_at = %s, last_error = NULL"
                " WHERE id = %s",
                (now, digest_id),
            )

    def mark_retry(self, digest_id: uuid.UUID, error: str, next_at: datetime) -> None:
        with self._connection.transaction() as cur:
            cur.execute(
                "UPDATE digest_emails SET last_error = %s, next_attempt_at = %s WHERE id = %s",
                (error[:500], next_at, digest_id),
            )

    def mark_failed(self, digest_id: uuid.UUID, error: str) -> None:
        with self._connection.transaction() as cur:
            cur.execute(
                "UPDATE digest_emails SET status = 'failed', last_error = %s WHERE id = %s",
                (error[:500], digest_id),
            )
