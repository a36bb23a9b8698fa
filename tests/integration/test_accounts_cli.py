"""``./pratikriya accounts ...`` and ``./pratikriya tokens ...`` as the IT cell runs them: a
real process against the test profile's PostgreSQL, its printed password or token then used
through the real auth store."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from ops import stack
from shared.auth import AuthPolicy, Role
from shared.auth import accounts as usecases
from shared.auth.accounts import LoginRefused
from shared.auth.credentials import digest
from tests.police import store

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "a-passphrase-of-my-own-7"


def pratikriya(*args: str, script: bool = False, **env: str) -> subprocess.CompletedProcess:
    """``python -m ops.cli ARGS`` (or the bash script itself) with the test profile's
    environment, as the operator's shell would run it."""
    argv = [str(REPO / "pratikriya")] if script else [sys.executable, "-m", "ops.cli"]
    return subprocess.run(
        [*argv, *args], cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip


def last_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture
def auth(infra):
    found = store(infra["DATABASE_URL"])
    yield found
    found.pool.close()


def username() -> str:
    return f"t.cli.{uuid.uuid4().hex[:8]}"


def address() -> str:
    return f"192.0.2.{uuid.uuid4().int % 250 + 1}"


def test_a_new_account_signs_in_with_the_printed_password_and_must_change_it(auth):
    name = username()
    done = pratikriya("accounts", "add", name, "--role", "sho", "--station", "ggn-sadar",
                      "--name", "Insp. Sadar")  # fmt: skip
    password = last_line(done)
    assert "GGN-SADAR" in done.stdout and password not in done.stdout.splitlines()[0]
    account = usecases.login(auth, AuthPolicy(), name, password, address())
    assert account.must_change_password
    assert (account.role, account.station_code, account.display_name) == (
        Role.SHO, "GGN-SADAR", "Insp. Sadar",
    )  # fmt: skip


def test_the_list_shows_each_account_with_its_role_scope_and_state(auth):
    dcp, sho = username(), username()
    last_line(pratikriya("accounts", "add", dcp, "--role", "dcp", "--zone", "East"))
    last_line(pratikriya("accounts", "add", sho, "--role", "sho", "--station", "GGN-SADAR"))
    pratikriya("accounts", "disable", sho)
    listed = pratikriya("accounts", "list")
    assert listed.returncode == 0
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()}
    assert rows[dcp][1:4] == ["dcp", "East", "new"]
    assert rows[sho][1:4] == ["sho", "GGN-SADAR", "disabled"]


def test_disable_stops_sign_ins_and_ends_sessions_and_enable_lets_them_in_again(auth):
    name = username()
    password = last_line(pratikriya("accounts", "add", name, "--role", "commissioner"))
    account = usecases.login(auth, AuthPolicy(), name, password, address())
    auth.create_session(account.id, digest("cli-" + name), "csrf")
    assert "disabled" in last_line(pratikriya("accounts", "disable", name))
    assert auth.session_principal(digest("cli-" + name), 600, 3600) is None
    with pytest.raises(LoginRefused, match="disabled"):
        usecases.login(auth, AuthPolicy(), name, password, address())
    assert "enabled" in last_line(pratikriya("accounts", "enable", name))
    assert usecases.login(auth, AuthPolicy(), name, password, address()).id == account.id


def test_reset_prints_a_new_one_time_password_and_the_old_one_stops_working(auth):
    name = username()
    first = last_line(pratikriya("accounts", "add", name, "--role", "ops"))
    account = usecases.login(auth, AuthPolicy(), name, first, address())
    usecases.change_password(auth, _principal_of(auth, name), first, NEW_PASSWORD,
                             keep_session=None)  # fmt: skip
    auth.create_session(account.id, digest("cli-" + name), "csrf")
    second = last_line(pratikriya("accounts", "reset", name))
    assert second != first
    assert auth.session_principal(digest("cli-" + name), 600, 3600) is None
    with pytest.raises(LoginRefused):
        usecases.login(auth, AuthPolicy(), name, NEW_PASSWORD, address())
    again = usecases.login(auth, AuthPolicy(), name, second, address())
    assert again.must_change_password


def _principal_of(auth, name):
    from shared.auth import Principal

    account = auth.account_by_username(name)
    return Principal("account", account.id, account.username, account.role)


def test_a_printed_token_is_honoured_with_its_scope_and_refused_once_revoked(auth):
    label = f"control room {uuid.uuid4().hex[:6]}"
    done = pratikriya("tokens", "add", "--role", "dcp", "--zone", "East", "--label", label)
    token = last_line(done)
    assert token.startswith("prk_") and token not in done.stdout.splitlines()[0]
    found = auth.token_principal(digest(token))
    assert found is not None
    assert (found.role, found.zone, found.name) == (Role.DCP, "East", label)
    listed = pratikriya("tokens", "list")
    row = next(line for line in listed.stdout.splitlines() if line.endswith(label))
    assert row.split()[:4] == [str(found.id), "dcp", "East", "live"]
    assert token not in listed.stdout
    assert "revoked" in last_line(pratikriya("tokens", "revoke", str(found.id)))
    assert auth.token_principal(digest(token)) is None
    row = next(line for line in pratikriya("tokens", "list").stdout.splitlines()
               if line.endswith(label))  # fmt: skip
    assert row.split()[3] == "revoked"


def test_an_admin_token_from_the_bash_script_needs_no_kafka_and_leaves_postgres_running(
    stack_config, auth
):
    before = stack.postgres_running(stack_config)
    label = f"nightly export {uuid.uuid4().hex[:6]}"
    # A broker address nothing listens on: the command must not need Kafka.
    done = pratikriya("tokens", "add", "--role", "admin", "--label", label, script=True,
                      KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9")  # fmt: skip
    found = auth.token_principal(digest(last_line(done)))
    assert found is not None and (found.role, found.name) == (Role.ADMIN, label)
    assert before and stack.postgres_running(stack_config)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["accounts", "add", "NAME", "--role", "chief"], "unknown role 'chief'"),
        (["accounts", "add", "NAME", "--role", "sho"], "an sho account needs --station"),
        (["accounts", "add", "NAME", "--role", "dcp", "--station", "GGN-SADAR"],
         "a dcp account needs --zone"),
        (["accounts", "add", "NAME", "--role", "acp", "--zone", "Atlantis"], "no zone 'Atlantis'"),
        (["accounts", "add", "NAME", "--role", "acp"], "an acp account needs --zone"),
        (["accounts", "add", "NAME", "--role", "sho", "--station", "GGN-NOWHERE"],
         "no station 'GGN-NOWHERE'"),
        (["accounts", "add", "NAME", "--role", "admin", "--zone", "East"],
         "an admin account has no station or zone"),
        (["accounts", "add", "9lives", "--role", "ops"], "a username is 3 to 40 characters"),
        (["accounts", "add", "ab", "--role", "ops"], "a username is 3 to 40 characters"),
        (["accounts", "reset", "nobody.here"], "no account 'nobody.here'"),
        (["accounts", "disable", "nobody.here"], "no account 'nobody.here'"),
        (["tokens", "add", "--role", "chief"], "unknown role 'chief'"),
        (["tokens", "add", "--role", "sho"], "an sho account needs --station"),
        (["tokens", "add", "--role", "ops", "--label", "x" * 101], "at most 100 characters"),
        (["tokens", "revoke", "987654321"], "no live token 987654321"),
    ],
)  # fmt: skip
def test_bad_input_exits_non_zero_with_one_clear_line_and_no_traceback(infra, args, message):
    args = [username() if a == "NAME" else a for a in args]
    done = pratikriya(*args)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"pratikriya {args[0]} {args[1]}: ") and message in line


def test_a_username_that_is_taken_is_refused_and_the_first_account_is_unchanged(auth):
    name = username()
    password = last_line(pratikriya("accounts", "add", name, "--role", "commissioner"))
    done = pratikriya("accounts", "add", name, "--role", "admin")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"pratikriya accounts add: there is already an account {name!r}"
    assert usecases.login(auth, AuthPolicy(), name, password, address()).role is Role.COMMISSIONER


def test_a_station_and_a_zone_together_are_refused_before_anything_is_made(auth):
    name = username()
    done = pratikriya("accounts", "add", name, "--role", "sho", "--station", "GGN-SADAR",
                      "--zone", "East")  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "not allowed with argument" in done.stderr.strip().splitlines()[-1]
    assert auth.account_by_username(name) is None


@pytest.fixture
def empty_installation(stack_config, infra):
    """A database of its own, migrated, with no account in it yet (a first ``up``)."""
    from urllib.parse import urlsplit, urlunsplit

    from shared.migrate import migrate

    name = f"pratikriya_first_{uuid.uuid4().hex[:8]}"
    stack.psql_superuser(
        stack_config, f'CREATE DATABASE "{name}" OWNER "{stack_config.postgres_user}"'
    )
    parts = urlsplit(infra["DATABASE_URL"])
    url = urlunsplit(parts._replace(path=f"/{name}"))
    migrate(url)
    yield url
    stack.psql_superuser(stack_config, f'DROP DATABASE "{name}" WITH (FORCE)')


def test_the_first_up_makes_the_admin_account_once_and_its_password_signs_in(empty_installation):
    from ops.accounts import FIRST_ADMIN, ensure_first_admin

    password = ensure_first_admin(empty_installation)
    assert password is not None
    assert ensure_first_admin(empty_installation) is None
    auth = store(empty_installation)
    try:
        (account,) = auth.accounts()
        signed = usecases.login(auth, AuthPolicy(), FIRST_ADMIN, password, address())
        assert signed.id == account.id and signed.role is Role.ADMIN
        assert signed.must_change_password
        created = auth.audit_records(10, action="account.create")
        assert [(r.entry.actor_kind, r.entry.target) for r in created] == [("cli", FIRST_ADMIN)]
    finally:
        auth.pool.close()
