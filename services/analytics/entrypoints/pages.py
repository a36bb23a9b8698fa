"""The Commissioner's dashboard (the ranking) and each station's page: server-drawn HTML
and SVG, no script. Each police role sees its own part: the Commissioner's office and the
feedback cell every station, a DCP or an ACP their zone, an SHO their station (the
dashboard sends them there)."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from services.analytics import charts
from services.analytics.domain.inbox import OUTCOMES
from services.analytics.entrypoints.args import days_arg, window_arg
from services.analytics.ports import InboxStore
from services.analytics.usecases import officers as officer_usecases
from services.analytics.usecases import reads as read_usecases
from services.analytics.usecases.identity import PURPOSES, REASON_MAX, REASON_MIN
from services.analytics.usecases.inbox import station_follow_up
from services.analytics.usecases.reads import ReadDeps, StationPage
from shared.auth import Role, access, current_gate
from shared.auth.roles import FEEDBACK_READERS
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


def reveal_form_settings() -> dict[str, object]:
    """What the feedback cell's "show name and number" form needs in a template."""
    return {"purposes": PURPOSES, "reason_min": REASON_MIN, "reason_max": REASON_MAX}


def pages_blueprint(deps: ReadDeps, inbox: InboxStore) -> Blueprint:
    blueprint = Blueprint("pages", __name__)

    @blueprint.get("/")
    @access.roles(*FEEDBACK_READERS)
    def dashboard() -> BaseResponse:
        viewer = current_gate().require()
        if viewer.role is Role.SHO and viewer.station_code:
            return redirect(url_for(".station_page", code=viewer.station_code))
        window = window_arg()
        zone = read_usecases.scoped_zone(deps, viewer, request.args.get("zone"))
        items, zones = read_usecases.dashboard_data(deps, window, zone, viewer)
        html = render_template(
            "dashboard.html", items=items, window=window, zone=zone, zones=zones,
            windows=WINDOW_LABELS, min_count=deps.policy.min_count, viewer=viewer,
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    @blueprint.get("/stations/<code>")
    @access.roles(*FEEDBACK_READERS)
    def station_page(code: str) -> Response:
        gate = current_gate()
        viewer = gate.require()
        days = days_arg()
        page = read_usecases.station_page(deps, code, days, today_in_india(), gate.require_station)
        figures = None
        if deps.officers is not None:
            figures = officer_usecases.station_figures(
                deps.officers, code, days, today_in_india(), deps.officer_min_count
            )
        html = render_template(
            "station.html", station=page.station, days=len(page.series),
            comments=page.comments, windows=page.windows, window_labels=WINDOW_LABELS,
            charts=_charts(page), total=page.total, viewer=viewer,
            back_url=None if viewer.role is Role.SHO else url_for(".dashboard"),
            can_reveal=viewer.sees_identity, figures=figures,
            zone_url=None if viewer.role is Role.SHO
            else url_for("officers.zone_page", zone=page.station["zone"]),
            **reveal_form_settings(),
            follow=station_follow_up(inbox, code), can_act=viewer.role is Role.SHO,
            today=today_in_india(), outcomes=OUTCOMES,
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    return blueprint
