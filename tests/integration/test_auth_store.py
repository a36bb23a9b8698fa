"""The auth store on the real PostgreSQL: accounts, sessions, tokens and the audit log."""

from __future__ import annotations

import uuid

import psycopg2
import pytest

from shared import db
from shared.auth import AuthPolicy, Role
from shared.auth import accounts as usecases
from shared.auth.accounts import Actor, LoginRefused
from shared.auth.credentials import digest
from shared.auth.records import AccountExists, UnknownScope
from tests.police import store


@pytest.fixture
def auth(infra):
    found = store(infra["DATABASE_URL"])
    yield found
    found.pool.close()


def name() -> str:
    return f"t.store.{uuid.uuid4().hex[:8]}"


def test_an_account_signs_in_with_its_one_time_password_and_must_change_it(auth):
    username = name()
    account, password = usecases.add_account(
        auth, Actor.cli(), username, Role.SHO, station_code="GGN-SADAR"
    )
    signed = usecases.login(auth, AuthPolicy(), username, password, "198.51.100.1")
    assert signed.id == account.id and signed.must_change_password
    auth.create_session(account.id, digest("cookie-" + username), "csrf")
    principal = auth.session_principal(digest("cookie-" + username), 60, 3600)
    assert principal is not None and principal.station_code == "GGN-SADAR"
    assert principal.sees_station("GGN-SADAR", "East")
    assert not principal.sees_station("GGN-MANESAR", "Manesar")


def test_usernames_are_unique_and_scopes_must_exist(auth):
    username = name()
    usecases.add_account(auth, Actor.cli(), username, Role.COMMISSIONER)
    with pytest.raises(AccountExists):
        usecases.add_account(auth, Actor.cli(), username, Role.COMMISSIONER)
    with pytest.raises(UnknownScope):
        usecases.add_account(auth, Actor.cli(), name(), Role.SHO, station_code="GGN-NOWHERE")


def test_the_account_locks_after_five_failures_and_the_lock_is_audited(auth):
    username = name()
    _, password = usecases.add_account(auth, Actor.cli(), username, Role.OPS)
    ip = f"198.51.100.{uuid.uuid4().int % 200 + 2}"
    for _ in range(5):
        with pytest.raises(LoginRefused):
            usecases.login(auth, AuthPolicy(), username, "not the password", ip)
    with pytest.raises(LoginRefused, match="locked"):
        usecases.login(auth, AuthPolicy(), username, password, ip)
    reasons = [r.entry.reason for r in auth.audit_records(50, action="login.failed")
               if r.entry.target == username]  # fmt: skip
    assert reasons.count("wrong password") == 5 and reasons[0] == "account locked"


def test_a_revoked_token_is_not_found(auth):
    record, token = usecases.add_token(auth, Actor.cli(), Role.DCP, zone="East")
    found = auth.token_principal(digest(token))
    assert found is not None and found.zone == "East" and found.role is Role.DCP
    usecases.revoke_token(auth, Actor.cli(), record.id)
    assert auth.token_principal(digest(token)) is None


def test_the_audit_log_refuses_updates_deletes_and_truncation(infra, auth):
    usecases.record(auth, Actor.cli(), "identity.view", str(uuid.uuid4()), reason="callback")
    with db.connection(infra["DATABASE_URL"]) as conn:
        for statement in ("UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):  # fmt: skip
            with pytest.raises(psycopg2.Error, match="append-only"), db.transaction(conn) as cur:
                cur.execute(statement)
    assert auth.audit_records(1)[0].entry.action == "identity.view"
