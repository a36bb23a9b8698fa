"""Refusing request input that no route can use, before any view (or the gate) sees it.

A NUL byte cannot be stored in PostgreSQL's text, and no address, query or form field of
ours has a use for one: such a request is refused with 400 rather than failing deeper down
(a psycopg2 error is a 500). Paths and query strings carry no control character at all
(a newline there is an injection attempt, never a station code); form fields may hold
newlines and tabs (a comment has lines), so only NUL is refused there.
"""

from __future__ import annotations

import re

from flask import request
from werkzeug.exceptions import BadRequest

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def refuse_unusable_input() -> None:
    """A ``before_request`` hook: BadRequest for a control character in the path or the
    query string, or a NUL in a form field."""
    if _CONTROL.search(request.path):
        raise BadRequest("the address contains a control character")
    for name, values in request.args.lists():
        if _CONTROL.search(name) or any(_CONTROL.search(value) for value in values):
            raise BadRequest("the query string contains a control character")
    if request.mimetype in _FORM_TYPES:
        for name, values in request.form.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                raise BadRequest("a form field contains a NUL character")
