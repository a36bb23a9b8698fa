"""Who is asking: the admin token check, one piece for every route that needs it.

Changes need an admin token (``Authorization: Bearer <token>``). Reads without a token show
what any visitor could read off the wall; with one they include contacts. A token that is
presented must be live, even on a public read: a bad one is refused (401), not ignored.
(The police logins of the next issue replace this module.)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from services.qr import metrics, usecases
from services.qr.tokens import TokenInfo

View = TypeVar("View", bound=Callable[..., Any])


class Unauthorized(Exception):
    """No live admin token where one is needed (401)."""


def _presented_token() -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def caller() -> TokenInfo | None:
    """The caller's live admin token; None without one; Unauthorized for a bad one."""
    if "admin" not in g:
        presented = _presented_token()
        g.admin = None
        if presented is not None:
            g.admin = usecases.authenticate(current_app.extensions["qr"], presented)
            if g.admin is None:
                metrics.AUTH_FAILURES.inc()
                raise Unauthorized("this token is not valid (unknown or revoked)")
    return g.admin


def admin_only(view: View) -> View:
    """``view`` only for a caller with a live admin token; Unauthorized otherwise."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if caller() is None:
            metrics.AUTH_FAILURES.inc()
            raise Unauthorized("an admin token is needed (Authorization: Bearer <token>)")
        return view(*args, **kwargs)

    return cast(View, guarded)


def required_caller() -> TokenInfo:
    """The caller of an ``admin_only`` view."""
    found = caller()
    if found is None:  # admin_only let no such caller in
        raise Unauthorized("an admin token is needed")
    return found
