"""The use cases' and the admin check's errors, as the QR API's answers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, Response, jsonify
from marshmallow import ValidationError

from services.qr.adapters.kafka import PublishFailed
from services.qr.domain import Deactivated, Duplicate, NotFound, UnknownZone
from services.qr.entrypoints.admin import Unauthorized
from services.qr.entrypoints.registry_api import BadBody
from services.qr.ports import RegistryUnavailable
from shared.web import json_error

logger = logging.getLogger(__name__)
RETRY_AFTER_S = 10
Answer = tuple[Response, int]

_MESSAGES: dict[type[Exception], tuple[int, Callable[[Exception], str]]] = {
    BadBody: (400, str),
    NotFound: (404, lambda e: f"no station or zone {e}"),
    Duplicate: (409, lambda e: f"a station with code {e} exists already"),
    Deactivated: (410, lambda e: f"station {e} is deactivated; its code no longer opens the form"),
}


def map_errors(app: Flask) -> None:
    for error_type, (status, message) in _MESSAGES.items():
        app.register_error_handler(error_type, _plain(status, message))
    app.register_error_handler(ValidationError, _invalid)
    app.register_error_handler(UnknownZone, _unknown_zone)
    app.register_error_handler(Unauthorized, _unauthorized)
    app.register_error_handler(PublishFailed, _publish_failed)
    app.register_error_handler(RegistryUnavailable, _registry_down)


def _plain(status: int, message: Callable[[Exception], str]) -> Callable[[Exception], Answer]:
    return lambda error: json_error(message(error), status)


def _invalid(error: ValidationError) -> Answer:
    return jsonify(errors=error.messages), 422


def _unknown_zone(error: UnknownZone) -> Answer:
    return jsonify(errors={"zone": [f"No zone {error} in the registry."]}), 422


def _unauthorized(error: Unauthorized) -> Answer:
    response, status = json_error(str(error), 401)
    response.headers["WWW-Authenticate"] = 'Bearer realm="pratikriya"'
    return response, status


def _publish_failed(error: PublishFailed) -> Answer:
    logger.warning("registry change not published; nothing changed", exc_info=error)
    message = "the change could not be published to Kafka and was not made; retry shortly"
    return json_error(message, 503, RETRY_AFTER_S)


def _registry_down(error: RegistryUnavailable) -> Answer:
    logger.warning("registry database unreachable", exc_info=error)
    return json_error("the registry is unavailable; retry shortly", 503, RETRY_AFTER_S)
