"""Directions' pages (``/directions``, ``/directions/new``, ``/directions/<id>``) and JSON API
(``/api/v1/directions``...): the Commissioner's office or a DCP directs, an SHO acknowledges
and reports compliance, everyone in scope reads the direction and its before-and-after.
Every write goes to the audit log. Rules in ``usecases.directions``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, NotFound
from werkzeug.wrappers import Response as BaseResponse

from services.analytics.adapters.directions_postgres import PostgresDirections
from services.analytics.usecases import directions as usecases
from services.analytics.usecases.reads import ReadDeps
from shared.auth import Role, access, current_gate
from shared.auth.roles import FEEDBACK_READERS
from shared.clock import utc_now
from shared.complaint_types import COMPLAINT_TYPES
from shared.india import INDIA, today_in_india

RULES = {"low_rating": ("कम रेटिंग", "low ratings"), "unresolved": ("अनसुलझी", "unresolved")}


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _ist(value: datetime) -> str:
    return value.astimezone(INDIA).strftime("%d-%m-%Y %H:%M")


def _figures(ba: usecases.BeforeAfter) -> dict[str, Any]:
    c = ba.comparison

    def side(s: Any) -> dict[str, Any]:
        return {"count": s.count, "avg_rating": s.mean_rating, "resolved_share": s.resolved_share}

    def interval(i: Any) -> dict[str, Any] | None:
        return (
            None
            if i is None or not c.enough_data
            else {"change": i.change, "low": i.low, "high": i.high, "verdict": i.verdict}
        )

    return {
        "window_days": ba.window_days, "complete": ba.complete,
        "elapsed_days": round(ba.elapsed.total_seconds() / 86400, 2),
        "before": {"from": ba.before_start.isoformat(), "to": ba.split.isoformat(),
                   **side(c.before)},
        "after": {"from": ba.split.isoformat(), "to": ba.after_end.isoformat(), **side(c.after)},
        "min_count": c.min_count, "enough_data": c.enough_data, "level": c.level,
        "stars": interval(c.stars), "resolved": interval(c.resolved),
        "words": {"stars": dict(zip(("hi", "en"), c.stars_words(), strict=True)),
                  "resolved": dict(zip(("hi", "en"), c.resolved_words(), strict=True))},
    }  # fmt: skip


def _as_json(direction: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "station_code", "zone", "due_on", "issued_at", "issued_on", "issuer_name",
            "issuer_role", "issuer_zone")  # fmt: skip
    out = {k: _iso(direction[k]) for k in keys}
    out.update(
        what=direction["what_text"],
        why=direction["why_text"],
        **{k: state[k] for k in ("stations", "acknowledged", "complied", "pending", "overdue")},
    )
    for many in ("feedback", "alerts", "reports"):
        if many in direction:
            out[many] = [{k: _iso(v) for k, v in item.items()} for item in direction[many]]
    if "notice" in direction:
        notice = direction["notice"]
        out["overdue_notice"] = (
            None
            if notice is None
            else {
                "noticed_at": _iso(notice["noticed_at"]),
                "deliveries": notice["deliveries"],
                "sent": notice["sent"],
            }
        )
    return out  # fmt: skip


def directions_blueprint(deps: ReadDeps, store: PostgresDirections,
                         settings: usecases.Settings) -> Blueprint:  # fmt: skip
    blueprint = Blueprint("directions", __name__)

    def zone_of(code: str) -> str | None:
        station = deps.database.station(code)
        return station["zone"] if station is not None else None

    def station_names(codes: list[str]) -> dict[str, str]:
        names = {}
        for code in codes:
            station = deps.database.station(code)
            names[code] = f"{station['name_hi']} · {station['name_en']}" if station else code
        return names

    def run(call: Any, *args: Any) -> Any:
        """The use case's refusals as HTTP errors (a page or {"error"} by the kit)."""
        try:
            return call(*args)
        except usecases.Invalid as invalid:
            raise BadRequest(str(invalid)) from None
        except usecases.OutOfScope as refused:
            raise Forbidden(str(refused)) from None
        except usecases.NotFound as missing:
            raise NotFound(str(missing)) from None
        except usecases.Conflict as twice:
            raise Conflict(str(twice)) from None

    def json_body() -> dict[str, Any]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return body

    # --- pages ---------------------------------------------------------------------------

    @blueprint.get("/directions")
    @access.roles(*FEEDBACK_READERS)
    def list_page() -> Response:
        viewer = current_gate().require()
        rows = run(usecases.listing, store, zone_of, viewer, today_in_india())
        html = render_template("directions.html", rows=rows, viewer=viewer,
                               may_issue=viewer.role in usecases.ISSUERS)  # fmt: skip
        return Response(html, mimetype="text/html")

    def form_page(viewer: Any, status: int = 200, error: str = "",
                  typed: dict[str, Any] | None = None) -> Response:  # fmt: skip
        typed = typed or {}
        station_code = typed.get("station_code") or request.args.get("station", "")
        zone = typed.get("zone") or request.args.get("zone", "")
        choices: dict[str, Any] = {"feedback": [], "alerts": []}
        target = None
        if station_code or zone:
            try:
                target = usecases.resolve_target(store, zone_of, station_code, zone)
            except usecases.Invalid as invalid:
                error, status = error or str(invalid), 400 if status == 200 else status
            if target is not None and not usecases.may_direct(viewer, target):
                raise Forbidden("a DCP may direct only their own zone and its stations")
            if target is not None:
                choices = {
                    "feedback": store.feedback_choices(target.stations),
                    "alerts": store.alert_choices(target.stations),
                }
        stations = list(deps.database.stations().values())
        if viewer.role is Role.DCP:
            stations = [s for s in stations if s["zone"] == viewer.zone]
        zones = sorted({s["zone"] for s in stations})
        html = render_template(
            "direction_form.html", viewer=viewer, error=error, typed=typed, target=target,
            station_code=station_code, zone=zone, stations=stations, zones=zones,
            choices=choices, types=COMPLAINT_TYPES, rules=RULES, ist=_ist,
            min_due=today_in_india().isoformat(),
        )  # fmt: skip
        return Response(html, status=status, mimetype="text/html")

    @blueprint.get("/directions/new")
    @access.roles(*usecases.ISSUERS)
    def new_page() -> Response:
        return form_page(current_gate().require())

    @blueprint.post("/directions")
    @access.roles(*usecases.ISSUERS)
    def create_from_form() -> BaseResponse:
        gate = current_gate()
        viewer = gate.require()
        form = request.form
        body = {
            "station_code": form.get("station_code", "")[:40] if form.get("target") != "zone"
            else "", "zone": form.get("zone", "")[:40] if form.get("target") == "zone" else "",
            "what": form.get("what", "")[:4000], "why": form.get("why", "")[:4000],
            "due_on": form.get("due_on", "")[:20],
            "feedback": form.getlist("feedback")[:100], "alerts": form.getlist("alerts")[:100],
        }  # fmt: skip
        try:
            direction_id = usecases.issue(store, zone_of, viewer, body, utc_now(), today_in_india())
        except usecases.Invalid as invalid:
            return form_page(viewer, 422, str(invalid), body)
        except usecases.OutOfScope as refused:
            raise Forbidden(str(refused)) from None
        _audit_issue(gate, direction_id, body)
        return redirect(url_for(".direction_page", direction_id=direction_id), code=303)

    @blueprint.get("/directions/<int:direction_id>")
    @access.roles(*FEEDBACK_READERS)
    def direction_page(direction_id: int, status: int = 200, error: str = "") -> Response:
        viewer = current_gate().require()
        direction, state = run(usecases.load, store, zone_of, viewer, direction_id,
                               today_in_india())  # fmt: skip
        ba = usecases.before_after(store, direction, state["stations"], utc_now(), settings)
        may_report = viewer.role is Role.SHO and viewer.station_code in state["stations"]
        html = render_template(
            "direction.html", d=direction, state=state, ba=ba, f=_figures(ba), viewer=viewer,
            names=station_names(state["stations"]), ist=_ist, types=COMPLAINT_TYPES,
            rules=RULES, error=error, may_report=may_report, today=today_in_india(),
            own=[r for r in direction["reports"] if r["station_code"] == viewer.station_code],
        )  # fmt: skip
        return Response(html, status=status, mimetype="text/html")

    @blueprint.post("/directions/<int:direction_id>/<kind>")
    @access.roles(Role.SHO)
    def report_from_form(direction_id: int, kind: str) -> BaseResponse:
        gate = current_gate()
        viewer = gate.require()
        body = {"text": request.form.get("text", "")[:4000],
                "reported_on": request.form.get("reported_on", "")[:20]}  # fmt: skip
        if kind not in usecases.KINDS:
            raise NotFound(f"no report {kind}")
        try:
            usecases.report(store, zone_of, viewer, direction_id, kind, body, today_in_india())
        except (usecases.Invalid, usecases.Conflict) as refused:
            code = 409 if isinstance(refused, usecases.Conflict) else 422
            return direction_page(direction_id, code, str(refused))
        except usecases.OutOfScope as refused:
            raise Forbidden(str(refused)) from None
        except usecases.NotFound as missing:
            raise NotFound(str(missing)) from None
        gate.audit(f"direction.{kind}", target=f"direction:{direction_id}",
                   station=viewer.station_code or "")  # fmt: skip
        return redirect(url_for(".direction_page", direction_id=direction_id), code=303)

    # --- API -----------------------------------------------------------------------------

    @blueprint.get("/api/v1/directions")
    @access.roles(*FEEDBACK_READERS)
    def list_api() -> Response:
        viewer = current_gate().require()
        rows = run(usecases.listing, store, zone_of, viewer, today_in_india())
        return jsonify(items=[_as_json(r, r["status"]) for r in rows])

    @blueprint.post("/api/v1/directions")
    @access.roles(*usecases.ISSUERS)
    def create_api() -> tuple[Response, int]:
        gate = current_gate()
        body = json_body()
        direction_id = run(usecases.issue, store, zone_of, gate.require(), body, utc_now(),
                           today_in_india())  # fmt: skip
        _audit_issue(gate, direction_id, body)
        direction, state = usecases.load(store, zone_of, gate.require(), direction_id,
                                         today_in_india())  # fmt: skip
        response = jsonify(_as_json(direction, state))
        response.headers["Location"] = url_for(".direction_api", direction_id=direction_id)
        return response, 201

    @blueprint.get("/api/v1/directions/<int:direction_id>")
    @access.roles(*FEEDBACK_READERS)
    def direction_api(direction_id: int) -> Response:
        viewer = current_gate().require()
        direction, state = run(usecases.load, store, zone_of, viewer, direction_id,
                               today_in_india())  # fmt: skip
        ba = usecases.before_after(store, direction, state["stations"], utc_now(), settings)
        return jsonify({**_as_json(direction, state), "before_after": _figures(ba)})

    @blueprint.post("/api/v1/directions/<int:direction_id>/<kind>")
    @access.roles(Role.SHO)
    def report_api(direction_id: int, kind: str) -> tuple[Response, int]:
        gate = current_gate()
        viewer = gate.require()
        run(usecases.report, store, zone_of, viewer, direction_id, kind, json_body(),
            today_in_india())  # fmt: skip
        gate.audit(f"direction.{kind}", target=f"direction:{direction_id}",
                   station=viewer.station_code or "")  # fmt: skip
        direction, state = usecases.load(store, zone_of, viewer, direction_id, today_in_india())
        return jsonify(_as_json(direction, state)), 201

    return blueprint


def _audit_issue(gate: Any, direction_id: int, body: dict[str, Any]) -> None:
    target = body.get("station_code") or f"zone {body.get('zone')}"
    gate.audit(
        "direction.issue",
        target=f"direction:{direction_id}",
        to=str(target)[:60],
        due_on=str(body.get("due_on"))[:20],
        feedback=len(body.get("feedback") or []),
        alerts=len(body.get("alerts") or []),
    )
