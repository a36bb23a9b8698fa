"""Intake's HTTP entrypoint: the QR form, the feedback API, health and metrics.

Routes only parse, call a use case and map its outcome to a response. Run under gunicorn as
``gunicorn 'services.intake.app:wsgi()'``.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlencode

import redis
from flask import Flask, Response, jsonify, render_template, request, url_for
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from services.intake import i18n, metrics
from services.intake.config import IntakeConfig
from services.intake.domain import CodeProblem
from services.intake.guards import Guards
from services.intake.openapi import build_spec
from services.intake.publisher import FeedbackPublisher
from services.intake.schemas import FeedbackInputSchema, form_to_payload
from services.intake.stations import StationDirectory
from services.intake.usecases import (
    Deps,
    IdempotencyConflict,
    InvalidCode,
    RateLimited,
    Refused,
    Unavailable,
    open_form,
    submit_feedback,
)
from shared import logs
from shared.complaint_types import complaint_type_choices
from shared.india import today_in_india
from shared.redis_io import redis_client
from shared.stations_reader import StationsFeed

logger = logging.getLogger(__name__)
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,128}$")
RATE_LIMITED_ADDRESS = "too many submissions from this address this hour"
# Schemas hold no per-request state: one instance serves every request and thread.
_FEEDBACK_SCHEMA = FeedbackInputSchema()
_API_MESSAGES = {
    InvalidCode: "this QR code is not valid for feedback",
    IdempotencyConflict: "this Idempotency-Key was already used for different feedback",
    Unavailable: "feedback cannot be accepted right now; please retry",
}


def build_deps(config: IntakeConfig) -> Deps:
    """The real adapters. None of them connects until first used; the station directory's
    reader thread starts with the first request, after gunicorn's fork."""
    feed = StationsFeed(config.connections.kafka_bootstrap_servers, client_id="intake-stations")
    return Deps(
        stations=StationDirectory(feed, max_lag_s=config.station_max_lag_s),
        guards=Guards(
            redis_client(config.connections.redis_url),
            per_address_per_hour=config.limit_per_address_per_hour,
            per_mobile_per_day=config.limit_per_mobile_per_station_per_day,
            idempotency_ttl_s=config.idempotency_ttl_s,
        ),
        publisher=FeedbackPublisher(
            config.connections.kafka_bootstrap_servers, config.publish_timeout_s
        ),
        signing_key=config.qr_signing_key,
        mobile_hash_key=config.mobile_hash_key,
    )


def localise(errors: dict[str, Any], language: str) -> dict[str, list[str]]:
    """Schema error codes (``too_long:100``) as messages in ``language``."""
    out: dict[str, list[str]] = {}
    for field, codes in errors.items():
        messages = []
        for code in codes if isinstance(codes, list) else [str(codes)]:
            name, _, param = str(code).partition(":")
            try:
                messages.append(i18n.field_error(name, language, max=param))
            except KeyError:
                messages.append(i18n.field_error("invalid_value", language))
        out[field] = messages
    return out


def wsgi() -> Flask:
    """Gunicorn's entry: settings from the environment, JSON logs without personal data."""
    config = IntakeConfig.from_env()
    logs.configure_logging("intake", config.log_level)
    return create_app(config)


def create_app(config: IntakeConfig | None = None, deps: Deps | None = None) -> Flask:
    """The intake app; ``deps`` replaces the real adapters (none connects before first use)."""
    config = config or IntakeConfig.from_env()
    deps = deps or build_deps(config)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if config.trusted_proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.trusted_proxies)  # type: ignore[method-assign]
    app.extensions["intake"] = deps
    spec = build_spec()

    def language() -> str:
        # The query string only: reading the body here could raise again inside a 413 page.
        lang = request.args.get("lang", "hi")
        return lang if lang in ("hi", "en") else "hi"

    def page(template: str, http_status: int = 200, **context: Any) -> Response:
        lang = context.pop("lang", None) or language()
        html = render_template(
            template,
            lang=lang,
            t=i18n.bind(lang),
            css_url=url_for("static", filename="form.css"),
            other_lang_url=context.pop("other_lang_url", None),
            **context,
        )
        return Response(html, status=http_status, mimetype="text/html")

    def problem(kind: str, status: int) -> Response:
        response = page("problem.html", status, status=status, kind=kind)
        if status in (429, 503):
            response.headers["Retry-After"] = str(config.retry_after_s)
        return response

    def form_page(station, qr_version, sig, *, lang, status=200, values=None, errors=None,
                  banner=None, token=None) -> Response:  # fmt: skip
        other = "en" if lang == "hi" else "hi"
        query = {"v": qr_version, "sig": sig, "lang": other}
        today = today_in_india()
        response = page(
            "form.html",
            status,
            lang=lang,
            other_lang_url=url_for("form", code=station.code) + "?" + urlencode(query),
            station=station,
            action_url=url_for("submit_form", code=station.code),
            qr_version=qr_version,
            sig=sig,
            form_token=token or uuid.uuid4().hex,
            values=values or {},
            errors=errors or {},
            banner=banner,
            complaint_types=complaint_type_choices(lang),
            today=today.isoformat(),
            min_date=(today - timedelta(days=365)).isoformat(),
            retention_days=config.retention_days,
        )
        if status in (429, 503):
            response.headers["Retry-After"] = str(config.retry_after_s)
        return response

    def client_address() -> str:
        return request.remote_addr or "unknown"

    def invalid_but_allowed() -> bool:
        """Invalid submissions count against the address limit too (that is what a flood of
        junk looks like); False once over it."""
        return deps.guards.allow_address(client_address(), datetime.now(UTC))

    @app.after_request
    def count(response: Response) -> Response:
        rule = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.REQUESTS.labels(rule, str(response.status_code)).inc()
        return response

    @app.get("/s/<code>")
    def form(code: str) -> Response:
        lang = language()
        version = request.args.get("v", "")
        sig = request.args.get("sig", "")
        if not version.isdigit() or len(version) > 7 or not sig:
            return problem("forged", 403)
        try:
            station = open_form(deps, code, int(version), sig)
        except InvalidCode as refused:
            metrics.REJECTIONS.labels(refused.reason).inc()
            return problem(refused.reason, refused.problem.value)
        except Unavailable:
            logger.warning("station registry unavailable", exc_info=True)
            return problem("unavailable", 503)
        return form_page(station, int(version), sig, lang=lang)

    @app.post("/s/<code>")
    def submit_form(code: str) -> Response:
        if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return problem("bad_request", 415)
        form_data = request.form.to_dict()
        lang = form_data.get("language") if form_data.get("language") in ("hi", "en") else "hi"
        token = form_data.get("form_token", "")
        token = token if _IDEMPOTENCY_KEY.match(token) else uuid.uuid4().hex
        payload = {**form_to_payload(form_data), "station_code": code, "language": lang}
        version = payload.get("qr_version")
        sig = payload.get("sig", "")
        try:
            if not isinstance(version, int):
                raise InvalidCode(CodeProblem.FORGED)
            station = open_form(deps, code, version, sig)
        except InvalidCode as refused:
            metrics.REJECTIONS.labels(refused.reason).inc()
            return problem(refused.reason, refused.problem.value)
        except Unavailable:
            logger.warning("station registry unavailable", exc_info=True)
            return problem("unavailable", 503)
        shown = {k: v for k, v in form_data.items() if k not in ("sig", "form_token")}
        keep = {"values": shown, "token": token, "lang": lang}
        unavailable = i18n.t("banner.unavailable", lang)
        try:
            feedback = _FEEDBACK_SCHEMA.load(payload)
        except ValidationError as invalid:
            try:
                if not invalid_but_allowed():
                    metrics.REJECTIONS.labels("rate_limited").inc()
                    return problem("rate_limited", 429)
            except redis.RedisError:
                logger.warning("rate limit check failed", exc_info=True)
            metrics.REJECTIONS.labels("invalid").inc()
            errors = localise(invalid.messages, lang)  # type: ignore[arg-type]
            return form_page(station, version, sig, status=422, errors=errors, **keep)
        with logs.sensitive(feedback.get("name"), feedback.get("mobile")):
            submit = partial(submit_feedback, deps, feedback, client_address=client_address())
            try:
                try:
                    accepted = submit(idempotency_key=token)
                except IdempotencyConflict:
                    # The visitor changed an answer after it was accepted: that is new feedback.
                    accepted = submit(idempotency_key=uuid.uuid4().hex)
            except RateLimited:
                metrics.REJECTIONS.labels("rate_limited").inc()
                return problem("rate_limited", 429)
            except Unavailable:
                metrics.REJECTIONS.labels("unavailable").inc()
                return form_page(station, version, sig, status=503, banner=unavailable, **keep)
        return page("thanks.html", lang=lang, station=station, feedback_id=accepted.event_id)

    @app.post("/api/v1/feedback")
    def submit_api() -> tuple[Response, int] | Response:
        if not request.is_json:
            return _error("send the feedback as JSON (Content-Type: application/json)", 415)
        body = request.get_json(silent=True)
        if body is None:
            return _error("the body is not valid JSON", 400)
        key = request.headers.get("Idempotency-Key")
        if key is not None and not _IDEMPOTENCY_KEY.match(key):
            return _error("Idempotency-Key must be 1 to 128 visible ASCII characters", 400)
        try:
            feedback = _FEEDBACK_SCHEMA.load(body)
        except ValidationError as invalid:
            try:
                if not invalid_but_allowed():
                    metrics.REJECTIONS.labels("rate_limited").inc()
                    return _error(RATE_LIMITED_ADDRESS, 429, config.retry_after_s)
            except redis.RedisError:
                logger.warning("rate limit check failed", exc_info=True)
            metrics.REJECTIONS.labels("invalid").inc()
            return jsonify(errors=localise(invalid.messages, "en")), 422  # type: ignore[arg-type]
        with logs.sensitive(feedback.get("name"), feedback.get("mobile")):
            try:
                accepted = submit_feedback(
                    deps, feedback, client_address=client_address(), idempotency_key=key
                )
            except Refused as refused:
                metrics.REJECTIONS.labels(refused.reason).inc()
                return _refusal(refused, config.retry_after_s)
        response = jsonify(id=accepted.event_id, status="accepted")
        if accepted.replayed:
            response.headers["Idempotent-Replayed"] = "true"
        return response, 202

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        checks = {
            "kafka": deps.publisher.ready(),
            "redis": _redis_answers(deps.guards),
            "stations": deps.stations.ready(),
        }
        ok = all(checks.values())
        status = "ready" if ok else "not ready"
        failing = sorted(name for name, good in checks.items() if not good)
        return jsonify(status=status, checks=checks, failing=failing), 200 if ok else 503

    @app.get("/openapi.json")
    def openapi() -> Response:
        return jsonify(spec)

    @app.get("/metrics")
    def prometheus() -> Response:
        return Response(metrics.render(), mimetype="text/plain; version=0.0.4")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response | tuple[Response, int]:
        status = error.code or 500
        if request.path.startswith("/api/"):
            return _error(error.description or error.name, status)
        kind = {413: "too_large", 404: "unknown_station"}.get(status, "bad_request")
        return problem(kind, status)

    return app


def _redis_answers(guards: Guards) -> bool:
    try:
        return guards.ping()
    except redis.RedisError:
        return False


def _error(message: str, status: int, retry_after: int | None = None) -> tuple[Response, int]:
    response = jsonify(error=message)
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    return response, status


def _refusal(refused: Refused, retry_after: int) -> tuple[Response, int]:
    if isinstance(refused, InvalidCode):
        return _error(_API_MESSAGES[InvalidCode], refused.problem.value)
    if isinstance(refused, RateLimited):
        return _error(str(refused), 429, retry_after)
    if isinstance(refused, IdempotencyConflict):
        return _error(_API_MESSAGES[IdempotencyConflict], 409)
    return _error(_API_MESSAGES[Unavailable], 503, retry_after)
