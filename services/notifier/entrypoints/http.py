"""The notifier's HTTP entrypoint: the alerts API, the police's alerts page and the
acknowledge link on the shared HTTP kit (health, readiness, metrics, error bodies, body cap,
security headers, the gate). Run under gunicorn as
``gunicorn 'services.notifier.entrypoints.http:wsgi()'``. The rules run in the worker; this
app reads and acknowledges alerts, each person only their own stations' (a zone's stations
come from the stations topic, read in each process from its first request on).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import psycopg2
from flask import Flask, Response, current_app
from kafka.errors import KafkaError
from werkzeug.exceptions import ServiceUnavailable

from services.notifier import metrics
from services.notifier.adapters.postgres_reads import PostgresAlertsView
from services.notifier.adapters.stations import FeedDirectory
from services.notifier.config import NotifierConfig
from services.notifier.entrypoints.alerts_api import Api, alerts
from services.notifier.entrypoints.openapi import openapi_blueprint
from services.notifier.entrypoints.police import police
from services.notifier.ports import AlertsView, StationMap
from shared import db, logs
from shared.auth import Gate, gate_from_env
from shared.clock import utc_now
from shared.stations_reader import StationsFeed
from shared.web import make_app

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
    view: AlertsView | None = None,
    stations: StationMap | None = None,
) -> Flask:
    """The notifier app; ``now`` replaces the clock (tests of the link's expiry), ``view``
    and ``stations`` the alerts store and the station directory (none connects before it
    is first used)."""
    config = config or NotifierConfig.from_env()
    url = config.connections.database_url
    view = view or PostgresAlertsView(
        lambda: db.connection(url, application_name="notifier-api", timeout_s=3)
    )
    if stations is None:
        feed = StationsFeed(config.connections.kafka_bootstrap_servers, client_id="notifier-api")
        stations = FeedDirectory(feed)
    api = Api(config, now or utc_now, view, stations)
    app = make_app(
        __name__,
        requests=metrics.REQUESTS,
        readiness=lambda: _readiness(api),
        collectors=lambda: (metrics.TablesCollector(api.snapshot),),
        gate=gate or gate_from_env(config.connections.database_url),
    )
    app.extensions["notifier"] = api
    app.register_blueprint(alerts)
    app.register_blueprint(police)
    app.register_blueprint(openapi_blueprint())
    app.register_error_handler(psycopg2.Error, _database_down)
    app.register_error_handler(KafkaError, _directory_unread)
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


def _unavailable(message: str) -> Response:
    # Through the kit's handler: JSON for programs, the police error page for a browser.
    answer = current_app.handle_http_exception(ServiceUnavailable(message))
    response = current_app.make_response(answer)
    response.headers["Retry-After"] = "5"
    return response


def _directory_unread(error: KafkaError) -> Response:
    logger.warning("station directory unavailable", exc_info=error)
    return _unavailable("the station directory cannot be read now; please retry")


def _database_down(error: psycopg2.Error) -> Response:
    logger.warning("database unavailable", exc_info=error)
    return _unavailable("the alerts store is unavailable; please retry")
