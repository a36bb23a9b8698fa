"""Analytics' OpenAPI description, served at ``/openapi.json`` to any signed-in person or
token. Building it opens no connection."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.analytics.domain import PUBLIC_WINDOWS
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
    station_code_parameter,
)

READERS = "commissioner, feedback_cell, dcp, acp (their zone) and sho (their station)"
_CODE = station_code_parameter(STATION_CODE_PATTERN)
_SHARE = {"type": "number", "minimum": 0, "maximum": 1, "nullable": True}
_AVERAGE = {"type": "number", "minimum": 1, "maximum": 5, "nullable": True}
WINDOW = {
    "type": "object",
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "avg_rating": _AVERAGE,
        "low_rating_share": _SHARE,
        "resolved_share": _SHARE,
        "staff_available_share": _SHARE,
        "staff_helped_share": _SHARE,
        "avg_cleanliness": _AVERAGE,
    },
    "required": ["count"],
}
SCORES = {
    "type": "object",
    "properties": {
        "station_code": {"type": "string"},
        "windows": {
            "type": "object",
            "properties": {w: {"$ref": "#/components/schemas/Window"} for w in PUBLIC_WINDOWS},
        },
    },
    "required": ["station_code", "windows"],
}
RANKED = {
    "type": "object",
    "properties": {
        "station_code": {"type": "string"},
        "name_en": {"type": "string"},
        "name_hi": {"type": "string"},
        "zone": {"type": "string"},
        "score": {"type": "number", "nullable": True},
        "count": {"type": "integer", "minimum": 0},
        "rank": {"type": "integer", "minimum": 1, "nullable": True},
        "enough_feedback": {"type": "boolean"},
    },
    "required": ["station_code", "count", "rank"],
}
RANKINGS = {
    "type": "object",
    "properties": {
        "window": {"type": "string", "enum": list(PUBLIC_WINDOWS)},
        "zone": {"type": "string", "nullable": True},
        "min_count": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/RankedStation"}},
    },
    "required": ["window", "items"],
}
DAY = {
    "type": "object",
    "properties": {
        "date": {"type": "string", "format": "date"},
        "count": {"type": "integer", "minimum": 0},
        "avg_rating": _AVERAGE,
        "low_rating_share": _SHARE,
        "unresolved_share": _SHARE,
    },
    "required": ["date", "count"],
}
TREND = {
    "type": "object",
    "properties": {
        "station_code": {"type": "string"},
        "days": {"type": "integer"},
        "timezone": {"type": "string"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Day"}},
    },
    "required": ["station_code", "days", "items"],
}
AUDIT_ENTRY = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "actor_kind": {"type": "string", "enum": ["account", "token", "cli", "anonymous"]},
        "actor_name": {"type": "string"},
        "action": {"type": "string"},
        "target": {"type": "string"},
        "reason": {"type": "string"},
        "ip": {"type": "string"},
        "details": {"type": "object"},
    },
    "required": ["id", "at", "actor_kind", "actor_name", "action", "target", "reason", "ip"],
}
AUDIT = {
    "type": "object",
    "properties": {
        "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
        "next_before": {"type": "integer", "nullable": True},
    },
    "required": ["entries", "next_before"],
}


def _answers(ok: dict[str, Any], *, station: bool, query: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": ok, **refusals(READERS)}
    if query:
        answers["400"] = json_response("Error", "a query argument out of its range")
    if station:
        answers["404"] = json_response("Error", "no such station")
    answers["503"] = json_response("Error", "Redis or PostgreSQL unreachable; see Retry-After")
    return answers


def build_spec() -> dict[str, Any]:
    spec = new_spec(
        "Pratikriya analytics", "Stations' scores over rolling windows, their ranking and trend."
    )
    for name, schema in (("Window", WINDOW), ("Scores", SCORES), ("RankedStation", RANKED),
                         ("Rankings", RANKINGS), ("Day", DAY), ("Trend", TREND),
                         ("AuditEntry", AUDIT_ENTRY), ("Audit", AUDIT)):  # fmt: skip
        spec.components.schema(name, schema)
    spec.path(
        path="/api/v1/stations/{code}/scores",
        parameters=[_CODE],
        operations={
            "get": {
                "summary": "A station's scores over the last 24 hours, 7 and 30 days",
                "security": SIGNED_IN,
                "responses": _answers(
                    json_response("Scores", "the windows"), station=True, query=False
                ),
            }
        },
    )
    spec.path(
        path="/api/v1/rankings",
        operations={
            "get": {
                "summary": "Stations ranked by score, best first (within the caller's scope)",
                "security": SIGNED_IN,
                "parameters": [
                    query("window", {"type": "string", "enum": list(PUBLIC_WINDOWS)}),
                    query("zone", {"type": "string"}, "only this zone's stations (any case)"),
                ],
                "responses": _answers(
                    json_response("Rankings", "the ranking"), station=False, query=True
                ),
            }
        },
    )
    spec.path(
        path="/api/v1/stations/{code}/trend",
        parameters=[_CODE],
        operations={
            "get": {
                "summary": "A station's daily counts and shares (India days), oldest first",
                "security": SIGNED_IN,
                "parameters": [
                    query("days", {"type": "integer", "minimum": 1, "maximum": 366}, "90 if absent")
                ],
                "responses": _answers(
                    json_response("Trend", "one row per day"), station=True, query=True
                ),
            }
        },
    )
    spec.path(
        path="/api/v1/audit",
        operations={
            "get": {
                "summary": "The audit log, newest first, 100 entries a page",
                "description": "sign-ins, failed sign-ins, views of a visitor's identity and "
                "admin changes; never the identity itself",
                "security": SIGNED_IN,
                "parameters": [
                    query(
                        "before",
                        {"type": "string", "pattern": "^[0-9]{1,18}$"},
                        "entries older than this id (next_before of the previous page)",
                    ),
                    query(
                        "action",
                        {"type": "string", "pattern": "^[a-z_.]{1,60}$"},
                        "one action (identity.view) or a family (account)",
                    ),
                ],
                "responses": {
                    "200": json_response("Audit", "a page of entries"),
                    **refusals("commissioner and feedback_cell"),
                    "400": json_response("Error", "a query argument that is not one"),
                    "503": json_response("Error", "PostgreSQL unreachable"),
                },
            }
        },
    )
    add_health_paths(spec, "Redis and PostgreSQL are reachable; names the failing ones")
    add_openapi_path(spec)
    return spec.to_dict()


def openapi_blueprint() -> Blueprint:
    return shared_openapi.openapi_blueprint(build_spec)
