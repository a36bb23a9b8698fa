"""The IT cell's pages for people and programs (role ``admin``): police accounts (add one,
disable or enable it, reset its password) and API tokens (add one, revoke it).

Each goes through ``shared.auth.accounts``' use cases, the same as ``./pratikriya accounts``
and ``./pratikriya tokens``, with the signed-in admin as the actor, so each is in the audit
log. A new account's one-time password, a reset's, and a new token are shown on the answer
to the form that made them and never again: only their hashes are kept."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, url_for
from werkzeug.exceptions import NotFound as PageNotFound
from werkzeug.wrappers import Response as BaseResponse

from services.qr import usecases
from services.qr.entrypoints import forms
from services.qr.entrypoints import registry_changes as changes
from shared.auth import Role, access, current_gate
from shared.auth import accounts as auth
from shared.auth.accounts import USERNAME, Actor
from shared.auth.gate import client_ip
from shared.auth.records import Account, NotFound
from shared.auth.roles import ROLE_TITLES, ZONE_ROLES, ScopeError
from shared.clock import utc_now

people = Blueprint("people", __name__, url_prefix="/admin")
admin_only = access.roles(Role.ADMIN)
MAX_ID = 2**63 - 1  # PostgreSQL's bigint
NEEDS_STATION = "SHO के लिए थाना चुनें · An SHO account needs a station."
NEEDS_ZONE = "DCP या ACP के लिए ज़ोन चुनें · A DCP or ACP account needs a zone."


def _actor() -> Actor:
    return Actor.of(current_gate().require(), client_ip())


def _store() -> Any:
    return current_gate().store


def _scope() -> tuple[Role, dict[str, str | None]]:
    """The role chosen on the form and the one scope it takes (the station of an SHO, the
    zone of a DCP or ACP; whatever else was chosen is not used). ScopeError names what is
    missing."""
    try:
        role = Role(forms.text("role"))
    except ValueError:
        raise ScopeError("भूमिका चुनें · Choose a role.") from None
    station, zone = forms.text("station").strip() or None, forms.text("zone").strip() or None
    if role is Role.SHO:
        if not station:
            raise ScopeError(NEEDS_STATION)
        return role, {"station_code": station, "zone": None}
    if role in ZONE_ROLES:
        if not zone:
            raise ScopeError(NEEDS_ZONE)
        return role, {"station_code": None, "zone": zone}
    return role, {"station_code": None, "zone": None}


def _choices() -> dict[str, Any]:
    deps = changes.deps()
    return {
        "roles": ROLE_TITLES, "stations": usecases.list_stations(deps),
        "zones": usecases.list_zones(deps),
    }  # fmt: skip


def _state(account: Account) -> str:
    if account.disabled:
        return "disabled"
    if account.locked_until is not None and account.locked_until > utc_now():
        return "locked"
    return "active"


def _accounts_page(status: int = 200, **context: Any) -> Response:
    listed = [(a, _state(a)) for a in _store().accounts()]
    return forms.page(
        "admin/accounts.html", status, accounts=listed, form=context.pop("form", {}),
        me=current_gate().require().name, **_choices(), **context,
    )  # fmt: skip


@people.get("/accounts")
@admin_only
def accounts() -> Response:
    return _accounts_page()


@people.post("/accounts")
@admin_only
def add_account() -> Response:
    typed = forms.texts(("username", "role", "station", "zone", "display_name"))
    try:
        role, scope = _scope()
        account, password = auth.add_account(
            _store(), _actor(), typed["username"], role, display_name=typed["display_name"],
            **scope,
        )  # fmt: skip
    except ValueError as refused:  # a bad username or scope, a taken one, an unknown station
        return _accounts_page(422, form=typed, problem=f"खाता नहीं बना · Not created: {refused}")
    return _accounts_page(201, shown={"account": account, "password": password})


def _account_or_404(username: str) -> Account:
    found = _store().account_by_username(username) if USERNAME.fullmatch(username) else None
    if found is None:
        raise PageNotFound(f"no account {username!r}")
    return found


def _not_yourself(account: Account, what: str) -> Response | None:
    if account.username != current_gate().require().name:
        return None
    return _accounts_page(422, problem=what)


@people.post("/accounts/<username>/disable")
@admin_only
def disable(username: str) -> Response | BaseResponse:
    account = _account_or_404(username)
    refused = _not_yourself(
        account, "अपना खाता बंद नहीं कर सकते · You cannot disable your own account."
    )
    if refused is not None:
        return refused
    auth.set_disabled(_store(), _actor(), account.username, True)
    return redirect(url_for("people.accounts", done="disabled"), 303)


@people.post("/accounts/<username>/enable")
@admin_only
def enable(username: str) -> BaseResponse:
    account = _account_or_404(username)
    auth.set_disabled(_store(), _actor(), account.username, False)
    return redirect(url_for("people.accounts", done="enabled"), 303)


@people.post("/accounts/<username>/reset")
@admin_only
def reset(username: str) -> Response:
    account = _account_or_404(username)
    refused = _not_yourself(
        account, "अपना पासवर्ड 'पासवर्ड' पृष्ठ पर बदलें · Change your own password on the"
        " Password page.",
    )  # fmt: skip
    if refused is not None:
        return refused
    password = auth.reset_password(_store(), _actor(), account.username)
    return _accounts_page(shown={"account": account, "password": password, "reset": True})


def _tokens_page(status: int = 200, **context: Any) -> Response:
    return forms.page(
        "admin/tokens.html", status, tokens=list(reversed(_store().tokens())),
        form=context.pop("form", {}), **_choices(), **context,
    )  # fmt: skip


@people.get("/tokens")
@admin_only
def tokens() -> Response:
    return _tokens_page()


@people.post("/tokens")
@admin_only
def add_token() -> Response:
    typed = forms.texts(("label", "role", "station", "zone"))
    try:
        role, scope = _scope()
        record, token = auth.add_token(_store(), _actor(), role, label=typed["label"], **scope)
    except ValueError as refused:  # a bad scope or label, an unknown station or zone
        return _tokens_page(422, form=typed, problem=f"टोकन नहीं बना · Not created: {refused}")
    return _tokens_page(201, shown={"record": record, "token": token})


@people.post("/tokens/<int:token_id>/revoke")
@admin_only
def revoke(token_id: int) -> BaseResponse:
    try:
        if token_id > MAX_ID:
            raise NotFound(token_id)
        auth.revoke_token(_store(), _actor(), token_id)
    except NotFound:
        raise PageNotFound(f"no live token {token_id}") from None
    return redirect(url_for("people.tokens", done="revoked"), 303)
