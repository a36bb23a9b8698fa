"""The gate in front of every police route: sign-in, sessions, roles, CSRF and tokens,
over the in-memory store (no sockets)."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Blueprint, Response
from prometheus_client import Counter

from shared.auth import AuthPolicy, Role, access
from shared.auth import accounts as usecases
from shared.auth.accounts import Actor
from shared.auth.gate import LOGIN_COOKIE, SESSION_COOKIE, current_gate
from shared.web import make_app
from tests.auth_fake import bearer, memory_gate, token_for

REQUESTS = Counter(f"gate_test_{uuid.uuid4().hex[:8]}_requests", "test", ["endpoint", "status"])
STRONG = "a-long-new-passphrase-42"


def build(policy: AuthPolicy | None = None):
    gate = memory_gate(policy)
    app = make_app(__name__, requests=REQUESTS, readiness=lambda: {"db": True}, gate=gate)
    routes = Blueprint("routes", __name__)

    @routes.get("/stations/<code>")
    @access.roles(Role.COMMISSIONER, Role.SHO, Role.DCP)
    def station(code: str) -> Response:
        current_gate().require_station(code, "East" if code.startswith("E") else "West")
        return Response(f"<p>{code}</p><form>{current_gate().csrf_field()}</form>",
                        mimetype="text/html")  # fmt: skip

    @routes.post("/stations/<code>/note")
    @access.roles(Role.COMMISSIONER)
    def note(code: str) -> Response:
        return Response("noted")

    @routes.get("/undeclared")
    def undeclared() -> Response:
        return Response("should never be served")

    app.register_blueprint(routes)
    return app, gate


def add(gate, username, role, **scope):
    _account, password = usecases.add_account(gate.store, Actor.cli(), username, role, **scope)
    return password


def sign_in(client, username, password, next_=""):
    page = client.get("/login")
    nonce = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))[1]
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": nonce,
                        "next": next_},
    )  # fmt: skip


def signed_in(app, gate, username, role, **scope):
    """A client signed in with a password already changed."""
    client = app.test_client()
    first = add(gate, username, role, **scope)
    answer = sign_in(client, username, first)
    assert answer.status_code == 303 and "/account/password" in answer.location
    form = client.get("/account/password").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    changed = client.post("/account/password", data={
        "current_password": first, "new_password": STRONG, "again": STRONG, "csrf_token": csrf,
    })  # fmt: skip
    assert changed.status_code == 303, changed.get_data(as_text=True)
    return client, csrf


def test_a_page_without_a_sign_in_sends_the_browser_to_the_login_page():
    app, _ = build()
    answer = app.test_client().get("/stations/E1")
    assert answer.status_code == 303
    assert answer.location.startswith("/login?next=/stations/E1")


def test_an_api_call_without_credentials_is_401_with_a_bearer_challenge():
    app, _ = build()
    answer = app.test_client().get("/stations/E1", headers={"Accept": "application/json"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_route_without_an_access_rule_is_refused_even_to_the_commissioner():
    app, gate = build()
    assert app.test_client().get("/undeclared").status_code == 403
    token = token_for(gate, Role.COMMISSIONER)
    assert app.test_client().get("/undeclared", headers=bearer(token)).status_code == 403


def test_first_sign_in_must_set_a_new_password_then_lands_on_the_page_asked_for():
    app, gate = build()
    client, _ = signed_in(app, gate, "sho.sadar", Role.SHO, station_code="E1")
    assert client.get("/stations/E1").status_code == 200


def test_the_session_cookie_is_httponly_secure_and_samesite():
    app, gate = build(AuthPolicy(cookie_secure=True))
    client = app.test_client()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    answer = sign_in(client, "cp.office", password)
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith(SESSION_COOKIE))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_an_sho_sees_their_station_and_is_refused_another():
    app, gate = build()
    client, _ = signed_in(app, gate, "sho.east", Role.SHO, station_code="E1")
    assert client.get("/stations/E1").status_code == 200
    assert client.get("/stations/E2").status_code == 403


def test_a_dcp_sees_their_zone_only():
    app, gate = build()
    client, _ = signed_in(app, gate, "dcp.west", Role.DCP, zone="West")
    assert client.get("/stations/W7").status_code == 200
    assert client.get("/stations/E1").status_code == 403


def test_a_role_the_route_does_not_name_is_403():
    app, gate = build()
    client, _ = signed_in(app, gate, "it.cell", Role.ADMIN)
    assert client.get("/stations/E1").status_code == 403


def test_a_form_post_without_the_csrf_token_is_refused_and_with_it_accepted():
    app, gate = build()
    client, csrf = signed_in(app, gate, "cp.office", Role.COMMISSIONER)
    assert client.post("/stations/E1/note").status_code == 403
    assert client.post("/stations/E1/note", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/stations/E1/note", data={"csrf_token": csrf}).status_code == 200


def test_the_login_form_needs_its_own_nonce():
    app, gate = build()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    client = app.test_client()
    answer = client.post("/login", data={"username": "cp.office", "password": password})
    assert answer.status_code == 403
    assert client.get_cookie(SESSION_COOKIE) is None
    assert client.get("/login").status_code == 200
    assert client.get_cookie(LOGIN_COOKIE, path="/login") is not None


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one():
    app, gate = build()
    password = add(gate, "sho.east", Role.SHO, station_code="E1")
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "sho.east", "wrong-password-000").status_code == 401
    locked = sign_in(client, "sho.east", password)
    assert locked.status_code == 429
    assert "locked" in locked.get_data(as_text=True)
    failures = [r.entry for r in gate.store.audit_log if r.entry.action == "login.failed"]
    assert len(failures) == 6 and all(e.target == "sho.east" for e in failures)


def test_many_failures_from_one_address_pause_it_whatever_the_username():
    app, gate = build(AuthPolicy(cookie_secure=False, ip_max_failures=3))
    password = add(gate, "cp.office", Role.COMMISSIONER)
    client = app.test_client()
    for name in ("a.one", "b.two", "c.three"):
        assert sign_in(client, name, "nothing-of-the-sort").status_code == 401
    paused = sign_in(client, "cp.office", password)
    assert paused.status_code == 429 and paused.headers["Retry-After"]


def test_sign_out_ends_the_session_on_the_server():
    app, gate = build()
    client, csrf = signed_in(app, gate, "cp.office", Role.COMMISSIONER)
    stolen = client.get_cookie(SESSION_COOKIE).value
    assert client.post("/logout", data={"csrf_token": csrf}).status_code == 303
    other = app.test_client()
    other.set_cookie(SESSION_COOKIE, stolen)
    assert other.get("/stations/E1").status_code == 303  # back to the login page


def test_an_idle_session_expires():
    app, gate = build(AuthPolicy(cookie_secure=False, idle_timeout_s=0))
    client = app.test_client()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    sign_in(client, "cp.office", password)
    assert client.get("/account/password").status_code == 303


def test_disabling_an_account_ends_its_sessions_at_once():
    app, gate = build()
    client, _ = signed_in(app, gate, "cp.office", Role.COMMISSIONER)
    usecases.set_disabled(gate.store, Actor.cli(), "cp.office", True)
    assert client.get("/stations/E1").status_code == 303


def test_a_token_carries_its_roles_scope_and_stops_working_once_revoked():
    app, gate = build()
    record, token = usecases.add_token(gate.store, Actor.cli(), Role.SHO, station_code="E1")
    client = app.test_client()
    assert client.get("/stations/E1", headers=bearer(token)).status_code == 200
    assert client.get("/stations/E2", headers=bearer(token)).status_code == 403
    usecases.revoke_token(gate.store, Actor.cli(), record.id)
    assert client.get("/stations/E1", headers=bearer(token)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer prk_é", "Basic abc", "Bearer ", "Bearer prk_" + "x" * 500, "bearer\x00"]
)
def test_a_malformed_authorization_header_is_401_never_500(header):
    app, _ = build()
    answer = app.test_client().get("/stations/E1", headers={"Authorization": header})
    assert answer.status_code == 401


def test_metrics_answer_loopback_and_ops_tokens_but_not_other_addresses():
    app, gate = build()
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    client = app.test_client()
    assert client.get("/metrics").status_code == 200
    assert client.get("/metrics", environ_base=outside).status_code == 401
    ops = bearer(token_for(gate, Role.OPS))
    sho = bearer(token_for(gate, Role.SHO, station_code="E1"))
    assert client.get("/metrics", environ_base=outside, headers=ops).status_code == 200
    assert client.get("/metrics", environ_base=outside, headers=sho).status_code == 403
    assert client.get("/healthz", environ_base=outside).status_code == 200


def test_next_never_leads_off_the_site():
    app, gate = build()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    usecases.reset_password  # noqa: B018 - the same flow as any account
    client = app.test_client()
    answer = sign_in(client, "cp.office", password, next_="//evil.example/")
    assert "evil" not in answer.location


def test_a_mistyped_username_is_not_kept_in_the_audit_log():
    app, gate = build()
    client = app.test_client()
    assert sign_in(client, "my-secret-password-1", "whatever-it-is").status_code == 401
    failed = [r.entry for r in gate.store.audit_log if r.entry.action == "login.failed"]
    assert failed and failed[-1].reason == "unknown username"
    assert all("my-secret" not in (e.target + e.actor_name) for e in failed)


def test_a_request_forwarded_by_a_proxy_on_this_machine_is_not_loopback():
    app, _ = build()
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    assert app.test_client().get("/metrics", headers=forwarded).status_code == 401
