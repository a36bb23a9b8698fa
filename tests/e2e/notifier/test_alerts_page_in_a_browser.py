"""An SHO signs in through the login form in a real Chromium, finds their station's alert on
the notifier's /alerts page, acknowledges it with the page's button, and never sees another
station's alert. The notifier runs as in production (gunicorn app, worker on Kafka)."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.auth import Role
from shared.scores import WindowStats
from tests import police
from tests.support import wait_until

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".data" / "test-screenshots"
USUAL = WindowStats(count=300, unresolved=30)


def test_an_sho_acknowledges_their_station_s_alert_on_the_page_and_sees_no_other(
    browser, notifier, infra
):
    mine, other = notifier.new_station(), notifier.new_station()
    for station in (mine, other):
        notifier.publish(station["code"], count=12, part=7, baseline=USUAL)
    [alert] = wait_until(lambda: notifier.alerts(mine["code"]), timeout_s=20)
    wait_until(lambda: notifier.alerts(other["code"]), timeout_s=20)
    sho = police.officer(infra["DATABASE_URL"], Role.SHO, station_code=mine["code"])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN")
    page = context.new_page()

    police.sign_in_browser(page, notifier.url, sho, "/alerts")

    assert page.url == f"{notifier.url}/alerts"
    row = page.locator(f'table[data-list="current"] tr[data-alert="{alert["id"]}"]')
    assert row.count() == 1 and mine["name_hi"] in row.inner_text()
    assert "7" in row.inner_text() and "12" in row.inner_text()
    assert other["code"] not in page.content()
    assert sho.username in page.locator("nav.police-bar").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "alerts.png"), full_page=True)

    row.locator("button", has_text="Acknowledge").click()
    page.wait_for_load_state()

    assert page.url == f"{notifier.url}/alerts"
    assert row.get_attribute("data-state") == "acknowledged"
    assert sho.username in row.locator("[data-by]").inner_text()
    assert row.locator("button").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "alerts-acknowledged.png"), full_page=True)
    [after] = notifier.alerts(mine["code"])
    assert (after["status"], after["acknowledged_by"]) == ("acknowledged", sho.username)
    assert notifier.alerts(other["code"])[0]["status"] == "open"
    context.close()
