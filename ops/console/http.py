"""The operations service's HTTP entrypoint: ``/ops``, health, readiness and ``/metrics``
(every watched group's lag and the dead-letter topics' sizes, read from Kafka at scrape).
The page is for the ``ops`` role and the IT cell (``admin``); ``/metrics`` and ``/readyz``
answer the machine itself or an ops or admin token (the kit's rule).

Samples the lag in the background in each gunicorn worker (``wsgi()``); a lock in Redis
lets one of them sample per interval. Needs Redis for the history, and answers without it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import psycopg2
import redis
from flask import Blueprint, Flask, Response, redirect, render_template, url_for
from prometheus_client import Counter
from werkzeug.wrappers import Response as WerkzeugResponse

from ops.config import OpsConfig
from ops.console.page import page_model
from ops.lag.history import LagHistory, start_sampler
from ops.lag.metrics import KafkaLagCollector
from shared import db, logs
from shared.auth import Gate, Role, access, gate_from_env
from shared.redis_io import redis_client
from shared.web import make_app

logger = logging.getLogger(__name__)
REQUESTS = Counter("ops_http_requests_total", "HTTP requests answered", ["endpoint", "status"])


@dataclass
class Deps:
    history: LagHistory
    # This service's own view of PostgreSQL and Redis, each True when it answers.
    checks: dict[str, Callable[[], bool]]
    lag: KafkaLagCollector


def build_deps(config: OpsConfig) -> Deps:
    client = redis_client(config.connections.redis_url)
    history = LagHistory(
        client,
        config.groups,
        config.redis_prefix,
        history_s=config.history_s,
        max_points=int(config.history_s / config.sample_every_s) + 10,
    )

    def postgres() -> bool:
        url = config.connections.database_url
        try:
            with (
                db.connection(url, application_name="ops", timeout_s=2) as conn,
                conn.cursor() as cur,
            ):
                cur.execute("SELECT 1")
                return cur.fetchone() == (1,)
        except psycopg2.Error:
            return False

    def redis_answers() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    lag = KafkaLagCollector(
        config.kafka_bootstrap_servers,
        config.groups,
        dead_letter_topics=config.dead_letter_topics,
        cache_s=config.lag_metrics_cache_s,
    )
    return Deps(history, {"postgres": postgres, "redis": redis_answers}, lag)


def ops_blueprint(config: OpsConfig, deps: Deps) -> Blueprint:
    # The page's template and stylesheet are the app's own (ops/console/templates, static).
    blueprint = Blueprint("ops", __name__)

    @blueprint.get("/")
    @access.roles(Role.OPS, Role.ADMIN)
    def home() -> WerkzeugResponse:
        return redirect(url_for("ops.ops"))

    @blueprint.get("/ops")
    @access.roles(Role.OPS, Role.ADMIN)
    def ops() -> Response:
        model = page_model(
            config, deps.history, lambda: {name: check() for name, check in deps.checks.items()}
        )
        html = render_template("ops.html", model=model, every=config.sample_every_s)
        return Response(html, mimetype="text/html", headers={"Refresh": "30"})

    return blueprint


def create_app(
    config: OpsConfig | None = None, deps: Deps | None = None, gate: Gate | None = None
) -> Flask:
    """The operations app. Its readiness is its own store (Redis): the page itself answers
    whatever else is down, which is when it matters."""
    config = config or OpsConfig.from_env()
    deps = deps or build_deps(config)
    app = make_app(
        __name__,
        requests=REQUESTS,
        readiness=lambda: {"redis": deps.checks["redis"]()},
        collectors=lambda: (deps.lag,),
        gate=gate or gate_from_env(config.connections.database_url),
    )
    app.extensions["ops"] = deps
    app.register_blueprint(ops_blueprint(config, deps))
    return app


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs, lag sampled in the
    background."""
    config = OpsConfig.from_env()
    logs.configure_logging("ops", config.log_level)
    app = create_app(config)
    deps: Deps = app.extensions["ops"]
    start_sampler(
        deps.history, config.kafka_bootstrap_servers, config.sample_every_s,
        config.dead_letter_topics,
    )  # fmt: skip
    return app
