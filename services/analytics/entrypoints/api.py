"""The read API: a station's scores and daily trend, and the ranking."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, abort, jsonify, request

from services.analytics.domain import PUBLIC_WINDOWS
from services.analytics.read_usecases import (
    INDIA,
    ReadDeps,
    ranking_items,
    station_scores,
    station_trend,
)


def window_arg() -> str:
    window = request.args.get("window", "30d")
    if window not in PUBLIC_WINDOWS:
        abort(400, f"window must be one of {', '.join(PUBLIC_WINDOWS)}")
    return window


def days_arg() -> int:
    raw = request.args.get("days", "90")
    if not raw.isdigit() or not 1 <= int(raw) <= 366:
        abort(400, "days must be a whole number from 1 to 366")
    return int(raw)


def today_in_india() -> datetime:
    return datetime.now(INDIA)


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
        series = station_trend(deps, code, days, today_in_india().date())
        return jsonify(station_code=code, days=days, timezone="Asia/Kolkata", items=series)

    return blueprint
