"""Whole numbers from a request's text (query strings, form fields), in ASCII digits only.

``str.isdigit()`` is True for ``²`` and ``int("²")`` then fails (a 500); ``int()`` also
takes Devanagari or Arabic-Indic digits (``int("१२") == 12``), so a number in a URL would
have many spellings. Every number a route reads from text goes through here instead.
"""

from __future__ import annotations

import re
from typing import Any

from flask import abort, request
from marshmallow import fields

_DIGITS = re.compile(r"[0-9]{1,18}")
_SIGNED = re.compile(r"-?[0-9]{1,18}")


def whole_number(raw: str | None, low: int, high: int) -> int | None:
    """``raw`` as an int when it is ASCII digits from ``low`` to ``high``; None otherwise."""
    if raw is None or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


def int_arg(name: str, default: int, low: int, high: int, *, status: int = 400) -> int:
    """Query argument ``name`` as a whole number from ``low`` to ``high``, ``default`` when
    it is absent; ``status`` (400 unless the API says 422) with a message otherwise."""
    raw = request.args.get(name)
    if raw is None:
        return default
    value = whole_number(raw, low, high)
    if value is None:
        abort(status, f"{name} must be a whole number from {low} to {high}")
    return value


class AsciiInteger(fields.Integer):
    """marshmallow's Integer for text input (query strings): text must be ASCII digits,
    optionally signed; JSON numbers are taken as they are."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and not _SIGNED.fullmatch(value):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)
