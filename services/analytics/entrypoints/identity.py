"""The feedback cell's "show name and number" (``usecases.identity``): a form post from a
station page, answered with the visitor's name and mobile number once the view is in the
audit log. Nobody else may post it; the answer is never cached."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.exceptions import NotFound

from services.analytics.entrypoints.pages import reveal_form_settings
from services.analytics.usecases.identity import (
    InvalidReason,
    UnknownFeedback,
    check_reason,
    feedback_for_reveal,
    plain_text,
    reveal,
)
from services.analytics.usecases.reads import ReadDeps
from shared.auth import Role, access, current_gate


def identity_blueprint(deps: ReadDeps) -> Blueprint:
    blueprint = Blueprint("identity", __name__)

    @blueprint.post("/stations/<code>/feedback/<event_id>/identity")
    @access.roles(Role.FEEDBACK_CELL)
    def reveal_identity(code: str, event_id: str) -> Response:
        gate = current_gate()
        station = deps.database.station(code)
        gate.require_station(code, station["zone"] if station is not None else None)
        if station is None:
            raise NotFound(f"no station {code}")
        try:
            feedback = feedback_for_reveal(deps.identities, code, event_id)
        except UnknownFeedback:
            raise NotFound("no such feedback at this station") from None
        typed_purpose = request.form.get("purpose", "")[:40]
        typed_reason = request.form.get("reason", "")[:2000]
        try:
            purpose, reason = check_reason(typed_purpose, typed_reason)
        except InvalidReason as invalid:
            return _page(
                "identity_form.html", 422, station=station, c=feedback, error=str(invalid),
                purpose=typed_purpose, reason=plain_text(typed_reason),
            )  # fmt: skip
        revealed = reveal(deps.identities, feedback, code, purpose, reason, gate.audit)
        return _page(
            "identity.html", 200, station=station, revealed=revealed, c=revealed.feedback,
            purpose=purpose, reason=reason, viewer=gate.require(),
        )  # fmt: skip

    return blueprint


def _page(template: str, status: int, **values: Any) -> Response:
    station = values["station"]
    html = render_template(
        template, back_url=url_for("pages.station_page", code=station["station_code"]),
        **reveal_form_settings(), **values,
    )  # fmt: skip
    response = Response(html, status=status, mimetype="text/html")
    # A visitor's identity, or a form about one: never kept by a browser or a proxy.
    response.headers["Cache-Control"] = "no-store"
    return response
