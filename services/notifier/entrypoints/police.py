"""The police's alerts page, ``/alerts``: the current alerts (open or acknowledged) of the
stations the signed-in officer looks after, each open one with a button to acknowledge it,
and those resolved in the last seven days.

The page shows what the alert itself holds (station, rule, counts, times, state, who
acknowledged); a visitor's name or number is never in an alert, so never here. No script:
the button is a form that posts back with the session's CSRF token and returns here.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, redirect, render_template, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response as BaseResponse

from services.notifier.entrypoints.alerts_api import ACKNOWLEDGERS, acknowledged, api, is_alert_id
from services.notifier.texts import RULE_TITLES_HI, RULE_WORDS, WINDOW_WORDS
from services.notifier.usecases import reads
from shared.auth import access, current_gate
from shared.auth.roles import FEEDBACK_READERS
from shared.india import INDIA

_HERE = Path(__file__).resolve().parents[1]
police = Blueprint(
    "police", __name__, template_folder=str(_HERE / "templates"),
    static_folder=str(_HERE / "static"), static_url_path="/notifier/static",
)  # fmt: skip

STATE_WORDS = {
    "open": ("खुला", "open"),
    "acknowledged": ("स्वीकार किया", "acknowledged"),
    "resolved": ("सामान्य हुआ", "resolved"),
}
LEVEL_WORDS = {0: "SHO", 1: "ACP", 2: "DCP"}


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(INDIA).strftime("%d-%m-%Y %H:%M")


def _row(alert: dict[str, Any], names: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one alert: only the alert's own fields and station names."""
    station = names.get(alert["station_code"])
    observed = alert.get("observed") or {}
    window = WINDOW_WORDS.get(alert.get("window") or "", (alert.get("window"), alert.get("window")))
    return {
        "id": alert["id"],
        "code": alert["station_code"],
        "name_hi": station.name_hi if station else "",
        "name_en": station.name_en if station else "",
        "rule_hi": RULE_TITLES_HI.get(alert["rule"], alert["rule"]),
        "rule_en": RULE_WORDS[alert["rule"]][2] if alert["rule"] in RULE_WORDS else alert["rule"],
        "part": observed.get("part"),
        "count": observed.get("count"),
        "window_hi": window[0],
        "window_en": window[1],
        "raised": _when(alert["raised_at"]),
        "state": alert["status"],
        "state_hi": STATE_WORDS.get(alert["status"], (alert["status"],) * 2)[0],
        "state_en": STATE_WORDS.get(alert["status"], (alert["status"],) * 2)[1],
        "level": LEVEL_WORDS.get(alert["level"], str(alert["level"])),
        "acknowledged_by": alert.get("acknowledged_by") or "",
        "acknowledged_at": _when(alert.get("acknowledged_at")),
        "resolved_at": _when(alert.get("resolved_at")),
    }


@police.get("/alerts")
@access.roles(*FEEDBACK_READERS)
def alerts_page() -> Response:
    principal = current_gate().require()
    app = api()
    current, recent = reads.alerts_page(app.view, app.stations, principal, app.clock())
    names = app.stations.names(frozenset(a["station_code"] for a in current + recent))
    html = render_template(
        "notifier/alerts.html", principal=principal,
        current_rows=[_row(a, names) for a in current],
        recent_rows=[_row(a, names) for a in recent],
        may_acknowledge=principal.role in ACKNOWLEDGERS, recent_days=reads.RECENT.days,
    )  # fmt: skip
    return Response(html, mimetype="text/html")


@police.post("/alerts/<alert_id>/acknowledge")
@access.roles(*ACKNOWLEDGERS)
def acknowledge(alert_id: str) -> BaseResponse:
    """The page's button: acknowledge, then back to the page (which shows the new state)."""
    if not is_alert_id(alert_id) or acknowledged(alert_id) is None:
        raise NotFound("no such alert")
    return redirect(url_for("police.alerts_page"), 303)
