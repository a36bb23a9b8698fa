"""The notifier's HTTP entrypoint: the alerts API, the acknowledge link, health and metrics.

Run under gunicorn as ``gunicorn 'services.notifier.app:wsgi()'``. The rules run in the
worker (``python -m services.notifier.entrypoints.worker``); this app reads and acknowledges alerts.
"""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import escape

import psycopg2
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from services.notifier import acklink, metrics, usecases
from services.notifier.adapters import postgres_reads as store
from services.notifier.adapters.postgres import PostgresAlerts
from services.notifier.config import NotifierConfig
from services.notifier.entrypoints.worker import DLQ_TOPIC, GROUP
from shared import db, logs
from shared.lag_metrics import KafkaLagCollector
from shared.scores import SCORES_TOPIC

logger = logging.getLogger(__name__)
STATUSES = ("open", "acknowledged", "resolved")
WORKER_STALE = timedelta(minutes=2)


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs without personal data."""
    config = NotifierConfig.from_env()
    logs.configure_logging("notifier", config.log_level)
    return create_app(config)


def create_app(
    config: NotifierConfig | None = None, now: Callable[[], datetime] | None = None
) -> Flask:
    """The notifier app; ``now`` replaces the clock (tests of the link's expiry)."""
    config = config or NotifierConfig.from_env()
    clock = now or (lambda: datetime.now(UTC))
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    database_url = config.connections.database_url

    def connection():
        return db.connection(database_url, application_name="notifier-api", timeout_s=3)

    def snapshot():
        with connection() as conn, db.transaction(conn) as cur:
            return store.metrics_snapshot(cur)

    # One per process: it reads Kafka at most every few seconds, however often it is scraped.
    lag = KafkaLagCollector(
        config.connections.kafka_bootstrap_servers,
        {GROUP: (SCORES_TOPIC,)},
        dead_letter_topics=(DLQ_TOPIC,),
    )

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.REQUESTS.labels(rule, str(response.status_code)).inc()
        return response

    @app.get("/api/v1/alerts")
    def list_alerts():
        station = request.args.get("station") or None
        status = request.args.get("status") or None
        if status and status not in STATUSES:
            return _error(f"status must be one of {', '.join(STATUSES)}", 422)
        limit = request.args.get("limit", "100")
        if not limit.isdigit() or not 1 <= int(limit) <= 1000:
            return _error("limit must be a whole number from 1 to 1000", 422)
        with connection() as conn, db.transaction(conn) as cur:
            items = store.list_alerts(cur, station, status, int(limit))
        return jsonify(items=items)

    @app.post("/api/v1/alerts/<alert_id>/ack")
    def ack_api(alert_id: str):
        if not config.api_token:
            return _error("acknowledging through the API needs NOTIFIER_API_TOKEN set", 503)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token, config.api_token):
            response, status = _error("a valid token is needed (Authorization: Bearer ...)", 401)
            response.headers["WWW-Authenticate"] = "Bearer"
            return response, status
        if not _is_uuid(alert_id):
            return _error("no such alert", 404)
        body = request.get_json(silent=True) or {}
        by = str(body.get("by") or "api")[:100]
        return _ack_answer(alert_id, by)

    def _ack_answer(alert_id: str, by: str):
        with connection() as conn:
            status = usecases.acknowledge(PostgresAlerts.on(conn), alert_id, by, clock())
        if status is None:
            return _error("no such alert", 404)
        if status == "resolved":
            return jsonify(id=alert_id, status=status, error="the alert is already resolved"), 409
        return jsonify(id=alert_id, status=status)

    @app.route("/alerts/<alert_id>/ack", methods=["GET", "POST"])
    def ack_link(alert_id: str):
        values = request.form if request.method == "POST" else request.args
        exp, sig = values.get("exp", ""), values.get("sig", "")
        if not _is_uuid(alert_id) or not acklink.valid(config.ack_key, alert_id, exp, sig, clock()):
            return _page(
                "Link not valid / लिंक मान्य नहीं",
                "This acknowledge link is not valid or has expired. "
                "यह लिंक मान्य नहीं है या उसकी अवधि समाप्त हो गई है।",
                403,
            )
        if request.method == "GET":
            # A page with a button: mail scanners that open links must not acknowledge.
            form = (
                f'<form method="post"><input type="hidden" name="exp" value="{escape(exp)}">'
                f'<input type="hidden" name="sig" value="{escape(sig)}">'
                '<button type="submit">स्वीकार करें / Acknowledge</button></form>'
            )
            return _page(
                "Acknowledge alert / चेतावनी स्वीकार करें",
                "Press the button to tell Pratikriya you are dealing with this alert; "
                "it stops the escalation. बटन दबाएं।",
                200,
                form,
            )
        with connection() as conn:
            status = usecases.acknowledge(PostgresAlerts.on(conn), alert_id, "email link", clock())
        if status is None:
            return _page("Unknown alert", "No such alert.", 404)
        if status == "resolved":
            return _page(
                "Already resolved / पहले ही सामान्य", "This alert has already resolved itself.", 200
            )
        return _page(
            "Acknowledged / स्वीकार किया", "Thank you. The alert is acknowledged. धन्यवाद।", 200
        )

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz():
        checks = {"postgres": False, "worker": False}
        try:
            data = snapshot()
            checks["postgres"] = True
            worker = data["worker"]
            checks["worker"] = bool(worker) and clock() - worker[0] < WORKER_STALE
        except psycopg2.Error:
            logger.warning("readiness: database unavailable", exc_info=True)
        ok = all(checks.values())
        failing = sorted(name for name, good in checks.items() if not good)
        status = "ready" if ok else "not ready"
        return jsonify(status=status, checks=checks, failing=failing), 200 if ok else 503

    @app.get("/metrics")
    def prometheus():
        return Response(metrics.render(snapshot, (lag,)), mimetype="text/plain; version=0.0.4")

    @app.errorhandler(psycopg2.Error)
    def database_down(error):
        logger.warning("database unavailable", exc_info=True)
        return _error("the alerts store is unavailable; please retry", 503)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return _error(error.description or error.name, error.code or 500)

    return app


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _error(message: str, status: int):
    return jsonify(error=message), status


def _page(title: str, text: str, status: int, extra: str = "") -> Response:
    html = (
        '<!doctype html><html lang="hi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(text)}</p>{extra}</body></html>"
    )
    return Response(html, status=status, mimetype="text/html")
