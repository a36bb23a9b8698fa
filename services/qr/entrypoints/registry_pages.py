"""The IT cell's pages for the registry (role ``admin``): every zone and its stations, a
station's details, its SHO's contact and its QR code's rotation, a new station, and a zone's
ACP's and DCP's contacts with its posters to print.

Server-drawn HTML with no script; each form posts back with its CSRF token and goes through
the same use cases as the API (``registry_changes``), so every change is published on the
stations topic and written to the audit log. A refused form comes back with what was typed
and the messages beside the fields (422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.wrappers import Response as BaseResponse

from services.qr import usecases
from services.qr.adapters.kafka import PublishFailed
from services.qr.contacts import ZoneContactsSchema
from services.qr.domain import (
    ZONE_CONTACT_FIELDS,
    Duplicate,
    NotFound,
    Refused,
    Station,
    UnknownZone,
    Zone,
    editable_view,
    zone_contacts,
)
from services.qr.entrypoints import forms
from services.qr.entrypoints import registry_changes as changes
from services.qr.entrypoints.errors import UNPUBLISHED
from services.qr.schemas import KINDS, RotationSchema, StationChangesSchema, StationSchema
from shared.auth import Role, access

admin = Blueprint(
    "admin", __name__, url_prefix="/admin", template_folder="templates",
    static_folder="static", static_url_path="/static",
)  # fmt: skip
admin_only = access.roles(Role.ADMIN)
KIND_LABELS = {
    "police": "थाना · Police station",
    "cyber": "साइबर थाना · Cyber police station",
    "women": "महिला थाना · Women's police station",
}
# What the station page's form edits; a new station's form also has these.
STATION_FORM = ("name_en", "name_hi", "address", "sho_name", "sho_mobile", "sho_email")
NEW_STATION_FORM = ("code", "zone", "kind", *STATION_FORM)
REFUSED = "रजिस्टर यह मान नहीं लेता · Not a value the registry accepts."


@admin.app_template_filter("india")
def _india(moment: Any) -> str:
    return forms.india_time(moment)


def _station_or_404(code: str) -> Station:
    try:
        return usecases.get_station(changes.deps(), code)
    except NotFound:
        raise PageNotFound(f"no station {code!r} in the registry") from None


@admin.get("")
@admin_only
def registry() -> Response:
    deps = changes.deps()
    stations = usecases.list_stations(deps)
    zones = [(z, [s for s in stations if s.zone == z.code]) for z in usecases.list_zones(deps)]
    return forms.page("admin/registry.html", zones=zones, kinds=KIND_LABELS)


def _station_page(station: Station, status: int = 200, **context: Any) -> Response:
    context.setdefault("form", editable_view(station))
    rotations = usecases.rotations(changes.deps(), station.code)
    return forms.page(
        "admin/station.html", status, station=station, rotations=list(reversed(rotations)),
        kinds=KIND_LABELS, errors=context.pop("errors", {}), **context,
    )  # fmt: skip


@admin.get("/stations/<code>")
@admin_only
def station(code: str) -> Response:
    return _station_page(_station_or_404(code))


@admin.post("/stations/<code>")
@admin_only
def edit_station(code: str) -> Response | BaseResponse:
    station = _station_or_404(code)
    typed: dict[str, Any] = {**forms.texts(STATION_FORM), "active": forms.checked("active")}
    try:
        edited = changes.edit_station(station.code, StationChangesSchema().load(typed))
    except ValidationError as invalid:
        return _station_page(station, 422, form=typed, errors=forms.field_errors(invalid),
                             problem=forms.INVALID)  # fmt: skip
    except Refused as refused:
        errors = {str(refused): REFUSED}
        return _station_page(station, 422, form=typed, errors=errors, problem=forms.INVALID)
    except PublishFailed:
        return _station_page(station, 503, form=typed, problem=UNPUBLISHED)
    done = "saved" if edited != station else "unchanged"
    return redirect(url_for("admin.station", code=station.code, done=done), 303)


@admin.post("/stations/<code>/rotate")
@admin_only
def rotate(code: str) -> Response | BaseResponse:
    station = _station_or_404(code)
    reason = forms.text("reason")
    try:
        changes.rotate(station.code, RotationSchema().load({"reason": reason})["reason"])
    except ValidationError as invalid:
        message = forms.field_errors(invalid).get("reason", "")
        return _station_page(station, 422, reason=reason, rotation_error=message)
    except PublishFailed:
        return _station_page(station, 503, reason=reason, rotation_error=UNPUBLISHED)
    return redirect(url_for("admin.station", code=station.code, done="rotated"), 303)


def _new_station_page(status: int = 200, **context: Any) -> Response:
    context.setdefault("form", {"kind": "police"})
    return forms.page(
        "admin/station_new.html", status, zones=usecases.list_zones(changes.deps()),
        kinds=KIND_LABELS, errors=context.pop("errors", {}), **context,
    )  # fmt: skip


@admin.get("/stations/new")
@admin_only
def new_station() -> Response:
    return _new_station_page()


@admin.post("/stations/new")
@admin_only
def add_station() -> Response | BaseResponse:
    typed = forms.texts(NEW_STATION_FORM)
    typed["code"] = typed["code"].strip().upper()
    if typed["kind"] not in KINDS:
        typed["kind"] = "police"
    try:
        created = changes.create_station(StationSchema().load(typed))
    except ValidationError as invalid:
        return _new_station_page(422, form=typed, errors=forms.field_errors(invalid),
                                 problem=forms.INVALID)  # fmt: skip
    except Duplicate:
        errors = {"code": "इस कोड का थाना पहले से है · A station with this code exists already."}
        return _new_station_page(422, form=typed, errors=errors, problem=forms.INVALID)
    except UnknownZone:
        errors = {"zone": "यह ज़ोन रजिस्टर में नहीं है · No such zone in the registry."}
        return _new_station_page(422, form=typed, errors=errors, problem=forms.INVALID)
    except Refused as refused:
        errors = {str(refused): REFUSED}
        return _new_station_page(422, form=typed, errors=errors, problem=forms.INVALID)
    except PublishFailed:
        return _new_station_page(503, form=typed, problem=UNPUBLISHED)
    return redirect(url_for("admin.station", code=created.code, done="created"), 303)


def _zone_or_404(code: str) -> Zone:
    try:
        return usecases.get_zone(changes.deps(), code)
    except NotFound:
        raise PageNotFound(f"no zone {code!r} in the registry") from None


def _zone_page(zone: Zone, status: int = 200, **context: Any) -> Response:
    context.setdefault("form", zone_contacts(zone))
    stations = usecases.list_stations(changes.deps(), zone=zone.code)
    return forms.page(
        "admin/zone.html", status, zone=zone, stations=stations, kinds=KIND_LABELS,
        printable=sum(1 for s in stations if s.active), errors=context.pop("errors", {}),
        **context,
    )  # fmt: skip


@admin.get("/zones/<zone>")
@admin_only
def zone(zone: str) -> Response:
    return _zone_page(_zone_or_404(zone))


@admin.post("/zones/<zone>")
@admin_only
def edit_zone(zone: str) -> Response | BaseResponse:
    before = _zone_or_404(zone)
    typed = forms.texts(ZONE_CONTACT_FIELDS)
    try:
        edited = changes.edit_zone(before.code, ZoneContactsSchema().load(typed))
    except ValidationError as invalid:
        return _zone_page(before, 422, form=typed, errors=forms.field_errors(invalid),
                          problem=forms.INVALID)  # fmt: skip
    except PublishFailed:
        return _zone_page(before, 503, form=typed, problem=UNPUBLISHED)
    done = "saved" if edited != before else "unchanged"
    return redirect(url_for("admin.zone", zone=edited.code, done=done), 303)
