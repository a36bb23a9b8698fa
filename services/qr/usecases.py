"""The registry's use cases: plain functions over the ports (a unit of work over the
registry, the station publisher, a clock).

Every change is written and published in one step: the row is changed inside the unit of
work, the new record is published to the ``stations`` topic and acknowledged, and only then
does the unit of work commit. If Kafka does not acknowledge, PublishFailed rolls the unit of
work back and the caller answers 503: the registry and the topic never disagree because
Kafka was down. (The one gap, a commit failing after the acknowledgement, leaves a record on
the topic with a revision the registry never kept; readers keep it until the station's next
change, which gets a higher revision and supersedes it.)

A code that is not a station code (a NUL byte, say) is NotFound without asking the store.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from services.qr import metrics
from services.qr.domain import (
    Deactivated,
    NotFound,
    Zone,
    changed_fields,
    editable_view,
    is_station_code,
    is_zone_code,
    station_changed,
    zone_contacts,
)
from services.qr.ports import Clock, Registry, StationPublisher, UnitOfWork
from shared.clock import utc_now
from shared.events import Station

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    unit_of_work: UnitOfWork
    publisher: StationPublisher
    clock: Clock = utc_now


def _checked(code: str) -> str:
    if not is_station_code(code):
        raise NotFound(code)
    return code


def _announce(registry: Registry, deps: Deps, change: str, station: Station) -> None:
    zone = registry.get_zone(station.zone)
    deps.publisher.publish(station_changed(change, station, zone))
    metrics.CHANGES.labels(change).inc()
    logger.info("station %s", change, extra={"station": station.code, "revision": station.revision})


def get_station(deps: Deps, code: str) -> Station:
    """NotFound."""
    with deps.unit_of_work() as registry:
        return registry.get_station(_checked(code))


def active_station(deps: Deps, code: str) -> Station:
    """The station whose QR code may be shown or printed; NotFound, Deactivated."""
    station = get_station(deps, code)
    if not station.active:
        raise Deactivated(code)
    return station


def list_stations(
    deps: Deps, *, zone: str | None = None, active: bool | None = None
) -> list[Station]:
    with deps.unit_of_work() as registry:
        return registry.list_stations(zone=zone, active=active)


def zone_stations(deps: Deps, zone: str) -> list[Station]:
    """The active stations of ``zone``, to print; NotFound when there is none (or ``zone``
    is not a zone code)."""
    stations = is_zone_code(zone) and list_stations(deps, zone=zone, active=True)
    if not stations:
        raise NotFound(zone)
    return stations


def list_zones(deps: Deps) -> list[Zone]:
    with deps.unit_of_work() as registry:
        return registry.list_zones()


def get_zone(deps: Deps, code: str) -> Zone:
    """NotFound (also for what is not a zone code, without asking the store)."""
    if not is_zone_code(code):
        raise NotFound(code)
    with deps.unit_of_work() as registry:
        return registry.get_zone(code)


def create_station(deps: Deps, fields: dict[str, Any]) -> Station:
    """Duplicate, UnknownZone, or PublishFailed (nothing created)."""
    with deps.unit_of_work() as registry:
        station = registry.insert_station(fields)
        _announce(registry, deps, "created", station)
    return station


def edit_station(deps: Deps, code: str, changes: dict[str, Any]) -> tuple[Station, list[str]]:
    """The station after ``changes`` and the names of the fields that really changed
    (none: nothing is published). NotFound, UnknownZone, or PublishFailed (nothing
    changed). Turning ``active`` off is published as a deactivation."""
    with deps.unit_of_work() as registry:
        before = registry.get_station(_checked(code), for_update=True)
        station = registry.update_station(code, changes)
        changed = changed_fields(editable_view(before), editable_view(station))
        if station != before:
            change = "deactivated" if before.active and not station.active else "updated"
            _announce(registry, deps, change, station)
    return station, changed


def update_station(deps: Deps, code: str, changes: dict[str, Any]) -> Station:
    """``edit_station``'s station."""
    return edit_station(deps, code, changes)[0]


def deactivate_station(deps: Deps, code: str) -> Station:
    return update_station(deps, code, {"active": False})


def rotate_qr(
    deps: Deps, code: str, *, reason: str, rotated_by: str, token_id: int | None = None
) -> tuple[Station, dict[str, Any]]:
    """A new code version for the station, with its audit record; the old poster stops
    working as soon as intake reads the published record. ``rotated_by`` names who asked
    (an account's username or a token's label), ``token_id`` the API token when a program
    asked. NotFound or PublishFailed."""
    rotated_at = deps.clock()
    with deps.unit_of_work() as registry:
        registry.get_station(_checked(code), for_update=True)
        station = registry.bump_qr_version(code)
        audit: dict[str, Any] = {
            "station_code": station.code,
            "from_version": station.qr_version - 1,
            "to_version": station.qr_version,
            "reason": reason,
            "rotated_by": rotated_by,
        }
        rotation_id = registry.record_rotation(
            {**audit, "token_id": token_id, "rotated_at": rotated_at}
        )
        _announce(registry, deps, "rotated", station)
    return station, {"id": rotation_id, **audit, "rotated_at": rotated_at.isoformat()}


def rotations(deps: Deps, code: str) -> list[dict[str, Any]]:
    """NotFound."""
    with deps.unit_of_work() as registry:
        registry.get_station(_checked(code))
        return registry.rotations(code)


def announce_registry(deps: Deps) -> int:
    """Publish every station's current record ("announced"), so a reader that starts from
    the topic alone (the notifier) knows every station, including seeded ones and any whose
    last record was lost. Safe to repeat: readers keep the highest revision. Returns the
    number of stations published."""
    with deps.unit_of_work() as registry:
        zones = {z.code: z for z in registry.list_zones()}
        stations = registry.list_stations()
    deps.publisher.publish(*(station_changed("announced", s, zones.get(s.zone)) for s in stations))
    return len(stations)


def update_zone(deps: Deps, code: str, changes: dict[str, Any]) -> tuple[Zone, list[str]]:
    """The zone after ``changes`` (ACP's and DCP's contacts) and the names of the fields
    that really changed. The stations' records carry their zone's contacts (the notifier
    escalates to them), so when any changed, every station of the zone is published again
    ("updated", each with a new revision) before the change is committed. NotFound, or
    PublishFailed (nothing changed)."""
    if not is_zone_code(code):
        raise NotFound(code)
    with deps.unit_of_work() as registry:
        before = registry.get_zone(code, for_update=True)
        zone = registry.update_zone(code, changes)
        changed = changed_fields(zone_contacts(before), zone_contacts(zone))
        if changed:
            stations = registry.touch_stations(code)
            deps.publisher.publish(*(station_changed("updated", s, zone) for s in stations))
            metrics.CHANGES.labels("updated").inc(len(stations))
            logger.info("zone contacts changed", extra={"zone": code, "stations": len(stations)})
    return zone, changed
