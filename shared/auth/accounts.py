"""The use cases of accounts and tokens, shared by the sign-in pages, the IT cell's pages
and the command line. Every change is written to the audit log with who made it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.auth import credentials
from shared.auth.records import Account, AuditEntry, AuthStore, NotFound, TokenRecord
from shared.auth.roles import Principal, Role, check_scope
from shared.clock import utc_now
from shared.config import Env

USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,39}")


class LoginRefused(Exception):
    """A sign-in that did not succeed; the message is safe to show (it never says whether
    the username exists). ``retry_after`` is set when the caller is being slowed down."""

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class AuthPolicy:
    """Sign-in limits and session lifetimes (environment variables in brackets)."""

    lock_after: int = 5  # consecutive failures that lock an account (AUTH_LOCK_AFTER)
    lock_for_s: int = 900  # how long it stays locked (AUTH_LOCK_FOR_S)
    ip_max_failures: int = 20  # failures from one address (AUTH_IP_MAX_FAILURES) ...
    ip_window_s: int = 900  # ... within this window before it must wait (AUTH_IP_WINDOW_S)
    idle_timeout_s: int = 1800  # a session unused this long ends (AUTH_IDLE_TIMEOUT_S)
    max_age_s: int = 12 * 3600  # and any session after this (AUTH_SESSION_MAX_AGE_S)
    token_cache_s: float = 2.0  # a revoked token may work this long (AUTH_TOKEN_CACHE_S)
    cookie_secure: bool = True  # AUTH_COOKIE_SECURE; false only for plain-HTTP test rigs
    # Reverse proxies in front that append to X-Forwarded-For (AUTH_TRUSTED_PROXIES): the
    # client's address (sign-in limits, the audit log, the loopback rule) is then the one the
    # outermost of them saw. 0: the peer's address, and the header is ignored.
    trusted_proxies: int = 0

    @classmethod
    def from_env(cls, env: Env) -> AuthPolicy:
        d = cls()
        return cls(
            lock_after=env.int("AUTH_LOCK_AFTER", d.lock_after),
            lock_for_s=env.int("AUTH_LOCK_FOR_S", d.lock_for_s),
            ip_max_failures=env.int("AUTH_IP_MAX_FAILURES", d.ip_max_failures),
            ip_window_s=env.int("AUTH_IP_WINDOW_S", d.ip_window_s),
            idle_timeout_s=env.int("AUTH_IDLE_TIMEOUT_S", d.idle_timeout_s),
            max_age_s=env.int("AUTH_SESSION_MAX_AGE_S", d.max_age_s),
            token_cache_s=env.float("AUTH_TOKEN_CACHE_S", d.token_cache_s),
            cookie_secure=env.bool("AUTH_COOKIE_SECURE", d.cookie_secure),
            trusted_proxies=env.int("AUTH_TRUSTED_PROXIES", d.trusted_proxies),
        )


@dataclass(frozen=True)
class Actor:
    """Who makes a change, as the audit log names them."""

    kind: str  # "account", "token", "cli" or "anonymous"
    name: str
    id: int | None = None
    ip: str = ""

    @classmethod
    def of(cls, principal: Principal, ip: str = "") -> Actor:
        return cls(principal.kind, principal.name, principal.id, ip)

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", "command line")


def _audit(store: AuthStore, actor: Actor, action: str, target: str = "", reason: str = "",
           **details: object) -> None:  # fmt: skip
    store.audit(
        AuditEntry(actor.kind, actor.name, action, actor.id, target, reason, actor.ip, details)
    )


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise ValueError(
            "a username is 3 to 40 characters: a letter, then letters, digits, '.', '_' or '-'"
        )
    return name


def add_account(
    store: AuthStore, actor: Actor, username: str, role: Role, *,
    station_code: str | None = None, zone: str | None = None, display_name: str = "",
) -> tuple[Account, str]:  # fmt: skip
    """A new account and its one-time password (to be changed at the first sign-in)."""
    name = check_username(username)
    check_scope(role, station_code, zone)
    if len(display_name) > 100:
        raise ValueError("a display name has at most 100 characters")
    password = credentials.one_time_password()
    account = store.create_account(
        name, role, station_code, zone, credentials.hash_password(password), display_name.strip()
    )
    _audit(store, actor, "account.create", name, role=role.value,
           scope=station_code or zone or "")  # fmt: skip
    return account, password


def _account(store: AuthStore, username: str) -> Account:
    found = store.account_by_username(username.strip().lower())
    if found is None:
        raise NotFound(f"no account {username!r}")
    return found


def reset_password(store: AuthStore, actor: Actor, username: str) -> str:
    """A new one-time password for ``username``; their sessions end and the lock lifts."""
    account = _account(store, username)
    password = credentials.one_time_password()
    store.set_password(account.id, credentials.hash_password(password), must_change=True)
    store.end_sessions_of(account.id)
    _audit(store, actor, "account.reset", account.username)
    return password


def set_disabled(store: AuthStore, actor: Actor, username: str, disabled: bool) -> Account:
    """Disable (every session ends at once) or enable an account."""
    account = _account(store, username)
    store.set_disabled(account.id, disabled)
    _audit(store, actor, "account.disable" if disabled else "account.enable", account.username)
    return _account(store, username)


def change_password(
    store: AuthStore, principal: Principal, current: str, new: str, *, keep_session: str | None,
    ip: str = "", policy: AuthPolicy | None = None,
) -> None:  # fmt: skip
    """The signed-in person's own change; ValueError (the reason) when refused. Their other
    sessions end. A wrong current password counts as a failed sign-in (and locks the
    account as those do), so a session left open cannot be used to guess the password."""
    policy = policy or AuthPolicy()
    account = store.account_by_id(principal.id)
    if account is None:
        raise ValueError("the current password is not right")
    actor = Actor.of(principal, ip)
    if _locked(account):
        raise ValueError("this account is locked after too many failed attempts; try again later")
    if not credentials.verify_password(account.password_hash, current):
        after = store.login_failed(account.id, policy.lock_after, policy.lock_for_s)
        _audit(store, actor, "login.failed", account.username, reason="wrong current password",
               failures=after.failed_logins)  # fmt: skip
        raise ValueError("the current password is not right")
    credentials.check_new_password(new, username=account.username, current=current)
    store.set_password(account.id, credentials.hash_password(new), must_change=False)
    store.end_sessions_of(account.id, keep=keep_session)
    _audit(store, actor, "account.password", account.username)


def login(store: AuthStore, policy: AuthPolicy, username: str, password: str, ip: str) -> Account:
    """The account these credentials open; LoginRefused otherwise. Failures are counted per
    account (a lock after ``lock_after``) and per address (a pause after
    ``ip_max_failures``), and written to the audit log."""
    if store.failed_logins_from(ip, policy.ip_window_s) >= policy.ip_max_failures:
        raise LoginRefused(
            "too many failed sign-ins from this address; please wait and try again",
            retry_after=policy.ip_window_s,
        )
    typed = username.strip().lower()[:40]
    account = store.account_by_username(typed) if USERNAME.fullmatch(typed) else None
    matches = credentials.verify_password(account.password_hash if account else None, password)
    refused = "the username or the password is not right"
    if account is None:
        # What was typed is not kept: it may be someone's password typed in the wrong field.
        anonymous = Actor("anonymous", "(unknown username)", None, ip)
        _audit(store, anonymous, "login.failed", "", reason="unknown username")
        raise LoginRefused(refused)
    actor = Actor("account", account.username, account.id, ip)
    if _locked(account):
        _audit(store, actor, "login.failed", account.username, reason="account locked")
        raise LoginRefused(
            "this account is locked after too many failed sign-ins; try again later or ask "
            "the IT cell to reset it",
            retry_after=policy.lock_for_s,
        )
    if not matches:
        after = store.login_failed(account.id, policy.lock_after, policy.lock_for_s)
        _audit(store, actor, "login.failed", account.username, reason="wrong password",
               failures=after.failed_logins)  # fmt: skip
        raise LoginRefused(refused)
    if account.disabled:
        _audit(store, actor, "login.failed", account.username, reason="account disabled")
        raise LoginRefused("this account is disabled; ask the IT cell")
    store.login_succeeded(account.id)
    _audit(store, actor, "login", account.username)
    return account


def _locked(account: Account) -> bool:
    """Whether the account's lock still holds."""
    return account.locked_until is not None and utc_now() < account.locked_until


def add_token(
    store: AuthStore, actor: Actor, role: Role, *, station_code: str | None = None,
    zone: str | None = None, label: str = "",
) -> tuple[TokenRecord, str]:  # fmt: skip
    """A new API token with ``role``'s scope; the token itself is returned once, only its
    hash is kept."""
    check_scope(role, station_code, zone)
    label = label.strip() or f"{role.value} token"
    if len(label) > 100:
        raise ValueError("a token's label has at most 100 characters")
    token = credentials.new_token()
    record = store.create_token(
        label, role, station_code, zone, credentials.digest(token), actor.name
    )
    _audit(store, actor, "token.create", str(record.id), role=role.value,
           scope=station_code or zone or "")  # fmt: skip
    return record, token


def revoke_token(store: AuthStore, actor: Actor, token_id: int) -> None:
    if not store.revoke_token(token_id):
        raise NotFound(f"no live token {token_id}")
    _audit(store, actor, "token.revoke", str(token_id))


def record(store: AuthStore, actor: Actor, action: str, target: str = "", reason: str = "",
           **details: object) -> None:  # fmt: skip
    """Any other line in the audit log (a view of a visitor's identity, a registry change)."""
    _audit(store, actor, action, target, reason, **details)
