"""The use cases' errors as the QR service's answers: ``{"error": ...}`` (or per-field
``{"errors": ...}``) under ``/api/``, the police error page elsewhere (the IT cell's pages
catch the errors a form can show beside its fields before they get here)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import default_exceptions

from services.qr.adapters.kafka import PublishFailed
from services.qr.domain import Deactivated, Duplicate, NotFound, Refused, UnknownZone
from services.qr.entrypoints.registry_api import BadBody
from services.qr.ports import RegistryUnavailable
from shared.auth.gate import error_page
from shared.db import Unavailable
from shared.web import json_error

logger = logging.getLogger(__name__)
RETRY_AFTER_S = 10
Answer = tuple[Response, int] | Response

_MESSAGES: dict[type[Exception], tuple[int, Callable[[Exception], str]]] = {
    BadBody: (400, str),
    NotFound: (404, lambda e: f"no station or zone {e}"),
    Duplicate: (409, lambda e: f"a station with code {e} exists already"),
    Deactivated: (410, lambda e: f"station {e} is deactivated; its code no longer opens the form"),
}
UNPUBLISHED = "the change could not be published to Kafka and was not made; retry shortly"
REGISTRY_DOWN = "the registry is unavailable; retry shortly"
AUTH_DOWN = "the accounts database is unavailable; retry shortly"


def map_errors(app: Flask) -> None:
    for error_type, (status, message) in _MESSAGES.items():
        app.register_error_handler(error_type, _plain(status, message))
    app.register_error_handler(ValidationError, _invalid)
    app.register_error_handler(UnknownZone, _unknown_zone)
    app.register_error_handler(Refused, _refused)
    app.register_error_handler(PublishFailed, _publish_failed)
    app.register_error_handler(RegistryUnavailable, _registry_down)
    app.register_error_handler(Unavailable, _auth_down)


def answer(message: str, status: int, retry_after: int | None = None) -> Answer:
    """``{"error": message}`` for the API, the police error page for a page."""
    if request.path.startswith("/api/"):
        return json_error(message, status, retry_after)
    page = error_page(default_exceptions[status](message))
    if retry_after is not None:
        page.headers["Retry-After"] = str(retry_after)
    return page


def _plain(status: int, message: Callable[[Exception], str]) -> Callable[[Exception], Answer]:
    return lambda error: answer(message(error), status)


def _invalid(error: ValidationError) -> Answer:
    if not request.path.startswith("/api/"):
        return answer("some of what was sent is not valid", 422)
    return jsonify(errors=error.messages), 422


def _unknown_zone(error: UnknownZone) -> Answer:
    if not request.path.startswith("/api/"):
        return answer(f"no zone {error} in the registry", 422)
    return jsonify(errors={"zone": [f"No zone {error} in the registry."]}), 422


def _refused(error: Refused) -> Answer:
    message = "Not a value the registry accepts."
    if not request.path.startswith("/api/"):
        return answer(f"{error}: {message}", 422)
    return jsonify(errors={str(error) or "_schema": [message]}), 422


def _publish_failed(error: PublishFailed) -> Answer:
    logger.warning("registry change not published; nothing changed", exc_info=error)
    return answer(UNPUBLISHED, 503, RETRY_AFTER_S)


def _registry_down(error: RegistryUnavailable) -> Answer:
    logger.warning("registry database unreachable", exc_info=error)
    return answer(REGISTRY_DOWN, 503, RETRY_AFTER_S)


def _auth_down(error: Unavailable) -> Answer:
    logger.warning("accounts database unreachable", exc_info=error)
    return answer(AUTH_DOWN, 503, RETRY_AFTER_S)
