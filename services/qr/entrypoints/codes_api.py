"""QR codes and posters of active stations: the signed URL, PNG and SVG images, one
station's poster and a zone's. Public: the code is printed on a public wall anyway, and
abuse is limited per mobile number at intake, not by keeping the URL secret."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from services.qr import usecases
from services.qr.rendering.printing import Printer
from services.qr.schemas import ImageQuerySchema
from shared.auth import access

codes = Blueprint("codes", __name__, url_prefix="/api/v1")
# A rotation changes the image behind the same URL: caches must not keep the old one.
NO_STORE = {"Cache-Control": "no-store"}


def _deps() -> usecases.Deps:
    return current_app.extensions["qr"]


def _printer() -> Printer:
    return current_app.extensions["qr.printer"]


def _pdf(data: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{filename}"', **NO_STORE}
    return Response(data, mimetype="application/pdf", headers=headers)


@codes.get("/stations/<code>/qr-url")
@access.public
def qr_url(code: str) -> Response:
    station = usecases.active_station(_deps(), code)
    url = _printer().url(station)
    return jsonify(station_code=station.code, qr_version=station.qr_version, url=url)


@codes.get("/stations/<code>/qr.png")
@access.public
def qr_png(code: str) -> Response:
    size = ImageQuerySchema().load(request.args.to_dict())
    image = _printer().png(usecases.active_station(_deps(), code), **size)
    return Response(image, mimetype="image/png", headers=NO_STORE)


@codes.get("/stations/<code>/qr.svg")
@access.public
def qr_svg(code: str) -> Response:
    size = ImageQuerySchema().load(request.args.to_dict())
    image = _printer().svg(usecases.active_station(_deps(), code), **size)
    return Response(image, mimetype="image/svg+xml", headers=NO_STORE)


@codes.get("/stations/<code>/poster.pdf")
@access.public
def poster(code: str) -> Response:
    station = usecases.active_station(_deps(), code)
    pdf = _printer().poster_pdf([station])
    return _pdf(pdf, f"poster-{station.code}-v{station.qr_version}.pdf")


@codes.get("/zones/<zone>/posters.pdf")
@access.public
def zone_posters(zone: str) -> Response:
    pdf = _printer().poster_pdf(usecases.zone_stations(_deps(), zone))
    return _pdf(pdf, f"posters-{zone}.pdf")
