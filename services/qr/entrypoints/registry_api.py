"""The station registry API: stations, their changes and rotations, zones, and the OpenAPI
description. Each route parses, calls one use case and shows the result; the errors are
mapped in ``entrypoints/errors.py``.

Every route here is the IT cell's (``admin``, signed in or with a token), reads included:
the registry holds the officers' contacts. What hangs on the wall (QR images, posters) is
in ``codes_api.py`` and public.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema

from services.qr import usecases
from services.qr.contacts import ZoneContactsSchema
from services.qr.domain import admin_view, zone_view
from services.qr.entrypoints import registry_changes as changes
from services.qr.entrypoints.openapi import build_spec
from services.qr.rendering.printing import Printer
from services.qr.schemas import (
    ListQuerySchema,
    RotationSchema,
    StationChangesSchema,
    StationSchema,
)
from shared.auth import Role, access
from shared.openapi import openapi_blueprint

registry = Blueprint("registry", __name__, url_prefix="/api/v1")
admin_only = access.roles(Role.ADMIN)


class BadBody(Exception):
    """The body is not a JSON object (400)."""


def _body(schema: Schema) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not request.is_json or not isinstance(data, dict):
        raise BadBody("send a JSON object (Content-Type: application/json)")
    return schema.load(data)


@registry.get("/stations")
@admin_only
def list_stations() -> Response:
    query = ListQuerySchema().load(request.args.to_dict())
    found = usecases.list_stations(
        changes.deps(), zone=query.get("zone"), active=query.get("active")
    )
    return jsonify(items=[admin_view(s) for s in found])


@registry.post("/stations")
@admin_only
def create_station() -> tuple[Response, int, dict[str, str]]:
    station = changes.create_station(_body(StationSchema()))
    return jsonify(admin_view(station)), 201, {"Location": f"/api/v1/stations/{station.code}"}


@registry.get("/stations/<code>")
@admin_only
def get_station(code: str) -> Response:
    return jsonify(admin_view(usecases.get_station(changes.deps(), code)))


@registry.patch("/stations/<code>")
@admin_only
def update_station(code: str) -> Response:
    return jsonify(admin_view(changes.edit_station(code, _body(StationChangesSchema()))))


@registry.delete("/stations/<code>")
@admin_only
def deactivate_station(code: str) -> Response:
    return jsonify(admin_view(changes.edit_station(code, {"active": False})))


@registry.post("/stations/<code>/qr/rotate")
@admin_only
def rotate(code: str) -> Response:
    station, audit = changes.rotate(code, _body(RotationSchema())["reason"])
    printer: Printer = current_app.extensions["qr.printer"]
    return jsonify(station=admin_view(station), rotation=audit, qr_url=printer.url(station))


@registry.get("/stations/<code>/rotations")
@admin_only
def rotation_log(code: str) -> Response:
    return jsonify(items=usecases.rotations(changes.deps(), code))


@registry.get("/zones")
@admin_only
def zones() -> Response:
    return jsonify(items=[zone_view(z) for z in usecases.list_zones(changes.deps())])


@registry.patch("/zones/<zone>")
@admin_only
def update_zone(zone: str) -> Response:
    return jsonify(zone_view(changes.edit_zone(zone, _body(ZoneContactsSchema()))))


# GET /openapi.json, for any sign-in or token.
docs = openapi_blueprint(build_spec)
