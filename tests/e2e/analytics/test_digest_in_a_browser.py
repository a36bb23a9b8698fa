"""A DCP gets the weekly digest in a real headless Chromium against analytics as
``./pratikriya up`` runs it: signs in, opens the digest page, downloads their zone's PDF (a
real download, its text read back with pdftotext), and another zone's PDF is refused."""

from __future__ import annotations

import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.analytics.digest.week import last_complete
from shared.auth import Role
from tests.e2e.analytics import fixtures
from tests.police import officer, sign_in_browser
from tests.support import create_station

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url
reader = fixtures.reader
SCREENSHOTS = Path(tempfile.gettempdir()) / "pratikriya-analytics-screenshots"


def test_a_dcp_downloads_their_zone_s_digest_in_a_browser(infra, analytics_url, browser):
    station = create_station(infra["DATABASE_URL"], zone="West")
    dcp = officer(infra["DATABASE_URL"], Role.DCP, zone="West")
    week = str(last_complete(datetime.now(UTC)))
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in_browser(page, analytics_url, dcp, next_path="/digest")
        assert "साप्ताहिक सारांश" in page.content()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "digest-dcp.png"), full_page=True)
        with page.expect_download() as info:
            page.click(f'a[href="/digest/{week}.pdf?zone=West"]')
        saved = SCREENSHOTS / "digest-west.pdf"
        info.value.save_as(str(saved))
        text = subprocess.run(
            ["pdftotext", str(saved), "-"], check=True, capture_output=True, text=True
        ).stdout
        flat = " ".join(text.split())
        assert "Weekly digest" in flat and "West zone" in flat
        assert f"Test station {station['code']}" in flat
        refused = page.request.get(f"{analytics_url}/digest/{week}.pdf?zone=East")
        assert refused.status == 403
    finally:
        context.close()
