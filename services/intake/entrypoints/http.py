"""Intake's HTTP entrypoint: the QR form and the feedback API on the shared HTTP kit (which
adds health, readiness, metrics, the body cap and the security headers).

Run under gunicorn as ``gunicorn 'services.intake.entrypoints.http:wsgi()'``.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, Unauthorized

from services.intake import metrics
from services.intake.adapters.kafka import FeedbackPublisher
from services.intake.adapters.redis import RedisLimits
from services.intake.adapters.stations import StationDirectory
from services.intake.config import IntakeConfig
from services.intake.entrypoints.api import api_blueprint
from services.intake.entrypoints.form import form_blueprint
from services.intake.entrypoints.pages import Pages
from services.intake.entrypoints.rights import build_rights, rights_blueprint
from services.intake.rights import Rights
from services.intake.usecases import Deps
from shared import logs
from shared.auth import Gate, gate_from_env
from shared.auth.gate import error_page
from shared.clock import utc_now
from shared.redis_io import redis_client
from shared.sealing import Sealer
from shared.stations_reader import StationsFeed
from shared.web import HttpSettings, json_error, make_app

# The police's side of intake (the sign-in, the API's description): their errors are the
# police's page, or JSON for a program, never the visitor's problem page.
_POLICE_PATHS = ("/openapi.json", "/login", "/logout", "/account/")


def build_deps(config: IntakeConfig) -> Deps:
    """The real adapters. None of them connects until first used; the station directory's
    reader thread starts with the first request, after gunicorn's fork."""
    connections = config.connections
    feed = StationsFeed(connections.kafka_bootstrap_servers, client_id="intake-stations")
    return Deps(
        stations=StationDirectory(feed, max_lag_s=config.station_max_lag_s),
        limits=RedisLimits(
            redis_client(connections.redis_url),
            per_address_per_hour=config.limit_per_address_per_hour,
            per_mobile_per_day=config.limit_per_mobile_per_station_per_day,
            idempotency_ttl_s=config.idempotency_ttl_s,
        ),
        publisher=FeedbackPublisher(connections.kafka_bootstrap_servers, config.publish_timeout_s),
        clock=utc_now,
        signing_key=config.qr_signing_key,
        mobile_hash_key=config.mobile_hash_key,
        sealer=Sealer.from_setting(config.seal_public_key),
    )


def create_app(
    config: IntakeConfig | None = None,
    deps: Deps | None = None,
    gate: Gate | None = None,
    rights: Rights | None = None,
) -> Flask:
    """The intake app; ``deps``, ``gate`` and ``rights`` replace the real adapters (none
    connects before first use)."""
    config = config or IntakeConfig.from_env()
    cases = deps or build_deps(config)
    pages = Pages(config.retry_after_s, config.retention_days)
    app = make_app(
        "services.intake",
        requests=metrics.REQUESTS,
        readiness=lambda: {
            "kafka": cases.publisher.ready(),
            "redis": cases.limits.ready(),
            "stations": cases.stations.ready(),
        },
        settings=HttpSettings(config.max_body_bytes, config.trusted_proxies),
        page_error=lambda error: _error(pages, error),
        gate=gate or gate_from_env(config.connections.database_url),
    )
    app.extensions["intake"] = cases
    app.register_blueprint(form_blueprint(cases, pages))
    app.register_blueprint(api_blueprint(cases, config.retry_after_s))
    app.register_blueprint(rights_blueprint(rights or build_rights(config), pages))
    return app


def _error(pages: Pages, error: HTTPException) -> Response:
    if not request.path.startswith(_POLICE_PATHS):
        return pages.http_error(error)
    accept = request.accept_mimetypes
    if "Authorization" not in request.headers and accept["text/html"] > accept["application/json"]:
        return error_page(error)
    response, status = json_error(error.description or error.name, error.code or 500)
    if isinstance(error, Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="pratikriya"'
    response.status_code = status
    return response


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs without personal data."""
    config = IntakeConfig.from_env()
    logs.configure_logging("intake", config.log_level)
    return create_app(config)
