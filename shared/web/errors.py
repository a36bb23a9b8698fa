"""JSON error bodies: ``{"error": message}``, the one shape every service answers with."""

from __future__ import annotations

from flask import Response, jsonify


def json_error(message: str, status: int, retry_after: int | None = None) -> tuple[Response, int]:
    """``{"error": message}`` with ``status``; ``Retry-After`` when the caller should retry."""
    response = jsonify(error=message)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response, status
