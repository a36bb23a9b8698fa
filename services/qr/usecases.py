"""The registry's use cases: plain functions over a database URL and a publisher.

Every change is written and published in one step: the row is changed inside a transaction,
the new record is published to the ``stations`` topic and acknowledged, and only then is the
transaction committed. If Kafka does not acknowledge, the transaction rolls back and the
caller answers 503: the registry and the topic never disagree because Kafka was down. (The
one gap, a commit failing after the acknowledgement, leaves a record on the topic with a
revision the database never kept; readers keep it until the station's next change, which
gets a higher revision from the sequence and supersedes it.)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from services.qr import metrics
from services.qr import repository as repo
from services.qr.domain import station_changed
from shared import db
from shared.events import Station, StationChanged

logger = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish(self, *records: StationChanged) -> None: ...


@dataclass(frozen=True)
class Deps:
    database_url: str
    publisher: Publisher


def _announce(cur, deps: Deps, change: str, station: Station) -> None:
    zone = repo.get_zone(cur, station.zone)
    deps.publisher.publish(station_changed(change, station, zone))
    metrics.CHANGES.labels(change).inc()
    logger.info("station %s", change, extra={"station": station.code, "revision": station.revision})


def _connection(deps: Deps):
    return db.connection(deps.database_url, application_name="qr")


def get_station(deps: Deps, code: str) -> Station:
    with _connection(deps) as conn, db.transaction(conn) as cur:
        return repo.get_station(cur, code)


def list_stations(deps: Deps, *, zone: str | None = None, active: bool | None = None):
    with _connection(deps) as conn, db.transaction(conn) as cur:
        return repo.list_stations(cur, zone=zone, active=active)


def list_zones(deps: Deps):
    with _connection(deps) as conn, db.transaction(conn) as cur:
        return repo.list_zones(cur)


def create_station(deps: Deps, fields: dict[str, Any]) -> Station:
    """Duplicate, UnknownZone, or PublishFailed (nothing created)."""
    with _connection(deps) as conn, db.transaction(conn) as cur:
        station = repo.insert_station(cur, fields)
        _announce(cur, deps, "created", station)
    return station


def update_station(deps: Deps, code: str, changes: dict[str, Any]) -> Station:
    """NotFound, UnknownZone, or PublishFailed (nothing changed). Turning ``active`` off is
    published as a deactivation."""
    with _connection(deps) as conn, db.transaction(conn) as cur:
        before = repo.get_station(cur, code, for_update=True)
        station = repo.update_station(cur, code, changes)
        if station != before:
            change = "deactivated" if before.active and not station.active else "updated"
            _announce(cur, deps, change, station)
    return station


def deactivate_station(deps: Deps, code: str) -> Station:
    return update_station(deps, code, {"active": False})


def rotate_qr(
    deps: Deps, code: str, *, reason: str, token_id: int | None, rotated_by: str
) -> tuple[Station, dict[str, Any]]:
    """A new code version for the station, with its audit record; the old poster stops
    working as soon as intake reads the published record. NotFound or PublishFailed."""
    with _connection(deps) as conn, db.transaction(conn) as cur:
        repo.get_station(cur, code, for_update=True)
        station = repo.bump_qr_version(cur, code)
        audit = repo.record_rotation(
            cur, station, reason=reason, token_id=token_id, rotated_by=rotated_by
        )
        _announce(cur, deps, "rotated", station)
    return station, audit


def rotations(deps: Deps, code: str) -> list[dict[str, Any]]:
    with _connection(deps) as conn, db.transaction(conn) as cur:
        repo.get_station(cur, code)
        return repo.rotations(cur, code)


def announce_registry(database_url: str, publisher: Publisher) -> int:
    """Publish every station's current record ("announced"), so a reader that starts from
    the topic alone (the notifier) knows every station, including seeded ones and any whose
    last record was lost. Safe to repeat: readers keep the highest revision. Returns the
    number of stations published."""
    with db.connection(database_url, application_name="qr") as conn, db.transaction(conn) as cur:
        zones = {z.code: z for z in repo.list_zones(cur)}
        stations = repo.list_stations(cur)
    publisher.publish(*(station_changed("announced", s, zones.get(s.zone)) for s in stations))
    return len(stations)
