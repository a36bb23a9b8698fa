"""The read API: a station's scores and daily trend, and the ranking, each narrowed to the
caller's station or zone (a token carries its role's scope, as a sign-in does)."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from services.analytics.entrypoints.args import days_arg, window_arg
from services.analytics.usecases.reads import (
    ReadDeps,
    ranking_items,
    scoped_zone,
    station_scores,
    station_trend,
)
from shared.auth import access, current_gate
from shared.auth.roles import FEEDBACK_READERS
from shared.india import INDIA, today_in_india


def api_blueprint(deps: ReadDeps) -> Blueprint:
    blueprint = Blueprint("api", __name__)

    @blueprint.get("/api/v1/stations/<code>/scores")
    @access.roles(*FEEDBACK_READERS)
    def scores(code: str) -> Response:
        windows = station_scores(deps, code, current_gate().require_station)
        return jsonify(station_code=code, windows=windows)

    @blueprint.get("/api/v1/rankings")
    @access.roles(*FEEDBACK_READERS)
    def rankings() -> Response:
        viewer = current_gate().require()
        window = window_arg()
        zone = scoped_zone(deps, viewer, request.args.get("zone"))
        return jsonify(window=window, zone=zone, min_count=deps.policy.min_count,
                       items=ranking_items(deps, window, zone, viewer))  # fmt: skip

    @blueprint.get("/api/v1/stations/<code>/trend")
    @access.roles(*FEEDBACK_READERS)
    def trend(code: str) -> Response:
        guard = current_gate().require_station
        days = days_arg()
        series = station_trend(deps, code, days, today_in_india(), guard)
        return jsonify(station_code=code, days=days, timezone=str(INDIA), items=series)

    return blueprint
