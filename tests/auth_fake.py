"""An in-memory auth store and gate for tests that build an app without PostgreSQL, and
helpers to sign a test client in."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta
from typing import Any

from shared.auth import AuthPolicy, Gate, PoliceLinks, Principal, Role
from shared.auth import accounts as account_usecases
from shared.auth.records import (
    Account,
    AccountExists,
    AuditEntry,
    AuditRecord,
    NotFound,
    TokenRecord,
)
from shared.clock import utc_now


class MemoryAuthStore:
    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.accounts_by_id: dict[int, Account] = {}
        self.sessions: dict[str, dict[str, Any]] = {}
        self.token_rows: dict[int, tuple[TokenRecord, str]] = {}
        self.audit_log: list[AuditRecord] = []

    def create_account(self, username, role, station_code, zone, password_hash, display_name):
        if self.account_by_username(username) is not None:
            raise AccountExists(username)
        account = Account(next(self._ids), username, role, station_code, zone, password_hash,
                          display_name, created_at=utc_now())  # fmt: skip
        self.accounts_by_id[account.id] = account
        return account

    def account_by_username(self, username):
        return next((a for a in self.accounts_by_id.values() if a.username == username), None)

    def account_by_id(self, account_id):
        return self.accounts_by_id.get(account_id)

    def accounts(self):
        return sorted(self.accounts_by_id.values(), key=lambda a: (a.role, a.username))

    def _update(self, account_id: int, **changes: Any) -> None:
        if account_id not in self.accounts_by_id:
            raise NotFound(str(account_id))
        self.accounts_by_id[account_id] = replace(self.accounts_by_id[account_id], **changes)

    def set_password(self, account_id, password_hash, must_change):
        self._update(account_id, password_hash=password_hash, must_change_password=must_change,
                     failed_logins=0, locked_until=None)  # fmt: skip

    def set_disabled(self, account_id, disabled):
        self._update(account_id, disabled_at=utc_now() if disabled else None,
                     failed_logins=0, locked_until=None)  # fmt: skip
        if disabled:
            self.end_sessions_of(account_id)

    def login_failed(self, account_id, lock_after, lock_for_s):
        account = self.accounts_by_id[account_id]
        failures = account.failed_logins + 1
        locked = utc_now() + timedelta(seconds=lock_for_s) if failures >= lock_after else None
        self._update(account_id, failed_logins=failures,
                     locked_until=locked or account.locked_until)  # fmt: skip
        return self.accounts_by_id[account_id]

    def login_succeeded(self, account_id):
        self._update(account_id, failed_logins=0, locked_until=None, last_login_at=utc_now())

    def create_session(self, account_id, id_hash, csrf_token):
        self.sessions[id_hash] = {"account": account_id, "csrf": csrf_token, "ended": False,
                                  "seen": utc_now(), "created": utc_now()}  # fmt: skip

    def session_principal(self, id_hash, idle_timeout_s, max_age_s):
        session = self.sessions.get(id_hash)
        now = utc_now()
        if session is None or session["ended"]:
            return None
        account = self.accounts_by_id[session["account"]]
        if account.disabled or now - session["seen"] > timedelta(seconds=idle_timeout_s):
            return None
        if now - session["created"] > timedelta(seconds=max_age_s):
            return None
        session["seen"] = now
        return Principal("account", account.id, account.username, account.role,
                         account.station_code, account.zone, account.display_name,
                         csrf_token=session["csrf"],
                         must_change_password=account.must_change_password)  # fmt: skip

    def end_session(self, id_hash):
        if id_hash in self.sessions:
            self.sessions[id_hash]["ended"] = True

    def end_sessions_of(self, account_id, keep=None):
        for key, session in self.sessions.items():
            if session["account"] == account_id and key != keep:
                session["ended"] = True

    def create_token(self, label, role, station_code, zone, token_hash, created_by):
        record = TokenRecord(next(self._ids), label, role, station_code, zone, utc_now(),
                             created_by)  # fmt: skip
        self.token_rows[record.id] = (record, token_hash)
        return record

    def token_principal(self, token_hash):
        for record, stored in self.token_rows.values():
            if stored == token_hash and record.revoked_at is None:
                return Principal("token", record.id, record.label, record.role,
                                 record.station_code, record.zone)  # fmt: skip
        return None

    def tokens(self):
        return [record for record, _ in self.token_rows.values()]

    def revoke_token(self, token_id):
        found = self.token_rows.get(token_id)
        if found is None or found[0].revoked_at is not None:
            return False
        self.token_rows[token_id] = (replace(found[0], revoked_at=utc_now()), found[1])
        return True

    def audit(self, entry: AuditEntry) -> None:
        self.audit_log.append(AuditRecord(len(self.audit_log) + 1, utc_now(), entry))

    def audit_records(self, limit, before_id=None, action=None):
        rows = [r for r in reversed(self.audit_log)
                if (before_id is None or r.id < before_id)
                and (action is None or r.entry.action == action
                     or r.entry.action.startswith(action + "."))]  # fmt: skip
        return rows[:limit]

    def failed_logins_from(self, ip, window_s):
        since = utc_now() - timedelta(seconds=window_s)
        failed = [r for r in self.audit_log if r.entry.action == "login.failed"]
        return sum(1 for r in failed if r.entry.ip == ip and r.at > since)

    def ready(self):
        return True


def memory_gate(policy: AuthPolicy | None = None) -> Gate:
    return Gate(
        MemoryAuthStore(), policy or AuthPolicy(cookie_secure=False, token_cache_s=0),
        PoliceLinks(),
    )  # fmt: skip


def token_for(gate: Gate, role: Role, *, station_code: str | None = None,
              zone: str | None = None) -> str:  # fmt: skip
    """A live token with ``role``'s scope, for ``Authorization: Bearer``."""
    _, token = account_usecases.add_token(
        gate.store, account_usecases.Actor.cli(), role, station_code=station_code, zone=zone
    )
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
