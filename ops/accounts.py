"""``./pratikriya accounts ...`` and ``./pratikriya tokens ...``: the IT cell's command line
for police accounts and API tokens (the same use cases as the web pages, and the same audit
log, where the actor is "command line").

A new account's one-time password, a reset's new one, and a new token are each printed on
the command's last line, alone, so that a script can take it with ``tail -n 1``.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from ops import stack
from shared.auth import accounts as usecases
from shared.auth.accounts import Actor
from shared.auth.postgres import PostgresAuthStore
from shared.auth.records import Account, AccountExists, NotFound, UnknownScope
from shared.auth.roles import Role, ScopeError, parse_role
from shared.clock import utc_now
from shared.db import Unavailable
from shared.india import INDIA

FIRST_ADMIN = "admin"


def _scope_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, help="commissioner, feedback_cell, dcp, acp, "
                        "sho, admin or ops")  # fmt: skip
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--station", metavar="CODE", help="an sho's station, e.g. GGN-SADAR")
    where.add_argument("--zone", metavar="ZONE", help="a dcp's or acp's zone, e.g. East")


def accounts_parser(sub: argparse._SubParsersAction) -> None:
    accounts = sub.add_parser("accounts", help="police accounts: add, list, reset, disable")
    commands = accounts.add_subparsers(dest="action", required=True)
    add = commands.add_parser("add", help="a new account; prints its one-time password")
    add.add_argument("username")
    _scope_arguments(add)
    add.add_argument("--name", default="", help="the person's name as the pages show it")
    commands.add_parser("list", help="every account, its role and scope")
    for action, text in (("reset", "a new one-time password (prints it); sessions end"),
                         ("disable", "no more sign-ins; sessions end at once"),
                         ("enable", "sign-ins again")):  # fmt: skip
        commands.add_parser(action, help=text).add_argument("username")


def tokens_parser(sub: argparse._SubParsersAction) -> None:
    tokens = sub.add_parser("tokens", help="API tokens for programs: add, list, revoke")
    commands = tokens.add_subparsers(dest="action", required=True)
    add = commands.add_parser("add", help="a new token; prints it on the last line")
    _scope_arguments(add)
    add.add_argument("--label", default="", help="what the token is for")
    commands.add_parser("list", help="every token (never the token itself)")
    commands.add_parser("revoke", help="stop a token (every service within seconds)")\
        .add_argument("id", type=int)  # fmt: skip


def _scope(args: argparse.Namespace) -> dict[str, str | None]:
    # Station codes are upper-case in the registry; a zone is named as the seed names it.
    station = args.station.strip().upper() if args.station else None
    return {"station_code": station, "zone": args.zone.strip() if args.zone else None}


def _state(account: Account) -> str:
    if account.disabled:
        return "disabled"
    if account.locked_until is not None and account.locked_until > utc_now():
        return "locked"
    return "new" if account.must_change_password else "active"


def _minute(at: datetime | None) -> str:
    return at.astimezone(INDIA).strftime("%Y-%m-%d %H:%M") if at else "-"


def _run_accounts(store: PostgresAuthStore, args: argparse.Namespace) -> int:
    actor = Actor.cli()
    if args.action == "add":
        role = parse_role(args.role)
        account, password = usecases.add_account(
            store, actor, args.username, role, display_name=args.name, **_scope(args)
        )
        scope = account.station_code or account.zone or "all stations"
        print(f"account {account.username} ({role}, {scope}) created.")
        print("One-time password; it must be changed at the first sign-in:")
        print(password)
    elif args.action == "list":
        print(f"{'username':<24} {'role':<14} {'scope':<14} {'state':<9} last sign-in")
        for account in store.accounts():
            scope = account.station_code or account.zone or "-"
            print(f"{account.username:<24} {account.role:<14} {scope:<14} {_state(account):<9} "
                  f"{_minute(account.last_login_at)}")  # fmt: skip
    elif args.action == "reset":
        password = usecases.reset_password(store, actor, args.username)
        print(f"{args.username}: new one-time password; every session of theirs has ended:")
        print(password)
    else:
        account = usecases.set_disabled(store, actor, args.username, args.action == "disable")
        print(f"{account.username} is now {'disabled' if account.disabled else 'enabled'}")
    return 0


def _run_tokens(store: PostgresAuthStore, args: argparse.Namespace) -> int:
    actor = Actor.cli()
    if args.action == "add":
        record, token = usecases.add_token(
            store, actor, parse_role(args.role), label=args.label, **_scope(args)
        )
        scope = record.station_code or record.zone or "all"
        print(f"token {record.id} ({record.role}, {scope}, {record.label!r}); "
              "shown once, keep it safe:")  # fmt: skip
        print(token)
    elif args.action == "list":
        print(f"{'id':>5} {'role':<14} {'scope':<14} {'state':<8} {'last used':<17} label")
        for record in store.tokens():
            state = "revoked" if record.revoked_at else "live"
            scope = record.station_code or record.zone or "-"
            print(f"{record.id:>5} {record.role:<14} {scope:<14} {state:<8} "
                  f"{_minute(record.last_used_at):<17} {record.label}")  # fmt: skip
    else:
        usecases.revoke_token(store, actor, args.id)
        print(f"token {args.id} revoked; every service refuses it within seconds")
    return 0


def run(cfg: stack.StackConfig, database_url: str, args: argparse.Namespace) -> int:
    """One accounts or tokens command, against DATABASE_URL. Our own PostgreSQL (the one
    ``./pratikriya up`` runs) is started first when nothing answers there on this machine;
    another server (a container's, a managed one) is only connected to. Kafka and the
    services are not needed."""
    if not stack.port_open(cfg.postgres_host, cfg.postgres_port) and _on_this_machine(cfg):
        stack.start_postgres(cfg)
    store = PostgresAuthStore(database_url, application_name="pratikriya-cli")
    try:
        runner = _run_accounts if args.command == "accounts" else _run_tokens
        return runner(store, args)
    except (ValueError, ScopeError, AccountExists, UnknownScope, NotFound) as refused:
        print(f"pratikriya {args.command} {args.action}: {refused}", file=sys.stderr)
        return 2
    except Unavailable as down:
        reason = " ".join(str(down).split())  # psycopg2's message runs over lines
        print(f"pratikriya: the database is not reachable ({reason})", file=sys.stderr)
        return 1
    finally:
        store.pool.close()


def _on_this_machine(cfg: stack.StackConfig) -> bool:
    return cfg.postgres_host in ("127.0.0.1", "localhost", "::1")


def ensure_first_admin(database_url: str) -> str | None:
    """On an installation with no admin account yet, create ``admin`` and return its
    one-time password; None when there is one already (or when another ``up`` running at
    the same moment made it first)."""
    store = PostgresAuthStore(database_url, application_name="pratikriya-up")
    try:
        if any(a.role is Role.ADMIN for a in store.accounts()):
            return None
        try:
            _, password = usecases.add_account(
                store, Actor.cli(), FIRST_ADMIN, Role.ADMIN, display_name="IT cell"
            )
        except AccountExists:
            return None
        return password
    finally:
        store.pool.close()
