"""The query arguments the read API and the pages share; a bad one is 400."""

from __future__ import annotations

from flask import abort, request

from services.analytics.domain import PUBLIC_WINDOWS


def window_arg() -> str:
    window = request.args.get("window", "30d")
    if window not in PUBLIC_WINDOWS:
        abort(400, f"window must be one of {', '.join(PUBLIC_WINDOWS)}")
    return window


def days_arg() -> int:
    raw = request.args.get("days", "90")
    if not raw.isdigit() or not 1 <= int(raw) <= 366:
        abort(400, "days must be a whole number from 1 to 366")
    return int(raw)
