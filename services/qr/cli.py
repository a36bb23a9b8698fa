"""The QR service's command-line tool, for operators on a machine that reaches PostgreSQL.

    python -m services.qr.cli posters --zone East --out east.pdf
    python -m services.qr.cli posters --station GGN-SADAR --out sadar.pdf
    python -m services.qr.cli announce      # publish every station to the stations topic

Settings come from the same environment variables as the service (DATABASE_URL,
QR_SIGNING_KEY, PUBLIC_BASE_URL, KAFKA_BOOTSTRAP_SERVERS). API tokens, the registry's
included, are ``./pratikriya tokens ...`` (every service's, with a role and a scope).
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
    change no station (reads, posters)."""
    return usecases.Deps(
        postgres.unit_of_work(database_url, application_name="qr-cli"),
        publisher or _NoPublisher(),
    )


def ensure_admin_token(database_url: str, token: str | None, label: str) -> tuple[str, bool]:
    """The installation's first ``admin`` API token: ``token`` (registered if its hash is
    missing; a revoked one stays revoked), or a new one when ``token`` is None. Returns
    (token, registered now); either way the audit log names the command line. ValueError
    when ``token`` cannot be one of ours (every service refuses such a token)."""
    from shared.auth import Role, credentials
    from shared.auth import accounts as auth
    from shared.auth.postgres import PostgresAuthStore

    store = PostgresAuthStore(database_url, application_name="qr-cli")
    try:
        if token is None:
            _, made = auth.add_token(store, auth.Actor.cli(), Role.ADMIN, label=label)
            return made, True
        if not credentials.plausible_token(token):
            raise ValueError(f"an API token starts with {credentials.TOKEN_PREFIX!r}")
        actor = auth.Actor.cli()
        token_id = postgres.register_admin_token(
            database_url, label, credentials.digest(token), actor.name
        )
        if token_id is not None:
            auth.record(store, actor, "token.register", str(token_id), role=Role.ADMIN.value)
        return token, token_id is not None
    finally:
        store.pool.close()


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


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.qr.cli", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    pos = sub.add_parser("posters", help="write posters to a PDF file, offline")
    which = pos.add_mutually_exclusive_group(required=True)
    which.add_argument("--zone", help="every active station of this zone, one page each")
    which.add_argument("--station", help="one station's poster")
    pos.add_argument("--out", required=True, type=Path)
    sub.add_parser("announce", help="publish every station's record to the stations topic")
    args = parser.parse_args(argv)

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
