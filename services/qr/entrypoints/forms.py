"""What the IT cell's pages share: reading a posted form, turning a refusal into messages
beside the fields, the notice after a change, and rendering a page with its status.

A form that is refused comes back with what was typed (nothing is lost) and a 422; the
registry's or Kafka's outage comes back the same way with a 503."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from flask import Response, render_template, request
from marshmallow import ValidationError

from shared.india import INDIA

# The longest text a form field is read to: the schemas' limits are far below, so a longer
# value is refused by them with its message rather than shown back at any length.
FIELD_LIMIT = 1000

# After a change the page is fetched again (post, redirect, get) with ``?done=<key>``; only
# these keys show anything, so a crafted link cannot put words on the page.
NOTICES = {
    "saved": "बदलाव सहेजे गए · Changes saved.",
    "created": "थाना जोड़ा गया · Station added.",
    "rotated": "नया QR कोड जारी; पुराने पोस्टर अब काम नहीं करेंगे · New QR code issued; old posters"
    " no longer open the form.",
    "disabled": "खाता बंद किया गया; उसके सभी सत्र समाप्त · Account disabled; its sessions ended.",
    "enabled": "खाता फिर चालू · Account enabled.",
    "revoked": "टोकन रद्द; हर सेवा कुछ सेकंड में इसे अस्वीकार करेगी · Token revoked; every service"
    " refuses it within seconds.",
    "unchanged": "कुछ नहीं बदला · Nothing changed.",
}
INVALID = "कुछ खाने ठीक नहीं हैं · Some fields need correcting; see the messages below."


def text(name: str) -> str:
    return request.form.get(name, "")[:FIELD_LIMIT]


def texts(names: Iterable[str]) -> dict[str, str]:
    return {name: text(name) for name in names}


def checked(name: str) -> bool:
    """A checkbox: sent (with any value) when ticked, absent when not."""
    return name in request.form


def notice() -> str:
    return NOTICES.get(request.args.get("done", ""), "")


def field_errors(error: ValidationError) -> dict[str, str]:
    """marshmallow's messages as one sentence per field."""
    messages = error.messages if isinstance(error.messages, Mapping) else {"_": error.messages}
    return {str(name): _sentence(found) for name, found in messages.items()}


def _sentence(found: Any) -> str:
    if isinstance(found, Mapping):
        return " ".join(_sentence(v) for v in found.values())
    if isinstance(found, list | tuple):
        return " ".join(_sentence(v) for v in found)
    return str(found)


def page(template: str, status: int = 200, **context: Any) -> Response:
    context.setdefault("notice", notice())
    return Response(render_template(template, **context), status=status, mimetype="text/html")


def india_time(moment: datetime | str | None) -> str:
    """A time (or its ISO text) as the IT cell reads it: Indian time, to the minute; "–"
    for none."""
    if not moment:
        return "–"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.astimezone(INDIA).strftime("%d %b %Y, %H:%M")
