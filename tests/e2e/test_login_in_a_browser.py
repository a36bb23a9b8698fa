"""One police sign-in for every service, in a real Chromium against every service as
``./pratikriya up`` runs them: an account made on the command line, its one-time password
changed at the first sign-in on one service, then the pages of the others open without
signing in again, and signing out on one ends it on all. Wrong passwords are told in Hindi
and English, and the fifth locks the account."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.police import store

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / ".data" / "test-screenshots"
NEW_PASSWORD = "meri-apni-chabi-2024"


@pytest.fixture(scope="module")
def urls(stack_config, infra, all_services) -> Iterator[dict[str, str]]:
    """Every service, here told that a proxy in front of them sets X-Forwarded-For (as
    deploy/nginx/pratikriya.conf does), so that each test's browser is a client of its own
    address and its failed sign-ins count against it alone."""
    from ops import services

    behind_proxy = {**infra, "AUTH_TRUSTED_PROXIES": "1"}
    for name in all_services:
        services.stop_service(stack_config, name)
        services.start_service(stack_config, name, behind_proxy)
    yield {name: f"http://127.0.0.1:{port}" for name, port in all_services.items()}
    for name in all_services:
        services.stop_service(stack_config, name)
        services.start_service(stack_config, name, infra)


@pytest.fixture
def address() -> str:
    return f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"


@pytest.fixture
def desk(browser, urls, address):
    """A desktop browser window, as an officer at a police station's computer has, reaching
    the services from an address of its own (through the proxy)."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="hi-IN",
        extra_http_headers={"X-Forwarded-For": address},
    )  # fmt: skip
    page = context.new_page()
    yield page
    context.close()


def new_account(role: str, *scope: str) -> tuple[str, str]:
    """(username, one-time password), made as the IT cell makes one."""
    username = f"t.browser.{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [sys.executable, "-m", "ops.cli", "accounts", "add", username, "--role", role, *scope],
        cwd=REPO, env=dict(os.environ), capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return username, done.stdout.strip().splitlines()[-1]


def submit_login(page, username: str, password: str) -> None:
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_one_sign_in_with_a_changed_password_opens_every_service_and_one_sign_out_ends_it(
    desk, urls
):
    username, first = new_account("ops")
    desk.goto(f"{urls['ops']}/login")
    assert desk.locator("h1").inner_text().startswith("साइन इन करें")
    shoot(desk, "auth-login.png")

    submit_login(desk, username, first)
    assert desk.url.startswith(f"{urls['ops']}/account/password")
    assert "पहले साइन इन पर अपना पासवर्ड चुनें" in desk.content()
    shoot(desk, "auth-password.png")

    # A new password with the username in it is refused, in both languages.
    desk.fill("#current_password", first)
    desk.fill("#new_password", f"{username}-12345")
    desk.fill("#again", f"{username}-12345")
    with desk.expect_navigation():
        desk.click("form[action='/account/password'] button[type=submit]")
    refusal = desk.locator(".auth-error").inner_text()
    assert "पासवर्ड में उपयोगकर्ता नाम नहीं हो सकता" in refusal
    assert "cannot contain the username" in refusal
    shoot(desk, "auth-password-refused.png")

    desk.fill("#current_password", first)
    desk.fill("#new_password", NEW_PASSWORD)
    desk.fill("#again", NEW_PASSWORD)
    with desk.expect_navigation():
        desk.click("form[action='/account/password'] button[type=submit]")
    assert desk.url == f"{urls['ops']}/ops"  # an ops person's start page

    # Every other service, each on its own port, knows the person without a sign-in.
    for name in ("intake", "qr", "analytics", "notifier"):
        desk.goto(f"{urls[name]}/account/password")
        assert desk.url == f"{urls[name]}/account/password", name
        assert username in desk.locator(".auth-note").first.inner_text()
        assert "पहले साइन इन पर" not in desk.content()  # the change is done, on every service
        assert desk.locator(".auth-out a").get_attribute("href") == f"{urls['ops']}/ops"

    desk.goto(f"{urls['qr']}/account/password")
    with desk.expect_navigation():
        desk.click(".auth-out button")
    assert desk.url == f"{urls['qr']}/login"
    for name in ("ops", "analytics", "notifier", "intake"):
        desk.goto(f"{urls[name]}/account/password")
        assert desk.url.startswith(f"{urls[name]}/login?next="), name


def test_the_changed_password_is_the_one_that_signs_in_afterwards(desk, urls):
    username, first = new_account("sho", "--station", "GGN-SADAR")
    desk.goto(f"{urls['analytics']}/login")
    submit_login(desk, username, first)
    desk.fill("#current_password", first)
    desk.fill("#new_password", NEW_PASSWORD)
    desk.fill("#again", NEW_PASSWORD)
    with desk.expect_navigation():
        desk.click("form[action='/account/password'] button[type=submit]")
    assert desk.url == f"{urls['analytics']}/stations/GGN-SADAR"  # an SHO's start page
    desk.context.clear_cookies()

    desk.goto(f"{urls['notifier']}/login")
    submit_login(desk, username, first)
    assert "उपयोगकर्ता नाम या पासवर्ड सही नहीं है" in desk.locator(".auth-error").inner_text()
    submit_login(desk, username, NEW_PASSWORD)
    assert desk.url == f"{urls['analytics']}/stations/GGN-SADAR"


def test_wrong_passwords_are_told_in_both_languages_and_the_fifth_locks_the_account(
    desk, urls, infra, address
):
    username, first = new_account("commissioner")
    desk.goto(f"{urls['analytics']}/login")
    submit_login(desk, username, "not-my-password-1")
    refusal = desk.locator(".auth-error")
    assert refusal.get_attribute("role") == "alert"
    assert refusal.inner_text().splitlines() == [
        "उपयोगकर्ता नाम या पासवर्ड सही नहीं है।",
        "the username or the password is not right",
    ]
    assert desk.input_value("#username") == username  # kept, so only the password is typed again
    shoot(desk, "auth-login-refused.png")

    for attempt in range(2, 6):
        submit_login(desk, username, f"not-my-password-{attempt}")
    with desk.expect_response(lambda r: r.request.method == "POST") as answer:
        submit_login(desk, username, first)
    assert answer.value.status == 429
    locked = desk.locator(".auth-error").inner_text()
    assert "यह खाता बंद कर दिया गया है" in locked and "this account is locked" in locked
    assert desk.url.startswith(f"{urls['analytics']}/login")
    shoot(desk, "auth-login-locked.png")
    failed = store(infra["DATABASE_URL"])
    try:
        mine = [r.entry for r in failed.audit_records(50, action="login.failed")
                if r.entry.target == username]  # fmt: skip
    finally:
        failed.pool.close()
    assert len(mine) == 6 and {e.ip for e in mine} == {address}
