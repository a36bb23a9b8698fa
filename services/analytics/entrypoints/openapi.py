"""Analytics' OpenAPI description, served at ``/openapi.json`` to any signed-in person or
token. Building it opens no connection."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from services.analytics.domain import PUBLIC_WINDOWS
from services.analytics.entrypoints.openapi_inbox import add_inbox_paths
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


OFFICER = {
    "type": "object",
    "properties": {
        "officer_key": {"type": "string"},
        "name": {"type": "string", "description": "the spelling typed most often, masked"},
        "names": {"type": "array", "items": {"type": "object", "properties": {
            "name_key": {"type": "string"}, "spelling": {"type": "string"}}}},
        "count": {"type": "integer", "minimum": 0},
        "avg_rating": _AVERAGE,
    },
    "required": ["officer_key", "name", "names"],
}  # fmt: skip
OFFICERS = {
    "type": "object",
    "properties": {
        "station_code": {"type": "string"},
        "days": {"type": "integer"},
        "min_count": {"type": "integer", "description": "no officer below it is listed"},
        "not_shown": {"type": "integer", "description": "officers below the minimum"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/Officer"}},
    },
    "required": ["items"],
}
COMPLAINT_TYPE = {
    "type": "object",
    "properties": {
        "complaint_type": {"type": "string"},
        "label_hi": {"type": "string"},
        "label_en": {"type": "string"},
        "count": {"type": "integer", "minimum": 1},
        "avg_rating": _AVERAGE,
        "unresolved_share": _SHARE,
    },
    "required": ["complaint_type", "count", "avg_rating", "unresolved_share"],
}
COMPLAINT_TYPES = {
    "type": "object",
    "properties": {
        "station_code": {"type": "string"},
        "zone": {"type": "string"},
        "days": {"type": "integer"},
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/ComplaintType"}},
    },
    "required": ["days", "items"],
}
MERGE = {
    "type": "object",
    "properties": {
        "names": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
        "into": {"type": "string"},
    },
    "required": ["names", "into"],
}
SPLIT = {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
ADMIN = "admin"
_DAYS = query("days", {"type": "integer", "minimum": 1, "maximum": 366}, "90 if absent")
_ZONE = {"name": "zone", "in": "path", "required": True, "schema": {"type": "string"}}


def _officer_paths(spec: Any) -> None:
    def get(summary: str, schema: str, who: str = READERS, params: list | None = None) -> dict:
        return {
            "get": {
                "summary": summary,
                "security": SIGNED_IN,
                "parameters": params or [],
                "responses": {
                    "200": json_response(schema, summary),
                    **refusals(who),
                    "400": json_response("Error", "days out of its range"),
                    "404": json_response("Error", "no such station or zone"),
                    "503": json_response("Error", "PostgreSQL unreachable"),
                },
            }
        }

    def change(summary: str, body: str) -> dict:
        return {
            "post": {
                "summary": summary,
                "security": SIGNED_IN,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}
                    },
                },
                "responses": {
                    "200": json_response("Officers", "the station's officers"),
                    **refusals(ADMIN),
                    "400": json_response("Error", "not a JSON object"),
                    "404": json_response("Error", "no such station"),
                    "422": json_response("Error", "a name not gathered there"),
                    "503": json_response("Error", "PostgreSQL unreachable"),
                },
            }
        }

    spec.path(
        path="/api/v1/stations/{code}/officers",
        parameters=[_CODE],
        operations=get(
            "The station's officers: count and average rating of those named often enough",
            "Officers",
            params=[_DAYS],
        ),
    )
    spec.path(
        path="/api/v1/stations/{code}/complaint-types",
        parameters=[_CODE],
        operations=get(
            "The station's figures per complaint type", "ComplaintTypes", params=[_DAYS]
        ),
    )
    spec.path(
        path="/api/v1/zones/{zone}/complaint-types",
        parameters=[_ZONE],
        operations=get(
            "The zone's figures per complaint type",
            "ComplaintTypes",
            "commissioner, feedback_cell, dcp and acp (their zone)",
            [_DAYS],
        ),
    )
    spec.path(
        path="/api/v1/admin/stations/{code}/officers",
        parameters=[_CODE],
        operations=get("How the station's typed names gather (no figures)", "Officers", ADMIN),
    )
    spec.path(
        path="/api/v1/admin/stations/{code}/officers/merge",
        parameters=[_CODE],
        operations=change("Merge names into one officer (audited)", "Merge"),
    )
    spec.path(path="/api/v1/admin/stations/{code}/officers/split", parameters=[_CODE],
              operations=change("Split a name out into an officer of its own (audited)",
                                "Split"))  # fmt: skip


_ID_PARAM = {"name": "direction_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1}}  # fmt: skip
_KIND_PARAM = {"name": "kind", "in": "path", "required": True,
               "schema": {"type": "string", "enum": ["acknowledgement", "compliance"]}}  # fmt: skip
_DATE = {"type": "string", "format": "date"}
_TEXT = {"type": "string", "minLength": 5, "maxLength": 2000}
_CODES = {"type": "array", "items": {"type": "string"}}
_INTERVAL = {
    "type": "object", "nullable": True,
    "properties": {"change": {"type": "number"}, "low": {"type": "number"},
                   "high": {"type": "number"},
                   "verdict": {"type": "string", "enum": ["up", "down", "noise"]}},
}  # fmt: skip
_SIDE = {
    "type": "object",
    "properties": {"from": {"type": "string", "format": "date-time"},
                   "to": {"type": "string", "format": "date-time"},
                   "count": {"type": "integer", "minimum": 0}, "avg_rating": _AVERAGE,
                   "resolved_share": _SHARE},
}  # fmt: skip
DIRECTION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "station_code": {"type": "string", "nullable": True},
        "zone": {"type": "string", "nullable": True}, "what": {"type": "string"},
        "why": {"type": "string"}, "due_on": _DATE,
        "issued_at": {"type": "string", "format": "date-time"}, "issued_on": _DATE,
        "issuer_name": {"type": "string"},
        "issuer_role": {"type": "string", "enum": ["commissioner", "dcp"]},
        "issuer_zone": {"type": "string", "nullable": True},
        "stations": _CODES, "acknowledged": _CODES, "complied": _CODES, "pending": _CODES,
        "overdue": {"type": "boolean", "description": "past its due date (India) and a "
                    "station it reaches has not reported compliance"},
        "feedback": {"type": "array", "items": {"type": "object"},
                     "description": "facts of the feedback it rests on, never a name"},
        "alerts": {"type": "array", "items": {"type": "object"}},
        "reports": {"type": "array", "items": {"type": "object"}},
        "overdue_notice": {"type": "object", "nullable": True},
        "before_after": {
            "type": "object",
            "description": "equal windows either side of issued_at (the one item only)",
            "properties": {
                "window_days": {"type": "integer"}, "complete": {"type": "boolean"},
                "elapsed_days": {"type": "number"}, "before": _SIDE, "after": _SIDE,
                "min_count": {"type": "integer"}, "enough_data": {"type": "boolean"},
                "level": {"type": "number"}, "stars": _INTERVAL, "resolved": _INTERVAL,
                "words": {"type": "object"},
            },
        },
    },
    "required": ["id", "what", "why", "due_on", "issued_at", "stations", "overdue"],
}  # fmt: skip
DIRECTIONS = {
    "type": "object",
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Direction"}}},
    "required": ["items"],
}
_UUIDS = {"type": "array", "maxItems": 50, "items": {"type": "string", "format": "uuid"}}
NEW_DIRECTION = {
    "type": "object",
    "description": "station_code or zone, not both",
    "properties": {
        "station_code": {"type": "string"}, "zone": {"type": "string"},
        "what": _TEXT, "why": _TEXT, "due_on": _DATE,
        "feedback": _UUIDS,
        "alerts": _UUIDS,
    },
    "required": ["what", "why", "due_on"],
}  # fmt: skip
NEW_REPORT = {
    "type": "object",
    "properties": {"text": {"type": "string", "minLength": 2, "maxLength": 2000},
                   "reported_on": {**_DATE, "description": "today if absent"}},
    "required": ["text"],
}  # fmt: skip


def _body(schema: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def _direction_paths(spec: Any) -> None:
    bad = json_response("Error", "a field missing or out of range, or a body that is not JSON")
    unavailable = json_response("Error", "PostgreSQL unreachable")
    spec.path(path="/api/v1/directions", operations={
        "get": {"summary": "Directions reaching the caller's scope, newest first",
                "security": SIGNED_IN,
                "responses": {"200": json_response("Directions", "the directions"),
                              **refusals(READERS), "503": unavailable}},
        "post": {"summary": "Direct a station or a zone (audited)", "security": SIGNED_IN,
                 "requestBody": _body("NewDirection"),
                 "responses": {"201": json_response("Direction", "the direction, with Location"),
                               **refusals("commissioner, and dcp for their own zone"),
                               "400": bad, "503": unavailable}},
    })  # fmt: skip
    spec.path(path="/api/v1/directions/{direction_id}", parameters=[_ID_PARAM], operations={
        "get": {"summary": "One direction with its reports and its before-and-after",
                "security": SIGNED_IN,
                "responses": {"200": json_response("Direction", "the direction"),
                              **refusals(READERS),
                              "404": json_response("Error", "no such direction"),
                              "503": unavailable}},
    })  # fmt: skip
    spec.path(path="/api/v1/directions/{direction_id}/{kind}",
              parameters=[_ID_PARAM, _KIND_PARAM], operations={
        "post": {"summary": "The station's acknowledgement or compliance report (audited)",
                 "description": "compliance only after acknowledgement; one of each per station",
                 "security": SIGNED_IN, "requestBody": _body("NewReport"),
                 "responses": {"201": json_response("Direction", "the direction"),
                               **refusals("sho of a station the direction reaches"),
                               "400": bad, "404": json_response("Error", "no such direction"),
                               "409": json_response("Error", "already reported"),
                               "503": unavailable}},
    })  # fmt: skip


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
                         ("AuditEntry", AUDIT_ENTRY), ("Audit", AUDIT), ("Officer", OFFICER),
                         ("Officers", OFFICERS), ("ComplaintType", COMPLAINT_TYPE),
                         ("ComplaintTypes", COMPLAINT_TYPES), ("Merge", MERGE),
                         ("Split", SPLIT),
                         ("Direction", DIRECTION), ("Directions", DIRECTIONS),
                         ("NewDirection", NEW_DIRECTION), ("NewReport", NEW_REPORT)):  # fmt: skip
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
    add_inbox_paths(spec)
    _officer_paths(spec)
    _direction_paths(spec)
    add_health_paths(spec, "Redis and PostgreSQL are reachable; names the failing ones")
    add_openapi_path(spec)
    return spec.to_dict()


def openapi_blueprint() -> Blueprint:
    return shared_openapi.openapi_blueprint(build_spec)
