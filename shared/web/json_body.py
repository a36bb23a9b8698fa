"""Request bodies as JSON, with the limits every service needs, in Flask's JSON provider so
that every ``request.get_json()`` of every service gets them.

Python's parser recurses once per nesting level: ten thousand nested arrays raise
RecursionError (a 500), so the nesting is measured before parsing. It also accepts lone
surrogates (``"\\ud800"``), which no UTF-8 encoder (Kafka's bytes, psycopg2) can write
later, and NUL characters, which PostgreSQL's text cannot hold: both are refused after
parsing. ``NaN`` and ``Infinity`` are not JSON and are refused as a syntax error.

Refusals of the limits are BadRequest (400) whether or not the view asked ``silent=True``:
the message says which limit. Bodies that are not JSON at all keep ``get_json``'s meaning
(None when silent, 400 otherwise).
"""

from __future__ import annotations

import re
from typing import Any

from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

MAX_DEPTH = 32  # our bodies are flat objects; a form's answers nest one level
# An escape (so an escaped quote does not end a string), a quote, or a bracket.
_TOKENS = re.compile(r'\\.|["\[\]{}]', re.DOTALL)


class UnsafeJSON(BadRequest):
    """A JSON body over a limit (nesting, lone surrogate, NUL)."""


def nesting_depth(text: str, limit: int = MAX_DEPTH) -> int:
    """How deep arrays and objects nest in ``text``, counted without parsing; UnsafeJSON as
    soon as it passes ``limit``. Brackets inside strings do not count."""
    depth = deepest = 0
    in_string = False
    for token in _TOKENS.finditer(text):
        mark = token.group()
        if mark == '"':
            in_string = not in_string
        elif in_string or mark[0] == "\\":
            continue
        elif mark in "[{":
            depth += 1
            if depth > limit:
                raise UnsafeJSON(f"JSON nested deeper than {limit} levels is refused")
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_strings(value: Any) -> None:
    """UnsafeJSON when a key or string anywhere in ``value`` holds a lone surrogate or NUL."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise UnsafeJSON("JSON text with a NUL character is refused")
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise UnsafeJSON("JSON text with a lone surrogate (\\ud800) is refused") from None
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only UTF-8, nested at most MAX_DEPTH, without lone surrogates,
    NUL characters, NaN or Infinity; writing Hindi as it is (not as ``\\u`` escapes)."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode("utf-8") if isinstance(s, bytes | bytearray) else s
        nesting_depth(text)
        kwargs.setdefault("parse_constant", _no_constant)
        value = super().loads(text, **kwargs)
        check_strings(value)
        return value
