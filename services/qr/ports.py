"""What the QR service's use cases need from the world, as protocols: the registry (stations,
zones and the rotation audit) inside a unit of work, the publisher of station
records, and a clock. The adapters under ``adapters/`` are the real ones; the tests have
fakes."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from services.qr.domain import Station, Zone
from shared.events import StationChanged

Clock = Callable[[], datetime]


class RegistryUnavailable(Exception):
    """The registry's store cannot be reached; nothing was changed."""


class Registry(Protocol):
    """The registry as one transaction sees it."""

    def get_station(self, code: str, *, for_update: bool = False) -> Station:
        """NotFound when there is no such station."""

    def list_stations(
        self, *, zone: str | None = None, active: bool | None = None
    ) -> list[Station]:
        """Ordered by zone, then code."""

    def insert_station(self, fields: dict[str, Any]) -> Station:
        """The new station at QR version 1 with a new revision; Duplicate, UnknownZone."""

    def update_station(self, code: str, changes: dict[str, Any]) -> Station:
        """The station with ``changes`` (editable fields only) and, when anything changed,
        a new revision; NotFound, UnknownZone."""

    def bump_qr_version(self, code: str) -> Station:
        """The station one QR version on, with a new revision; NotFound."""

    def record_rotation(self, rotation: dict[str, Any]) -> int:
        """Keep ``rotation`` (station_code, from_version, to_version, reason, token_id,
        rotated_by, rotated_at) in the audit; its id. ``token_id`` is an API token's id
        (``api_tokens``) when a program rotated, None when a signed-in person did."""

    def rotations(self, code: str) -> list[dict[str, Any]]:
        """The station's rotation audit, oldest first (without token ids)."""

    def get_zone(self, code: str, *, for_update: bool = False) -> Zone:
        """NotFound when there is no such zone."""

    def list_zones(self) -> list[Zone]:
        """Ordered by code."""

    def update_zone(self, code: str, changes: dict[str, Any]) -> Zone:
        """The zone with ``changes`` (its ACP's and DCP's contact fields only); NotFound."""

    def touch_stations(self, zone: str) -> list[Station]:
        """Every station of ``zone`` with a new revision (nothing else changed), to be
        published again when the zone's contacts, which their records carry, changed."""


# ``with unit_of_work() as registry:`` commits when the block ends normally and rolls back
# when it raises; RegistryUnavailable when the store cannot be reached.
UnitOfWork = Callable[[], AbstractContextManager[Registry]]


class StationPublisher(Protocol):
    def publish(self, *records: StationChanged) -> None:
        """Returns once the broker has acknowledged every record; PublishFailed otherwise."""

    def ready(self) -> bool:
        """Whether the broker answers now."""
