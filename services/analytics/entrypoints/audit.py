"""The audit log for the Commissioner's office and the feedback cell: sign-ins, failed
sign-ins, every view of a visitor's identity and every admin change, newest first, a page
at a time, as a page (``/audit``) and as JSON (``/api/v1/audit``). Read through the gate's
store; the log itself is append-only and never holds a visitor's identity."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from werkzeug.exceptions import BadRequest

from shared.auth import Role, access, current_gate
from shared.auth.records import AuditRecord
from shared.india import INDIA

PAGE_SIZE = 100
_ID = re.compile(r"[0-9]{1,18}")
_ACTION = re.compile(r"[a-z_.]{1,60}")
# The filter's choices (an action, or the first part of several: "account" is every
# account.* line); (Hindi, English).
ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("साइन इन", "sign-ins"),
    "login.failed": ("विफल साइन इन", "failed sign-ins"),
    "identity.view": ("पहचान देखी गई", "identity views"),
    "feedback": ("प्रतिक्रिया पर कार्रवाई, वापस कॉल", "actions and call backs on feedback"),
    "alert": ("अलर्ट पर कार्रवाई", "actions on alerts"),
    "account": ("खाते", "accounts"),
    "token": ("टोकन", "tokens"),
    "station": ("थाने", "stations"),
    "zone": ("ज़ोन", "zones"),
    "officer": ("अधिकारियों के नाम", "officers' names"),
}
AUDIT_READERS = (Role.COMMISSIONER, Role.FEEDBACK_CELL)


def action_label(action: str) -> tuple[str, str] | None:
    """The (Hindi, English) words for an action: its own, or those of its first part."""
    return ACTIONS.get(action) or ACTIONS.get(action.split(".", 1)[0])


def _filters() -> tuple[int | None, str | None]:
    before, action = request.args.get("before", ""), request.args.get("action", "")
    if before and not _ID.fullmatch(before):
        raise BadRequest("before must be an entry's id (a whole number)")
    if action and not _ACTION.fullmatch(action):
        raise BadRequest("action must be an action's name, such as login or identity.view")
    return (int(before) if before else None), (action or None)


def _entries() -> tuple[list[AuditRecord], int | None, str | None]:
    """A page of entries, the id to ask ``before`` for the next one (None on the last
    page) and the action filtered by."""
    before, action = _filters()
    found = current_gate().store.audit_records(PAGE_SIZE + 1, before_id=before, action=action)
    page = found[:PAGE_SIZE]
    return page, (page[-1].id if len(found) > PAGE_SIZE else None), action


def _as_json(record: AuditRecord) -> dict[str, Any]:
    entry = record.entry
    return {
        "id": record.id, "at": record.at.isoformat(), "actor_kind": entry.actor_kind,
        "actor_name": entry.actor_name, "action": entry.action, "target": entry.target,
        "reason": entry.reason, "ip": entry.ip, "details": entry.details,
    }  # fmt: skip


def audit_blueprint() -> Blueprint:
    blueprint = Blueprint("audit", __name__)

    @blueprint.get("/audit")
    @access.roles(*AUDIT_READERS)
    def audit_page() -> Response:
        entries, next_before, action = _entries()
        rows = [{**_as_json(r), "when": r.at.astimezone(INDIA).strftime("%Y-%m-%d %H:%M:%S"),
                 "label": action_label(r.entry.action)} for r in entries]  # fmt: skip
        html = render_template(
            "audit.html", rows=rows, next_before=next_before, action=action, actions=ACTIONS,
            first_page=request.args.get("before") is None,
        )  # fmt: skip
        return Response(html, mimetype="text/html")

    @blueprint.get("/api/v1/audit")
    @access.roles(*AUDIT_READERS)
    def audit_api() -> Response:
        entries, next_before, _ = _entries()
        return jsonify(entries=[_as_json(r) for r in entries], next_before=next_before)

    return blueprint
