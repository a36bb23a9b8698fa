"""The operations page as operations people see it: every service running as in
production (gunicorn, the consumers as workers), the page in a real headless browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".data" / "test-screenshots"
STATUSES = {"OK", "WARN", "REWIND", "STALL", "STOP"}


@pytest.fixture(scope="module")
def ops_url(stack_config, infra, all_services) -> str:
    from ops import services

    # A fresh analytics, so it serves this checkout's page and samples in the background.
    services.stop_service(stack_config, "analytics")
    port = services.start_service(stack_config, "analytics", infra)
    return f"http://127.0.0.1:{port}/ops"


def test_operations_see_every_group_service_and_server_on_one_page(browser, ops_url):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="hi-IN")
    page = context.new_page()

    def everything_ready():
        page.goto(ops_url)
        rows = page.locator("tr[data-service], tr[data-server]")
        bad = rows.evaluate_all("rs => rs.filter(r => r.className != 'good').length")
        return rows.count() == 7 and bad == 0

    # The notifier is ready once its worker's first heartbeat is in.
    wait_until(everything_ready, timeout_s=60, interval_s=1.0)
    page.screenshot(path=str(SCREENSHOTS / "ops.png"), full_page=True)

    groups = page.locator("section[data-group]")
    assert groups.count() == 2
    for group in ("analytics", "notifier"):
        section = page.locator(f'section[data-group="{group}"]')
        assert section.get_attribute("data-status") in STATUSES
        assert section.locator("svg.chart circle").count() >= 1  # at least the first sample
        assert int(section.locator("[data-lag]").inner_text().replace(",", "")) >= 0
    assert page.locator("tr[data-topic]").count() == 2
    assert page.locator("h1").inner_text() == "संचालन · Operations"
    assert page.locator('tr[data-service="notifier"]').inner_text().count("ready") == 1
    context.close()
