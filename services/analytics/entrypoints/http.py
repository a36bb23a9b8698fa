"""Analytics' HTTP entrypoint: the read API, the Commissioner's dashboard and the station
pages, the feedback cell's audited identity view and the audit log, on the shared HTTP kit
(which adds health, readiness, metrics, the body cap, the security headers and the gate:
every route here is for police sign-ins or tokens, each role narrowed to its scope).

Scores and rankings come from Redis (written by the consumer); names, zones, daily series
and comments from PostgreSQL. Run under gunicorn as
``gunicorn 'services.analytics.entrypoints.http:wsgi()'``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import redis
from flask import Flask, Response
from prometheus_client.registry import Collector
from werkzeug.exceptions import Forbidden, NotFound

from services.analytics import metrics
from services.analytics.adapters.directions_postgres import PostgresDirections
from services.analytics.adapters.postgres_inbox import PostgresInbox
from services.analytics.adapters.postgres_officers import PostgresOfficers
from services.analytics.adapters.postgres_reads import PostgresIdentities, PostgresReads
from services.analytics.adapters.redis import ScoresCache
from services.analytics.config import AnalyticsConfig
from services.analytics.domain import RankingPolicy
from services.analytics.entrypoints.api import api_blueprint
from services.analytics.entrypoints.audit import audit_blueprint
from services.analytics.entrypoints.digest_pages import digest_blueprint
from services.analytics.entrypoints.directions import directions_blueprint
from services.analytics.entrypoints.identity import identity_blueprint
from services.analytics.entrypoints.inbox import inbox_blueprint
from services.analytics.entrypoints.officers import officers_blueprint
from services.analytics.entrypoints.openapi import openapi_blueprint
from services.analytics.entrypoints.pages import pages_blueprint
from services.analytics.ports import InboxStore, ReadsUnavailable
from services.analytics.usecases.directions import Settings as DirectionSettings
from services.analytics.usecases.reads import OutOfScope, ReadDeps, UnknownStation
from shared import logs
from shared.auth import Gate, gate_from_env
from shared.consumer.health import figures_reader
from shared.redis_io import redis_client
from shared.web import json_error, make_app

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Deps:
    reads: ReadDeps
    inbox: InboxStore
    collectors: tuple[Collector, ...] = ()


def build_deps(config: AnalyticsConfig) -> Deps:
    """The real adapters; none connects before first use."""
    client = redis_client(config.connections.redis_url)
    database = PostgresReads(config.connections.database_url)
    reads = ReadDeps(
        database=database,
        scores=ScoresCache(client, config.redis_prefix),
        policy=RankingPolicy(config.ranking_prior_weight, config.ranking_min_count),
        identities=PostgresIdentities(database),
        officers=PostgresOfficers(database),
        officer_min_count=config.officer_min_count,
    )
    consumer_figures = figures_reader(config.connections.database_url, config.group_id)
    return Deps(
        reads, PostgresInbox(database), collectors=(metrics.ConsumerCollector(consumer_figures),)
    )


def _redis_answers(deps: ReadDeps) -> bool:
    try:
        return deps.scores.ping()
    except redis.RedisError:
        return False


def _unavailable(error: Exception) -> tuple[Response, int]:
    logger.warning("a data source is unavailable", exc_info=error)
    return json_error("scores are unavailable right now; please retry", 503, retry_after=10)


def create_app(
    config: AnalyticsConfig | None = None, deps: Deps | None = None, gate: Gate | None = None
) -> Flask:
    config = config or AnalyticsConfig.from_env()
    deps = deps or build_deps(config)
    reads = deps.reads
    app = make_app(
        "services.analytics",
        requests=metrics.REQUESTS,
        readiness=lambda: {"redis": _redis_answers(reads), "postgres": reads.database.ready()},
        collectors=lambda: deps.collectors,
        gate=gate or gate_from_env(config.connections.database_url),
    )
    app.extensions["analytics"] = deps
    app.register_blueprint(api_blueprint(reads))
    app.register_blueprint(pages_blueprint(reads, deps.inbox))
    app.register_blueprint(inbox_blueprint(reads, deps.inbox))
    app.register_blueprint(identity_blueprint(reads))
    app.register_blueprint(audit_blueprint())
    app.register_blueprint(officers_blueprint(reads))
    if isinstance(reads.database, PostgresReads):  # the unit tests' fakes have no directions
        settings = DirectionSettings(config.direction_window_days, config.direction_min_count)
        app.register_blueprint(
            directions_blueprint(reads, PostgresDirections(reads.database), settings)
        )
    app.register_blueprint(digest_blueprint(reads))
    app.register_blueprint(openapi_blueprint())
    # As the kit answers any HTTP error: a page for a browser, {"error"} for a program.
    app.register_error_handler(
        UnknownStation, lambda error: app.handle_http_exception(NotFound(f"no station {error}"))
    )
    app.register_error_handler(
        OutOfScope, lambda error: app.handle_http_exception(Forbidden(str(error)))
    )
    app.register_error_handler(redis.RedisError, _unavailable)
    app.register_error_handler(ReadsUnavailable, _unavailable)
    return app


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs without personal data."""
    config = AnalyticsConfig.from_env()
    logs.configure_logging("analytics", config.log_level)
    return create_app(config)
