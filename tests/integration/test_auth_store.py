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


_MOVE_BACK = {
    "created_at": "UPDATE sessions SET created_at = now() - make_interval(secs => %s)"
    " WHERE id_hash = %s",
    "last_seen_at": "UPDATE sessions SET last_seen_at = now() - make_interval(secs => %s)"
    " WHERE id_hash = %s",
}


def ago(database_url: str, id_hash: str, column: str, seconds: int) -> None:
    """Move a session's clock back, as if time had passed (the sessions table is ours)."""
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(_MOVE_BACK[column], (seconds, id_hash))


def session_for(auth, role=Role.COMMISSIONER, **scope):
    account, _ = usecases.add_account(auth, Actor.cli(), name(), role, **scope)
    id_hash = digest(f"cookie-{uuid.uuid4()}")
    auth.create_session(account.id, id_hash, "csrf-" + id_hash[:8])
    return account, id_hash


def test_a_session_unused_for_the_idle_timeout_ends_and_one_in_use_is_kept_alive(infra, auth):
    _, idle = session_for(auth)
    ago(infra["DATABASE_URL"], idle, "last_seen_at", 1801)
    assert auth.session_principal(idle, 1800, 12 * 3600) is None
    _, busy = session_for(auth)
    ago(infra["DATABASE_URL"], busy, "last_seen_at", 1700)
    assert auth.session_principal(busy, 1800, 12 * 3600) is not None


def test_the_lookup_itself_renews_the_idle_clock(infra, auth):
    _, id_hash = session_for(auth)
    ago(infra["DATABASE_URL"], id_hash, "last_seen_at", 1700)
    assert auth.session_principal(id_hash, 1800, 12 * 3600) is not None
    # 1700 s had passed; the lookup counted as use, so a 200 s limit now still holds it.
    assert auth.session_principal(id_hash, 200, 12 * 3600) is not None


def test_a_session_older_than_the_maximum_age_ends_even_when_in_use(infra, auth):
    _, id_hash = session_for(auth)
    ago(infra["DATABASE_URL"], id_hash, "created_at", 12 * 3600 + 1)
    assert auth.session_principal(id_hash, 1800, 13 * 3600) is not None
    assert auth.session_principal(id_hash, 1800, 12 * 3600) is None


def test_ending_a_persons_sessions_can_keep_the_one_in_hand(auth):
    account, kept = session_for(auth)
    other = digest(f"cookie-{uuid.uuid4()}")
    auth.create_session(account.id, other, "csrf")
    _, stranger = session_for(auth)
    auth.end_sessions_of(account.id, keep=kept)
    assert auth.session_principal(kept, 60, 3600) is not None
    assert auth.session_principal(other, 60, 3600) is None
    assert auth.session_principal(stranger, 60, 3600) is not None
    auth.end_sessions_of(account.id)
    assert auth.session_principal(kept, 60, 3600) is None


def test_a_disabled_accounts_sessions_end_and_stay_ended_once_it_is_enabled(auth):
    account, id_hash = session_for(auth, Role.SHO, station_code="GGN-SADAR")
    principal = auth.session_principal(id_hash, 60, 3600)
    assert principal is not None and principal.csrf_token == "csrf-" + id_hash[:8]
    usecases.set_disabled(auth, Actor.cli(), account.username, True)
    assert auth.session_principal(id_hash, 60, 3600) is None
    usecases.set_disabled(auth, Actor.cli(), account.username, False)
    assert auth.session_principal(id_hash, 60, 3600) is None


def test_failed_sign_ins_are_counted_per_address_within_the_window(auth):
    guesser, neighbour = (f"198.18.{uuid.uuid4().int % 250}.{i}" for i in (1, 2))
    for _ in range(3):
        with pytest.raises(LoginRefused):
            usecases.login(auth, AuthPolicy(), name(), "nothing-of-the-sort", guesser)
    with pytest.raises(LoginRefused):
        usecases.login(auth, AuthPolicy(), name(), "nothing-of-the-sort", neighbour)
    assert auth.failed_logins_from(guesser, 900) == 3
    assert auth.failed_logins_from(neighbour, 900) == 1
    assert auth.failed_logins_from(guesser, 0) == 0
    policy = AuthPolicy(ip_max_failures=3)
    with pytest.raises(LoginRefused, match="too many failed sign-ins from this address"):
        usecases.login(auth, policy, name(), "nothing-of-the-sort", guesser)


def letters() -> str:
    return "".join(chr(ord("a") + b % 26) for b in uuid.uuid4().bytes[:8])


def test_the_audit_log_keeps_each_field_and_filters_by_action_prefix(auth):
    stem = letters()
    actor = Actor("account", "t.cell", 7, "198.51.100.7")
    for action in (stem, f"{stem}.view", f"{stem}.view.again", f"{stem}_other", f"{stem}x.y"):
        usecases.record(auth, actor, action, "event-1", reason="called back", channel="phone")
    found = auth.audit_records(10, action=stem)
    assert [r.entry.action for r in found] == [f"{stem}.view.again", f"{stem}.view", stem]
    entry = found[-1].entry
    assert (entry.actor_kind, entry.actor_name, entry.actor_id, entry.ip) == (
        "account", "t.cell", 7, "198.51.100.7",
    )  # fmt: skip
    assert (entry.target, entry.reason, entry.details) == ("event-1", "called back",
                                                           {"channel": "phone"})  # fmt: skip
    older = auth.audit_records(10, before_id=found[1].id, action=stem)
    assert [r.entry.action for r in older] == [stem]


def test_an_underscore_in_the_filter_is_a_letter_not_a_wildcard(auth):
    stem = letters()
    for action in (f"{stem}_cell.view", f"{stem}x_cell.view", f"{stem}xcell.view"):
        usecases.record(auth, Actor.cli(), action)
    assert [r.entry.action for r in auth.audit_records(10, action=f"{stem}_cell")] == [
        f"{stem}_cell.view"
    ]


def test_a_tokens_use_is_recorded_on_it(auth):
    record, token = usecases.add_token(auth, Actor.cli(), Role.OPS, label="t.last-used")
    assert record.last_used_at is None
    assert auth.token_principal(digest(token)) is not None
    (seen,) = [t for t in auth.tokens() if t.id == record.id]
    assert seen.last_used_at is not None and seen.created_by == "command line"
