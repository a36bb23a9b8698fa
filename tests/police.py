"""Police accounts and tokens for tests against the real database, and signing in to the
running services (a requests session, or a Chromium page)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import requests

from shared.auth import Role
from shared.auth import accounts as usecases
from shared.auth.accounts import Actor
from shared.auth.credentials import hash_password
from shared.auth.gate import SESSION_COOKIE
from shared.auth.postgres import PostgresAuthStore

PASSWORD = "correct-horse-battery-42"  # every test account's password, once set


@dataclass(frozen=True)
class Officer:
    username: str
    password: str
    role: Role
    station_code: str | None = None
    zone: str | None = None


def store(database_url: str) -> PostgresAuthStore:
    return PostgresAuthStore(database_url, application_name="tests")


def officer(database_url: str, role: Role, *, station_code: str | None = None,
            zone: str | None = None) -> Officer:  # fmt: skip
    """A new account with ``role`` whose password is already chosen (no first-sign-in
    change); a unique username."""
    auth = store(database_url)
    try:
        username = f"t.{role.value.replace('_', '')}.{uuid.uuid4().hex[:8]}"
        account, _ = usecases.add_account(
            auth, Actor.cli(), username, role, station_code=station_code, zone=zone
        )
        auth.set_password(account.id, hash_password(PASSWORD), must_change=False)
    finally:
        auth.pool.close()
    return Officer(username, PASSWORD, role, station_code, zone)


def token(database_url: str, role: Role, *, station_code: str | None = None,
          zone: str | None = None) -> str:  # fmt: skip
    auth = store(database_url)
    try:
        _, secret = usecases.add_token(
            auth, Actor.cli(), role, station_code=station_code, zone=zone, label="tests"
        )
    finally:
        auth.pool.close()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _nonce(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if not found:
        raise AssertionError("no csrf_token in the page")
    return found[1]


class PoliceSession(requests.Session):
    """A requests session signed in to the services on one host. The session cookie is
    Secure, which requests would not send over plain HTTP, so it is sent by hand; ``csrf``
    is the token to put in forms (``csrf_token``) or the ``X-CSRF-Token`` header."""

    csrf: str = ""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any):  # type: ignore[override]
        headers = dict(kwargs.pop("headers", None) or {})
        if self.session_id:
            headers.setdefault("Cookie", f"{SESSION_COOKIE}={self.session_id}")
        return super().request(method, url, *args, headers=headers, **kwargs)

    session_id: str = ""


def sign_in(base_url: str, who: Officer) -> PoliceSession:
    """A session signed in as ``who`` through ``base_url``'s /login (any service's)."""
    session = PoliceSession()
    page = requests.get(f"{base_url}/login", timeout=10)
    nonce = _nonce(page.text)
    login_cookie = page.headers["Set-Cookie"].split(";")[0]
    answer = requests.post(
        f"{base_url}/login",
        data={"username": who.username, "password": who.password, "csrf_token": nonce},
        headers={"Cookie": login_cookie}, allow_redirects=False, timeout=10,
    )  # fmt: skip
    if answer.status_code != 303:
        raise AssertionError(f"sign-in as {who.username} answered {answer.status_code}")
    cookie = answer.headers["Set-Cookie"]
    session.session_id = re.search(rf"{SESSION_COOKIE}=([^;]+)", cookie)[1]  # type: ignore[index]
    form = session.get(f"{base_url}/account/password", timeout=10)
    session.csrf = _nonce(form.text)
    return session


def sign_in_browser(page: Any, base_url: str, who: Officer, next_path: str = "/") -> None:
    """Sign a Playwright page in through the login form, as a person would."""
    page.goto(f"{base_url}/login?next={next_path}")
    page.fill("#username", who.username)
    page.fill("#password", who.password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
