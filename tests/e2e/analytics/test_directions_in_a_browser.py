"""A direction in a real headless Chromium, analytics running as in production (gunicorn):
the Commissioner's office directs a station from the form, resting on one of its low-rated
feedback; the station's SHO acknowledges and reports compliance; once the window after the
direction is over, the Commissioner sees the before-and-after with its verdict. The feedback
rows go straight into PostgreSQL around the direction's moment (the consumer's path is
tested elsewhere), and the direction is moved 30 days back, as if given then. A screenshot
of the direction's page (1366 px) goes to /tmp/pratikriya-directions-screenshots."""

from __future__ import annotations

import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared import db
from shared.auth import Role
from shared.india import today_in_india
from tests.e2e.analytics import fixtures
from tests.police import officer, sign_in_browser
from tests.support import create_station

pytestmark = pytest.mark.e2e
analytics_url = fixtures.analytics_url  # the session fixtures, shared by the modules
reader = fixtures.reader
SCREENSHOTS = Path(tempfile.gettempdir()) / "pratikriya-directions-screenshots"


def execute(database_url: str, sql: str, args: tuple = ()) -> None:
    with db.connection(database_url) as conn, db.transaction(conn) as cur:
        cur.execute(sql, args)


def feed(database_url: str, code: str, at: datetime, stars: list[int], resolved: int) -> None:
    for i, rating in enumerate(stars):
        execute(
            database_url,
            "INSERT INTO feedback (event_id, station_code, qr_version, submitted_at, rating,"
            " complaint_type, staff_available, staff_helped, problem_resolved, language)"
            " VALUES (%s, %s, 1, %s, %s, 'theft', true, %s, %s, 'hi')",
            (str(uuid.uuid4()), code, at + timedelta(hours=i), rating, i % 2 == 0, i < resolved),
        )


@pytest.fixture
def wide(browser):
    def page():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="hi-IN")
        made.append(context)
        return context.new_page()

    made: list = []
    yield page
    for context in made:
        context.close()


def test_the_commissioner_directs_the_sho_complies_and_the_commissioner_sees_the_effect(
    infra, analytics_url, wide
):
    url = infra["DATABASE_URL"]
    station = create_station(url, zone="East")["code"]
    moment = datetime.now(UTC) - timedelta(days=30)
    before = [1] * 6 + [2] * 5 + [3] * 4 + [4] * 3 + [5] * 2  # mean 2.5, 9 of 20 resolved
    after = [1] * 2 + [2] * 3 + [3] * 5 + [4] * 6 + [5] * 6  # mean 3.5, 18 of 22 resolved
    feed(url, station, moment - timedelta(days=20), before, resolved=9)
    feed(url, station, moment + timedelta(days=2), after, resolved=18)
    commissioner = officer(url, Role.COMMISSIONER)
    sho = officer(url, Role.SHO, station_code=station)

    boss = wide()
    sign_in_browser(boss, analytics_url, commissioner, f"/directions/new?station={station}")
    boss.fill("textarea[name=what]", "हर चोरी की शिकायत पर 24 घंटे में कार्यवाही करें")
    boss.fill("textarea[name=why]", "Theft complaints went unresolved; visitors rated 1 star")
    boss.fill("input[name=due_on]", (today_in_india() + timedelta(days=7)).isoformat())
    boss.locator("input[name=feedback]").first.check()
    boss.click("form.direction-form button[type=submit]")
    boss.wait_for_load_state()
    assert "/directions/" in boss.url
    number = int(boss.url.rsplit("/", 1)[1])
    assert boss.locator("dd.what").inner_text() == "हर चोरी की शिकायत पर 24 घंटे में कार्यवाही करें"
    assert boss.locator("ul.evidence li[data-event]").count() == 1
    # As if it had been given 30 days ago, the window after it (28 days) now over.
    execute(url, "UPDATE directions SET issued_at = %s, issued_on = %s WHERE id = %s",
            (moment, moment.date(), number))  # fmt: skip

    station_page = wide()
    sign_in_browser(station_page, analytics_url, sho, f"/directions/{number}")
    station_page.fill("form.report-form textarea[name=text]", "निर्देश मिला · Received")
    station_page.click("form.report-form button[type=submit]")
    station_page.wait_for_load_state()
    station_page.fill(
        "form.report-form textarea[name=text]", "रोज़ समीक्षा हो रही है · Daily review held"
    )
    station_page.click("form.report-form button[type=submit]")
    station_page.wait_for_load_state()
    row = station_page.locator(f'table.reports tr[data-station="{station}"]')
    assert "Received" in row.locator("td.acknowledgement").inner_text()
    assert "Daily review held" in row.locator("td.compliance").inner_text()
    assert station_page.locator("form.report-form").count() == 0

    boss.goto(f"{analytics_url}/directions/{number}")
    assert boss.locator('td[data-n="before"]').inner_text() == "20"
    assert boss.locator('td[data-n="after"]').inner_text() == "22"
    assert boss.locator(".verdict").get_attribute("data-enough") == "yes"
    english = boss.locator("p.stars-en").inner_text()
    assert english.startswith("Average stars rose (+1.00), more than noise")
    assert "+0.17" in english and "+1.83" in english
    assert "शोर से अधिक" in boss.locator("p.stars-hi").inner_text()
    assert "The share resolved rose" in boss.locator("p.resolved-en").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    boss.screenshot(path=str(SCREENSHOTS / "direction.png"), full_page=True)
