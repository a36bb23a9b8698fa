"""More of the gate, over the in-memory store: the password change and its rules, resets,
where ``next`` may lead, slowing down guessers, monitors' tokens and proxies."""

from __future__ import annotations

import re

import pytest

from shared.auth import AuthPolicy, Role
from shared.auth import accounts as usecases
from shared.auth.accounts import Actor
from shared.auth.gate import LOGIN_COOKIE, SESSION_COOKIE, safe_next
from tests.auth_fake import bearer, token_for
from tests.unit.test_auth_gate import STRONG, add, build, sign_in, signed_in

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def csrf_of(client, path="/account/password"):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))[
        1
    ]


def change(client, current, new, again=None, csrf=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "again": new if again is None else again,
        "csrf_token": csrf or csrf_of(client),
    })  # fmt: skip


def alert(answer) -> str:
    """The refusal the page shows, checked to be in Hindi with the English beside it."""
    found = re.search(
        r'<p class="auth-error" role="alert">(.*?)</p>', answer.get_data(as_text=True)
    )
    assert found, "no refusal on the page"
    text = found[1]
    assert re.search("[\u0900-\u097f]", text.split('<span lang="en">')[0]), text
    return text


def first_sign_in(app, gate, username, role=Role.COMMISSIONER, **scope):
    client = app.test_client()
    password = add(gate, username, role, **scope)
    assert sign_in(client, username, password).status_code == 303
    return client, password


@pytest.mark.parametrize(
    ("new", "again", "says"),
    [
        ("short-1", None, "at least 12 characters"),
        ("cp.office-is-my-name", None, "cannot contain the username"),
        ("aaaaaaaaaaaaaaaa", None, "more than a few different characters"),
        ("x" * 201, None, "at most 200 characters"),
        (STRONG, STRONG + "!", "the two new passwords differ"),
    ],
)
def test_a_new_password_that_breaks_a_rule_is_refused_with_the_reason(new, again, says):
    app, gate = build()
    client, first = first_sign_in(app, gate, "cp.office")
    answer = change(client, first, new, again)
    assert answer.status_code == 422
    assert says in alert(answer)
    assert client.get("/stations/E1").status_code == 303  # still must change it


def test_the_new_password_must_differ_from_the_one_time_password():
    app, gate = build()
    client, first = first_sign_in(app, gate, "cp.office")
    again = change(client, first, first)
    assert again.status_code == 422 and "must differ" in alert(again)


def test_until_the_one_time_password_is_changed_every_page_leads_to_the_change():
    app, gate = build()
    client, first = first_sign_in(app, gate, "cp.office")
    page = client.get("/stations/E1?tab=week")
    assert page.status_code == 303 and page.location.startswith("/account/password?next=")
    api = client.get("/stations/E1", headers={"Accept": "application/json"})
    assert api.status_code == 403 and "new password" in api.get_json()["error"]
    done = client.post("/account/password", data={
        "current_password": first, "new_password": STRONG, "again": STRONG,
        "csrf_token": csrf_of(client), "next": "/stations/E1?tab=week",
    })  # fmt: skip
    assert done.status_code == 303 and done.location == "/stations/E1?tab=week"
    assert client.get("/stations/E1").status_code == 200


def test_a_wrong_current_password_is_refused_and_counts_towards_the_lock():
    app, gate = build()
    client, first = first_sign_in(app, gate, "cp.office")
    for _ in range(5):
        answer = change(client, "not-the-password-9", STRONG)
        assert answer.status_code == 422 and "not right" in alert(answer)
    locked = change(client, first, STRONG)
    assert locked.status_code == 422 and "locked" in alert(locked)
    assert sign_in(app.test_client(), "cp.office", first).status_code == 429
    reasons = [r.entry.reason for r in gate.store.audit_log if r.entry.action == "login.failed"]
    assert reasons.count("wrong current password") == 5


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one():
    app, gate = build()
    client, csrf = signed_in(app, gate, "cp.office", Role.COMMISSIONER)
    laptop = app.test_client()
    assert sign_in(laptop, "cp.office", STRONG).status_code == 303
    assert laptop.get("/stations/E1").status_code == 200
    newer = STRONG + "-b"
    assert change(client, STRONG, newer, csrf=csrf).status_code == 303
    assert client.get("/stations/E1").status_code == 200
    assert laptop.get("/stations/E1").status_code == 303
    assert sign_in(app.test_client(), "cp.office", STRONG).status_code == 401


def test_a_reset_ends_every_session_and_the_new_one_time_password_must_be_changed():
    app, gate = build()
    client, _ = signed_in(app, gate, "sho.east", Role.SHO, station_code="E1")
    password = usecases.reset_password(gate.store, Actor.cli(), "sho.east")
    assert client.get("/stations/E1").status_code == 303
    assert sign_in(app.test_client(), "sho.east", STRONG).status_code == 401
    fresh = app.test_client()
    answer = sign_in(fresh, "sho.east", password, next_="/stations/E1")
    assert answer.location == "/account/password?next=/stations/E1"


def test_a_reset_lifts_a_lock():
    app, gate = build()
    add(gate, "sho.east", Role.SHO, station_code="E1")
    client = app.test_client()
    for _ in range(5):
        sign_in(client, "sho.east", "wrong-password-000")
    password = usecases.reset_password(gate.store, Actor.cli(), "sho.east")
    assert sign_in(client, "sho.east", password).status_code == 303


@pytest.mark.parametrize(
    "target",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil.example",
     "/ok\r\nSet-Cookie: x=y", "javascript:alert(1)", "evil.example", "", None,
     "/\t/evil.example", "///evil.example"],
)  # fmt: skip
def test_next_is_refused_unless_it_is_a_path_on_this_host(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/stations/GGN-SADAR?window=7d", "/alerts#open"])
def test_next_keeps_a_path_on_this_host(target):
    assert safe_next(target) == target


def test_the_login_page_says_when_to_come_back_when_the_account_is_locked():
    app, gate = build(AuthPolicy(cookie_secure=False, lock_for_s=600))
    add(gate, "sho.east", Role.SHO, station_code="E1")
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "sho.east", "wrong-password-000").status_code == 401
    locked = sign_in(client, "sho.east", "wrong-password-000")
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "600"
    assert "locked" in alert(locked)
    assert locked.mimetype == "text/html" and 'id="username"' in locked.get_data(as_text=True)


def test_the_address_pause_refuses_even_the_right_password_and_says_when_to_retry():
    app, gate = build(AuthPolicy(cookie_secure=False, ip_max_failures=2, ip_window_s=300))
    password = add(gate, "cp.office", Role.COMMISSIONER)
    client = app.test_client()
    for name in ("a.one", "b.two"):
        assert sign_in(client, name, "nothing-of-the-sort").status_code == 401
    paused = sign_in(client, "cp.office", password)
    assert paused.status_code == 429 and paused.headers["Retry-After"] == "300"
    assert "from this address" in alert(paused)
    assert client.get_cookie(SESSION_COOKIE) is None


def test_two_sign_in_pages_open_at_once_both_sign_in():
    app, gate = build()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    client = app.test_client()
    first = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    )[1]
    second = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    )[1]
    assert first == second
    answer = client.post("/login", data={"username": "cp.office", "password": password,
                                         "csrf_token": first})  # fmt: skip
    assert answer.status_code == 303


def test_signing_out_deletes_the_cookie_with_the_flags_it_was_set_with():
    app, gate = build(AuthPolicy(cookie_secure=True))
    client = app.test_client()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    sign_in(client, "cp.office", password)
    csrf = csrf_of(client)
    out = client.post("/logout", data={"csrf_token": csrf})
    cookie = next(h for h in out.headers.getlist("Set-Cookie") if h.startswith(SESSION_COOKIE))
    assert "Expires=Thu, 01 Jan 1970" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_the_login_nonce_cookie_is_for_the_login_path_strict_and_httponly():
    app, _ = build(AuthPolicy(cookie_secure=True))
    page = app.test_client().get("/login")
    cookie = next(h for h in page.headers.getlist("Set-Cookie") if h.startswith(LOGIN_COOKIE))
    assert "Path=/login" in cookie and "SameSite=Strict" in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie


def test_a_form_sent_with_the_csrf_header_instead_of_the_field_is_accepted():
    app, gate = build()
    client, csrf = signed_in(app, gate, "cp.office", Role.COMMISSIONER)
    assert client.post("/stations/E1/note", headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.post("/stations/E1/note", headers={"X-CSRF-Token": "x" * 43}).status_code == 403


def test_a_token_needs_no_csrf_token_because_a_browser_never_sends_it_by_itself():
    app, gate = build()
    token = token_for(gate, Role.COMMISSIONER)
    assert app.test_client().post("/stations/E1/note", headers=bearer(token)).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_metrics_from_another_address_answer_only_ops_and_admin_tokens(role):
    app, gate = build()
    scope = {"station_code": "E1"} if role is Role.SHO else {}
    scope = {"zone": "East"} if role in (Role.DCP, Role.ACP) else scope
    token = token_for(gate, role, **scope)
    answer = app.test_client().get("/metrics", environ_base=OUTSIDE, headers=bearer(token))
    assert answer.status_code == (200 if role in (Role.OPS, Role.ADMIN) else 403)
    readyz = app.test_client().get("/readyz", environ_base=OUTSIDE, headers=bearer(token))
    assert readyz.status_code == (200 if role in (Role.OPS, Role.ADMIN) else 403)


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client_s():
    app, gate = build(AuthPolicy(cookie_secure=False, trusted_proxies=1, ip_max_failures=2))
    client = app.test_client()
    through_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    # The proxy is on this machine, yet a client beyond it is not.
    assert client.get("/metrics", environ_base=through_proxy, headers=forwarded).status_code == 401
    assert client.get("/metrics", environ_base=through_proxy).status_code == 200
    password = add(gate, "cp.office", Role.COMMISSIONER)
    nonce = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/login").get_data(as_text=True))[1]  # fmt: skip
    statuses = [
        client.post("/login", environ_base=through_proxy, headers=forwarded,
                    data={"username": name, "password": "x" * 12, "csrf_token": nonce}).status_code
        for name in ("a.one", "b.two", "c.three")
    ]  # fmt: skip
    assert statuses == [401, 401, 429]
    # One guesser is paused; another officer behind the same proxy is not.
    other = {"X-Forwarded-For": "198.51.100.20"}
    sent = {"username": "cp.office", "password": password, "csrf_token": nonce}
    answer = client.post("/login", environ_base=through_proxy, headers=other, data=sent)
    assert answer.status_code == 303
    ips = {r.entry.ip for r in gate.store.audit_log if r.entry.action == "login.failed"}
    assert ips == {"203.0.113.9"}


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored():
    app, _ = build()
    spoofed = {"X-Forwarded-For": "127.0.0.1"}
    answer = app.test_client().get("/metrics", environ_base=OUTSIDE, headers=spoofed)
    assert answer.status_code == 401


def test_a_wrong_password_a_disabled_account_and_an_expired_form_are_said_in_both_languages():
    app, gate = build()
    password = add(gate, "cp.office", Role.COMMISSIONER)
    client = app.test_client()
    assert "not right" in alert(sign_in(client, "cp.office", "wrong-password-000"))
    assert "not right" in alert(sign_in(client, "no.such.person", "wrong-password-000"))
    usecases.set_disabled(gate.store, Actor.cli(), "cp.office", True)
    assert "disabled" in alert(sign_in(client, "cp.office", password))
    expired = client.post("/login", data={"username": "cp.office", "password": password,
                                          "csrf_token": "stale"})  # fmt: skip
    assert expired.status_code == 403 and "expired" in alert(expired)


def test_a_person_made_to_change_the_password_can_sign_out_instead():
    app, gate = build()
    client, _ = first_sign_in(app, gate, "cp.office")
    page = client.get("/account/password").get_data(as_text=True)
    assert 'action="/logout"' in page
    assert client.post("/logout", data={"csrf_token": csrf_of(client)}).status_code == 303
    assert client.get("/account/password").status_code == 303


@pytest.mark.parametrize(
    ("role", "scope", "start"),
    [
        (Role.COMMISSIONER, {}, "http://localhost:8003/"),
        (Role.DCP, {"zone": "East"}, "http://localhost:8003/?zone=East"),
        (Role.SHO, {"station_code": "E1"}, "http://localhost:8003/stations/E1"),
        (Role.ADMIN, {}, "http://localhost:8002/admin"),
        (Role.OPS, {}, "http://localhost:8005/ops"),
    ],
)
def test_a_sign_in_leads_to_the_start_page_of_the_role(role, scope, start):
    app, gate = build()
    client, _ = signed_in(app, gate, "someone", role, **scope)
    answer = sign_in(client, "someone", STRONG)
    assert answer.status_code == 303 and answer.location == start


@pytest.mark.parametrize("path", ["/login", "/account/password"])
def test_the_sign_in_and_password_forms_may_lead_to_the_other_services(path):
    # A form's answer that redirects to another origin is stopped by a CSP of form-action
    # 'self' (the start page is often another service's, on another port).
    app, gate = build()
    client, _ = signed_in(app, gate, "cp.office", Role.COMMISSIONER)
    policy = client.get(path).headers["Content-Security-Policy"]
    assert ("form-action 'self' http://localhost:8002 http://localhost:8003"
            " http://localhost:8004 http://localhost:8005;") in policy  # fmt: skip
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    other = client.get("/stations/E1").headers["Content-Security-Policy"]
    assert "form-action 'self';" in other


def test_signing_in_at_a_shared_desk_ends_the_previous_persons_session():
    app, gate = build()
    desk, _ = signed_in(app, gate, "sho.day", Role.SHO, station_code="E1")
    theirs = desk.get_cookie(SESSION_COOKIE).value
    signed_in_next = add(gate, "sho.night", Role.SHO, station_code="E1")
    assert sign_in(desk, "sho.night", signed_in_next).status_code == 303
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, theirs)
    assert copy.get("/stations/E1").status_code == 303
