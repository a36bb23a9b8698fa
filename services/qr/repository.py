"""The registry in PostgreSQL: parameterised SQL over a cursor the caller's transaction owns."""

from __future__ import annotations

from typing import Any

import psycopg2.errors

from services.qr.domain import Duplicate, NotFound, UnknownZone, Zone
from shared.events import Contact, Station

STATION_COLUMNS = (
    "code", "name_en", "name_hi", "zone", "kind", "address", "sho_name", "sho_mobile",
    "sho_email", "active", "qr_version", "revision", "updated_at",
)  # fmt: skip
_SELECT = f"SELECT {', '.join(STATION_COLUMNS)} FROM stations"  # noqa: S608 - constants
_EDITABLE = frozenset(STATION_COLUMNS) - {"code", "qr_version", "revision", "updated_at"}


def _station(row: tuple) -> Station:
    code, name_en, name_hi, zone, kind, address, *sho, active, qr_version, revision, at = row
    return Station(
        code, name_en, name_hi, zone, active, qr_version, revision, kind, address,
        Contact(*sho), updated_at=at,
    )  # fmt: skip


def get_station(cur, code: str, *, for_update: bool = False) -> Station:
    cur.execute(_SELECT + " WHERE code = %s" + (" FOR UPDATE" if for_update else ""), (code,))
    row = cur.fetchone()
    if row is None:
        raise NotFound(code)
    return _station(row)


def list_stations(cur, *, zone: str | None = None, active: bool | None = None) -> list[Station]:
    where, params = [], []
    if zone is not None:
        where.append("zone = %s")
        params.append(zone)
    if active is not None:
        where.append("active = %s")
        params.append(active)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY zone, code"
    cur.execute(sql, params)
    return [_station(row) for row in cur.fetchall()]


def insert_station(cur, fields: dict[str, Any]) -> Station:
    """Duplicate if the code is taken, UnknownZone if the zone is not in the registry."""
    names = [n for n in fields if n in _EDITABLE or n == "code"]
    cur.execute("SAVEPOINT insert_station")
    try:
        cur.execute(
            f"INSERT INTO stations ({', '.join(names)}) "  # noqa: S608 - names are checked
            f"VALUES ({', '.join(['%s'] * len(names))}) "
            f"RETURNING {', '.join(STATION_COLUMNS)}",
            [fields[n] for n in names],
        )
    except psycopg2.errors.UniqueViolation:
        cur.execute("ROLLBACK TO SAVEPOINT insert_station")
        raise Duplicate(fields["code"]) from None
    except psycopg2.errors.ForeignKeyViolation:
        cur.execute("ROLLBACK TO SAVEPOINT insert_station")
        raise UnknownZone(fields["zone"]) from None
    return _station(cur.fetchone())


def update_station(cur, code: str, changes: dict[str, Any]) -> Station:
    """Apply ``changes`` (editable fields only); the trigger gives the row a new revision."""
    names = [n for n in changes if n in _EDITABLE]
    if not names:
        return get_station(cur, code)
    cur.execute("SAVEPOINT update_station")
    try:
        cur.execute(
            f"UPDATE stations SET {', '.join(f'{n} = %s' for n in names)} "  # noqa: S608
            f"WHERE code = %s RETURNING {', '.join(STATION_COLUMNS)}",
            [*(changes[n] for n in names), code],
        )
    except psycopg2.errors.ForeignKeyViolation:
        cur.execute("ROLLBACK TO SAVEPOINT update_station")
        raise UnknownZone(changes.get("zone", "")) from None
    row = cur.fetchone()
    if row is None:
        raise NotFound(code)
    return _station(row)


def bump_qr_version(cur, code: str) -> Station:
    cur.execute(
        f"UPDATE stations SET qr_version = qr_version + 1 WHERE code = %s "  # noqa: S608
        f"RETURNING {', '.join(STATION_COLUMNS)}",
        (code,),
    )
    row = cur.fetchone()
    if row is None:
        raise NotFound(code)
    return _station(row)


def record_rotation(
    cur, station: Station, *, reason: str, token_id: int | None, rotated_by: str
) -> dict[str, Any]:
    cur.execute(
        "INSERT INTO qr_rotations (station_code, from_version, to_version, reason, token_id,"
        " rotated_by) VALUES (%s, %s, %s, %s, %s, %s) RETURNING id, rotated_at",
        (station.code, station.qr_version - 1, station.qr_version, reason, token_id, rotated_by),
    )
    rotation_id, rotated_at = cur.fetchone()
    return {
        "id": rotation_id,
        "station_code": station.code,
        "from_version": station.qr_version - 1,
        "to_version": station.qr_version,
        "reason": reason,
        "rotated_by": rotated_by,
        "rotated_at": rotated_at.isoformat(),
    }


def rotations(cur, code: str) -> list[dict[str, Any]]:
    cur.execute(
        "SELECT id, from_version, to_version, reason, rotated_by, rotated_at FROM qr_rotations"
        " WHERE station_code = %s ORDER BY rotated_at, id",
        (code,),
    )
    return [
        {
            "id": r[0],
            "station_code": code,
            "from_version": r[1],
            "to_version": r[2],
            "reason": r[3],
            "rotated_by": r[4],
            "rotated_at": r[5].isoformat(),
        }
        for r in cur.fetchall()
    ]


_ZONE_SELECT = (
    "SELECT code, name_en, name_hi, acp_name, acp_mobile, acp_email, dcp_name, dcp_mobile,"
    " dcp_email FROM zones"
)


def _zone(row: tuple) -> Zone:
    return Zone(row[0], row[1], row[2], Contact(*row[3:6]), Contact(*row[6:9]))


def get_zone(cur, code: str) -> Zone:
    cur.execute(_ZONE_SELECT + " WHERE code = %s", (code,))
    row = cur.fetchone()
    if row is None:
        raise NotFound(code)
    return _zone(row)


def list_zones(cur) -> list[Zone]:
    cur.execute(_ZONE_SELECT + " ORDER BY code")
    return [_zone(row) for row in cur.fetchall()]
