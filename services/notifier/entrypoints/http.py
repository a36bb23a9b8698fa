"""The notifier's HTTP entrypoint: the alerts API and the acknowledge link on the shared HTTP
kit (health, readiness, metrics, error bodies, body cap, security headers). Run under
gunicorn as ``gunicorn 'services.notifier.entrypoints.http:wsgi()'``. The rules run in the
worker; this app reads and acknowledges alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import psycopg2
from flask import Flask, Response

from services.notifier import metrics
from services.notifier.config import NotifierConfig
from services.notifier.entrypoints.alerts_api import Api, alerts
from services.notifier.entrypoints.openapi import openapi_blueprint
from shared import logs
from shared.auth import Gate, gate_from_env
from shared.clock import utc_now
from shared.web import json_error, make_app

logger = logging.getLogger(__name__)
WORKER_STALE = timedelta(minutes=2)


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs without personal data."""
    config = NotifierConfig.from_env()
    logs.configure_logging("notifier", config.log_level)
    return create_app(config)


def create_app(
    config: NotifierConfig | None = None,
    now: Callable[[], datetime] | None = None,
    gate: Gate | None = None,
) -> Flask:
    """The notifier app; ``now`` replaces the clock (tests of the link's expiry)."""
    config = config or NotifierConfig.from_env()
    api = Api(config, now or utc_now)
    app = make_app(
        __name__,
        requests=metrics.REQUESTS,
        readiness=lambda: _readiness(api),
        collectors=lambda: (metrics.TablesCollector(api.snapshot),),
        gate=gate or gate_from_env(config.connections.database_url),
    )
    app.extensions["notifier"] = api
    app.register_blueprint(alerts)
    app.register_blueprint(openapi_blueprint())
    app.register_error_handler(psycopg2.Error, _database_down)
    return app


def _readiness(api: Api) -> Mapping[str, bool]:
    """The alerts database answers, and the worker's heartbeat in it is fresh."""
    checks = {"postgres": False, "worker": False}
    try:
        worker = api.snapshot()["worker"]
        checks["postgres"] = True
        checks["worker"] = bool(worker) and api.clock() - worker[0] < WORKER_STALE
    except psycopg2.Error:
        logger.warning("readiness: database unavailable", exc_info=True)
    return checks


def _database_down(error: psycopg2.Error) -> tuple[Response, int]:
    logger.warning("database unavailable", exc_info=error)
    return json_error("the alerts store is unavailable; please retry", 503)
