"""The auth store in PostgreSQL (tables from migration 0006), shared by every service's
HTTP process and by the command line."""

from __future__ import annotations

from typing import Any

import psycopg2
import psycopg2.errors
from psycopg2.extras import Json

from shared.auth.records import (
    Account,
    AccountExists,
    AuditEntry,
    AuditRecord,
    NotFound,
    TokenRecord,
    UnknownScope,
)
from shared.auth.roles import Principal, Role
from shared.db import Pool, Unavailable

_ACCOUNT = (
    "SELECT id, username, role, station_code, zone, password_hash, display_name,"
    " must_change_password, disabled_at, failed_logins, locked_until, created_at,"
    " last_login_at FROM accounts"
)
_TOKEN = (
    "SELECT id, label, role, station_code, zone, created_at, created_by, last_used_at,"  # noqa: S105
    " revoked_at FROM api_tokens"
)


def _account(row: tuple[Any, ...]) -> Account:
    return Account(row[0], row[1], Role(row[2]), *row[3:])


def _token(row: tuple[Any, ...]) -> TokenRecord:
    return TokenRecord(row[0], row[1], Role(row[2]), *row[3:])


class PostgresAuthStore:
    def __init__(self, database_url: str, *, application_name: str = "pratikriya-auth") -> None:
        self.pool = Pool(database_url, application_name=application_name, max_connections=4)

    # accounts ---------------------------------------------------------------------------

    def create_account(
        self, username: str, role: Role, station_code: str | None, zone: str | None,
        password_hash: str, display_name: str,
    ) -> Account:  # fmt: skip
        try:
            with self.pool.transaction() as cur:
                cur.execute(
                    "INSERT INTO accounts (username, role, station_code, zone, password_hash,"
                    " display_name) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (username, role.value, station_code, zone, password_hash, display_name),
                )
                (account_id,) = _one(cur)
        except psycopg2.errors.UniqueViolation:
            raise AccountExists(f"there is already an account {username!r}") from None
        except psycopg2.errors.ForeignKeyViolation:
            raise UnknownScope(_unknown_scope(station_code, zone)) from None
        found = self.account_by_id(account_id)
        if found is None:  # pragma: no cover - just inserted
            raise NotFound(username)
        return found

    def account_by_username(self, username: str) -> Account | None:
        with self.pool.transaction() as cur:
            cur.execute(_ACCOUNT + " WHERE username = %s", (username,))
            row = cur.fetchone()
        return _account(row) if row else None

    def account_by_id(self, account_id: int) -> Account | None:
        with self.pool.transaction() as cur:
            cur.execute(_ACCOUNT + " WHERE id = %s", (account_id,))
            row = cur.fetchone()
        return _account(row) if row else None

    def accounts(self) -> list[Account]:
        with self.pool.transaction() as cur:
            cur.execute(_ACCOUNT + " ORDER BY role, username")
            return [_account(row) for row in cur.fetchall()]

    def set_password(self, account_id: int, password_hash: str, must_change: bool) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE accounts SET password_hash = %s, must_change_password = %s,"
                " password_changed_at = now(), failed_logins = 0, locked_until = NULL"
                " WHERE id = %s",
                (password_hash, must_change, account_id),
            )
            _found(cur, account_id)

    def set_disabled(self, account_id: int, disabled: bool) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE accounts SET disabled_at = CASE WHEN %s THEN coalesce(disabled_at,"
                " now()) END, failed_logins = 0, locked_until = NULL WHERE id = %s",
                (disabled, account_id),
            )
            _found(cur, account_id)
            if disabled:
                cur.execute(
                    "UPDATE sessions SET ended_at = now() WHERE account_id = %s"
                    " AND ended_at IS NULL",
                    (account_id,),
                )

    def login_failed(self, account_id: int, lock_after: int, lock_for_s: int) -> Account:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE accounts SET failed_logins = failed_logins + 1,"
                " locked_until = CASE WHEN failed_logins + 1 >= %s"
                "   THEN now() + make_interval(secs => %s) ELSE locked_until END"
                " WHERE id = %s",
                (lock_after, lock_for_s, account_id),
            )
        found = self.account_by_id(account_id)
        if found is None:
            raise NotFound(str(account_id))
        return found

    def login_succeeded(self, account_id: int) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE accounts SET failed_logins = 0, locked_until = NULL,"
                " last_login_at = now() WHERE id = %s",
                (account_id,),
            )

    # sessions ---------------------------------------------------------------------------

    def create_session(self, account_id: int, id_hash: str, csrf_token: str) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "INSERT INTO sessions (id_hash, account_id, csrf_token) VALUES (%s, %s, %s)",
                (id_hash, account_id, csrf_token),
            )

    def session_principal(
        self, id_hash: str, idle_timeout_s: int, max_age_s: int
    ) -> Principal | None:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE sessions s SET last_seen_at = now() FROM accounts a"
                " WHERE s.id_hash = %s AND a.id = s.account_id AND s.ended_at IS NULL"
                " AND a.disabled_at IS NULL"
                " AND s.last_seen_at > now() - make_interval(secs => %s)"
                " AND s.created_at > now() - make_interval(secs => %s)"
                " RETURNING a.id, a.username, a.role, a.station_code, a.zone, a.display_name,"
                " s.csrf_token, a.must_change_password",
                (id_hash, idle_timeout_s, max_age_s),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return Principal(
            "account", row[0], row[1], Role(row[2]), row[3], row[4], display_name=row[5],
            csrf_token=row[6], must_change_password=row[7],
        )  # fmt: skip

    def end_session(self, id_hash: str) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE sessions SET ended_at = now() WHERE id_hash = %s AND ended_at IS NULL",
                (id_hash,),
            )

    def end_sessions_of(self, account_id: int, keep: str | None = None) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE sessions SET ended_at = now() WHERE account_id = %s"
                " AND ended_at IS NULL AND id_hash IS DISTINCT FROM %s",
                (account_id, keep),
            )

    # tokens -----------------------------------------------------------------------------

    def create_token(
        self, label: str, role: Role, station_code: str | None, zone: str | None,
        token_hash: str, created_by: str,
    ) -> TokenRecord:  # fmt: skip
        try:
            with self.pool.transaction() as cur:
                cur.execute(
                    "INSERT INTO api_tokens (label, role, station_code, zone, token_hash,"
                    " created_by) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
                    (label, role.value, station_code, zone, token_hash, created_by),
                )
                (token_id,) = _one(cur)
                cur.execute(_TOKEN + " WHERE id = %s", (token_id,))
                return _token(_one(cur))
        except psycopg2.errors.ForeignKeyViolation:
            raise UnknownScope(_unknown_scope(station_code, zone)) from None

    def token_principal(self, token_hash: str) -> Principal | None:
        with self.pool.transaction() as cur:
            # Through the SECURITY DEFINER function of migration 0007: only the QR service
            # may read api_tokens itself; every gate may look one token up by its hash.
            cur.execute(
                "SELECT id, label, role, station_code, zone FROM auth_token_principal(%s)",
                (token_hash,),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return Principal("token", row[0], row[1], Role(row[2]), row[3], row[4])

    def tokens(self) -> list[TokenRecord]:
        with self.pool.transaction() as cur:
            cur.execute(_TOKEN + " ORDER BY id")
            return [_token(row) for row in cur.fetchall()]

    def revoke_token(self, token_id: int) -> bool:
        with self.pool.transaction() as cur:
            cur.execute(
                "UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL",
                (token_id,),
            )
            return bool(cur.rowcount)

    # audit ------------------------------------------------------------------------------

    def audit(self, entry: AuditEntry) -> None:
        with self.pool.transaction() as cur:
            cur.execute(
                "INSERT INTO audit_log (actor_kind, actor_id, actor_name, action, target,"
                " reason, ip, details) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    entry.actor_kind, entry.actor_id, entry.actor_name[:100], entry.action,
                    entry.target[:200], entry.reason[:500], entry.ip[:64], Json(entry.details),
                ),
            )  # fmt: skip

    def audit_records(
        self, limit: int, before_id: int | None = None, action: str | None = None
    ) -> list[AuditRecord]:
        with self.pool.transaction() as cur:
            cur.execute(
                "SELECT id, at, actor_kind, actor_name, action, actor_id, target, reason, ip,"
                " details FROM audit_log WHERE (%s::bigint IS NULL OR id < %s)"
                " AND (%s::text IS NULL OR action = %s OR starts_with(action, %s || '.'))"
                " ORDER BY id DESC LIMIT %s",
                (before_id, before_id, action, action, action, limit),
            )
            rows = cur.fetchall()
        return [AuditRecord(row[0], row[1], AuditEntry(*row[2:])) for row in rows]

    def failed_logins_from(self, ip: str, window_s: int) -> int:
        with self.pool.transaction() as cur:
            cur.execute(
                "SELECT count(*) FROM audit_log WHERE action = 'login.failed' AND ip = %s"
                " AND at > now() - make_interval(secs => %s)",
                (ip, window_s),
            )
            (count,) = _one(cur)
        return int(count)

    def ready(self) -> bool:
        try:
            with self.pool.transaction() as cur:
                cur.execute("SELECT 1 FROM accounts LIMIT 1")
            return True
        except (Unavailable, psycopg2.Error):
            return False


def _found(cur: Any, account_id: int) -> None:
    if cur.rowcount == 0:
        raise NotFound(f"no account {account_id}")


def _unknown_scope(station_code: str | None, zone: str | None) -> str:
    return f"no station {station_code!r}" if station_code else f"no zone {zone!r}"


def _one(cur: Any) -> tuple[Any, ...]:
    row = cur.fetchone()
    if row is None:  # pragma: no cover - RETURNING and count(*) always give a row
        raise NotFound("the database returned no row")
    return tuple(row)
