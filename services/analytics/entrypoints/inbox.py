"""The inbox (``/inbox``, ``/api/v1/inbox``): feedback a police person may read, filtered
and a page at a time (keyset: ``after`` is the previous page's ``next_after``), each item
opening to every answer of the form; the SHO's actions on a feedback or an alert and the
feedback cell's call backs (forms and JSON); the inbox and the ranking as CSV.

Scope follows the role (``usecases.inbox``): an item or an alert the viewer may not read
is 404 like one that does not exist; a station or zone filter outside the scope is 403. A
bad filter is 400; a bad action or call back 422, with the form again (a page) or
``{"errors": {field: [message]}}`` (JSON). Nothing here shows a visitor's name or number:
the feedback cell reveals them through ``identity``'s audited form.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.wrappers import Response as BaseResponse

from services.analytics.domain.inbox import (
    ACTION_MAX,
    LANGUAGES,
    NOTE_MAX,
    OUTCOMES,
    InboxFilter,
    InvalidInput,
    parse_filter,
)
from services.analytics.entrypoints.args import window_arg
from services.analytics.entrypoints.pages import reveal_form_settings
from services.analytics.ports import InboxStore
from services.analytics.usecases import inbox as inbox_usecases
from services.analytics.usecases.identity import UnknownFeedback
from services.analytics.usecases.inbox import UnknownAlert
from services.analytics.usecases.reads import ReadDeps, ranking_items, scoped_zone
from shared.auth import Role, access, current_gate
from shared.auth.roles import FEEDBACK_READERS
from shared.complaint_types import COMPLAINT_TYPES
from shared.india import today_in_india

CSV_COLUMNS = ("event_id", "submitted_at", "station_code", "zone", "rating", "complaint_date",
               "complaint_type", "officer_name", "comments", "cleanliness", "staff_available",
               "staff_helped", "problem_resolved", "language", "actions",
               "callback_outcome")  # fmt: skip
RANKING_COLUMNS = ("rank", "station_code", "name_en", "name_hi", "zone", "score", "count",
                   "enough_feedback")  # fmt: skip
_DAY = "%Y-%m-%d"


def _chosen(deps: ReadDeps) -> tuple[InboxFilter, InboxFilter]:
    """(the filter as asked, the filter scoped to the viewer); 400 for a bad one."""
    try:
        asked = parse_filter(request.args, today_in_india())
    except InvalidInput as invalid:
        raise BadRequest(str(invalid)) from None
    gate = current_gate()
    return asked, inbox_usecases.scoped_filter(deps, gate.require(), asked, gate.require_station)


def as_json(item: dict[str, Any]) -> dict[str, Any]:
    """An item of the inbox as the API gives it (the contract's names and ISO times)."""
    found = {key: item.get(key) for key in CSV_COLUMNS}
    found["event_id"] = str(item["event_id"])
    found["submitted_at"] = item["submitted_at"].isoformat()
    found["complaint_date"] = item["complaint_date"].isoformat() if item["complaint_date"] else None
    return found


def _action_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "station_code": row["station_code"],
        "event_id": str(row["event_id"]) if row["event_id"] else None,
        "alert_id": str(row["alert_id"]) if row["alert_id"] else None,
        "text": row["action_text"], "taken_on": row["taken_on"].isoformat(),
        "recorded_by": row["recorded_by"], "recorded_at": row["recorded_at"].isoformat(),
    }  # fmt: skip


def _callback_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "event_id": str(row["event_id"]), "outcome": row["outcome"],
        "note": row["note"], "called_by": row["called_by"],
        "called_at": row["called_at"].isoformat(),
    }  # fmt: skip


def _cell(value: Any) -> str:
    """A CSV cell; text that a spreadsheet would run as a formula starts with a quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(columns: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for n, row in enumerate(rows):
        writer.writerow([_cell(row.get(c)) for c in columns])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _csv_response(name: str, body: Iterator[str]) -> Response:
    response = Response(stream_with_context(body), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("send a JSON object")
    return {k: v if isinstance(v, str) else "" for k, v in body.items()}


def inbox_blueprint(deps: ReadDeps, store: InboxStore) -> Blueprint:
    blueprint = Blueprint("inbox", __name__)

    def item_page(event_id: str, status: int = 200, **form: Any) -> Response:
        viewer = current_gate().require()
        try:
            item = inbox_usecases.feedback_item(store, viewer, event_id)
        except UnknownFeedback:
            raise NotFound("no such feedback in your inbox") from None
        station = deps.database.station(item["station_code"])
        html = render_template(
            "inbox_item.html", c=item, station=station, viewer=viewer,
            can_act=viewer.role is Role.SHO, can_call=viewer.sees_identity,
            outcomes=OUTCOMES, languages=LANGUAGES, action_max=ACTION_MAX, note_max=NOTE_MAX,
            today=today_in_india(), form=form, **reveal_form_settings(),
        )  # fmt: skip
        response = Response(html, status=status, mimetype="text/html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @blueprint.get("/inbox")
    @access.roles(*FEEDBACK_READERS)
    def inbox_page() -> Response:
        viewer = current_gate().require()
        asked, scoped = _chosen(deps)
        page = inbox_usecases.inbox_page(store, scoped)
        stations = [s for s in deps.database.stations().values()
                    if viewer.sees_station(s["station_code"], s["zone"])]  # fmt: skip
        zones = [z for z in deps.database.zones() if viewer.sees_zone(z["code"])]
        names = {s["station_code"]: s for s in stations}
        args: dict[str, Any] = dict(asked.query_args())
        next_url = (url_for(".inbox_page", **args, after=page.next_after)
                    if page.next_after else None)  # fmt: skip
        html = render_template(
            "inbox.html", page=page, asked=asked, viewer=viewer, stations=stations,
            zones=zones, names=names, types=COMPLAINT_TYPES, languages=LANGUAGES,
            outcomes=OUTCOMES, next_url=next_url, first_url=url_for(".inbox_page", **args),
            csv_url=url_for(".inbox_csv", **args), first_page=asked.after is None,
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    @blueprint.get("/inbox/<event_id>")
    @access.roles(*FEEDBACK_READERS)
    def item(event_id: str) -> Response:
        return item_page(event_id)

    @blueprint.post("/inbox/<event_id>/actions")
    @access.roles(Role.SHO)
    def action_form(event_id: str) -> BaseResponse:
        gate = current_gate()
        text, taken_on = request.form.get("text", "")[:4000], request.form.get("taken_on", "")
        try:
            inbox_usecases.record_action(store, gate.require(), event_id, text, taken_on[:20],
                                         today_in_india(), gate.audit)  # fmt: skip
        except UnknownFeedback:
            raise NotFound("no such feedback in your inbox") from None
        except InvalidInput as invalid:
            return item_page(event_id, 422, action_error=str(invalid), text=text,
                             taken_on=taken_on[:20])  # fmt: skip
        return redirect(url_for(".item", event_id=event_id) + "#actions", 303)

    @blueprint.post("/inbox/<event_id>/callbacks")
    @access.roles(Role.FEEDBACK_CELL)
    def callback_form(event_id: str) -> BaseResponse:
        gate = current_gate()
        outcome, note = request.form.get("outcome", "")[:40], request.form.get("note", "")[:4000]
        try:
            inbox_usecases.record_callback(store, deps.identities, gate.require(), event_id,
                                           outcome, note, gate.audit)  # fmt: skip
        except UnknownFeedback:
            raise NotFound("no such feedback in your inbox") from None
        except InvalidInput as invalid:
            return item_page(event_id, 422, callback_error=str(invalid), outcome=outcome,
                             note=note)  # fmt: skip
        return redirect(url_for(".item", event_id=event_id) + "#callbacks", 303)

    @blueprint.post("/alerts/<alert_id>/actions")
    @access.roles(Role.SHO)
    def alert_action_form(alert_id: str) -> BaseResponse:
        gate = current_gate()
        text, taken_on = request.form.get("text", "")[:4000], request.form.get("taken_on", "")
        try:
            row = inbox_usecases.record_alert_action(
                store, deps, gate.require(), alert_id, text, taken_on[:20], today_in_india(),
                gate.audit,
            )  # fmt: skip
        except UnknownAlert:
            raise NotFound("no such alert at your station") from None
        except InvalidInput as invalid:
            alert = inbox_usecases.visible_alert(store, deps, gate.require(), alert_id)
            alert = inbox_usecases.in_india([alert], "raised_at")[0]
            html = render_template(
                "alert_action.html", alert=alert, error=str(invalid), text=text,
                taken_on=taken_on[:20], today=today_in_india(), action_max=ACTION_MAX,
            )  # fmt: skip
            return Response(html, status=422, mimetype="text/html")
        return redirect(url_for("pages.station_page", code=row["station_code"]) + "#alerts", 303)

    # -- the API ---------------------------------------------------------------------------

    @blueprint.get("/api/v1/inbox")
    @access.roles(*FEEDBACK_READERS)
    def inbox_api() -> Response:
        _, scoped = _chosen(deps)
        page = inbox_usecases.inbox_page(store, scoped)
        return jsonify(items=[as_json(i) for i in page.items], next_after=page.next_after)

    @blueprint.get("/api/v1/inbox/<event_id>")
    @access.roles(*FEEDBACK_READERS)
    def item_api(event_id: str) -> Response:
        try:
            found = inbox_usecases.feedback_item(store, current_gate().require(), event_id)
        except UnknownFeedback:
            raise NotFound("no such feedback in your inbox") from None
        body = {k: v for k, v in as_json(found).items()
                if k not in ("actions", "callback_outcome")}  # fmt: skip
        body["actions"] = [_action_json(a) for a in found["actions"]]
        body["callbacks"] = [_callback_json(c) for c in found["callbacks"]]
        return jsonify(body)

    def _refused(invalid: InvalidInput) -> tuple[Response, int]:
        return jsonify(errors={invalid.field: [str(invalid)]}), 422

    @blueprint.post("/api/v1/inbox/<event_id>/actions")
    @access.roles(Role.SHO)
    def action_api(event_id: str) -> tuple[Response, int]:
        gate, body = current_gate(), _json_body()
        try:
            row = inbox_usecases.record_action(
                store, gate.require(), event_id, body.get("text", ""),
                body.get("taken_on", ""), today_in_india(), gate.audit,
            )  # fmt: skip
        except UnknownFeedback:
            raise NotFound("no such feedback in your inbox") from None
        except InvalidInput as invalid:
            return _refused(invalid)
        return jsonify(_action_json(row)), 201

    @blueprint.post("/api/v1/inbox/<event_id>/callbacks")
    @access.roles(Role.FEEDBACK_CELL)
    def callback_api(event_id: str) -> tuple[Response, int]:
        gate, body = current_gate(), _json_body()
        try:
            row = inbox_usecases.record_callback(
                store, deps.identities, gate.require(), event_id, body.get("outcome", ""),
                body.get("note", ""), gate.audit,
            )  # fmt: skip
        except UnknownFeedback:
            raise NotFound("no such feedback in your inbox") from None
        except InvalidInput as invalid:
            return _refused(invalid)
        return jsonify(_callback_json(row)), 201

    @blueprint.post("/api/v1/alerts/<alert_id>/actions")
    @access.roles(Role.SHO)
    def alert_action_api(alert_id: str) -> tuple[Response, int]:
        gate, body = current_gate(), _json_body()
        try:
            row = inbox_usecases.record_alert_action(
                store, deps, gate.require(), alert_id, body.get("text", ""),
                body.get("taken_on", ""), today_in_india(), gate.audit,
            )  # fmt: skip
        except UnknownAlert:
            raise NotFound("no such alert at your station") from None
        except InvalidInput as invalid:
            return _refused(invalid)
        return jsonify(_action_json(row)), 201

    # -- exports ---------------------------------------------------------------------------

    @blueprint.get("/inbox.csv")
    @access.roles(*FEEDBACK_READERS)
    def inbox_csv() -> Response:
        _, scoped = _chosen(deps)
        rows = inbox_usecases.every_row(store, scoped)
        name = f"pratikriya-inbox-{today_in_india().strftime(_DAY)}.csv"
        return _csv_response(name, _csv(CSV_COLUMNS, rows))

    @blueprint.get("/rankings.csv")
    @access.roles(*FEEDBACK_READERS)
    def rankings_csv() -> Response:
        viewer = current_gate().require()
        window = window_arg()
        zone = scoped_zone(deps, viewer, request.args.get("zone"))
        items = ranking_items(deps, window, zone, viewer)
        name = f"pratikriya-rankings-{window}-{today_in_india().strftime(_DAY)}.csv"
        return _csv_response(name, _csv(RANKING_COLUMNS, items))

    return blueprint
