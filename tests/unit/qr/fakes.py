"""Fakes of the QR service's ports (services/qr/ports.py), in memory: a registry whose unit
of work keeps its changes only when the block ends normally, as PostgreSQL's transaction
does, and a publisher that records what Kafka acknowledged or refuses like a broker that is
down."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from services.qr.adapters.kafka import PublishFailed
from services.qr.domain import (
    EDITABLE_FIELDS,
    Duplicate,
    NotFound,
    UnknownZone,
    Zone,
    with_contacts,
)
from shared.events import Contact, Station, StationChanged

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


@dataclass
class Tables:
    """What the registry holds between units of work."""

    stations: dict[str, Station] = field(default_factory=dict)
    zones: dict[str, Zone] = field(default_factory=dict)
    rotations: list[dict[str, Any]] = field(default_factory=list)
    revision: int = 100


def new_station(fields: dict[str, Any], *, revision: int) -> Station:
    """The station the registry makes of a new station's ``fields``, at QR version 1."""
    values = {"kind": "police", "active": True, "address": "", **fields}
    sho = Contact(*(values.pop(f"sho_{part}", "") for part in ("name", "mobile", "email")))
    return Station(**values, sho=sho, qr_version=1, revision=revision, updated_at=NOW)


def changed(station: Station, changes: dict[str, Any]) -> Station:
    """``station`` with the API's flat field changes (``sho_name`` ... into its SHO contact)."""
    changes = dict(changes)
    sho = {part: changes.pop(f"sho_{part}") for part in ("name", "mobile", "email")
           if f"sho_{part}" in changes}  # fmt: skip
    return replace(station, **changes, sho=replace(station.sho, **sho))


class FakeRegistry:
    """The Registry port over a copy of the tables, for one unit of work."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def _next_revision(self) -> int:
        self.tables.revision += 1
        return self.tables.revision

    def get_station(self, code: str, *, for_update: bool = False) -> Station:
        if code not in self.tables.stations:
            raise NotFound(code)
        return self.tables.stations[code]

    def list_stations(self, *, zone=None, active=None) -> list[Station]:
        found = [
            s
            for s in self.tables.stations.values()
            if (zone is None or s.zone == zone) and (active is None or s.active == active)
        ]
        return sorted(found, key=lambda s: (s.zone, s.code))

    def insert_station(self, fields: dict[str, Any]) -> Station:
        if fields["code"] in self.tables.stations:
            raise Duplicate(fields["code"])
        if fields["zone"] not in self.tables.zones:
            raise UnknownZone(fields["zone"])
        station = new_station(fields, revision=self._next_revision())
        self.tables.stations[station.code] = station
        return station

    def update_station(self, code: str, changes: dict[str, Any]) -> Station:
        before = self.get_station(code)
        editable = {k: v for k, v in changes.items() if k in EDITABLE_FIELDS}
        if "zone" in editable and editable["zone"] not in self.tables.zones:
            raise UnknownZone(editable["zone"])
        after = changed(before, editable)
        if after != before:
            after = replace(after, revision=self._next_revision())
        self.tables.stations[code] = after
        return after

    def bump_qr_version(self, code: str) -> Station:
        station = self.get_station(code)
        bumped = replace(station, qr_version=station.qr_version + 1, revision=self._next_revision())
        self.tables.stations[code] = bumped
        return bumped

    def record_rotation(self, rotation: dict[str, Any]) -> int:
        self.tables.rotations.append({"id": len(self.tables.rotations) + 1, **rotation})
        return len(self.tables.rotations)

    def rotations(self, code: str) -> list[dict[str, Any]]:
        return [
            {**{k: v for k, v in r.items() if k != "token_id"},
             "rotated_at": r["rotated_at"].isoformat()}
            for r in self.tables.rotations
            if r["station_code"] == code
        ]  # fmt: skip

    def get_zone(self, code: str, *, for_update: bool = False) -> Zone:
        if code not in self.tables.zones:
            raise NotFound(code)
        return self.tables.zones[code]

    def list_zones(self) -> list[Zone]:
        return sorted(self.tables.zones.values(), key=lambda z: z.code)

    def update_zone(self, code: str, changes: dict[str, Any]) -> Zone:
        self.tables.zones[code] = with_contacts(self.get_zone(code), changes)
        return self.tables.zones[code]

    def touch_stations(self, zone: str) -> list[Station]:
        touched = []
        for station in self.list_stations(zone=zone):
            touched.append(replace(station, revision=self._next_revision()))
            self.tables.stations[station.code] = touched[-1]
        return touched


class FakeUnitOfWork:
    """Call it for a unit of work: the block works on a copy of ``committed``, which it
    replaces only when the block ends without an exception."""

    def __init__(self) -> None:
        self.committed = Tables()
        self.commits = 0

    @contextmanager
    def __call__(self) -> Iterator[FakeRegistry]:
        working = copy.deepcopy(self.committed)
        yield FakeRegistry(working)
        self.committed = working
        self.commits += 1


class FakePublisher:
    """Records every acknowledged record; with ``down`` set it refuses like a broker that
    cannot be reached, acknowledging nothing."""

    def __init__(self) -> None:
        self.acknowledged: list[StationChanged] = []
        self.down = False

    def publish(self, *records: StationChanged) -> None:
        if self.down:
            raise PublishFailed("broker unreachable (fake)")
        self.acknowledged.extend(records)

    def ready(self) -> bool:
        return not self.down


def a_zone(code: str = "East") -> Zone:
    return Zone(
        code, f"Zone {code}", "पूर्व",
        Contact("ACP East", "+919000000101", "acp@example.invalid"),
        Contact("DCP East", "+919000000111", "dcp@example.invalid"),
    )  # fmt: skip


def station_fields(code: str = "GGN-TEST-1", zone: str = "East", **more: Any) -> dict[str, Any]:
    """What the registry API's schema hands the use case for a new station."""
    return {
        "code": code, "name_en": f"Test {code}", "name_hi": "परीक्षण थाना", "zone": zone,
        "kind": "police", "address": "Sector 1", "sho_name": "Insp. Test",
        "sho_mobile": "+919000000301", "sho_email": "sho@example.invalid", "active": True,
        **more,
    }  # fmt: skip
