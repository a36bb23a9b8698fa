"""Analytics' HTTP entrypoint: the read API, the Commissioner's dashboard, health, metrics.

Scores and rankings come from Redis (written by the consumer); names, zones, daily series
and comments from PostgreSQL. Run under gunicorn as ``gunicorn 'services.analytics.app:wsgi()'``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg2
import redis
from flask import Flask, Response, abort, jsonify, render_template, request, url_for
from markupsafe import Markup
from prometheus_client.registry import Collector
from werkzeug.exceptions import HTTPException

from services.analytics import charts, metrics, ops_page, reads
from services.analytics.adapters.redis import ScoresCache
from services.analytics.config import AnalyticsConfig
from services.analytics.domain import PUBLIC_WINDOWS, RankingPolicy
from shared import logs
from shared.complaint_types import COMPLAINT_TYPES
from shared.consumer.health import figures_reader
from shared.lag_metrics import KafkaLagCollector
from shared.redis_io import redis_client
from shared.scores import WindowStats

logger = logging.getLogger(__name__)
INDIA = ZoneInfo("Asia/Kolkata")
WINDOW_LABELS = {"24h": ("24 घंटे", "24 hours"), "7d": ("7 दिन", "7 days"),
                 "30d": ("30 दिन", "30 days")}  # fmt: skip


@dataclass
class Deps:
    cache: ScoresCache
    database: reads.ReadDatabase
    policy: RankingPolicy
    collectors: tuple[Collector, ...] = ()


def build_deps(config: AnalyticsConfig) -> Deps:
    client = redis_client(config.connections.redis_url)
    return Deps(
        cache=ScoresCache(client, config.redis_prefix),
        database=reads.ReadDatabase(config.connections.database_url),
        policy=RankingPolicy(config.ranking_prior_weight, config.ranking_min_count),
        collectors=(
            metrics.ConsumerCollector(
                figures_reader(config.connections.database_url, config.group_id)
            ),
            KafkaLagCollector(
                config.connections.kafka_bootstrap_servers,
                {config.group_id: (config.feedback_topic,)},
                dead_letter_topics=(config.dlq_topic,),
            ),
        ),
    )


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs without personal data."""
    config = AnalyticsConfig.from_env()
    logs.configure_logging("analytics", config.log_level)
    app = create_app(config)
    ops_page.start_sampling(app)
    return app


def ranking_items(deps: Deps, window: str, zone: str | None) -> list[dict[str, Any]]:
    """Every active station (of ``zone``), best first; stations with too little feedback
    after the ranked ones with ``rank`` None, then those with none at all."""
    with deps.database.cursor() as cur:
        registry = reads.stations(cur)
    items, listed = [], set()
    for entry in deps.cache.ranking(window, deps.policy):
        station = registry.get(entry.station_code)
        if station is None:
            continue
        listed.add(entry.station_code)
        items.append({**station, "score": round(entry.score, 3), "count": entry.count,
                      "rank": entry.rank, "enough_feedback": entry.enough_feedback})  # fmt: skip
    for code, station in registry.items():
        if code not in listed:
            items.append({**station, "score": None, "count": 0, "rank": None,
                          "enough_feedback": False})  # fmt: skip
    if zone:
        items = [i for i in items if i["zone"].lower() == zone.lower()]
    return items


def create_app(
    config: AnalyticsConfig | None = None,
    deps: Deps | None = None,
    ops_config: ops_page.OpsConfig | None = None,
) -> Flask:
    config = config or AnalyticsConfig.from_env()
    deps = deps or build_deps(config)
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["analytics"] = deps

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

    def station_or_404(code: str) -> dict[str, Any]:
        with deps.database.cursor() as cur:
            station = reads.station(cur, code)
        if station is None:
            abort(404, f"no station {code}")
        return station

    def windows_of(code: str) -> dict[str, WindowStats]:
        return deps.cache.read_station(code) or {w: WindowStats() for w in PUBLIC_WINDOWS}

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.REQUESTS.labels(rule, str(response.status_code)).inc()
        return response

    @app.get("/api/v1/stations/<code>/scores")
    def scores(code: str) -> Response:
        station_or_404(code)
        windows = windows_of(code)
        return jsonify(station_code=code, windows={w: windows[w].summary() for w in PUBLIC_WINDOWS})

    @app.get("/api/v1/rankings")
    def rankings() -> Response:
        window = window_arg()
        zone = request.args.get("zone") or None
        return jsonify(window=window, zone=zone, min_count=deps.policy.min_count,
                       items=ranking_items(deps, window, zone))  # fmt: skip

    @app.get("/api/v1/stations/<code>/trend")
    def trend(code: str) -> Response:
        station_or_404(code)
        days = days_arg()
        with deps.database.cursor() as cur:
            series = reads.trend(cur, code, days, datetime.now(INDIA).date())
        return jsonify(station_code=code, days=days, timezone="Asia/Kolkata", items=series)

    @app.get("/")
    def dashboard() -> Response:
        window = window_arg()
        zone = request.args.get("zone") or None
        with deps.database.cursor() as cur:
            zone_list = reads.zones(cur)
        items = ranking_items(deps, window, zone)
        return Response(render_template(
            "dashboard.html", items=items, window=window, zone=zone, zones=zone_list,
            windows=WINDOW_LABELS, min_count=deps.policy.min_count,
        ), mimetype="text/html")  # fmt: skip

    @app.get("/stations/<code>")
    def station_page(code: str) -> Response:
        station = station_or_404(code)
        days = days_arg()
        windows = windows_of(code)
        with deps.database.cursor() as cur:
            series = reads.trend(cur, code, days, datetime.now(INDIA).date())
            comments = reads.latest_comments(cur, code)
        for comment in comments:
            at = comment["submitted_at"].astimezone(INDIA)
            comment["when"] = at.strftime("%Y-%m-%d %H:%M")
            hi, en = COMPLAINT_TYPES.get(comment["complaint_type"], ("अन्य", "Other"))
            comment["type_label"] = f"{hi} · {en}"
        labels = [d["date"] for d in series]
        figures = [
            charts.line_chart("औसत रेटिंग · Average rating (stars)", labels,
                              [d["avg_rating"] for d in series], low=1, high=5,
                              ticks=(1, 2, 3, 4, 5)),
            charts.line_chart("कम रेटिंग (1-2 ★) · Low ratings", labels,
                              [d["low_rating_share"] for d in series], low=0, high=1,
                              ticks=(0, 0.25, 0.5, 0.75, 1), tick_format="{:.0%}",
                              color="#b3261e"),
            charts.line_chart("अनसुलझी समस्याएँ · Unresolved", labels,
                              [d["unresolved_share"] for d in series], low=0, high=1,
                              ticks=(0, 0.25, 0.5, 0.75, 1), tick_format="{:.0%}",
                              color="#8a5a00"),
        ]  # fmt: skip
        return Response(render_template(
            "station.html", station=station, days=days, comments=comments,
            windows={w: windows[w].summary() for w in PUBLIC_WINDOWS},
            window_labels=WINDOW_LABELS, charts=[Markup(svg) for svg in figures],  # noqa: S704 - built with escape()
            back_url=url_for("dashboard"),
            total=sum(d["count"] for d in series),
        ), mimetype="text/html")  # fmt: skip

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        checks = {"redis": _answers(deps.cache.ping), "postgres": _answers(lambda: _pg(deps))}
        ok = all(checks.values())
        failing = sorted(name for name, good in checks.items() if not good)
        return jsonify(status="ready" if ok else "not ready", checks=checks,
                       failing=failing), (200 if ok else 503)  # fmt: skip

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(metrics.render(deps.collectors), mimetype="text/plain; version=0.0.4")

    ops_page.register(
        app,
        ops_config or ops_page.OpsConfig.from_env(),
        deps.cache.client,
        lambda: {"postgres": _answers(lambda: _pg(deps)), "redis": _answers(deps.cache.ping)},
    )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.description or error.name), error.code or 500

    @app.errorhandler(redis.RedisError)
    @app.errorhandler(psycopg2.OperationalError)
    def unavailable(error: Exception) -> tuple[Response, int]:
        logger.warning("a data source is unavailable", exc_info=True)
        response = jsonify(error="scores are unavailable right now; please retry")
        response.headers["Retry-After"] = "10"
        return response, 503

    return app


def _pg(deps: Deps) -> bool:
    with deps.database.cursor() as cur:
        cur.execute("SELECT 1")
        return cur.fetchone() == (1,)


def _answers(check) -> bool:
    try:
        return bool(check())
    except (redis.RedisError, psycopg2.Error):
        return False
