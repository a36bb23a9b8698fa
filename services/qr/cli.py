"""The QR service's command-line tool, for operators on a machine that reaches PostgreSQL.

    python -m services.qr.cli tokens create --label "control room"
    python -m services.qr.cli tokens list
    python -m services.qr.cli tokens revoke 3
    python -m services.qr.cli posters --zone East --out east.pdf
    python -m services.qr.cli posters --station GGN-SADAR --out sadar.pdf
    python -m services.qr.cli announce      # publish every station to the stations topic

Settings come from the same environment variables as the service (DATABASE_URL,
QR_SIGNING_KEY, PUBLIC_BASE_URL, KAFKA_BOOTSTRAP_SERVERS).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path

from services.qr import usecases
from services.qr.adapters import postgres
from services.qr.config import QrConfig
from services.qr.domain import NotFound
from services.qr.ports import StationPublisher
from services.qr.rendering.printing import printer_for
from shared.events import Station


class _NoPublisher:
    """For the commands that change no station: publishing is never asked of it."""

    def publish(self, *records: object) -> None:
        raise RuntimeError("this command publishes nothing")

    def ready(self) -> bool:
        return False


def offline_deps(database_url: str, publisher: StationPublisher | None = None) -> usecases.Deps:
    """The registry's use cases from this machine; without ``publisher``, only those that
    change no station (tokens, reads, posters)."""
    return usecases.Deps(
        postgres.unit_of_work(database_url, application_name="qr-cli"),
        publisher or _NoPublisher(),
    )


def ensure_admin_token(database_url: str, token: str | None, label: str) -> tuple[str, bool]:
    """The installation's first admin token: ``token`` (registered if its hash is missing),
    or a new one when ``token`` is None. Returns (token, registered now)."""
    deps = offline_deps(database_url)
    if token is None:
        return usecases.create_token(deps, label)[1], True
    return token, usecases.register_token(deps, token, label)[1]


def announce_stations(database_url: str, bootstrap_servers: str) -> int:
    """Publish every station's current record to the stations topic; how many."""
    from services.qr.adapters.kafka import StationsPublisher

    publisher = StationsPublisher(bootstrap_servers, 10.0, client_id="qr-announce")
    try:
        return usecases.announce_registry(offline_deps(database_url, publisher))
    finally:
        publisher.close()


def zone_posters(config: QrConfig, *, zone: str | None, station: str | None) -> tuple[bytes, int]:
    """(PDF, pages): the posters of every active station of ``zone``, or of one
    ``station``; NotFound when there is none."""
    deps = offline_deps(config.connections.database_url)
    if station:
        found: list[Station] = [usecases.get_station(deps, station)]
    else:
        found = usecases.zone_stations(deps, zone or "")
    return printer_for(config).poster_pdf(found), len(found)


def _tokens(args: argparse.Namespace, database_url: str) -> int:
    deps = offline_deps(database_url)
    if args.action == "create":
        token_id, token = usecases.create_token(deps, args.label)
        print(f"token {token_id} ({args.label}):\n{token}")
        print("Shown once: keep it in your secret store; only its hash is kept here.")
    elif args.action == "list":
        print(f"{'id':>4}  {'label':<36} {'created':<20} {'last used':<20} status")
        for t in usecases.list_tokens(deps):
            used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "-"
            status = "revoked" if t.revoked_at else "live"
            print(f"{t.id:>4}  {t.label:<36} {t.created_at:%Y-%m-%d %H:%M}     {used:<20} {status}")
    elif not usecases.revoke_token(deps, args.id):
        print(f"no live token {args.id}", file=sys.stderr)
        return 1
    else:
        print(f"token {args.id} revoked")
    return 0


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.qr.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    tok = sub.add_parser("tokens", help="admin API tokens")
    tok_sub = tok.add_subparsers(dest="action", required=True)
    create = tok_sub.add_parser("create", help="make a new token and print it once")
    create.add_argument("--label", required=True, help="whose token it is, e.g. a desk")
    tok_sub.add_parser("list", help="every token, live or revoked (never the token itself)")
    revoke = tok_sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)
    pos = sub.add_parser("posters", help="write posters to a PDF file, offline")
    which = pos.add_mutually_exclusive_group(required=True)
    which.add_argument("--zone", help="every active station of this zone, one page each")
    which.add_argument("--station", help="one station's poster")
    pos.add_argument("--out", required=True, type=Path)
    sub.add_parser("announce", help="publish every station's record to the stations topic")
    args = parser.parse_args(argv)

    if args.command == "tokens":
        from shared.config import Connections, Env

        return _tokens(args, Connections.from_env(Env.current(env)).database_url)
    config = QrConfig.from_env(env)
    if args.command == "posters":
        try:
            pdf, pages = zone_posters(config, zone=args.zone, station=args.station)
        except NotFound:
            print(f"no active station in {args.zone or args.station}", file=sys.stderr)
            return 1
        args.out.write_bytes(pdf)
        print(f"{args.out}: {pages} posters, one per page")
        return 0
    connections = config.connections
    count = announce_stations(connections.database_url, connections.kafka_bootstrap_servers)
    print(f"{count} stations published to the stations topic")
    return 0


if __name__ == "__main__":
    sys.exit(main())
