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

from services.qr import metrics, tokens
from services.qr.domain import (
    Deactivated,
    NotFound,
    Zone,
    is_station_code,
    is_zone_code,
    station_changed,
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


def list_stations(deps: Deps, *, zone: str | None = None, active: bool | None = None):
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


def create_station(deps: Deps, fields: dict[str, Any]) -> Station:
    """Duplicate, UnknownZone, or PublishFailed (nothing created)."""
    with deps.unit_of_work() as registry:
        station = registry.insert_station(fields)
        _announce(registry, deps, "created", station)
    return station


def update_station(deps: Deps, code: str, changes: dict[str, Any]) -> Station:
    """NotFound, UnknownZone, or PublishFailed (nothing changed). Turning ``active`` off is
    published as a deactivation."""
    with deps.unit_of_work() as registry:
        before = registry.get_station(_checked(code), for_update=True)
        station = registry.update_station(code, changes)
        if station != before:
            change = "deactivated" if before.active and not station.active else "updated"
            _announce(registry, deps, change, station)
    return station


def deactivate_station(deps: Deps, code: str) -> Station:
    return update_station(deps, code, {"active": False})


def rotate_qr(
    deps: Deps, code: str, *, reason: str, by: tokens.TokenInfo | None, rotated_by: str = ""
) -> tuple[Station, dict[str, Any]]:
    """A new code version for the station, with its audit record; the old poster stops
    working as soon as intake reads the published record. ``by`` is the admin token that
    asked (``rotated_by`` names whoever asked without one). NotFound or PublishFailed."""
    rotated_at = deps.clock()
    with deps.unit_of_work() as registry:
        registry.get_station(_checked(code), for_update=True)
        station = registry.bump_qr_version(code)
        audit: dict[str, Any] = {
            "station_code": station.code,
            "from_version": station.qr_version - 1,
            "to_version": station.qr_version,
            "reason": reason,
            "rotated_by": by.label if by else rotated_by,
        }
        token_id = by.id if by else None
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


# -- admin tokens ---------------------------------------------------------------------------


def authenticate(deps: Deps, presented: str) -> tokens.TokenInfo | None:
    """The live token ``presented`` stands for, or None (unknown, revoked, malformed); its
    last use is noted."""
    if not presented or len(presented) > tokens.MAX_LENGTH:
        return None
    digest = tokens.token_hash(presented)
    with deps.unit_of_work() as registry:
        found = tokens.live_match(registry.find_token(digest), digest)
        if found is not None:
            registry.token_used(found.id, deps.clock())
    return found


def register_token(deps: Deps, token: str, label: str) -> tuple[int, bool]:
    """Keep the hash of ``token`` under ``label``: (its id, registered now). Registering
    the same token again gives the existing id (and does not bring back a revoked one)."""
    digest = tokens.token_hash(token)
    with deps.unit_of_work() as registry:
        token_id = registry.insert_token(label, digest)
        if token_id is not None:
            return token_id, True
        stored = registry.find_token(digest)
        assert stored is not None  # the insert conflicted with it
        return stored.info.id, False


def create_token(deps: Deps, label: str) -> tuple[int, str]:
    """A new token for ``label``: (id, token). The token is shown once and never stored."""
    token = tokens.new_token()
    return register_token(deps, token, label)[0], token


def list_tokens(deps: Deps) -> list[tokens.TokenInfo]:
    with deps.unit_of_work() as registry:
        return registry.list_tokens()


def revoke_token(deps: Deps, token_id: int) -> bool:
    """True when a live token was revoked now."""
    with deps.unit_of_work() as registry:
        return registry.revoke_token(token_id, deps.clock())
