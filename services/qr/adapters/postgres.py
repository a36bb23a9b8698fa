"""The registry in PostgreSQL: parameterised SQL over one transaction's cursor, and the unit
of work that opens the connection and commits or rolls back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg2
import psycopg2.errors

from services.qr.domain import (
    EDITABLE_FIELDS,
    ZONE_CONTACT_FIELDS,
    Duplicate,
    NotFound,
    Refused,
    UnknownZone,
    Zone,
)
from services.qr.ports import RegistryUnavailable
from shared import db
from shared.events import Contact, Station

STATION_COLUMNS = (
    "code", "name_en", "name_hi", "zone", "kind", "address", "sho_name", "sho_mobile",
    "sho_email", "active", "qr_version", "revision", "updated_at",
)  # fmt: skip
_RETURNING = f" RETURNING {', '.join(STATION_COLUMNS)}"
_SELECT = f"SELECT {', '.join(STATION_COLUMNS)} FROM stations"  # noqa: S608 - constants
_EDITABLE = frozenset(EDITABLE_FIELDS)
_ZONE_SELECT = (
    "SELECT code, name_en, name_hi, acp_name, acp_mobile, acp_email, dcp_name, dcp_mobile,"
    " dcp_email FROM zones"
)


def unit_of_work(
    database_url: str, application_name: str = "qr"
) -> Callable[[], AbstractContextManager[PostgresRegistry]]:
    """The unit of work of the registry at ``database_url``."""

    @contextmanager
    def transaction() -> Iterator[PostgresRegistry]:
        try:
            with (
                db.connection(database_url, application_name=application_name) as conn,
                db.transaction(conn) as cur,
            ):
                yield PostgresRegistry(cur)
        except psycopg2.OperationalError as error:
            raise RegistryUnavailable(str(error)) from error

    return transaction


def answers(database_url: str) -> bool:
    """Whether the registry's database answers within two seconds (readiness)."""
    try:
        with db.connection(database_url, timeout_s=2) as conn, db.transaction(conn) as cur:
            cur.execute("SELECT 1")
        return True
    except psycopg2.Error:
        return False


def _station(row: Any) -> Station:
    code, name_en, name_hi, zone, kind, address, *sho, active, qr_version, revision, at = row
    return Station(
        code, name_en, name_hi, zone, active, qr_version, revision, kind, address,
        Contact(*sho), updated_at=at,
    )  # fmt: skip


def _zone(row: Any) -> Zone:
    return Zone(row[0], row[1], row[2], Contact(*row[3:6]), Contact(*row[6:9]))


class PostgresRegistry:
    """The Registry port over a cursor the unit of work's transaction owns."""

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def _one_station(self, code: str) -> Station:
        row = self._cur.fetchone()
        if row is None:
            raise NotFound(code)
        return _station(row)

    def get_station(self, code: str, *, for_update: bool = False) -> Station:
        lock = " FOR UPDATE" if for_update else ""
        self._cur.execute(_SELECT + " WHERE code = %s" + lock, (code,))
        return self._one_station(code)

    def list_stations(
        self, *, zone: str | None = None, active: bool | None = None
    ) -> list[Station]:
        where, params = [], []
        for column, value in (("zone", zone), ("active", active)):
            if value is not None:
                where.append(f"{column} = %s")
                params.append(value)
        condition = " WHERE " + " AND ".join(where) if where else ""
        self._cur.execute(_SELECT + condition + " ORDER BY zone, code", params)
        return [_station(row) for row in self._cur.fetchall()]

    def insert_station(self, fields: dict[str, Any]) -> Station:
        names = [n for n in fields if n in _EDITABLE or n == "code"]
        sql = (
            f"INSERT INTO stations ({', '.join(names)}) "  # noqa: S608 - names are checked
            f"VALUES ({', '.join(['%s'] * len(names))})" + _RETURNING
        )
        self._guarded("insert_station", sql, [fields[n] for n in names], fields)
        return self._one_station(fields["code"])

    def update_station(self, code: str, changes: dict[str, Any]) -> Station:
        names = [n for n in changes if n in _EDITABLE]
        if not names:
            return self.get_station(code)
        sql = (
            f"UPDATE stations SET {', '.join(f'{n} = %s' for n in names)} "  # noqa: S608
            "WHERE code = %s" + _RETURNING
        )
        self._guarded("update_station", sql, [*(changes[n] for n in names), code], changes)
        return self._one_station(code)

    def _guarded(self, savepoint: str, sql: str, params: list[Any], fields: dict) -> None:
        """``sql``, with the constraint it may break as the registry's own error."""
        self._cur.execute(f"SAVEPOINT {savepoint}")
        try:
            self._cur.execute(sql, params)
        except psycopg2.errors.UniqueViolation:
            self._cur.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            raise Duplicate(fields["code"]) from None
        except psycopg2.errors.ForeignKeyViolation:
            self._cur.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            raise UnknownZone(fields.get("zone", "")) from None
        except psycopg2.errors.CheckViolation as error:
            # A value the schema let through but the table's CHECK does not (a code ending
            # in a newline, say): the field is named by the constraint, "stations_<field>_check".
            self._cur.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
            name = error.diag.constraint_name or ""
            raise Refused(name.removeprefix("stations_").removesuffix("_check")) from None

    def bump_qr_version(self, code: str) -> Station:
        self._cur.execute(
            "UPDATE stations SET qr_version = qr_version + 1 WHERE code = %s"  # noqa: S608
            + _RETURNING,
            (code,),
        )
        return self._one_station(code)

    def record_rotation(self, rotation: dict[str, Any]) -> int:
        self._cur.execute(
            "INSERT INTO qr_rotations (station_code, from_version, to_version, reason,"
            " token_id, rotated_by, rotated_at) VALUES (%(station_code)s, %(from_version)s,"
            " %(to_version)s, %(reason)s, %(token_id)s, %(rotated_by)s, %(rotated_at)s)"
            " RETURNING id",
            rotation,
        )
        return self._cur.fetchone()[0]

    def rotations(self, code: str) -> list[dict[str, Any]]:
        self._cur.execute(
            "SELECT id, from_version, to_version, reason, rotated_by, rotated_at"
            " FROM qr_rotations WHERE station_code = %s ORDER BY rotated_at, id",
            (code,),
        )
        names = ("id", "from_version", "to_version", "reason", "rotated_by")
        return [
            {**dict(zip(names, r[:5], strict=True)), "station_code": code,
             "rotated_at": r[5].isoformat()}
            for r in self._cur.fetchall()
        ]  # fmt: skip

    def get_zone(self, code: str, *, for_update: bool = False) -> Zone:
        lock = " FOR UPDATE" if for_update else ""
        self._cur.execute(_ZONE_SELECT + " WHERE code = %s" + lock, (code,))
        row = self._cur.fetchone()
        if row is None:
            raise NotFound(code)
        return _zone(row)

    def list_zones(self) -> list[Zone]:
        self._cur.execute(_ZONE_SELECT + " ORDER BY code")
        return [_zone(row) for row in self._cur.fetchall()]

    def update_zone(self, code: str, changes: dict[str, Any]) -> Zone:
        names = [n for n in ZONE_CONTACT_FIELDS if n in changes]
        if names:
            self._cur.execute(
                f"UPDATE zones SET {', '.join(f'{n} = %s' for n in names)}"  # noqa: S608
                " WHERE code = %s",
                [*(changes[n] for n in names), code],
            )
        return self.get_zone(code)

    def touch_stations(self, zone: str) -> list[Station]:
        # The trigger gives each updated row a new revision.
        self._cur.execute(
            "UPDATE stations SET updated_at = now() WHERE zone = %s"  # noqa: S608 - constants
            + _RETURNING,
            (zone,),
        )
        return sorted((_station(row) for row in self._cur.fetchall()), key=lambda s: s.code)


def register_admin_token(
    database_url: str, label: str, token_hash: str, created_by: str
) -> int | None:
    """Keep ``token_hash`` as an ``admin`` API token unless that hash is kept already (a
    revoked token stays revoked): the new token's id, or None when it was kept already."""
    try:
        with (
            db.connection(database_url, application_name="qr-cli") as conn,
            db.transaction(conn) as cur,
        ):
            cur.execute(
                "INSERT INTO api_tokens (label, role, token_hash, created_by)"
                " VALUES (%s, 'admin', %s, %s) ON CONFLICT (token_hash) DO NOTHING RETURNING id",
                (label, token_hash, created_by),
            )
            row = cur.fetchone()
            return None if row is None else int(row[0])
    except psycopg2.OperationalError as error:
        raise RegistryUnavailable(str(error)) from error
