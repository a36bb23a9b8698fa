"""The alerts API and the acknowledge link: list alerts, acknowledge one with the API token
or with the signed link of its email. Each route parses, calls one use case and maps its
outcome."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from services.notifier import acklink, usecases
from services.notifier.adapters import postgres_reads as store
from services.notifier.adapters.postgres import PostgresAlerts
from services.notifier.config import NotifierConfig
from services.notifier.entrypoints import pages
from shared import db
from shared.web import int_arg, json_error

alerts = Blueprint("alerts", __name__)
STATUSES = ("open", "acknowledged", "resolved")
Answer = Response | tuple[Response, int]


@dataclass(frozen=True)
class Api:
    """What the routes need: the settings and the clock."""

    config: NotifierConfig
    clock: Callable[[], datetime]

    @contextmanager
    def connection(self) -> Iterator[Any]:
        url = self.config.connections.database_url
        with db.connection(url, application_name="notifier-api", timeout_s=3) as conn:
            yield conn

    def snapshot(self) -> dict[str, Any]:
        """The tables' figures (store.metrics_snapshot); psycopg2.Error when unreachable."""
        with self.connection() as conn, db.transaction(conn) as cur:
            return store.metrics_snapshot(cur)

    def acknowledge(self, alert_id: str, by: str) -> str | None:
        with self.connection() as conn:
            return usecases.acknowledge(PostgresAlerts.on(conn), alert_id, by, self.clock())


def _api() -> Api:
    return current_app.extensions["notifier"]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@alerts.get("/api/v1/alerts")
def list_alerts() -> Answer:
    station = request.args.get("station") or None
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        return json_error(f"status must be one of {', '.join(STATUSES)}", 422)
    limit = int_arg("limit", 100, 1, 1000, status=422)
    with _api().connection() as conn, db.transaction(conn) as cur:
        items = store.list_alerts(cur, station, status, limit)
    return jsonify(items=items)


@alerts.post("/api/v1/alerts/<alert_id>/ack")
def ack_api(alert_id: str) -> Answer:
    token = _api().config.api_token
    if not token:
        return json_error("acknowledging through the API needs NOTIFIER_API_TOKEN set", 503)
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(presented, token):
        response, status = json_error("a valid token is needed (Authorization: Bearer ...)", 401)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response, status
    if not _is_uuid(alert_id):
        return json_error("no such alert", 404)
    body = request.get_json(silent=True)
    by = str((body.get("by") if isinstance(body, dict) else None) or "api")[:100]
    outcome = _api().acknowledge(alert_id, by)
    if outcome is None:
        return json_error("no such alert", 404)
    if outcome == "resolved":
        return jsonify(id=alert_id, status=outcome, error="the alert is already resolved"), 409
    return jsonify(id=alert_id, status=outcome)


@alerts.route("/alerts/<alert_id>/ack", methods=["GET", "POST"])
def ack_link(alert_id: str) -> Response:
    api = _api()
    values = request.form if request.method == "POST" else request.args
    exp, sig = values.get("exp", ""), values.get("sig", "")
    key = api.config.ack_key
    if not _is_uuid(alert_id) or not acklink.valid(key, alert_id, exp, sig, api.clock()):
        return pages.page(pages.NOT_VALID, 403)
    if request.method == "GET":
        return pages.ask_page(exp, sig)
    outcome = api.acknowledge(alert_id, "email link")
    if outcome is None:
        return pages.page(pages.UNKNOWN, 404)
    return pages.page(pages.RESOLVED if outcome == "resolved" else pages.DONE)
