"""Per officer and per complaint type: a zone's page and the read API (the station's page
shows the same tables, ``pages``), and the admin's page and API to merge and split the
officers gathered from typed names (``usecases.officers``).

Who may do what: the feedback readers see the figures within their scope (an SHO their
station, a DCP or an ACP their zone). Merges and splits are the IT cell's (``admin``): it
keeps the registry, and officers' names are registry work; it sees the names typed and how
they gather, never ratings or visitors' words. Every merge and split is audited.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, NotFound, UnprocessableEntity
from werkzeug.wrappers import Response as BaseResponse

from services.analytics.entrypoints.args import days_arg
from services.analytics.usecases import officers as usecases
from services.analytics.usecases.reads import ReadDeps
from shared.auth import Role, access, current_gate
from shared.auth.roles import CITY_WIDE, FEEDBACK_READERS, ZONE_ROLES
from shared.india import today_in_india

ZONE_READERS = (*sorted(CITY_WIDE), *sorted(ZONE_ROLES))


def _repo(deps: ReadDeps) -> usecases.OfficerRepository:
    if deps.officers is None:
        raise NotFound("officers are not kept here")
    repo: usecases.OfficerRepository = deps.officers
    return repo


def _zone(deps: ReadDeps, asked: str) -> dict[str, str]:
    zones = {z["code"].lower(): z for z in deps.database.zones()}
    zone = zones.get(asked.lower())
    viewer = current_gate().require()
    if not viewer.sees_zone(zone["code"] if zone else asked):
        raise Forbidden(f"your access covers {viewer.scope_label or 'no zone'}, not {asked}")
    if zone is None:
        raise NotFound(f"no zone {asked}")
    return zone


def _guarded(deps: ReadDeps, code: str) -> None:
    """404 or 403 as for the station's page: nothing said about a station out of scope."""
    station = deps.database.station(code)
    current_gate().require_station(code, station["zone"] if station is not None else None)
    if station is None:
        raise NotFound(f"no station {code}")


def _station_for_admin(deps: ReadDeps, code: str) -> dict[str, Any]:
    station = deps.database.station(code)
    if station is None:
        raise NotFound(f"no station {code}")
    return dict(station)


def _change(deps: ReadDeps, code: str, action: str, values: Any) -> list[Any]:
    gate = current_gate()
    who = gate.require().name
    try:
        if action == "merge":
            names = values.get("names")
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise usecases.InvalidChange("names must be a list of name keys")
            into = values.get("into")
            if not isinstance(into, str):
                raise usecases.InvalidChange("into must be an officer's key")
            return usecases.merge(_repo(deps), code, names, into, who, gate.audit)
        name = values.get("name")
        if not isinstance(name, str):
            raise usecases.InvalidChange("name must be a name key")
        return usecases.split(_repo(deps), code, name, who, gate.audit)
    except usecases.InvalidChange as invalid:
        raise UnprocessableEntity(str(invalid)) from None


def officers_blueprint(deps: ReadDeps) -> Blueprint:
    blueprint = Blueprint("officers", __name__)

    @blueprint.get("/zones/<zone>")
    @access.roles(*ZONE_READERS)
    def zone_page(zone: str) -> Response:
        found = _zone(deps, zone)
        days = days_arg()
        types = usecases.zone_types(_repo(deps), found["code"], days, today_in_india())
        stations = [s for s in deps.database.stations().values() if s["zone"] == found["code"]]
        html = render_template("zone.html", zone=found, days=days, types=types,
                               stations=stations)  # fmt: skip
        return Response(html, mimetype="text/html")

    @blueprint.get("/api/v1/stations/<code>/officers")
    @access.roles(*FEEDBACK_READERS)
    def officers_api(code: str) -> Response:
        _guarded(deps, code)
        days = days_arg()
        figures = usecases.station_figures(
            _repo(deps), code, days, today_in_india(), deps.officer_min_count
        )
        return jsonify(
            station_code=code, days=days, min_count=figures.min_count,
            not_shown=figures.not_shown,
            items=[usecases.officer_json(o, figures=True) for o in figures.officers],
        )  # fmt: skip

    @blueprint.get("/api/v1/stations/<code>/complaint-types")
    @access.roles(*FEEDBACK_READERS)
    def station_types_api(code: str) -> Response:
        _guarded(deps, code)
        days = days_arg()
        figures = usecases.station_figures(_repo(deps), code, days, today_in_india(), 1)
        return jsonify(station_code=code, days=days, items=figures.complaint_types)

    @blueprint.get("/api/v1/zones/<zone>/complaint-types")
    @access.roles(*ZONE_READERS)
    def zone_types_api(zone: str) -> Response:
        found = _zone(deps, zone)
        days = days_arg()
        items = usecases.zone_types(_repo(deps), found["code"], days, today_in_india())
        return jsonify(zone=found["code"], days=days, items=items)

    @blueprint.get("/officers")
    @access.roles(Role.ADMIN)
    def admin_page() -> Response:
        stations = deps.database.stations()
        code = request.args.get("station", "")
        officers = None
        if code:
            _station_for_admin(deps, code)
            officers = usecases.gathered(_repo(deps), code)
        html = render_template("officers_admin.html", stations=stations.values(), code=code,
                               officers=officers)  # fmt: skip
        return Response(html, mimetype="text/html")

    def form_change(action: str) -> BaseResponse:
        code = request.form.get("station", "")
        _station_for_admin(deps, code)
        values = {"names": request.form.getlist("names"), "into": request.form.get("into", ""),
                  "name": request.form.get("name", "")}  # fmt: skip
        _change(deps, code, action, values)
        return redirect(url_for(".admin_page", station=code), code=303)

    @blueprint.post("/officers/merge")
    @access.roles(Role.ADMIN)
    def admin_merge_form() -> BaseResponse:
        return form_change("merge")

    @blueprint.post("/officers/split")
    @access.roles(Role.ADMIN)
    def admin_split_form() -> BaseResponse:
        return form_change("split")

    @blueprint.get("/api/v1/admin/stations/<code>/officers")
    @access.roles(Role.ADMIN)
    def admin_api(code: str) -> Response:
        _station_for_admin(deps, code)
        officers = usecases.gathered(_repo(deps), code)
        return jsonify(
            station_code=code, items=[usecases.officer_json(o, figures=False) for o in officers]
        )

    def api_change(code: str, action: str) -> Response:
        _station_for_admin(deps, code)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise BadRequest("send a JSON object")
        officers = _change(deps, code, action, body)
        return jsonify(
            station_code=code, items=[usecases.officer_json(o, figures=False) for o in officers]
        )

    @blueprint.post("/api/v1/admin/stations/<code>/officers/merge")
    @access.roles(Role.ADMIN)
    def admin_merge_api(code: str) -> Response:
        return api_change(code, "merge")

    @blueprint.post("/api/v1/admin/stations/<code>/officers/split")
    @access.roles(Role.ADMIN)
    def admin_split_api(code: str) -> Response:
        return api_change(code, "split")

    return blueprint
