"""The QR service's HTTP entrypoint: the station registry API, QR images, posters, health.

Routes only parse, check the admin token, call a use case and map its outcome. Run under
gunicorn as ``gunicorn 'services.qr.app:wsgi()'``.

Who may do what: changes need an admin token (``Authorization: Bearer <token>``). Reads
without a token show what any visitor could read off the wall (names, zone, code version);
with a token they include addresses and the SHO's contacts. QR images and posters are
public: the code is printed on a public wall anyway, and abuse is limited per mobile number
at intake, not by keeping the URL secret.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

import psycopg2
from flask import Flask, Response, g, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from services.qr import metrics, posters, qrcodes, tokens, usecases
from services.qr.config import QrConfig
from services.qr.domain import Duplicate, NotFound, UnknownZone, admin_view, public_view, qr_url
from services.qr.openapi import build_spec
from services.qr.publisher import PublishFailed, StationsPublisher
from services.qr.schemas import (
    ZONE_PATTERN,
    ImageQuerySchema,
    ListQuerySchema,
    RotationSchema,
    StationChangesSchema,
    StationSchema,
)
from shared import db, logs
from shared.events import STATION_CODE_PATTERN, Station

logger = logging.getLogger(__name__)
_CODE = re.compile(STATION_CODE_PATTERN)
_ZONE = re.compile(ZONE_PATTERN)


@dataclass(frozen=True)
class Deps:
    database_url: str
    publisher: StationsPublisher


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs."""
    config = QrConfig.from_env()
    logs.configure_logging("qr", config.log_level)
    return create_app(config)


def create_app(config: QrConfig | None = None, deps: Deps | None = None) -> Flask:
    """The QR app; nothing connects before the first request that needs it."""
    config = config or QrConfig.from_env()
    deps = deps or Deps(
        config.connections.database_url,
        StationsPublisher(config.connections.kafka_bootstrap_servers, config.publish_timeout_s),
    )
    cases = usecases.Deps(deps.database_url, deps.publisher)
    fonts = posters.Fonts.in_folder(config.font_dir)
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.extensions["qr"] = deps

    def presented_token() -> str | None:
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        return value.strip() if scheme.lower() == "bearer" and value.strip() else None

    def admin() -> tokens.TokenInfo | None:
        """The caller's live token; None without one; 401 for a bad one."""
        if "admin" not in g:
            presented = presented_token()
            g.admin = None
            if presented is not None:
                with db.connection(deps.database_url) as conn, db.transaction(conn) as cur:
                    g.admin = tokens.authenticate(cur, presented)
                if g.admin is None:
                    metrics.AUTH_FAILURES.inc()
                    raise Unauthorized("this token is not valid (unknown or revoked)")
        return g.admin

    def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if admin() is None:
                metrics.AUTH_FAILURES.inc()
                raise Unauthorized("an admin token is needed (Authorization: Bearer <token>)")
            return view(*args, **kwargs)

        return guarded

    def view(station: Station) -> dict[str, Any]:
        return admin_view(station) if admin() else public_view(station)

    def body(schema) -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not request.is_json or not isinstance(data, dict):
            raise BadBody("send a JSON object (Content-Type: application/json)")
        return schema.load(data)

    def checked_code(code: str) -> str:
        if not _CODE.match(code):
            raise NotFound(code)
        return code

    def active_station(code: str) -> Station:
        station = usecases.get_station(cases, checked_code(code))
        if not station.active:
            raise Gone(f"station {code} is deactivated; its code no longer opens the form")
        return station

    def url_of(station: Station) -> str:
        key, base = config.qr_signing_key, config.public_base_url
        return qr_url(base, key, station.code, station.qr_version)

    def poster_of(station: Station) -> posters.PosterStation:
        return posters.PosterStation(
            station.code, station.name_en, station.name_hi, station.kind,
            station.qr_version, url_of(station),
        )  # fmt: skip

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.REQUESTS.labels(rule, str(response.status_code)).inc()
        return response

    # -- registry ---------------------------------------------------------------------------

    @app.get("/api/v1/stations")
    def list_stations() -> Response:
        query = ListQuerySchema().load(request.args.to_dict())
        found = usecases.list_stations(cases, zone=query.get("zone"), active=query.get("active"))
        return jsonify(items=[view(s) for s in found])

    @app.post("/api/v1/stations")
    @admin_only
    def create_station() -> tuple[Response, int, dict[str, str]]:
        station = usecases.create_station(cases, body(StationSchema()))
        location = f"/api/v1/stations/{station.code}"
        return jsonify(admin_view(station)), 201, {"Location": location}

    @app.get("/api/v1/stations/<code>")
    def get_station(code: str) -> Response:
        return jsonify(view(usecases.get_station(cases, checked_code(code))))

    @app.patch("/api/v1/stations/<code>")
    @admin_only
    def update_station(code: str) -> Response:
        changes = body(StationChangesSchema())
        return jsonify(admin_view(usecases.update_station(cases, checked_code(code), changes)))

    @app.delete("/api/v1/stations/<code>")
    @admin_only
    def deactivate_station(code: str) -> Response:
        return jsonify(admin_view(usecases.deactivate_station(cases, checked_code(code))))

    @app.post("/api/v1/stations/<code>/qr/rotate")
    @admin_only
    def rotate(code: str) -> Response:
        reason = body(RotationSchema())["reason"]
        who = admin()
        assert who is not None
        station, audit = usecases.rotate_qr(
            cases, checked_code(code), reason=reason, token_id=who.id, rotated_by=who.label
        )
        return jsonify(station=admin_view(station), rotation=audit, qr_url=url_of(station))

    @app.get("/api/v1/stations/<code>/rotations")
    @admin_only
    def rotation_log(code: str) -> Response:
        return jsonify(items=usecases.rotations(cases, checked_code(code)))

    @app.get("/api/v1/zones")
    def zones() -> Response:
        found = usecases.list_zones(cases)
        if admin():
            items = [
                {"code": z.code, "name_en": z.name_en, "name_hi": z.name_hi,
                 "acp": vars(z.acp), "dcp": vars(z.dcp)}
                for z in found
            ]  # fmt: skip
        else:
            items = [{"code": z.code, "name_en": z.name_en, "name_hi": z.name_hi} for z in found]
        return jsonify(items=items)

    # -- QR codes and posters ---------------------------------------------------------------

    @app.get("/api/v1/stations/<code>/qr-url")
    def station_qr_url(code: str) -> Response:
        station = active_station(code)
        return jsonify(
            station_code=station.code, qr_version=station.qr_version, url=url_of(station)
        )

    @app.get("/api/v1/stations/<code>/qr.png")
    def qr_png(code: str) -> Response:
        size = ImageQuerySchema().load(request.args.to_dict())
        image = qrcodes.png(url_of(active_station(code)), **size)
        return Response(image, mimetype="image/png", headers=_no_store())

    @app.get("/api/v1/stations/<code>/qr.svg")
    def qr_svg(code: str) -> Response:
        size = ImageQuerySchema().load(request.args.to_dict())
        image = qrcodes.svg(url_of(active_station(code)), **size)
        return Response(image, mimetype="image/svg+xml", headers=_no_store())

    @app.get("/api/v1/stations/<code>/poster.pdf")
    def poster(code: str) -> Response:
        station = active_station(code)
        pdf = posters.render([poster_of(station)], fonts)
        name = f"poster-{station.code}-v{station.qr_version}.pdf"
        return _pdf(pdf, name)

    @app.get("/api/v1/zones/<zone>/posters.pdf")
    def zone_posters(zone: str) -> Response:
        # Not a zone code (a NUL byte, say, which PostgreSQL refuses): no such zone.
        stations = _ZONE.match(zone) and usecases.list_stations(cases, zone=zone, active=True)
        if not stations:
            raise NotFound(zone)
        return _pdf(posters.render([poster_of(s) for s in stations], fonts), f"posters-{zone}.pdf")

    # -- operations -------------------------------------------------------------------------

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        checks = {"postgres": _postgres_answers(deps.database_url), "kafka": deps.publisher.ready()}
        ok = all(checks.values())
        failing = sorted(name for name, good in checks.items() if not good)
        answer = jsonify(status="ready" if ok else "not ready", checks=checks, failing=failing)
        return answer, 200 if ok else 503

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(metrics.render(), mimetype="text/plain; version=0.0.4")

    spec = build_spec()

    @app.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(spec)

    # -- errors -----------------------------------------------------------------------------

    @app.errorhandler(ValidationError)
    def invalid(error: ValidationError) -> tuple[Response, int]:
        return jsonify(errors=error.messages), 422

    @app.errorhandler(UnknownZone)
    def unknown_zone(error: UnknownZone) -> tuple[Response, int]:
        return jsonify(errors={"zone": [f"No zone {error} in the registry."]}), 422

    @app.errorhandler(Duplicate)
    def duplicate(error: Duplicate) -> tuple[Response, int]:
        return jsonify(error=f"a station with code {error} exists already"), 409

    @app.errorhandler(NotFound)
    def not_found(error: NotFound) -> tuple[Response, int]:
        return jsonify(error=f"no station or zone {error}"), 404

    @app.errorhandler(ApiError)
    def api_error(error: ApiError) -> tuple[Response, int, dict[str, str]]:
        return jsonify(error=str(error)), error.status, error.headers

    @app.errorhandler(PublishFailed)
    def kafka_down(error: PublishFailed) -> tuple[Response, int, dict[str, str]]:
        logger.warning("registry change not published; nothing changed", exc_info=True)
        message = "the change could not be published to Kafka and was not made; retry shortly"
        return jsonify(error=message), 503, {"Retry-After": "10"}

    @app.errorhandler(psycopg2.OperationalError)
    def database_down(error: psycopg2.OperationalError) -> tuple[Response, int, dict[str, str]]:
        logger.warning("registry database unreachable", exc_info=True)
        return (
            jsonify(error="the registry is unavailable; retry shortly"),
            503,
            {"Retry-After": "10"},
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=error.description or error.name), error.code or 500

    return app


class ApiError(Exception):
    status = 400
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only default


class BadBody(ApiError):
    status = 400


class Unauthorized(ApiError):
    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="pratikriya"'}  # noqa: RUF012


class Gone(ApiError):
    status = 410


def _no_store() -> dict[str, str]:
    # A rotation changes the image behind the same URL: caches must not keep the old one.
    return {"Cache-Control": "no-store"}


def _pdf(data: bytes, filename: str) -> Response:
    headers = {"Content-Disposition": f'inline; filename="{filename}"', **_no_store()}
    return Response(data, mimetype="application/pdf", headers=headers)


def _postgres_answers(database_url: str) -> bool:
    try:
        with db.connection(database_url, timeout_s=2) as conn, db.transaction(conn) as cur:
            cur.execute("SELECT 1")
        return True
    except psycopg2.Error:
        return False
