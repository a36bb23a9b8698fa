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

from services.qr import posters, tokens
from services.qr import repository as repo
from services.qr.config import QrConfig
from services.qr.domain import NotFound, qr_url
from shared import db
from shared.events import Station


def ensure_admin_token(database_url: str, token: str | None, label: str) -> tuple[str, bool]:
    """The installation's first admin token: ``token`` (registered if its hash is missing),
    or a new one when ``token`` is None. Returns (token, registered now)."""
    with db.connection(database_url, application_name="qr-cli") as conn, db.transaction(conn) as c:
        if token is None:
            return tokens.create(c, label)[1], True
        if tokens.is_registered(c, token):
            return token, False
        tokens.register(c, token, label)
        return token, True


def announce_stations(database_url: str, bootstrap_servers: str) -> int:
    """Publish every station's current record to the stations topic; how many."""
    from services.qr.publisher import StationsPublisher
    from services.qr.usecases import announce_registry

    publisher = StationsPublisher(bootstrap_servers, 10.0, client_id="qr-announce")
    try:
        return announce_registry(database_url, publisher)
    finally:
        publisher.close()


def zone_posters(config: QrConfig, *, zone: str | None, station: str | None) -> tuple[bytes, int]:
    """(PDF, pages): the posters of every active station of ``zone``, or of one
    ``station``; NotFound when there is none."""
    with db.connection(config.connections.database_url) as conn, db.transaction(conn) as cur:
        if station:
            found: list[Station] = [repo.get_station(cur, station)]
        else:
            found = repo.list_stations(cur, zone=zone, active=True)
    if not found:
        raise NotFound(zone or station or "")
    pages = [
        posters.PosterStation(
            s.code, s.name_en, s.name_hi, s.kind, s.qr_version,
            qr_url(config.public_base_url, config.qr_signing_key, s.code, s.qr_version),
        )
        for s in found
    ]  # fmt: skip
    return posters.render(pages, posters.Fonts.in_folder(config.font_dir)), len(pages)


def _tokens(args: argparse.Namespace, database_url: str) -> int:
    with db.connection(database_url, application_name="qr-cli") as conn, db.transaction(conn) as c:
        if args.action == "create":
            token_id, token = tokens.create(c, args.label)
            print(f"token {token_id} ({args.label}):\n{token}")
            print("Shown once: keep it in your secret store; only its hash is kept here.")
        elif args.action == "list":
            print(f"{'id':>4}  {'label':<36} {'created':<20} {'last used':<20} status")
            for t in tokens.list_tokens(c):
                used = t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "-"
                status = "revoked" if t.revoked_at else "live"
                print(
                    f"{t.id:>4}  {t.label:<36} {t.created_at:%Y-%m-%d %H:%M}     "
                    f"{used:<20} {status}"
                )
        else:
            if not tokens.revoke(c, args.id):
                print(f"no live token {args.id}", file=sys.stderr)
                return 1
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
