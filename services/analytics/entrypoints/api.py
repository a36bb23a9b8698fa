"""The read API: a station's scores and daily trend, and the ranking, each narrowed to the
caller's station or zone (a token carries its role's scope, as a sign-in does)."""

from __future__ import annotations

from collections.abc import Sequence

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

    # The city-wide answer per window, with the ranking it was written from: while
    # ranking_items hands back that same (cached) ranking, its JSON is sent again as it
    # is (at 17,000 stations writing it costs more than everything else in the request).
    city_wide: dict[str, tuple[Sequence[dict], bytes]] = {}

    @blueprint.get("/api/v1/rankings")
    @access.roles(*FEEDBACK_READERS)
    def rankings() -> Response:
        viewer = current_gate().require()
        window = window_arg()
        zone = scoped_zone(deps, viewer, request.args.get("zone"))
        items = ranking_items(deps, window, zone, viewer)
        written = city_wide.get(window) if zone is None else None
        if written is not None and written[0] is items:
            return Response(written[1], mimetype="application/json")
        answer = jsonify(window=window, zone=zone, min_count=deps.policy.min_count,
                         items=items)  # fmt: skip
        if zone is None and isinstance(items, tuple):
            city_wide[window] = (items, answer.get_data())
        return answer

    @blueprint.get("/api/v1/stations/<code>/trend")
    @access.roles(*FEEDBACK_READERS)
    def trend(code: str) -> Response:
        guard = current_gate().require_station
        days = days_arg()
        series = station_trend(deps, code, days, today_in_india(), guard)
        return jsonify(station_code=code, days=days, timezone=str(INDIA), items=series)

    return blueprint
