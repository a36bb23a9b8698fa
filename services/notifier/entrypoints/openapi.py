"""The notifier's OpenAPI description, served at ``/openapi.json`` to any signed-in person
or token: the alerts API, the acknowledge link of an alert's email, health. Building it
opens no connection."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from shared import openapi as shared_openapi
from shared.events import STATION_CODE_PATTERN
from shared.openapi import (
    SIGNED_IN,
    add_health_paths,
    add_openapi_path,
    json_response,
    new_spec,
    query,
    refusals,
)

STATUSES = ("open", "acknowledged", "resolved")
READERS = "commissioner, feedback_cell, dcp, acp (their zone) and sho (their station)"
_ALERT_ID = {
    "name": "alert_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "format": "uuid"},
    "description": "the alert's id",
}
DELIVERY = {
    "type": "object",
    "properties": {
        "channel": {"type": "string", "enum": ["sms", "email"]},
        "recipient_role": {"type": "string"},
        "status": {"type": "string"},
        "attempts": {"type": "integer", "minimum": 0},
    },
}
ALERT = {
    "type": "object",
    "description": "never a visitor's name or number",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "station_code": {"type": "string"},
        "rule": {"type": "string", "enum": ["low_rating", "unresolved"]},
        "status": {"type": "string", "enum": list(STATUSES)},
        "level": {"type": "integer", "minimum": 0, "maximum": 2},
        "window": {"type": "string"},
        "observed": {"type": "object"},
        "baseline": {"type": "object"},
        "raised_at": {"type": "string", "format": "date-time"},
        "deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/Delivery"}},
    },
    "required": ["id", "station_code", "rule", "status"],
}
ALERTS = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Alert"}}},
    "required": ["items"],
}
ACKED = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "status": {"type": "string", "enum": list(STATUSES)},
        "error": {"type": "string"},
    },
    "required": ["id", "status"],
}
_LINK_VALUES = {
    "exp": {"type": "string", "pattern": "^[0-9]{1,12}$", "description": "expiry, Unix time"},
    "sig": {"type": "string", "maxLength": 64, "description": "the link's signature"},
}


def _page(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _link_pages() -> dict[str, Any]:
    return {
        "200": _page("the page with the button (GET), or: acknowledged (POST)"),
        "403": _page("the link is not valid or has expired"),
        "404": _page("no such alert"),
    }


def build_spec() -> dict[str, Any]:
    spec = new_spec("Pratikriya notifier", "Alerts raised for stations, and acknowledging them.")
    spec.components.schema("Delivery", DELIVERY)
    spec.components.schema("Alert", ALERT)
    unreachable = json_response("Error", "the alerts store is unreachable; retry")
    spec.path(
        path="/api/v1/alerts",
        operations={
            "get": {
                "summary": "Alerts, newest first (within the caller's scope)",
                "security": SIGNED_IN,
                "parameters": [
                    query("station", {"type": "string", "pattern": STATION_CODE_PATTERN}),
                    query("status", {"type": "string", "enum": list(STATUSES)}),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, "100"),
                ],
                "responses": {
                    "200": json_response(ALERTS, "{items: [...]}"),
                    **refusals(READERS),
                    "422": json_response("Error", "a query argument out of its range"),
                    "503": unreachable,
                },
            }
        },
    )
    spec.path(
        path="/api/v1/alerts/{alert_id}/ack",
        parameters=[_ALERT_ID],
        operations={
            "post": {
                "summary": "Acknowledge an alert: its escalation stops",
                "security": SIGNED_IN,
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"by": {"type": "string", "maxLength": 100}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": json_response(ACKED, "acknowledged (or it already was)"),
                    **refusals(READERS),
                    "404": json_response("Error", "no such alert"),
                    "409": json_response(ACKED, "the alert is already resolved"),
                    "503": unreachable,
                },
            }
        },
    )
    spec.path(
        path="/alerts/{alert_id}/ack",
        parameters=[_ALERT_ID],
        operations={
            "get": {
                "summary": "The acknowledge link of an alert's email: a page with a button",
                "security": [{}],
                "parameters": [
                    {"name": name, "in": "query", "required": True, "schema": schema}
                    for name, schema in _LINK_VALUES.items()
                ],
                "responses": _link_pages(),
            },
            "post": {
                "summary": "The button of that page: acknowledges the alert",
                "security": [{}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": _LINK_VALUES,
                                "required": ["exp", "sig"],
                            }
                        }
                    },
                },
                "responses": _link_pages(),
            },
        },
    )
    add_health_paths(spec, "the alerts database answers and the worker's heartbeat is fresh")
    add_openapi_path(spec)
    return spec.to_dict()


def openapi_blueprint() -> Blueprint:
    return shared_openapi.openapi_blueprint(build_spec)
