"""The alerts API and the acknowledge link. Police read and acknowledge alerts with a sign-in
or a role's token (``./pratikriya tokens add --role sho --station GGN-SADAR``), each only
their own stations' (``usecases.reads``); the signed link of an alert's SMS and email is
its own credential. Each route parses, calls one use case and maps its outcome."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import Forbidden

from services.notifier import acklink
from services.notifier.adapters import postgres_reads as store
from services.notifier.config import NotifierConfig
from services.notifier.entrypoints import pages
from services.notifier.ports import AlertsView, StationMap
from services.notifier.usecases import reads
from shared import db
from shared.auth import Role, access, current_gate
from shared.auth.roles import FEEDBACK_READERS
from shared.events import STATION_CODE_PATTERN
from shared.web import int_arg, json_error

alerts = Blueprint("alerts", __name__)
STATUSES = ("open", "acknowledged", "resolved")
# Who acts on an alert: the officers it is sent to, and the Commissioner's office.
ACKNOWLEDGERS = (Role.SHO, Role.ACP, Role.DCP, Role.COMMISSIONER)
SIGNED_LINK = "signed link"  # who acknowledged, for an alert acknowledged through its link
Answer = Response | tuple[Response, int]


@dataclass(frozen=True)
class Api:
    """What the routes need: the settings, the clock, the alerts and the station map."""

    config: NotifierConfig
    clock: Callable[[], datetime]
    view: AlertsView
    stations: StationMap

    @contextmanager
    def connection(self) -> Iterator[Any]:
        url = self.config.connections.database_url
        with db.connection(url, application_name="notifier-api", timeout_s=3) as conn:
            yield conn

    def snapshot(self) -> dict[str, Any]:
        """The tables' figures (store.metrics_snapshot); psycopg2.Error when unreachable."""
        with self.connection() as conn, db.transaction(conn) as cur:
            return store.metrics_snapshot(cur)


def api() -> Api:
    return current_app.extensions["notifier"]


def is_alert_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def acknowledged(alert_id: str) -> str | None:
    """Acknowledge in the signed-in person's (or token's) name; 403 for another station's."""
    principal = current_gate().require()
    try:
        return reads.acknowledge_as(api().view, api().stations, principal, alert_id, api().clock())
    except reads.OutOfScope as refused:
        raise Forbidden(str(refused)) from None


@alerts.get("/api/v1/alerts")
@access.roles(*FEEDBACK_READERS)
def list_alerts() -> Answer:
    station = request.args.get("station") or None
    if station is not None and not re.fullmatch(STATION_CODE_PATTERN, station):
        return json_error("station must be a station code (A-Z, 0-9 and -)", 422)
    status = request.args.get("status") or None
    if status and status not in STATUSES:
        return json_error(f"status must be one of {', '.join(STATUSES)}", 422)
    limit = int_arg("limit", 100, 1, 1000, status=422)
    principal = current_gate().require()
    try:
        items = reads.alerts_for(
            api().view, api().stations, principal, station=station,
            statuses=frozenset({status}) if status else None, limit=limit,
        )  # fmt: skip
    except reads.OutOfScope as refused:
        return json_error(str(refused), 403)
    return jsonify(items=items)


@alerts.post("/api/v1/alerts/<alert_id>/ack")
@access.roles(*ACKNOWLEDGERS)
def ack_api(alert_id: str) -> Answer:
    if not is_alert_id(alert_id):
        return json_error("no such alert", 404)
    outcome = acknowledged(alert_id)
    if outcome is None:
        return json_error("no such alert", 404)
    if outcome == "resolved":
        return jsonify(id=alert_id, status=outcome, error="the alert is already resolved"), 409
    return jsonify(id=alert_id, status=outcome)


@alerts.route("/alerts/<alert_id>/ack", methods=["GET", "POST"])
@access.signed_link
def ack_link(alert_id: str) -> Response:
    """The link in the alert's SMS and email: its signature and expiry are the credential,
    so the officer needs no sign-in on their phone."""
    app = api()
    values = request.form if request.method == "POST" else request.args
    exp, sig = values.get("exp", ""), values.get("sig", "")
    key = app.config.ack_key
    if not is_alert_id(alert_id) or not acklink.valid(key, alert_id, exp, sig, app.clock()):
        return pages.page(pages.NOT_VALID, 403)
    if request.method == "GET":
        return pages.ask_page(exp, sig)
    outcome = app.view.acknowledge(alert_id, SIGNED_LINK, app.clock())
    if outcome is None:
        return pages.page(pages.UNKNOWN, 404)
    return pages.page(pages.RESOLVED if outcome == "resolved" else pages.DONE)
