"""Applies the numbered SQL files in ``shared/migrations`` in order, each once.

Each file runs in its own transaction together with its row in ``schema_migrations``, so a
failing migration leaves nothing half done. An advisory lock lets several processes call
``migrate`` at start-up at the same time. Run as ``python -m shared.migrate``.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from shared import db
from shared.config import Connections, Env

logger = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_ID = 7_301_998  # any constant shared by every migrating process


def migration_files(folder: Path = MIGRATIONS) -> list[tuple[int, Path]]:
    """(version, path) for every migration file, in order; ValueError on a badly named or
    duplicated version, so a mistake is caught before anything is applied."""
    found: dict[int, Path] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file name {path.name!r} is not NNNN_words.sql")
        version = int(match.group(1))
        if version in found:
            raise ValueError(f"two migrations numbered {version}: {path.name} and another")
        found[version] = path
    return sorted(found.items())


def migrate(database_url: str, folder: Path = MIGRATIONS) -> list[str]:
    """Apply what is not applied yet; returns the names of the files applied now."""
    applied_now: list[str] = []
    with db.connection(database_url, application_name="migrate") as conn:
        with db.transaction(conn) as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", (_LOCK_ID,))
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
        try:
            for version, path in migration_files(folder):
                with db.transaction(conn) as cur:
                    cur.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,))
                    if cur.fetchone():
                        continue
                    cur.execute(path.read_text(encoding="utf-8"))
                    cur.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                        (version, path.name),
                    )
                logger.info("migration applied", extra={"migration": path.name})
                applied_now.append(path.name)
        finally:
            with db.transaction(conn) as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_ID,))
    return applied_now


def main() -> None:
    from shared.logs import configure_logging

    configure_logging("migrate")
    applied = migrate(Connections.from_env(Env.current()).database_url)
    print(f"migrations applied: {len(applied)}" + (f" ({', '.join(applied)})" if applied else ""))


if __name__ == "__main__":
    main()
