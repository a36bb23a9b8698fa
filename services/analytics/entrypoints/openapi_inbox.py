"""The inbox's part of analytics' OpenAPI description (``entrypoints/inbox.py``): the list
and its filters, one feedback with its actions and call backs, and the SHO's and the
feedback cell's posts."""

from __future__ import annotations

from typing import Any

from apispec import APISpec

from services.analytics.domain.inbox import (
    ACTION_MAX,
    ACTION_MIN,
    LANGUAGES,
    NOTE_MAX,
    OUTCOMES,
    PAGE_MAX,
    TEXT_MAX,
)
from shared.complaint_types import COMPLAINT_TYPES
from shared.openapi import SIGNED_IN, json_response, query, refusals

READERS = "commissioner, feedback_cell, dcp, acp (their zone) and sho (their station)"
_YES_NO = {"type": "string", "enum": ["yes", "no"]}
_TEXT = {"type": "string", "maxLength": TEXT_MAX}
_ID = {"name": "event_id", "in": "path", "required": True,
       "schema": {"type": "string", "format": "uuid"}}  # fmt: skip
_ALERT_ID = {"name": "alert_id", "in": "path", "required": True,
             "schema": {"type": "string", "format": "uuid"}}  # fmt: skip
_FACTS: dict[str, Any] = {
    "event_id": {"type": "string", "format": "uuid"},
    "submitted_at": {"type": "string", "format": "date-time"},
    "station_code": {"type": "string"},
    "zone": {"type": "string"},
    "rating": {"type": "integer", "minimum": 1, "maximum": 5},
    "complaint_date": {"type": "string", "format": "date", "nullable": True},
    "complaint_type": {"type": "string", "enum": list(COMPLAINT_TYPES)},
    "officer_name": {"type": "string", "nullable": True, "description": "contact details masked"},
    "comments": {"type": "string", "nullable": True, "description": "contact details masked"},
    "cleanliness": {"type": "integer", "minimum": 1, "maximum": 5, "nullable": True},
    "staff_available": {"type": "boolean"},
    "staff_helped": {"type": "boolean"},
    "problem_resolved": {"type": "boolean"},
    "language": {"type": "string", "enum": list(LANGUAGES)},
}
ITEM = {
    "type": "object",
    "properties": {
        **_FACTS,
        "actions": {"type": "integer", "minimum": 0, "description": "actions recorded"},
        "callback_outcome": {"type": "string", "enum": list(OUTCOMES), "nullable": True},
    },
    "required": list(_FACTS),
}
PAGE = {
    "type": "object",
    "properties": {
        "items": {"type": "array", "items": {"$ref": "#/components/schemas/InboxItem"}},
        "next_after": {
            "type": "string",
            "nullable": True,
            "description": "pass as after for the next page; null on the last",
        },
    },
    "required": ["items", "next_after"],
}
ACTION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "station_code": {"type": "string"},
        "event_id": {"type": "string", "format": "uuid", "nullable": True},
        "alert_id": {"type": "string", "format": "uuid", "nullable": True},
        "text": {"type": "string"},
        "taken_on": {"type": "string", "format": "date"},
        "recorded_by": {"type": "string"},
        "recorded_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "station_code", "text", "taken_on", "recorded_by", "recorded_at"],
}
CALLBACK = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "event_id": {"type": "string", "format": "uuid"},
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "note": {"type": "string"},
        "called_by": {"type": "string"},
        "called_at": {"type": "string", "format": "date-time"},
    },
    "required": ["id", "event_id", "outcome", "note", "called_by", "called_at"],
}
FEEDBACK = {
    "type": "object",
    "properties": {
        **_FACTS,
        "actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}},
        "callbacks": {"type": "array", "items": {"$ref": "#/components/schemas/Callback"}},
    },
    "required": [*_FACTS, "actions", "callbacks"],
}
_ACTION_BODY = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "minLength": ACTION_MIN, "maxLength": ACTION_MAX},
        "taken_on": {
            "type": "string",
            "format": "date",
            "description": "not before the feedback or alert, not in the future",
        },
    },
    "required": ["text", "taken_on"],
}
_CALLBACK_BODY = {
    "type": "object",
    "properties": {
        "outcome": {"type": "string", "enum": list(OUTCOMES)},
        "note": {
            "type": "string",
            "maxLength": NOTE_MAX,
            "description": "numbers and the visitor's name are removed",
        },
    },
    "required": ["outcome"],
}
FILTERS = [
    query("zone", {"type": "string", "maxLength": 32}, "one zone (any case)"),
    query("station", {"type": "string", "maxLength": 32}, "one station's code"),
    query("since", {"type": "string", "format": "date"}, "from this India day"),
    query("until", {"type": "string", "format": "date"}, "up to this India day"),
    query("stars", {"type": "string", "pattern": "^[1-5](,[1-5])*$"}, "ratings, such as 1,2"),
    query("resolved", _YES_NO, "problem solved or not"),
    query("helped", _YES_NO, "staff helped or not"),
    query("type", {"type": "string", "enum": list(COMPLAINT_TYPES)}, "complaint type"),
    query("officer", _TEXT, "part of the officer's name as typed (any case)"),
    query("language", {"type": "string", "enum": list(LANGUAGES)}, "the form's language"),
    query("text", _TEXT, "words of the comments (Hindi, English or Hinglish)"),
]
_PAGING = [
    query("after", {"type": "string", "pattern": "^-?[0-9]{1,18}_[0-9a-f]{32}$"},
          "next_after of the previous page"),
    query("limit", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}, "50 if absent"),
]  # fmt: skip


def _read(ok: dict[str, Any], *, missing: str | None = None) -> dict[str, Any]:
    answers: dict[str, Any] = {"200": ok, **refusals(READERS)}
    answers["400"] = json_response("Error", "a filter that is not one")
    if missing:
        answers["404"] = json_response("Error", missing)
    answers["503"] = json_response("Error", "PostgreSQL unreachable; see Retry-After")
    return answers


def _post(summary: str, roles: str, body: dict[str, Any], ok: str, missing: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "security": SIGNED_IN,
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body}},
        },
        "responses": {
            "201": json_response(ok, "recorded (and written to the audit log)"),
            **refusals(roles),
            "400": json_response("Error", "a body that is not a JSON object"),
            "404": json_response("Error", missing),
            "422": json_response("Invalid", "messages per field"),
            "503": json_response("Error", "PostgreSQL unreachable; see Retry-After"),
        },
    }


def add_inbox_paths(spec: APISpec) -> None:
    for name, schema in (("InboxItem", ITEM), ("InboxPage", PAGE), ("Action", ACTION),
                         ("Callback", CALLBACK), ("Feedback", FEEDBACK)):  # fmt: skip
        spec.components.schema(name, schema)
    spec.path(path="/api/v1/inbox", operations={"get": {
        "summary": "Feedback the caller may read, newest first, a page at a time (keyset)",
        "description": "an SHO's station, a DCP's or ACP's zone, every station for the "
        "commissioner and the feedback cell; never a visitor's name or number",
        "security": SIGNED_IN, "parameters": [*FILTERS, *_PAGING],
        "responses": _read(json_response("InboxPage", "a page")),
    }})  # fmt: skip
    spec.path(path="/api/v1/inbox/{event_id}", parameters=[_ID], operations={"get": {
        "summary": "One feedback: every answer but the name and number, its actions and "
        "call backs",
        "security": SIGNED_IN,
        "responses": _read(json_response("Feedback", "the feedback"),
                           missing="no such feedback within the caller's scope"),
    }})  # fmt: skip
    spec.path(path="/api/v1/inbox/{event_id}/actions", parameters=[_ID], operations={
        "post": _post("Record the action an SHO's station took on a feedback", "sho",
                      _ACTION_BODY, "Action", "no such feedback at the SHO's station"),
    })  # fmt: skip
    spec.path(path="/api/v1/inbox/{event_id}/callbacks", parameters=[_ID], operations={
        "post": _post("Mark a feedback as called back, with the outcome", "feedback_cell",
                      _CALLBACK_BODY, "Callback", "no such feedback"),
    })  # fmt: skip
    spec.path(path="/api/v1/alerts/{alert_id}/actions", parameters=[_ALERT_ID], operations={
        "post": _post("Record the action an SHO's station took on an alert", "sho",
                      _ACTION_BODY, "Action", "no such alert at the SHO's station"),
    })  # fmt: skip
