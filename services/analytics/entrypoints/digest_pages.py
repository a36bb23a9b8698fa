"""The weekly digest on demand: ``/digest`` lists the past weeks (with a form for any week)
and ``/digest/<week>.pdf?zone=`` downloads one. The Commissioner's office and the feedback
cell get the city's digest or any zone's; a DCP or an ACP only their zone's (another zone:
403). A week is named by any of its days, YYYY-MM-DD; a bad or future week: 422."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.exceptions import UnprocessableEntity

from services.analytics.digest.pdf import render
from services.analytics.digest.postgres import build_digest
from services.analytics.digest.week import Week, last_complete, parse_week
from services.analytics.usecases import reads as read_usecases
from services.analytics.usecases.reads import ReadDeps
from shared.auth import Role, access, current_gate

DIGEST_READERS = (Role.COMMISSIONER, Role.FEEDBACK_CELL, Role.DCP, Role.ACP)
PAST_WEEKS = 12


def _week(text: str) -> Week:
    try:
        week = parse_week(text)
    except ValueError:
        raise UnprocessableEntity("week must be a date, YYYY-MM-DD") from None
    if week > last_complete(datetime.now(UTC)):
        raise UnprocessableEntity("that week has not ended yet")
    return week


def digest_blueprint(deps: ReadDeps) -> Blueprint:
    blueprint = Blueprint("digest", __name__)

    @blueprint.get("/digest")
    @access.roles(*DIGEST_READERS)
    def digest_list() -> Response:
        viewer = current_gate().require()
        zone = read_usecases.scoped_zone(deps, viewer, request.args.get("zone"))
        latest = last_complete(datetime.now(UTC))
        weeks = [latest]
        for _ in range(PAST_WEEKS - 1):
            weeks.append(weeks[-1].previous())
        zones = [z for z in deps.database.zones() if viewer.sees_zone(z["code"])]
        html = render_template(
            "digest.html", weeks=weeks, zone=zone, zones=zones, viewer=viewer,
            city_wide=viewer.role in (Role.COMMISSIONER, Role.FEEDBACK_CELL),
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    @blueprint.get("/digest/<week_text>.pdf")
    @access.roles(*DIGEST_READERS)
    def digest_pdf(week_text: str) -> Response:
        viewer = current_gate().require()
        week = _week(week_text)
        zone = read_usecases.scoped_zone(deps, viewer, request.args.get("zone"))
        if zone is not None and zone not in {z["code"] for z in deps.database.zones()}:
            abort(404, f"no zone {zone}")
        with deps.database.cursor() as cur:  # type: ignore[attr-defined]
            digest = build_digest(cur, week, zone, deps.policy)
        name = f"pratikriya-digest-{week}-{zone or 'city'}.pdf"
        return Response(
            render(digest), mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )  # fmt: skip

    return blueprint
