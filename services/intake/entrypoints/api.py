"""The JSON API: ``POST /api/v1/feedback`` and its description at ``/openapi.json``."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from services.intake import i18n
from services.intake.domain import is_idempotency_key
from services.intake.entrypoints.openapi import build_spec
from services.intake.usecases import (
    Deps,
    IdempotencyConflict,
    Invalid,
    InvalidCode,
    RateLimited,
    Refused,
    submit_feedback,
)
from shared.auth import access
from shared.web import json_error

_MESSAGES = {
    InvalidCode: "this QR code is not valid for feedback",
    IdempotencyConflict: "this Idempotency-Key was already used for different feedback",
}
UNAVAILABLE = "feedback cannot be accepted right now; please retry"


def _refusal(refused: Refused, retry_after: int) -> tuple[Response, int]:
    if isinstance(refused, Invalid):
        return jsonify(errors=i18n.field_errors(refused.errors, "en")), 422
    if isinstance(refused, InvalidCode):
        return json_error(_MESSAGES[InvalidCode], refused.problem.value)
    if isinstance(refused, RateLimited):
        return json_error(str(refused), 429, retry_after)
    if isinstance(refused, IdempotencyConflict):
        return json_error(_MESSAGES[IdempotencyConflict], 409)
    return json_error(UNAVAILABLE, 503, retry_after)


def api_blueprint(deps: Deps, retry_after_s: int) -> Blueprint:
    blueprint = Blueprint("api", __name__)
    spec = build_spec()

    @blueprint.post("/api/v1/feedback")
    def submit_api() -> tuple[Response, int]:
        if not request.is_json:
            return json_error("send the feedback as JSON (Content-Type: application/json)", 415)
        body = request.get_json(silent=True)
        if body is None:
            return json_error("the body is not valid JSON", 400)
        key = request.headers.get("Idempotency-Key")
        if key is not None and not is_idempotency_key(key):
            return json_error("Idempotency-Key must be 1 to 128 visible ASCII characters", 400)
        try:
            accepted = submit_feedback(
                deps, body, client_address=request.remote_addr or "unknown", idempotency_key=key
            )
        except Refused as refused:
            return _refusal(refused, retry_after_s)
        response = jsonify(id=accepted.event_id, status="accepted")
        if accepted.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response, 202

    @blueprint.get("/openapi.json")
    @access.signed_in
    def openapi() -> Response:
        return jsonify(spec)

    return blueprint
