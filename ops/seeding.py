"""Loads Gurugram's zones and police stations into the registry.

Seeding adds what is missing and never overwrites: a station changed through the registry
API keeps its changes when the run command seeds again. Run as ``python -m ops.seeding``.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from shared import db
from shared.config import Connections, Env

logger = logging.getLogger(__name__)
SEED = Path(__file__).with_name("seed")
ZONE_COLUMNS = (
    "code", "name_en", "name_hi", "acp_name", "acp_mobile", "acp_email",
    "dcp_name", "dcp_mobile", "dcp_email",
)  # fmt: skip
STATION_COLUMNS = (
    "code", "name_en", "name_hi", "zone", "kind", "address", "sho_name", "sho_mobile", "sho_email",
)  # fmt: skip


def load_seed(folder: Path = SEED) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(zones, stations) as in the seed files; zone rows get ``code`` from their ``zone``."""
    zones = json.loads((folder / "gurugram_zones.json").read_text(encoding="utf-8"))
    stations = json.loads((folder / "gurugram_stations.json").read_text(encoding="utf-8"))
    for zone in zones:
        zone.setdefault("code", zone["zone"])
    return zones, stations


def _insert_missing(cur, table: str, columns: tuple[str, ...], rows: list[dict]) -> int:
    names = ", ".join(columns)
    placeholders = ", ".join(["%s"] * len(columns))
    inserted = 0
    for row in rows:
        cur.execute(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}) "  # noqa: S608 - constants
            "ON CONFLICT (code) DO NOTHING",
            [row[c] for c in columns],
        )
        inserted += cur.rowcount
    return inserted


def seed(database_url: str, folder: Path = SEED) -> tuple[int, int]:
    """Insert the zones and stations that are not there yet; (zones added, stations added)."""
    zones, stations = load_seed(folder)
    with db.connection(database_url, application_name="seed") as conn, db.transaction(conn) as cur:
        added_zones = _insert_missing(cur, "zones", ZONE_COLUMNS, zones)
        added_stations = _insert_missing(cur, "stations", STATION_COLUMNS, stations)
    logger.info("seeded", extra={"zones_added": added_zones, "stations_added": added_stations})
    return added_zones, added_stations


def main() -> None:
    from shared.logs import configure_logging

    configure_logging("seed")
    zones, stations = seed(Connections.from_env(Env.current()).database_url)
    print(f"seed: {zones} zones and {stations} stations added")


if __name__ == "__main__":
    main()
