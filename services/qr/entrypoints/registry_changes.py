"""The registry's changes as a signed-in admin or an admin token makes them, through the
API or the IT cell's pages alike: the use case (which publishes the station records and
commits), then a line in the shared audit log naming the principal.

The audit line names what changed (field names, versions), never the values: a contact is
an officer's personal number. It is written after the change is committed; should the
audit store fail then, the change stands and the request answers 503.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from services.qr import usecases
from services.qr.domain import Station, Zone
from shared.auth import current_gate


def deps() -> usecases.Deps:
    return current_app.extensions["qr"]


def create_station(fields: dict[str, Any]) -> Station:
    station = usecases.create_station(deps(), fields)
    current_gate().audit("station.create", station.code, zone=station.zone, kind=station.kind)
    return station


def edit_station(code: str, changes: dict[str, Any]) -> Station:
    """The station after ``changes``; an edit that changes nothing is not recorded."""
    station, changed = usecases.edit_station(deps(), code, changes)
    if changed:
        current_gate().audit("station.update", station.code, fields=changed)
    return station


def rotate(code: str, reason: str) -> tuple[Station, dict[str, Any]]:
    """The rotated station and its rotation record, which names the principal (and the
    token's id when a program asked)."""
    gate = current_gate()
    principal = gate.require()
    token_id = principal.id if principal.kind == "token" else None
    station, record = usecases.rotate_qr(
        deps(), code, reason=reason, rotated_by=principal.name, token_id=token_id
    )
    gate.audit("station.rotate", station.code, reason,
               from_version=record["from_version"], to_version=record["to_version"])  # fmt: skip
    return station, record


def edit_zone(code: str, changes: dict[str, Any]) -> Zone:
    zone, changed = usecases.update_zone(deps(), code, changes)
    if changed:
        current_gate().audit("zone.update", zone.code, fields=changed)
    return zone
