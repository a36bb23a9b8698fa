"""``/healthz``, ``/readyz`` and ``/metrics``, the same on every service."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping

from flask import Blueprint, Response, jsonify
from prometheus_client.registry import Collector

from shared.auth import access
from shared.web.metrics import CONTENT_TYPE, render_metrics

logger = logging.getLogger(__name__)

# Each check answers True (healthy) or False; a check must not raise for an outage it can
# name (it catches its own client's errors).
Readiness = Callable[[], Mapping[str, bool]]


def readiness_answer(checks: Mapping[str, bool]) -> tuple[Response, int]:
    """``{"status", "checks", "failing"}``: 200 when every check passed, 503 naming the
    failing ones otherwise."""
    ok = all(checks.values())
    failing = sorted(name for name, good in checks.items() if not good)
    body = jsonify(status="ready" if ok else "not ready", checks=dict(checks), failing=failing)
    return body, 200 if ok else 503


def health_blueprint(
    readiness: Readiness, collectors: Callable[[], Iterable[Collector]] = tuple
) -> Blueprint:
    """The three operational routes. ``collectors`` gives the extra metric collectors at
    scrape time."""
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    @access.public
    def healthz() -> Response:
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    @access.loopback_or_token
    def readyz() -> tuple[Response, int]:
        return readiness_answer(readiness())

    @blueprint.get("/metrics")
    @access.loopback_or_token
    def metrics() -> Response:
        return Response(render_metrics(collectors()), mimetype=CONTENT_TYPE)

    return blueprint
