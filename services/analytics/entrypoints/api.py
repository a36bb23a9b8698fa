"""The read API: a station's scores and daily trend, and the ranking."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from services.analytics.entrypoints.args import days_arg, window_arg
from services.analytics.usecases.reads import (
    ReadDeps,
    ranking_items,
    station_scores,
    station_trend,
)
from shared.india import INDIA, today_in_india


def api_blueprint(deps: ReadDeps) -> Blueprint:
    blueprint = Blueprint("api", __name__)

    @blueprint.get("/api/v1/stations/<code>/scores")
    def scores(code: str) -> Response:
        return jsonify(station_code=code, windows=station_scores(deps, code))

    @blueprint.get("/api/v1/rankings")
    def rankings() -> Response:
        window = window_arg()
        zone = request.args.get("zone") or None
        return jsonify(window=window, zone=zone, min_count=deps.policy.min_count,
                       items=ranking_items(deps, window, zone))  # fmt: skip

    @blueprint.get("/api/v1/stations/<code>/trend")
    def trend(code: str) -> Response:
        days = days_arg()
        series = station_trend(deps, code, days, today_in_india())
        return jsonify(station_code=code, days=days, timezone=str(INDIA), items=series)

    return blueprint
