"""The IT cell (role ``admin``) at work in a real headless Chromium, on the running QR
service: a first sign-in with a one-time password (and the forced change), an SHO account
for GGN-SADAR made on the page, a station added and its SHO's contact edited (a wrong
number refused first), its code rotated, and a token made and revoked. Each page is
screenshotted at 1280 px wide (under .data/test-screenshots/qr) to be looked at."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import requests

from shared.auth import Role
from shared.auth import accounts as auth
from shared.auth.accounts import Actor
from tests.integration.qr.support import start_services
from tests.police import bearer, store
from tests.support import wait_until

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".data" / "test-screenshots" / "qr"
CHOSEN = "the-it-cell-chose-this-42"
IMAGE_WIDTH = """img => img.complete ? img.naturalWidth : new Promise(done => {
    img.onload = () => done(img.naturalWidth); img.onerror = () => done(0); })"""


@pytest.fixture(scope="session")
def running(stack_config, infra) -> dict[str, str]:
    return start_services(stack_config, infra)


@pytest.fixture
def desk(browser):
    """A desktop browser window of the IT cell."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN")
    yield context.new_page()
    context.close()


def first_admin(database_url: str) -> tuple[str, str]:
    """A new admin account as ``./pratikriya up`` makes the first one: (username, its
    one-time password)."""
    kept = store(database_url)
    try:
        username = f"it.e2e.{uuid.uuid4().hex[:6]}"
        _, password = auth.add_account(kept, Actor.cli(), username, Role.ADMIN)
    finally:
        kept.pool.close()
    return username, password


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, qr: str, username: str, password: str, next_path: str = "/admin") -> None:
    page.goto(f"{qr}/login?next={next_path}")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_the_it_cell_signs_in_makes_an_sho_edits_a_station_rotates_and_handles_a_token(
    running, infra, desk, browser
):
    qr, page = running["qr"], desk
    username, one_time = first_admin(infra["DATABASE_URL"])

    # The first sign-in must choose a new password before anything else.
    sign_in(page, qr, username, one_time)
    assert "/account/password" in page.url
    page.fill("#current_password", one_time)
    page.fill("#new_password", CHOSEN)
    page.fill("#again", CHOSEN)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{qr}/admin"
    assert page.locator(".police-bar").inner_text().startswith(username)
    assert page.locator("#zone-East").is_visible()
    shot(page, "1-registry")

    # An SHO account for Sadar; its one-time password is on the page, once.
    sho = f"sho.sadar.{uuid.uuid4().hex[:6]}"
    page.click("text=खाते · Accounts")
    page.fill("#username", sho)
    page.fill("#display_name", "Insp. Sadar (e2e)")
    page.select_option("#role", "sho")
    page.select_option("#station", "GGN-SADAR")
    page.click("form[action$='/admin/accounts'] button[type=submit]")
    sho_password = page.locator("#one-time-password").inner_text()
    assert page.locator("#shown-username").inner_text() == sho
    assert page.locator(f"[id='account-{sho}']").is_visible()
    shot(page, "2-accounts-one-time-password")
    page.goto(f"{qr}/admin/accounts")
    assert page.locator("#one-time-password").count() == 0
    assert sho_password not in page.content()
    other = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(other, qr, sho, sho_password, "/admin")
    assert "/account/password" in other.url  # it works, and must be changed first
    other.context.close()

    # A station added on the page, then its SHO's contact: a wrong number is refused first.
    code = f"GGN-E2E-{uuid.uuid4().hex[:6].upper()}"
    page.goto(f"{qr}/admin/stations/new")
    shot(page, "3-new-station")
    page.fill("#code", code)
    page.fill("#name_hi", "ई2ई परीक्षण थाना")
    page.fill("#name_en", "E2E Test")
    page.select_option("#zone", "East")
    page.click("form[action$='/stations/new'] button[type=submit]")
    assert page.url.endswith(f"/admin/stations/{code}?done=created")
    page.fill("#sho_name", "Insp. Kavita Rani")
    page.fill("#sho_mobile", "12345")
    page.fill("#sho_email", "kavita@example.invalid")
    page.click(f"form[action='/admin/stations/{code}'] button[type=submit]")
    assert page.locator("#sho_mobile-error").inner_text() == "Not a 10-digit Indian mobile number."
    assert page.input_value("#sho_name") == "Insp. Kavita Rani"
    shot(page, "4-station-refused")
    page.fill("#sho_mobile", "98123 45678")
    page.click(f"form[action='/admin/stations/{code}'] button[type=submit]")
    assert page.input_value("#sho_mobile") == "+919812345678"
    assert "Changes saved" in page.locator(".notice").inner_text()

    # Its code rotated, with a reason; the history names who did it.
    page.fill("#reason", "poster torn (e2e)")
    page.click("form[action$='/rotate'] button[type=submit]")
    assert page.locator("#qr-version").inner_text() == "2"
    history = page.locator("table.history").inner_text()
    assert "poster torn (e2e)" in history and username in history
    # The new code's image is drawn: its width once it has loaded, 0 if it failed to.
    assert page.locator("img.qr").evaluate(IMAGE_WIDTH) > 0
    shot(page, "5-station-rotated")
    url = requests.get(f"{qr}/api/v1/stations/{code}/qr-url", timeout=10).json()["url"]
    assert "?v=2&sig=" in url

    page.goto(f"{qr}/admin/zones/East")
    assert page.locator("a[href='/api/v1/zones/East/posters.pdf']").is_visible()
    shot(page, "6-zone")

    # A token, shown once, that works until it is revoked on the page.
    page.click("text=टोकन · API tokens")
    label = f"e2e control room {uuid.uuid4().hex[:6]}"
    page.fill("#label", label)
    page.select_option("#role", "admin")
    page.click("form[action$='/admin/tokens'] button[type=submit]")
    token = page.locator("#new-token").inner_text()
    assert "shown only now" in page.locator(".secret").inner_text()
    shot(page, "7-tokens-shown")
    assert requests.get(f"{qr}/api/v1/zones", headers=bearer(token), timeout=10).ok
    page.locator("tr", has_text=label).locator("button", has_text="Revoke").click()
    assert "revoked" in page.locator("tr", has_text=label).inner_text()
    shot(page, "8-tokens-revoked")
    wait_until(
        lambda: (
            requests.get(f"{qr}/api/v1/zones", headers=bearer(token), timeout=10).status_code == 401
        ),
        timeout_s=10,
    )
