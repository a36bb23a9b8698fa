"""The pages a visitor sees: the form a QR code opens, and what its POST leads to (the
thank-you page, or the form again with its errors). Public: the station's signed code in the
URL is what lets a visitor in."""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, request

from services.intake import i18n
from services.intake.domain import is_idempotency_key
from services.intake.entrypoints.pages import Pages, language
from services.intake.schemas import form_to_payload
from services.intake.usecases import (
    Deps,
    InvalidCode,
    RateLimited,
    Refused,
    open_form,
    submit_from_form,
)
from shared.auth import access
from shared.web import whole_number

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _problem_of(pages: Pages, refused: Refused) -> Response:
    if isinstance(refused, InvalidCode):
        return pages.problem(refused.reason, refused.problem.value)
    if isinstance(refused, RateLimited):
        return pages.problem("rate_limited", 429)
    return pages.problem("unavailable", 503)


def form_blueprint(deps: Deps, pages: Pages) -> Blueprint:
    blueprint = Blueprint("form", __name__)

    @blueprint.get("/s/<code>")
    @access.public
    def form(code: str) -> Response:
        version = whole_number(request.args.get("v"), 1, 9_999_999)
        sig = request.args.get("sig", "")
        if version is None or not sig:
            return pages.problem("forged", 403)
        try:
            station = open_form(deps, code, version, sig)
        except Refused as refused:
            return _problem_of(pages, refused)
        return pages.form(station, version, sig, lang=language())

    @blueprint.post("/s/<code>")
    @access.public
    def submit_form(code: str) -> Response:
        if request.mimetype not in _FORM_TYPES:
            return pages.problem("bad_request", 415)
        answers = request.form.to_dict()
        lang = answers["language"] if answers.get("language") in ("hi", "en") else "hi"
        token = answers.get("form_token", "")
        token = token if is_idempotency_key(token) else uuid.uuid4().hex
        payload = {**form_to_payload(answers), "station_code": code, "language": lang}
        try:
            outcome = submit_from_form(
                deps, payload, form_token=token, client_address=request.remote_addr or "unknown"
            )
        except Refused as refused:
            return _problem_of(pages, refused)
        if outcome.event_id is not None:
            return pages.thanks(outcome.station, outcome.event_id, lang)
        shown = {k: v for k, v in answers.items() if k not in ("sig", "form_token")}
        if outcome.errors is not None:
            status, errors, banner = 422, i18n.field_errors(outcome.errors, lang), None
        else:
            status, errors, banner = 503, None, i18n.t("banner.unavailable", lang)
        return pages.form(
            outcome.station, payload["qr_version"], payload.get("sig", ""), lang=lang,
            status=status, values=shown, errors=errors, banner=banner, token=token,
        )  # fmt: skip

    return blueprint
