"""The Commissioner's dashboard (the ranking) and each station's page: server-drawn HTML
and SVG, no script."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup

from services.analytics import charts
from services.analytics.entrypoints.args import days_arg, window_arg
from services.analytics.usecases import reads as read_usecases
from services.analytics.usecases.reads import ReadDeps, StationPage
from shared.india import today_in_india

WINDOW_LABELS = {"24h": ("24 घंटे", "24 hours"), "7d": ("7 दिन", "7 days"),
                 "30d": ("30 दिन", "30 days")}  # fmt: skip
_SHARE_TICKS = (0, 0.25, 0.5, 0.75, 1)


def _charts(page: StationPage) -> list[Markup]:
    labels = [d["date"] for d in page.series]

    def column(name: str) -> list[float | None]:
        return [d[name] for d in page.series]

    figures = [
        charts.line_chart("औसत रेटिंग · Average rating (stars)", labels, column("avg_rating"),
                          low=1, high=5, ticks=(1, 2, 3, 4, 5)),
        charts.line_chart("कम रेटिंग (1-2 ★) · Low ratings", labels, column("low_rating_share"),
                          low=0, high=1, ticks=_SHARE_TICKS, tick_format="{:.0%}",
                          color="#b3261e"),
        charts.line_chart("अनसुलझी समस्याएँ · Unresolved", labels, column("unresolved_share"),
                          low=0, high=1, ticks=_SHARE_TICKS, tick_format="{:.0%}",
                          color="#8a5a00"),
    ]  # fmt: skip
    return [Markup(svg) for svg in figures]  # noqa: S704 - built with escape()


def pages_blueprint(deps: ReadDeps) -> Blueprint:
    blueprint = Blueprint("pages", __name__)

    @blueprint.get("/")
    def dashboard() -> Response:
        window = window_arg()
        zone = request.args.get("zone") or None
        items, zones = read_usecases.dashboard_data(deps, window, zone)
        html = render_template(
            "dashboard.html", items=items, window=window, zone=zone, zones=zones,
            windows=WINDOW_LABELS, min_count=deps.policy.min_count,
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    @blueprint.get("/stations/<code>")
    def station_page(code: str) -> Response:
        page = read_usecases.station_page(deps, code, days_arg(), today_in_india())
        html = render_template(
            "station.html", station=page.station, days=len(page.series),
            comments=page.comments, windows=page.windows, window_labels=WINDOW_LABELS,
            charts=_charts(page), back_url=url_for(".dashboard"), total=page.total,
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    return blueprint
