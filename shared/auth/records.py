"""What the auth store keeps: accounts, tokens, sessions' principals and audit entries, and
the port (``AuthStore``) through which the rest of the code reads and writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from shared.auth.roles import Principal, Role


class AccountExists(ValueError):
    """That username is taken."""


class UnknownScope(ValueError):
    """The station or zone named for an account or token is not in the registry."""


class NotFound(LookupError):
    """No such account or token."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    station_code: str | None
    zone: str | None
    password_hash: str
    display_name: str = ""
    must_change_password: bool = True
    disabled_at: datetime | None = None
    failed_logins: int = 0
    locked_until: datetime | None = None
    created_at: datetime | None = None
    last_login_at: datetime | None = None

    @property
    def disabled(self) -> bool:
        return self.disabled_at is not None


@dataclass(frozen=True)
class TokenRecord:
    id: int
    label: str
    role: Role
    station_code: str | None
    zone: str | None
    created_at: datetime
    created_by: str = ""
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log. ``target`` names what was acted on (an account, a token id,
    a station, a feedback event id), never a visitor's name or number."""

    actor_kind: str  # "account", "token", "cli" or "anonymous"
    actor_name: str
    action: str  # e.g. "login", "login.failed", "identity.view", "account.create"
    actor_id: int | None = None
    target: str = ""
    reason: str = ""
    ip: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    entry: AuditEntry


class AuthStore(Protocol):
    # accounts
    def create_account(
        self, username: str, role: Role, station_code: str | None, zone: str | None,
        password_hash: str, display_name: str,
    ) -> Account: ...  # fmt: skip
    def account_by_username(self, username: str) -> Account | None: ...
    def account_by_id(self, account_id: int) -> Account | None: ...
    def accounts(self) -> list[Account]: ...
    def set_password(self, account_id: int, password_hash: str, must_change: bool) -> None: ...
    def set_disabled(self, account_id: int, disabled: bool) -> None: ...
    def login_failed(self, account_id: int, lock_after: int, lock_for_s: int) -> Account: ...
    def login_succeeded(self, account_id: int) -> None: ...
    # sessions
    def create_session(self, account_id: int, id_hash: str, csrf_token: str) -> None: ...
    def session_principal(
        self, id_hash: str, idle_timeout_s: int, max_age_s: int
    ) -> Principal | None: ...
    def end_session(self, id_hash: str) -> None: ...
    def end_sessions_of(self, account_id: int, keep: str | None = None) -> None: ...
    # tokens
    def create_token(
        self, label: str, role: Role, station_code: str | None, zone: str | None,
        token_hash: str, created_by: str,
    ) -> TokenRecord: ...  # fmt: skip
    def token_principal(self, token_hash: str) -> Principal | None: ...
    def tokens(self) -> list[TokenRecord]: ...
    def revoke_token(self, token_id: int) -> bool: ...
    # audit
    def audit(self, entry: AuditEntry) -> None: ...
    def audit_records(
        self, limit: int, before_id: int | None = None, action: str | None = None
    ) -> list[AuditRecord]: ...
    def failed_logins_from(self, ip: str, window_s: int) -> int: ...
    def ready(self) -> bool: ...
