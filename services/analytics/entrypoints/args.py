"""The query arguments the read API and the pages share; a bad one is 400."""

from __future__ import annotations

from flask import abort, request

from services.analytics.domain import PUBLIC_WINDOWS
from shared.web import int_arg


def window_arg() -> str:
    window = request.args.get("window", "30d")
    if window not in PUBLIC_WINDOWS:
        abort(400, f"window must be one of {', '.join(PUBLIC_WINDOWS)}")
    return window


def days_arg() -> int:
    """``days``, 90 unless given: ASCII digits from 1 to 366 (not ``²``, not ``९०``)."""
    return int_arg("days", 90, 1, 366)
