"""The station registry API: stations, their changes and rotations, zones, and the OpenAPI
description. Each route parses, calls one use case and shows the result; the errors are
mapped in ``entrypoints/http.py``."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema

from services.qr import usecases
from services.qr.domain import Station, admin_view, public_view, zone_view
from services.qr.entrypoints.admin import admin_only, caller, required_caller
from services.qr.entrypoints.openapi import build_spec
from services.qr.rendering.printing import Printer
from services.qr.schemas import (
    ListQuerySchema,
    RotationSchema,
    StationChangesSchema,
    StationSchema,
)
from shared.auth import access

registry = Blueprint("registry", __name__, url_prefix="/api/v1")
docs = Blueprint("docs", __name__)


class BadBody(Exception):
    """The body is not a JSON object (400)."""


def _deps() -> usecases.Deps:
    return current_app.extensions["qr"]


def _view(station: Station) -> dict[str, Any]:
    return admin_view(station) if caller() else public_view(station)


def _body(schema: Schema) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not request.is_json or not isinstance(data, dict):
        raise BadBody("send a JSON object (Content-Type: application/json)")
    return schema.load(data)


@registry.get("/stations")
def list_stations() -> Response:
    query = ListQuerySchema().load(request.args.to_dict())
    found = usecases.list_stations(_deps(), zone=query.get("zone"), active=query.get("active"))
    return jsonify(items=[_view(s) for s in found])


@registry.post("/stations")
@admin_only
def create_station() -> tuple[Response, int, dict[str, str]]:
    station = usecases.create_station(_deps(), _body(StationSchema()))
    return jsonify(admin_view(station)), 201, {"Location": f"/api/v1/stations/{station.code}"}


@registry.get("/stations/<code>")
def get_station(code: str) -> Response:
    return jsonify(_view(usecases.get_station(_deps(), code)))


@registry.patch("/stations/<code>")
@admin_only
def update_station(code: str) -> Response:
    changes = _body(StationChangesSchema())
    return jsonify(admin_view(usecases.update_station(_deps(), code, changes)))


@registry.delete("/stations/<code>")
@admin_only
def deactivate_station(code: str) -> Response:
    return jsonify(admin_view(usecases.deactivate_station(_deps(), code)))


@registry.post("/stations/<code>/qr/rotate")
@admin_only
def rotate(code: str) -> Response:
    reason = _body(RotationSchema())["reason"]
    station, audit = usecases.rotate_qr(_deps(), code, reason=reason, by=required_caller())
    printer: Printer = current_app.extensions["qr.printer"]
    return jsonify(station=admin_view(station), rotation=audit, qr_url=printer.url(station))


@registry.get("/stations/<code>/rotations")
@admin_only
def rotation_log(code: str) -> Response:
    return jsonify(items=usecases.rotations(_deps(), code))


@registry.get("/zones")
def zones() -> Response:
    admin = caller() is not None
    return jsonify(items=[zone_view(z, with_contacts=admin) for z in usecases.list_zones(_deps())])


@cache
def _spec() -> dict[str, Any]:
    return build_spec()


@docs.get("/openapi.json")
@access.signed_in
def openapi() -> Response:
    return jsonify(_spec())
