"""The QR service's OpenAPI description, built from the marshmallow schemas that validate
its requests, served at ``/openapi.json``. Building it opens no connection."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.qr.contacts import ZoneContactsSchema
from services.qr.schemas import (
    ImageQuerySchema,
    ListQuerySchema,
    RotationSchema,
    StationChangesSchema,
    StationSchema,
    Text,
)
from shared.events import STATION_CODE_PATTERN
from shared.openapi import (
    add_error_schemas,
    add_health_paths,
    add_openapi_path,
    json_response,
    station_code_parameter,
)

_CODE = station_code_parameter(STATION_CODE_PATTERN)
_ZONE = {"name": "zone", "in": "path", "required": True, "schema": {"type": "string"}}
# A bearer token of the admin role (./pratikriya tokens add --role admin), or a signed-in
# admin's session cookie with its CSRF token.
_ADMIN: list[dict[str, list[str]]] = [{"admin": []}]


def _body(schema: str) -> dict[str, Any]:
    return {"required": True, **json_response(schema, "a JSON object")}


def _file(mimetype: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {mimetype: {"schema": {"type": "string"}}}}


def _answers(ok: str, good: dict[str, Any], *, admin: bool = False, body: bool = False):
    answers = {ok: good, "404": json_response("Error", "no such station or zone")}
    if admin:
        answers["401"] = json_response("Error", "no sign-in or token, or not a valid one")
        answers["403"] = json_response("Error", "a role other than admin")
    if body:
        answers["400"] = json_response("Error", "not a JSON object")
        answers["413"] = json_response("Error", "body over 64 KB")
    answers["422"] = json_response("Invalid", "invalid fields, a message for each")
    answers["503"] = json_response(
        "Error", "PostgreSQL or Kafka unreachable; retry after Retry-After"
    )
    return answers


def _query(schema: type) -> list[dict[str, Any]]:
    return [{"in": "query", "schema": schema}]


def _text_lengths(self: Any, field: Any, **kwargs: Any) -> dict[str, Any]:
    """Our ``Text`` fields check their length themselves; say so in the description."""
    if isinstance(field, Text):
        return {"minLength": field.min_length, "maxLength": field.max_length}
    return {}


def build_spec() -> dict[str, Any]:
    marshmallow = MarshmallowPlugin()
    spec = APISpec(
        title="Pratikriya QR service",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[marshmallow],
        info={"description": "The station registry, its signed QR codes and posters."},
    )
    assert marshmallow.converter is not None  # set when the plugin joined the spec
    marshmallow.converter.add_attribute_function(_text_lengths)
    spec.components.security_scheme("admin", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Station", schema=StationSchema)
    spec.components.schema("StationChanges", schema=StationChangesSchema(partial=True))
    spec.components.schema("Rotation", schema=RotationSchema)
    spec.components.schema("ZoneContacts", schema=ZoneContactsSchema)
    add_error_schemas(spec)
    station = json_response({"type": "object"}, "the station, with its SHO's contacts")
    spec.path(
        path="/api/v1/stations",
        operations={
            "get": {
                "summary": "Stations, by zone and whether active",
                "security": _ADMIN,
                "parameters": _query(ListQuerySchema),
                "responses": _answers(
                    "200", json_response({"type": "object"}, "{items: [...]}"), admin=True
                ),
            },
            "post": {
                "summary": "Add a station",
                "security": _ADMIN,
                "requestBody": _body("Station"),
                "responses": {
                    **_answers("201", station, admin=True, body=True),
                    "409": json_response("Error", "a station with this code exists"),
                },
            },
        },
    )
    spec.path(
        path="/api/v1/stations/{code}",
        parameters=[_CODE],
        operations={
            "get": {
                "summary": "One station",
                "security": _ADMIN,
                "responses": _answers("200", station, admin=True),
            },
            "patch": {
                "summary": "Change a station (not its code or QR version)",
                "security": _ADMIN,
                "requestBody": _body("StationChanges"),
                "responses": _answers("200", station, admin=True, body=True),
            },
            "delete": {
                "summary": "Deactivate a station: its code stops opening the form",
                "security": _ADMIN,
                "responses": _answers("200", station, admin=True),
            },
        },
    )
    spec.path(
        path="/api/v1/stations/{code}/qr/rotate",
        parameters=[_CODE],
        operations={
            "post": {
                "summary": "Issue a new QR version; the old one is revoked",
                "security": _ADMIN,
                "requestBody": _body("Rotation"),
                "responses": _answers(
                    "200",
                    json_response({"type": "object"}, "station, rotation, qr_url"),
                    admin=True,
                    body=True,
                ),
            }
        },
    )
    spec.path(
        path="/api/v1/stations/{code}/rotations",
        parameters=[_CODE],
        operations={
            "get": {
                "summary": "The station's QR rotations, newest first",
                "security": _ADMIN,
                "responses": _answers(
                    "200", json_response({"type": "object"}, "{items}"), admin=True
                ),
            }
        },
    )
    spec.path(
        path="/api/v1/zones",
        operations={
            "get": {
                "summary": "Zones, with their ACP's and DCP's contacts",
                "security": _ADMIN,
                "responses": _answers(
                    "200", json_response({"type": "object"}, "{items: [...]}"), admin=True
                ),
            }
        },
    )
    spec.path(
        path="/api/v1/zones/{zone}",
        parameters=[_ZONE],
        operations={
            "patch": {
                "summary": "Change the zone's ACP's and DCP's contacts; its stations are"
                " published again with them",
                "security": _ADMIN,
                "requestBody": _body("ZoneContacts"),
                "responses": _answers(
                    "200", json_response({"type": "object"}, "the zone"), admin=True, body=True
                ),
            }
        },
    )
    gone = {"410": json_response("Error", "the station is deactivated")}
    spec.path(
        path="/api/v1/stations/{code}/qr-url",
        parameters=[_CODE],
        operations={
            "get": {
                "summary": "The signed URL the QR code holds",
                "responses": {
                    **_answers("200", json_response({"type": "object"}, "the URL")),
                    **gone,
                },
            }
        },
    )
    for name, mimetype in (("qr.png", "image/png"), ("qr.svg", "image/svg+xml")):
        spec.path(
            path=f"/api/v1/stations/{{code}}/{name}",
            parameters=[_CODE],
            operations={
                "get": {
                    "summary": f"The station's QR code as {mimetype}",
                    "parameters": _query(ImageQuerySchema),
                    "responses": {**_answers("200", _file(mimetype, "the image")), **gone},
                }
            },
        )
    spec.path(
        path="/api/v1/stations/{code}/poster.pdf",
        parameters=[_CODE],
        operations={
            "get": {
                "summary": "The printable poster (A4, Hindi and English)",
                "responses": {**_answers("200", _file("application/pdf", "the poster")), **gone},
            }
        },
    )
    spec.path(
        path="/api/v1/zones/{zone}/posters.pdf",
        parameters=[_ZONE],
        operations={
            "get": {
                "summary": "Every active station's poster in a zone, one per page",
                "responses": _answers("200", _file("application/pdf", "the posters")),
            }
        },
    )
    add_health_paths(spec, "PostgreSQL and Kafka are reachable; names the failing ones")
    add_openapi_path(spec)
    return spec.to_dict()
